package fleet_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/watchtower-ops/watchtower/fleet"
)

// TestKeys pins the Redis key names of the contract: renaming one would orphan the data a
// running deployment keeps under the old name.
func TestKeys(t *testing.T) {
	k := fleet.Keys{Prefix: "wt"}
	got := map[string]string{
		"ingest": k.Ingest(), "ingest dead": k.IngestDead(), "events": k.Events(), "notify": k.Notify(),
		"notify dead": k.NotifyDead(), "seen position": k.SeenPosition("dev@1", 42), "seen alert": k.SeenAlert("a:1"),
		"notify seen": k.NotifySeen("n1"), "notify sent": k.NotifySent("n1"), "notify lock": k.NotifyLock("n1"),
		"notify digest": k.NotifyDigest(12), "slack rate": k.SlackRate("C1"), "slack event": k.SlackEvent("Ev1"), "api rate": k.APIRate("7"),
		"conversation": k.Conversation("C1:100"), "positions": k.Positions(),
	}
	want := map[string]string{
		"ingest": "wt:ingest", "ingest dead": "wt:ingest:dead", "events": "wt:events", "notify": "wt:notify",
		"notify dead": "wt:notify:dead", "seen position": "wt:seen:p:dev@1:42", "seen alert": "wt:seen:a:a:1",
		"notify seen": "wt:notify:seen:n1", "notify sent": "wt:notify:sent:n1", "notify lock": "wt:notify:lock:n1", "notify digest": "wt:notify:digest:12",
		"slack rate": "wt:slack:rate:C1", "slack event": "wt:slack:event:Ev1", "api rate": "wt:api:rate:7",
		"conversation": "wt:conv:C1:100", "positions": "wt:positions",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("key names, -want +got:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"wt:ingest", "wt:events", "wt:notify"}, k.Streams()); diff != "" {
		t.Errorf("Streams, -want +got:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"wt:ingest:dead", "wt:notify:dead"}, k.DeadStreams()); diff != "" {
		t.Errorf("DeadStreams, -want +got:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"wt:seen:*", "wt:notify:seen:*"}, k.SeenPatterns()); diff != "" {
		t.Errorf("SeenPatterns, -want +got:\n%s", diff)
	}
}
