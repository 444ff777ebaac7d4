package fleet

import "strconv"

// Keys names every Redis key of one REDIS_PREFIX. It is the one place a key is spelled: the
// listener, the consumer, the Slack sender, the console, the agent's memory, the API and the
// retention job all ask it, so two packages cannot drift apart on a name.
//
// Streams: {prefix}:ingest (consumer group "processors"), {prefix}:ingest:dead,
// {prefix}:events, {prefix}:notify (consumer groups "slack" and "console"),
// {prefix}:notify:dead, {prefix}:positions (capped, read by the live map). The other keys carry a TTL and are listed with their methods.
type Keys struct{ Prefix string }

// Ingest is the stream of validated raw events, read by consumer group "processors".
func (k Keys) Ingest() string { return k.Prefix + ":ingest" }

// IngestDead is where ingest entries that failed too often go, with their error.
func (k Keys) IngestDead() string { return k.Prefix + ":ingest:dead" }

// Observing holds when ingest started observing the fleet (RFC 3339). Ingest's upkeep
// refreshes it every round and it expires when no replica does, so it survives restarts of a
// running fleet and starts afresh after downtime.
func (k Keys) Observing() string { return k.Prefix + ":ingest:observing" }

// Events is the stream of domain events.
func (k Keys) Events() string { return k.Prefix + ":events" }

// Notify is the stream of notifications, read by the Slack sender and the demo console.
func (k Keys) Notify() string { return k.Prefix + ":notify" }

// Positions is the stream of applied fixes, {prefix}:positions: the consumers append every fix
// they committed, and every replica's live map reads it, so a viewer on any replica sees all
// fixes. It is informational and capped: readers that fall behind further than the cap start
// again from a snapshot.
func (k Keys) Positions() string { return k.Prefix + ":positions" }

// NotifyParent holds the Slack parent message of an incident kept outside the alerts table
// (a system incident announced while Postgres was down), by incident key and opening time.
func (k Keys) NotifyParent(incidentKey string, openedMilli int64) string {
	return k.Prefix + ":notify:parent:" + incidentKey + "@" + strconv.FormatInt(openedMilli, 10)
}

// SystemPostgres records an open "Postgres unreachable" system incident while Postgres is down.
func (k Keys) SystemPostgres() string { return k.Prefix + ":system:postgres" }

// NotifyDead is where notifications Slack refused for good go, with the reason.
func (k Keys) NotifyDead() string { return k.Prefix + ":notify:dead" }

// Streams lists the live streams, which retention trims to its stream window.
func (k Keys) Streams() []string { return []string{k.Ingest(), k.Events(), k.Notify()} }

// DeadStreams lists the dead-letter streams, which retention keeps longer.
func (k Keys) DeadStreams() []string { return []string{k.IngestDead(), k.NotifyDead()} }

// SeenPosition is the replay set of a device's positions in one time bucket (a set of
// millisecond offsets into the bucket).
func (k Keys) SeenPosition(device string, bucket int64) string {
	return k.Prefix + ":seen:p:" + device + ":" + strconv.FormatInt(bucket, 10)
}

// SeenAlert is the replay marker of one ingested alert event.
func (k Keys) SeenAlert(eventKey string) string { return k.Prefix + ":seen:a:" + eventKey }

// NotifySeen is the marker that notification id was appended to Notify; id is short and
// plain (the caller hashes long ones).
func (k Keys) NotifySeen(id string) string { return k.Prefix + ":notify:seen:" + id }

// SeenPatterns are the SCAN patterns of every dedupe key (SeenPosition, SeenAlert,
// NotifySeen), all of which must carry an expiry.
func (k Keys) SeenPatterns() []string {
	return []string{k.Prefix + ":seen:*", k.Prefix + ":notify:seen:*"}
}

// NotifySent is the hash recording which Slack steps of notification id are done.
func (k Keys) NotifySent(id string) string { return k.Prefix + ":notify:sent:" + id }

// NotifyLock is the delivery lock of notification id, so two replicas never post it twice.
func (k Keys) NotifyLock(id string) string { return k.Prefix + ":notify:lock:" + id }

// NotifyDigest is where the info-alert digest message listing alert id is (channel, ts and
// the alert IDs of that message), so acting on the alert updates the digest in place.
func (k Keys) NotifyDigest(id int64) string {
	return k.Prefix + ":notify:digest:" + strconv.FormatInt(id, 10)
}

// SlackRate is the rate-limit bucket of one Slack channel, shared by every replica. The rate
// limiter stores it as "rate:" followed by this name.
func (k Keys) SlackRate(channel string) string { return k.Prefix + ":slack:rate:" + channel }

// SlackEvent marks a Slack event ID as handled, so Slack's redeliveries are answered once.
func (k Keys) SlackEvent(eventID string) string { return k.Prefix + ":slack:event:" + eventID }

// APIRate is the rate-limit bucket of one API token, shared by every replica. The rate
// limiter stores it as "rate:" followed by this name.
func (k Keys) APIRate(tokenID string) string { return k.Prefix + ":api:rate:" + tokenID }

// Conversation holds the agent's memory of one conversation (channel and thread).
func (k Keys) Conversation(key string) string { return k.Prefix + ":conv:" + key }
