package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
	"github.com/watchtower-ops/watchtower/tools/intent"
)

// TestBlocksStayWithinSlackLimits renders oversized views and checks every limit Slack
// enforces: 50 blocks, 3,000 characters a section, 10 fields of 2,000, 150 a header.
func TestBlocksStayWithinSlackLimits(t *testing.T) {
	long := strings.Repeat("line of a very long answer about trucks\n", 400)
	many := View{}
	for i := range 80 {
		many = many.add(&Section{Text: fmt.Sprintf("section %d", i)})
	}
	fields := make([]Field, 25)
	for i := range fields {
		fields[i] = Field{Label: "F", Value: strings.Repeat("v", 2500)}
	}
	cases := []struct {
		name string
		v    View
	}{
		{"long text", View{}.add(&Section{Text: long})},
		{"many sections", many},
		{"many long fields", View{}.add(&Section{Fields: fields})},
		{"long header", View{}.add(&Header{Text: strings.Repeat("H", 300)})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			blocks := c.v.Blocks()
			if len(blocks) > maxBlocks {
				t.Fatalf("blocks = %d; want at most %d", len(blocks), maxBlocks)
			}
			raw, _ := json.Marshal(blocks)
			var decoded []struct {
				Type   string `json:"type"`
				Text   *struct{ Text string }
				Fields []struct{ Text string }
			}
			if err := json.Unmarshal(raw, &decoded); err != nil {
				t.Fatal(err)
			}
			for i, b := range decoded {
				if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > maxSectionChars {
					t.Errorf("block %d text has %d characters", i, utf8.RuneCountInString(b.Text.Text))
				}
				if b.Type == "header" && utf8.RuneCountInString(b.Text.Text) > maxHeaderChars {
					t.Errorf("header has %d characters", utf8.RuneCountInString(b.Text.Text))
				}
				if len(b.Fields) > maxFields {
					t.Errorf("block %d has %d fields", i, len(b.Fields))
				}
				for _, f := range b.Fields {
					if utf8.RuneCountInString(f.Text) > maxFieldChars {
						t.Errorf("field has %d characters", utf8.RuneCountInString(f.Text))
					}
				}
			}
		})
	}
	if got := len(View{}.add(&Section{Text: long}).Blocks()); got < 5 {
		t.Errorf("long text became %d blocks; want it split across sections", got)
	}
}

