// Package api is Watch Tower's third front door, after Slack and the console: a JSON API for
// integrations under /api/v1 and a customer trip-tracking page at /track/{token}, both on the
// side listener (HTTP_ADDR).
//
// Every route calls the same fleet functions as Slack and the model (package tools), or the
// store's roster rules (Roster): one implementation, another front door. POST /api/v1/trips
// creates a pending_approval trip exactly as create_trip does, approval message included;
// POST, PATCH and DELETE on /api/v1/trucks and /api/v1/sites add, change and retire them. Every
// write is audited with the token's name via "api".
//
// Callers authenticate with bearer tokens made by `watchtower token create` (only their
// SHA-256 is stored); a read token may call every GET, a write token also POST, PATCH and
// DELETE. Each token is rate limited with a GCRA bucket kept in Redis, so the limit holds across
// replicas. Every failure has one shape, {"error":{"code":"not_found","message":"truck T1 not
// found"}}, whose code is the fleet.Error code and whose HTTP status follows from it (see
// StatusOf); "field" (and "param", its first-release name) names the body field or query
// parameter at fault. Query strings and bodies are strict: an unknown parameter or field or a
// malformed value is a 400 naming it. Answers spell lat/lng, departure and status; the first
// release's latitude, longitude, departure_time and state are accepted on input.
// The OpenAPI 3 document of all of it is served at /api/v1/openapi.json.
//
// Tracking links carry an HMAC-SHA256-signed trip code and expiry (TRACKING_SECRET); an
// expired or forged link gets a plain "link expired" page, never another trip.
//
// api imports fleet and tools only, never store: *store.Store satisfies Catalog, Roster and
// TokenStore as they are declared here, and main hands it in.
package api
