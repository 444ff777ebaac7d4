// Package ingest owns Watch Tower's telematics intake: the LocoNav webhook listener
// (authentication by HMAC signature or path token, the 1 MiB body limit, decoding of
// LocoNav's location and alert pushes, validation, replay detection), the Redis Streams
// producer ({prefix}:ingest), the consumer workers of group "processors" that apply batches to
// the store and drive the detection rules of package fleet, the dead-letter stream
// ({prefix}:ingest:dead), the domain events stream ({prefix}:events), the notification
// producer for Slack ({prefix}:notify), the periodic upkeep (lag, trimming, offline sweep),
// and the fleet simulator (ingest/sim). The LocoNav REST client lives in ingest/loconav.
//
// Delivery is at least once and every effect is idempotent: the listener answers 202 only
// once every event is in the stream, consumers acknowledge only after the transaction that
// applied an entry committed and its notifications were appended, and a redelivered entry is
// recognised by its entry ID. It imports only fleet, never store, tools, schedule or
// bot; the store is reached through the small Recorder and Keeper interfaces declared here,
// which *store.Store satisfies as it is.
package ingest