func TestMrkdwnFromMarkdown(t *testing.T) {
	cases := []struct{ in, want string }{
		{"**T11985LA** is parked", "*T11985LA* is parked"},
		{"See [the map](https://maps.example/x?a=1&b=2)", "See <https://maps.example/x?a=1&amp;b=2|the map>"},
		{"### Fleet\n- one\n- two", "*Fleet*\n• one\n• two"},
		{"a < b & c", "a &lt; b &amp; c"},
		{"ask <@U123> or <https://x.example|x>", "ask <@U123> or <https://x.example|x>"},
	}
	for _, c := range cases {
		if got := mrkdwnFromMarkdown(c.in); got != c.want {
			t.Errorf("mrkdwnFromMarkdown(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

func TestConsolePlain(t *testing.T) {
	cases := []struct{ in, want string }{
		{"*Parked* at <https://m.example/?q=1|ESSLIBRA> by <@U1>", "Parked at ESSLIBRA (https://m.example/?q=1) by @U1"},
		{":large_green_circle: _moving_ &amp; ~late~", "🟢 moving & late"},
		{"in <#C1|dispatch> :unknown_emoji:", "in #dispatch :unknown_emoji:"},
		{"*cleanup* 0 2 * * * · *x*", "cleanup 0 2 * * * · x"}, // a cron spec is not bold marks
	}
	for _, c := range cases {
		if got := plain(c.in); got != c.want {
			t.Errorf("plain(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

func TestAgo(t *testing.T) {
	now := time.Date(2025, 11, 26, 14, 0, 0, 0, time.UTC)
	cases := []struct {
		d    time.Duration
		want string
	}{
		{20 * time.Second, "just now"}, {12 * time.Minute, "12 min ago"}, {3*time.Hour + 5*time.Minute, "3 h 5 min ago"},
		{2 * time.Hour, "2 h ago"}, {30 * time.Hour, "30 h ago"}, {100 * time.Hour, "4 days 4 h ago"},
	}
	for _, c := range cases {
		if got := ago(now, now.Add(-c.d)); got != c.want {
			t.Errorf("ago(%s) = %q; want %q", c.d, got, c.want)
		}
	}
}

// TestCardsInBothRenderers checks that each card says the same in Slack and on the console.
func TestCardsInBothRenderers(t *testing.T) {
	r := &Renderer{Zone: fleet.Lagos(), Now: func() time.Time { return time.Date(2025, 11, 26, 13, 0, 0, 0, time.UTC) }}
	loc := &tools.TruckLocation{Plate: "T11985LA", Status: fleet.StateMoving, HasFix: true, Lat: 6.5, Lng: 3.4, SpeedKmh: 42,
		Direction: "NE", FixTimeLagos: "Wed 26 Nov 13:48 WAT", FixAge: "12 min ago", Place: "2.3 km from ECLAT (Eclat Warehouse)",
		MapURL: "https://www.google.com/maps?q=6.5,3.4", ActiveTrip: &tools.TripBrief{TripID: "TRP-0042", Status: fleet.TripOngoing, Origin: "ESSLIBRA", Destination: "ECLAT"}}
	a := fleet.Alert{ID: 9, Kind: fleet.AlertIdle, Plate: "T28737LA", Severity: fleet.SeverityCritical, Message: "idle 25 min with ignition on",
		OpenedAt: time.Date(2025, 11, 26, 12, 30, 0, 0, time.UTC)}
	trip := fleet.Trip{Code: "TRP-0042", Plate: "T11985LA", Origin: "ESSLIBRA", Destination: "ECLAT", Status: fleet.TripPendingApproval,
		ScheduledDeparture: time.Date(2025, 11, 27, 7, 0, 0, 0, time.UTC), RequestedBy: "U1", RequestedVia: "slack"}
	cases := []struct {
		name string
		v    View
		want []string
	}{
		{"truck", r.TruckCard(loc), []string{"T11985LA", "Moving", "42 km/h", "NE", "12 min ago", "TRP-0042", "google.com/maps"}},
		{"alert", r.AlertParent(a), []string{"Idle", "T28737LA", "idle 25 min", "13:30", "30 min ago", "alert #9"}},
		{"approval", r.Approval(trip), []string{"TRP-0042", "ESSLIBRA → ECLAT", "Thu 27 Nov 08:00", "trip_approve"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, _ := json.Marshal(c.v.Blocks())
			console := c.v.Console()
			for _, w := range c.want {
				if !strings.Contains(string(raw), w) {
					t.Errorf("blocks lack %q: %s", w, raw)
				}
				if w != "trip_approve" && !strings.Contains(console, w) && !strings.Contains(console, strings.ReplaceAll(w, "google.com/maps", "")) {
					t.Errorf("console lacks %q:\n%s", w, console)
				}
			}
			if c.name == "approval" && !strings.Contains(console, "'approve TRP-0042'") {
				t.Errorf("console approval lacks the approve command:\n%s", console)
			}
		})
	}
}

// TestClassify sorts Slack's failures into retry, wait and dead-letter.
func TestClassify(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want errClass
	}{
		{"429", &slack.RateLimitedError{RetryAfter: 3 * time.Second}, errRateLimited},
		{"503", slack.StatusCodeError{Code: 503}, errTransient},
		{"channel_not_found", slack.SlackErrorResponse{Err: "channel_not_found"}, errPermanent},
		{"not_in_channel", slack.SlackErrorResponse{Err: "not_in_channel"}, errPermanent},
		{"invalid_auth", slack.SlackErrorResponse{Err: "invalid_auth"}, errTransient},
		{"odd code", slack.SlackErrorResponse{Err: "something_new"}, errUnknown},
		{"store down", fleet.Errorf(fleet.EUNAVAILABLE, "database unreachable"), errTransient},
		{"wrapped 429", fmt.Errorf("post: %w", &slack.RateLimitedError{RetryAfter: time.Second}), errRateLimited},
	}
	for _, c := range cases {
		if got := classify(c.err).class; got != c.want {
			t.Errorf("classify(%s) = %d; want %d", c.name, got, c.want)
		}
	}
}

func TestDecidedSaysWhoAndWhen(t *testing.T) {
	r := &Renderer{Zone: fleet.Lagos(), Now: time.Now}
	at := time.Date(2025, 11, 26, 13, 5, 0, 0, time.UTC)
	base := fleet.Trip{Code: "TRP-0007", Plate: "T1", Origin: "A", Destination: "B"}
	cases := []struct {
		name string
		edit func(*fleet.Trip)
		want []string
	}{
		{"approved", func(t *fleet.Trip) { t.Status, t.DecidedBy, t.DecidedAt = fleet.TripScheduled, "U9", &at }, []string{"Approved by @U9", "14:05"}},
		{"rejected", func(t *fleet.Trip) {
			t.Status, t.DecidedBy, t.DecidedAt, t.RejectReason = fleet.TripRejected, "U9", &at, "no driver"
		}, []string{"Rejected by @U9", "no driver"}},
		{"cancelled before a decision", func(t *fleet.Trip) {
			t.Status, t.CancelledBy, t.CancelledAt, t.CancelReason = fleet.TripCancelled, "console", &at, "customer called"
		}, []string{"Cancelled by console", "customer called"}},
	}
	for _, c := range cases {
		tr := base
		c.edit(&tr)
		v := r.Decided(tr)
		raw, _ := json.Marshal(v.Blocks())
		for _, w := range c.want {
			if !strings.Contains(v.Console(), w) {
				t.Errorf("%s: card lacks %q:\n%s", c.name, w, v.Console())
			}
		}
		if strings.Contains(string(raw), "trip_approve") {
			t.Errorf("%s: decided card still has buttons", c.name)
		}
	}
}

func TestApprovedCardShowsTrackingLink(t *testing.T) {
	r := &Renderer{Zone: fleet.Lagos(), Now: time.Now,
		TrackingLink: func(t fleet.Trip) string { return "https://wt.example/track/" + t.Code }}
	at := time.Date(2025, 11, 26, 13, 5, 0, 0, time.UTC)
	tr := fleet.Trip{Code: "TRP-0008", Plate: "T1", Origin: "A", Destination: "B", Status: fleet.TripScheduled, DecidedBy: "U9", DecidedAt: &at}
	if raw, _ := json.Marshal(r.Decided(tr).Blocks()); !strings.Contains(string(raw), "https://wt.example/track/TRP-0008") {
		t.Errorf("approved card lacks the tracking link: %s", raw)
	}
	tr.Status = fleet.TripRejected
	if raw, _ := json.Marshal(r.Decided(tr).Blocks()); strings.Contains(string(raw), "/track/") {
		t.Errorf("rejected card shows a tracking link: %s", raw)
	}
}

// TestNothingToAnswerIsOneLine: an answer with nothing in it says what the bot can do in one
// line, not the whole help list.
func TestNothingToAnswerIsOneLine(t *testing.T) {
	v := NewHandler(HandlerDeps{}).AnswerView(tools.Answer{})
	if v.Text != intent.Help || strings.Contains(v.Console(), "/fleet") {
		t.Errorf("empty answer = %q / %q; want the one line %q", v.Text, v.Console(), intent.Help)
	}
}

// TestCardsSayHowArrivalWasEstimated: the approval message, the trip-created card and the trip
// card say whether a time is learned from past trips or estimated from distance.
func TestCardsSayHowArrivalWasEstimated(t *testing.T) {
	r := &Renderer{Zone: fleet.Lagos(), Now: time.Now}
	dep := time.Date(2025, 11, 27, 7, 0, 0, 0, time.UTC)
	learned := fleet.Trip{Code: "TRP-0042", Plate: "T11985LA", Origin: "APAPA", Destination: "ECLAT", Status: fleet.TripPendingApproval,
		ScheduledDeparture: dep, PlannedArrival: dep.Add(5 * time.Hour), PlannedBasis: fleet.ETALearned, PlannedTrips: 12}
	old := learned
	old.PlannedBasis, old.PlannedTrips = "", 0 // planned before bases were stored
	eta := dep.Add(6 * time.Hour)
	learnedBasis, distanceBasis := fleet.ETALearned, fleet.ETAFromDistance
	details := &tools.TripDetails{TripID: "TRP-0042", Plate: "T11985LA", Status: fleet.TripOngoing, ScheduledDepartureLagos: "Thu 27 Nov 08:00",
		PlannedArrivalLagos: "Thu 27 Nov 13:00", PlannedArrivalBasis: &learnedBasis, PlannedArrivalTrips: 12,
		ETA: &eta, ETALagos: "Thu 27 Nov 14:00", ETABasis: &distanceBasis}
	created := &tools.TripCreated{TripID: "TRP-0042", Status: fleet.TripPendingApproval, Departure: dep,
		PlannedArrivalLagos: "Thu 27 Nov 13:00", PlannedArrivalBasis: fleet.ETALearned, PlannedArrivalTrips: 7}
	cases := []struct {
		name   string
		v      View
		want   []string
		reject string
	}{
		{"approval, learned", r.Approval(learned), []string{"Thu 27 Nov 13:00", "based on 12 past trips"}, "estimated from distance"},
		{"approval, planned before bases", r.Approval(old), []string{"Thu 27 Nov 13:00", "estimated from distance"}, "past trips"},
		{"decided", r.Decided(learned), []string{"based on 12 past trips"}, "estimated from distance"},
		{"trip card", r.TripDetails(details), []string{"Thu 27 Nov 13:00\n_based on 12 past trips_", "Thu 27 Nov 14:00\n_estimated from distance_"}, ""},
		{"created", r.TripCreated(created), []string{"based on 7 past trips"}, "estimated from distance"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, _ := json.Marshal(c.v.Blocks())
			for _, w := range c.want {
				if !strings.Contains(string(raw), strings.ReplaceAll(w, "\n", `\n`)) {
					t.Errorf("blocks lack %q: %s", w, raw)
				}
			}
			if c.reject != "" && strings.Contains(string(raw), c.reject) {
				t.Errorf("blocks say %q: %s", c.reject, raw)
			}
		})
	}
}
