package loconav

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// RosterStore is what Roster needs from the database; *store.Store satisfies it.
type RosterStore interface {
	// ImportLoconavVehicle upserts the truck LocoNav knows as t.VehicleUUID (plate, device
	// IMEI, brand), adopting an unrostered truck with the same IMEI, and keeps LocoNav's
	// vehicle number. It returns the outcome: "created", "matched", "updated" or "unchanged".
	ImportLoconavVehicle(ctx context.Context, t fleet.Truck, number string) (outcome string, err error)
}

// RosterReport is what one roster import did.
type RosterReport struct {
	Vehicles int            // listed by LocoNav
	Outcomes map[string]int // imported vehicles by outcome ("created", "matched", …)
	Skipped  []string       // LocoNav numbers without a usable plate or vehicle UUID
	Failed   int            // vehicles the database refused (see the error)
}

// Roster imports LocoNav's vehicle list into the trucks table.
type Roster struct {
	client  *Client
	store   RosterStore
	log     *slog.Logger
	perPage int
}

// NewRoster returns a Roster reading with c, perPage vehicles a page (DefaultPerPage when ≤ 0),
// and writing to s.
func NewRoster(c *Client, s RosterStore, perPage int, log *slog.Logger) *Roster {
	return &Roster{client: c, store: s, log: log, perPage: perPage}
}

// Sync reads every page of LocoNav's vehicles and imports each. When the list cannot be read
// it imports nothing and returns the client's error (EUNAUTHORIZED, EUNAVAILABLE, …). A
// vehicle the database refuses (ECONFLICT: its plate is another LocoNav vehicle) is logged
// with its plate and skipped; Sync then imports the rest and returns an error counting them.
func (r *Roster) Sync(ctx context.Context) (RosterReport, error) {
	vs, err := r.client.AllVehicles(ctx, r.perPage)
	if err != nil {
		return RosterReport{}, err
	}
	rep := RosterReport{Vehicles: len(vs), Outcomes: map[string]int{}}
	var first error
	for _, v := range vs {
		t, ok := RosterTruck(v)
		if !ok {
			rep.Skipped = append(rep.Skipped, v.Number)
			continue
		}
		outcome, err := r.store.ImportLoconavVehicle(ctx, t, v.Number)
		if err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			rep.Failed++
			first = cmpFirst(first, err)
			r.log.WarnContext(ctx, "loconav vehicle not imported", "plate", t.Plate, "err", err)
			continue
		}
		rep.Outcomes[outcome]++
	}
	if first != nil {
		return rep, fmt.Errorf("%d of %d LocoNav vehicles not imported, first: %w", rep.Failed, rep.Vehicles, first)
	}
	return rep, nil
}

// Import is the loconav-roster job: Sync, then one log line with the counts. now is unused
// (the roster has no time window); its errors are Sync's.
func (r *Roster) Import(ctx context.Context, _ time.Time) error {
	rep, err := r.Sync(ctx)
	if err != nil {
		return err
	}
	r.log.InfoContext(ctx, fmt.Sprintf("loconav roster imported: %d vehicles, %d created, %d matched, %d updated, %d unchanged, %d skipped",
		rep.Vehicles, rep.Outcomes["created"], rep.Outcomes["matched"], rep.Outcomes["updated"], rep.Outcomes["unchanged"],
		len(rep.Skipped)), "job", "loconav-roster")
	return nil
}

// RosterTruck is the truck a LocoNav vehicle is: the plate is LocoNav's vehicle number,
// normalised, or its display number when the number is not plate-like; the IMEI is the
// installed device's serial. ok is false when neither number is a plausible plate or the
// vehicle has no UUID.
func RosterTruck(v Vehicle) (t fleet.Truck, ok bool) {
	plate := ""
	for _, n := range []string{v.Number, v.DisplayNumber} {
		if fleet.ValidPlate(n) {
			plate = fleet.NormalizePlate(n)
			break
		}
	}
	if plate == "" || v.VehicleUUID == "" {
		return fleet.Truck{}, false
	}
	return fleet.Truck{Plate: plate, VehicleUUID: v.VehicleUUID, IMEI: v.Serial(), Brand: v.Make}, true
}

// cmpFirst keeps the first non-nil error.
func cmpFirst(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
