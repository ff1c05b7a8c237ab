package auth

import (
	"strings"
	"testing"
)

func TestCheckToken(t *testing.T) {
	for _, tc := range []struct {
		tok string
		ok  bool
	}{
		{"", false},
		{"x", false},
		{strings.Repeat("a", MinTokenLen-1), false},
		{strings.Repeat("a", MinTokenLen), true},
		{strings.Repeat("a", MaxTokenLen), true},
		{strings.Repeat("a", MaxTokenLen+1), false},
		{"with a space 0123456789", false},
		{"tab\tinside-0123456789", false},
		{"non-ascii-é-0123456789", false},
		{"up_Zx-9.~!#$%&'*+/=?^`|0123", true},
	} {
		err := CheckToken(tc.tok)
		if (err == nil) != tc.ok {
			t.Errorf("CheckToken(%d chars) = %v, want ok=%v", len(tc.tok), err, tc.ok)
		}
		if err != nil && len(tc.tok) > 0 && strings.Contains(err.Error(), tc.tok) {
			t.Errorf("error %q shows the token", err)
		}
	}
}

func TestHashEqual(t *testing.T) {
	a, b := Hash("correct horse battery"), Hash("correct horse battery")
	if !Equal(a, b) {
		t.Fatal("equal tokens hash differently")
	}
	if Equal(a, Hash("correct horse batterz")) {
		t.Fatal("different tokens compare equal")
	}
}
