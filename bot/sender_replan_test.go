package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/fleet"
)

// TestReplannedApprovalIsShown: a pending trip re-planned after its approval message went out
// gets that message updated in place (the buttons act on the plan shown) and a thread reply.
func TestReplannedApprovalIsShown(t *testing.T) {
	e := newEnv(t)
	e.seedFleet(t)
	ctx := context.Background()
	trip, err := e.st.CreateTrip(ctx, fleet.Trip{Plate: "T11985LA", Origin: "ESSLIBRA", Destination: "ECLAT",
		ScheduledDeparture: time.Now().Add(3 * time.Hour), RequestedBy: "UDISPATCH", RequestedVia: "slack"}, fleet.Actor{ID: "UDISPATCH", Via: "slack"})
	if err != nil {
		t.Fatal(err)
	}
	runSender(t, e, bot.SenderConfig{})
	e.notify(t, fleet.Notification{ID: "trip.approval:" + trip.Code, Kind: fleet.NotifyTripApproval, Trip: &trip})
	e.waitDrained(t)
	newDep := time.Now().Add(26 * time.Hour)
	replanned, err := e.st.TransitionTrip(ctx, trip.Code, fleet.Actor{ID: "sheets"}, "trip.sheet_edit", func(t fleet.Trip) (fleet.Trip, error) {
		t.Plate, t.ScheduledDeparture, t.PlannedArrival = "T28737LA", newDep, newDep.Add(2*time.Hour)
		return t, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.notify(t, fleet.Notification{ID: "trip.approval:" + trip.Code + ":replan", Kind: fleet.NotifyTripApproval,
		Trip: &replanned, Text: "Trip " + trip.Code + " changed in the Google Sheet"})
	e.waitDrained(t)
	updates := e.fake.Calls("chat.update")
	if len(updates) != 1 || !strings.Contains(updates[0].Form.Get("blocks"), "T28737LA") || !strings.Contains(updates[0].Form.Get("blocks"), "trip_approve") {
		t.Fatalf("chat.update = %+v; want the approval message updated to the new truck, buttons kept", updates)
	}
	msgs := e.fake.Messages(dispatchCh)
	if len(msgs) != 2 || msgs[1].ThreadTS == "" || !strings.Contains(msgs[1].Text, "changed in the Google Sheet") {
		t.Errorf("dispatch messages = %+v; want the approval and one thread reply about the change", msgs)
	}
}
