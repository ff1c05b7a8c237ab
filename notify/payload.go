package notify

import (
	"net/url"
	"strings"
)

// The payloads' shapes are package wire's (wire.IncidentPayload,
// wire.MaintenancePayload, wire.ComponentPayload); this file holds what
// notify puts in them.

// DefaultDocumentation is the link sent as meta.documentation when the
// configuration names none: the webhook section of the README.
const DefaultDocumentation = "https://github.com/up-status/up#webhooks"

// UnsubscribeURL is the link sent as meta.unsubscribe.
func UnsubscribeURL(pageURL, token string) string {
	return strings.TrimRight(pageURL, "/") + "/unsubscribe/" + url.PathEscape(token)
}
