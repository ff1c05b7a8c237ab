// Package auth holds the rules for the secrets up hands out: what a valid
// API token looks like, how it is made, kept (hashed) and compared, and how
// an unsubscribe link's token is made. The config file and the API create
// users and subscribers alike, so both ask this package, and a token that
// one accepts or makes the other accepts or makes too.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
)

// A token must be long enough not to be guessed and short enough that a
// header carrying it stays small.
const (
	MinTokenLen = 16
	MaxTokenLen = 256
)

// CheckToken reports why t cannot be a token, or nil. The message never
// contains the token. Printable ASCII without spaces is what travels in
// an Authorization header unchanged.
func CheckToken(t string) error {
	if n := len(t); n < MinTokenLen || n > MaxTokenLen {
		return fmt.Errorf("a token needs %d to %d characters, this one has %d", MinTokenLen, MaxTokenLen, n)
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] >= 0x7f {
			return fmt.Errorf("a token is printable ASCII without spaces; character %d is not", i+1)
		}
	}
	return nil
}

// Hash is the form in which a token is stored and looked up: SHA-256, so
// a copy of the database gives no working token.
func Hash(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// Equal compares two token hashes in constant time.
func Equal(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
