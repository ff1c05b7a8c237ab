package status

import (
	"crypto/rand"
	"strings"
)

// NewID makes a random id for an incident, update, window, user or
// subscriber: 26 characters of lower-case base32 (130 bits), so ids never
// collide across restarts or instances, and valid wherever the config
// accepts an id. Engines take their id generator as an argument (tests
// pass a counter); this is the one every running up uses.
func NewID() string { return strings.ToLower(rand.Text()) }
