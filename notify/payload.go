package notify

import (
	"net/url"
	"strings"
)

// The payloads' shapes are package wire's (wire.IncidentPayload,
// wire.MaintenancePayload, wire.ComponentPayload); this file holds what
// notify puts in them.

// DocumentationPath is where, under the page's URL, the daemon serves the
// document that meta.documentation links to by default: the API's OpenAPI
// contract, whose objects use the payloads' field names and formats. It
// is served by up itself, so the link works wherever page.url does,
// offline and behind a path prefix included.
const DocumentationPath = "/openapi.yaml"

// DefaultDocumentation is the link sent as meta.documentation when the
// configuration names none: DocumentationPath under the page's URL.
func DefaultDocumentation(pageURL string) string {
	return strings.TrimRight(pageURL, "/") + DocumentationPath
}

// UnsubscribeURL is the link sent as meta.unsubscribe.
func UnsubscribeURL(pageURL, token string) string {
	return strings.TrimRight(pageURL, "/") + "/unsubscribe/" + url.PathEscape(token)
}
