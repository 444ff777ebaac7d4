package bot_test

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// reportLatencies reports p50, p99 and max of lat in milliseconds.
func reportLatencies(b *testing.B, prefix string, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(q float64) float64 {
		return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), prefix+"p50_ms")
	b.ReportMetric(at(0.99), prefix+"p99_ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, prefix+"max_ms")
}

// BenchmarkEnvelopeAck measures slash command envelope → ack over a real websocket: the fake
// Slack times from writing the envelope to reading the ack. Each command (/truck, answered
// from Postgres through the response_url) is finished before the next is sent.
func BenchmarkEnvelopeAck(b *testing.B) {
	h := newBenchHarness(b)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := h.fake.SlashCommand("UDISPATCH", generalCh, "/truck", "T11985LA")
		a, err := h.fake.WaitAck(10*time.Second, in.EnvelopeID)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, a.Latency)
		if err := h.fake.WaitTimeout(10*time.Second, "the answer", func() bool { return len(h.fake.ResponsePosts()) > i }); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportLatencies(b, "ack_", lat)
}

// BenchmarkEnvelopeAckBurst sends bursts of slash commands at once and measures every
// envelope's ack: the read loop acks first and queues the work, so an ack waits only for the
// envelopes ahead of it in the same burst (slack-go parses them one by one), not for their work.
func BenchmarkEnvelopeAckBurst(b *testing.B) {
	for _, burst := range []int{20, 200} {
		b.Run(fmt.Sprintf("burst=%d", burst), func(b *testing.B) {
			h := newBenchHarness(b)
			var lat []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ids := make([]string, burst)
				for j := range ids {
					ids[j] = h.fake.SlashCommand("UDISPATCH", generalCh, "/truck", "T11985LA").EnvelopeID
				}
				for _, id := range ids {
					a, err := h.fake.WaitAck(30*time.Second, id)
					if err != nil {
						b.Fatal(err)
					}
					lat = append(lat, a.Latency)
				}
			}
			b.StopTimer()
			reportLatencies(b, "ack_", lat)
		})
	}
}

func newBenchHarness(b *testing.B) *harness {
	h := newHarness(b, harnessOpts{})
	h.placeTruck(b, "T11985LA", esslibra, 0)
	return h
}
