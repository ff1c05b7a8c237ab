package auth

import (
	"regexp"
	"testing"
)

func TestNewToken(t *testing.T) {
	form := regexp.MustCompile(`^up_[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for range 1000 {
		tok := NewToken()
		if !form.MatchString(tok) {
			t.Fatalf("NewToken() = %q, want %s", tok, form)
		}
		if err := CheckToken(tok); err != nil {
			t.Fatalf("CheckToken refuses a made token: %v", err)
		}
		if seen[tok] {
			t.Fatalf("NewToken made %q twice", tok)
		}
		seen[tok] = true
	}
}

func TestNewUnsubscribeToken(t *testing.T) {
	form := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for range 1000 {
		tok := NewUnsubscribeToken()
		if !form.MatchString(tok) {
			t.Fatalf("NewUnsubscribeToken() = %q, want %s", tok, form)
		}
		if seen[tok] {
			t.Fatalf("NewUnsubscribeToken made %q twice", tok)
		}
		seen[tok] = true
	}
}
