// Package loconav is Watch Tower's client for LocoNav's Integration REST API
// (LOCONAV_API_URL, default https://api.a.loconav.com/integration/api/v1) and the three jobs
// built on it:
//
//   - Roster imports LocoNav's vehicle list (GET /vehicles) into the trucks table, keyed by the
//     LocoNav vehicle UUID, and adopts the unrostered trucks ingest registered for devices it
//     did not know (the loconav-roster job).
//   - Poller is the fallback for silent webhooks: it asks POST /vehicles/telematics/last_known
//     for trucks without a fix for a while and feeds the answers into the ingest stream as
//     ordinary events, so one code path applies them (the loconav-poll job).
//   - TripPusher creates approved trips in LocoNav (POST /trips), stores the LocoNav trip ID and
//     the public tracking URL (GET /trips/{id}/track_url), deletes cancelled trips there, and
//     retries with backoff until LocoNav accepts.
//
// The client sends the static token in the User-Authentication header (it never appears in an
// error or a log line), sends page and perPage explicitly on every list call (LocoNav's default
// page of 10 silently truncates), stays under LocoNav's documented limit of 500 calls a minute
// per endpoint with a client-side limiter, backs off on 429 as the X-Rate-Limit-* and
// Retry-After headers say, bounds every request with a timeout, and names the failing call in
// its errors.
//
// Errors are classified at this boundary into fleet codes: EUNAUTHORIZED for a rejected token,
// EFORBIDDEN, ENOTFOUND, EINVALID for a request LocoNav refused (400, 422 or success false),
// ERATELIMITED when 429 persists and EUNAVAILABLE when LocoNav cannot be reached or keeps
// failing. errors.As(err, new(*loconav.Error)) gives the HTTP status and LocoNav's own message.
//
// It owns LocoNav's wire format and nothing else of Watch Tower's: it imports fleet and
// ingest only, never store; the store is reached through RosterStore,
// PollStore and PushStore, declared here and satisfied by *store.Store.
package loconav
