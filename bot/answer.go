package bot

import (
	"context"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
	"github.com/watchtower-ops/watchtower/tools/intent"
)

// Asker answers free text with the model (or the offline parser) calling the fleet
// functions. *tools.Agent satisfies it.
type Asker interface {
	// Ask answers q. It returns EUNAVAILABLE when nothing could answer.
	Ask(ctx context.Context, q tools.Question) (tools.Answer, error)
}

// Ask answers free text from caller. conversation keys the model's memory of the thread
// ("C0123:1700000000.000100"). The answer is the model's words with a card for each function
// result under them.
func (h *Handler) Ask(ctx context.Context, caller tools.Caller, conversation, text string) View {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	if strings.TrimSpace(text) == "" || h.asker == nil {
		return h.help().View
	}
	ans, err := h.asker.Ask(ctx, tools.Question{Text: text, Conversation: conversation, Caller: h.vouch(caller),
		ThreadTrip: h.threadTrip(ctx, conversation)})
	if err != nil {
		return h.problem(ctx, err, "answer question", "conversation", conversation)
	}
	return h.AnswerView(ans)
}

// threadTrip returns the trip whose approval message starts the thread conversation
// ("C0123:1700000000.000100") names, "" when none does or it cannot be read (the parser then
// asks which trip).
func (h *Handler) threadTrip(ctx context.Context, conversation string) string {
	channel, ts, ok := strings.Cut(conversation, ":")
	if h.trips == nil || !ok || ts == "" {
		return ""
	}
	t, err := h.trips.TripBySlackMessage(ctx, channel, ts)
	if err != nil {
		if fleet.ErrorCode(err) != fleet.ENOTFOUND {
			h.log.WarnContext(ctx, "trip of thread", "err", err, "conversation", conversation)
		}
		return ""
	}
	return t.Code
}

// AnswerView renders an agent's answer: its text, then one card per successful function
// result. The offline parser's text only restates its single result, so when a card shows
// that result the text is left out.
func (h *Handler) AnswerView(ans tools.Answer) View {
	var cards []View
	for _, res := range dedupeResults(ans.Results) {
		if c, ok := h.card(res); ok {
			cards = append(cards, c)
		}
	}
	v := View{Text: plainLine(mrkdwnFromMarkdown(ans.Text))}
	if ans.Text != "" && (ans.Engine != tools.EngineOffline || len(cards) == 0) {
		v = v.add(&Section{Text: mrkdwnFromMarkdown(ans.Text)})
	}
	for i, c := range cards {
		if i > 0 || len(v.Parts) > 0 {
			v = v.add(&Divider{})
		}
		v = v.add(c.Parts...)
		if v.Text == "" {
			v.Text = c.Text
		}
	}
	if ans.Degraded != "" {
		v = v.add(&Context{Items: []string{":information_source: answered without the model: " + esc(ans.Degraded)}})
	}
	if len(v.Parts) == 0 { // nothing it can answer: say what it can do, in one line
		return View{Text: intent.Help}.add(&Section{Text: esc(intent.Help)})
	}
	return v
}

// card renders a successful function result; failures are already in the answer's text.
func (h *Handler) card(res tools.Result) (View, bool) {
	if res.Err != nil || res.Value == nil {
		return View{}, false
	}
	switch v := res.Value.(type) {
	case *tools.TruckLocation:
		return h.r.TruckCard(v), true
	case *tools.FleetStatus:
		return h.r.FleetStatus(v), true
	case *tools.TripDetails:
		return h.r.TripDetails(v), true
	case *tools.TripCreated:
		return h.r.TripCreated(v), true
	case *tools.TripChanged:
		return h.r.TripChanged(v), true
	case *tools.DailySummary:
		return h.r.DailySummary(v), true
	case *tools.NearbyTrucks:
		return h.r.Nearby(v), true
	case *tools.SiteStatus:
		return h.r.SiteStatus(v), true
	}
	return View{}, false
}

// dedupeResults keeps the last of identical calls (a model asking twice), in call order.
func dedupeResults(rs []tools.Result) []tools.Result {
	last := map[string]int{}
	for i, r := range rs {
		last[r.Tool+"\x00"+string(r.Args)] = i
	}
	var out []tools.Result
	for i, r := range rs {
		if last[r.Tool+"\x00"+string(r.Args)] == i {
			out = append(out, r)
		}
	}
	return out
}
