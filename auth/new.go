package auth

import (
	"crypto/rand"
	"encoding/base64"
)

// TokenPrefix starts every token up makes, so that secret scanners and
// people recognise one in a log, a commit or a paste. Tokens chosen by
// people (the config file, PUT /users with a token) need not have it.
const TokenPrefix = "up_"

// NewToken makes an API token: TokenPrefix and 32 random bytes in
// URL-safe base64 (46 characters), which CheckToken accepts.
func NewToken() string {
	return TokenPrefix + randomBase64(32)
}

// NewUnsubscribeToken makes the unguessable part of a subscriber's
// unsubscribe link: 32 random bytes in URL-safe base64 (43 characters),
// safe in a URL path as is. The API and the config file's subscribers
// both take theirs from here, so every link has one form.
func NewUnsubscribeToken() string {
	return randomBase64(32)
}

func randomBase64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails; it aborts the program instead
	return base64.RawURLEncoding.EncodeToString(b)
}
