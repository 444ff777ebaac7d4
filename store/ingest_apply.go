package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/watchtower-ops/watchtower/fleet"
)

const (
	upsertStatesSQL = `
INSERT INTO truck_state AS s (plate, imei, fix_time, received_at, lat, lng, speed_kmh, heading, ignition,
	h3_r9, h3_r7, site_code, site_since, candidate_site, candidate_since, stopped_since, overspeed_since,
	overspeed_open, idle_open, offline_open, updated_at)
SELECT *, now() FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::float8[],
	$6::float8[], $7::float8[], $8::float8[], $9::bool[], $10::int8[], $11::int8[], $12::text[],
	$13::timestamptz[], $14::text[], $15::timestamptz[], $16::timestamptz[], $17::timestamptz[], $18::bool[],
	$19::bool[], $20::bool[])
ON CONFLICT (plate) DO UPDATE SET
	imei = COALESCE(NULLIF(EXCLUDED.imei, ''), s.imei), fix_time = EXCLUDED.fix_time,
	received_at = EXCLUDED.received_at, lat = EXCLUDED.lat, lng = EXCLUDED.lng, speed_kmh = EXCLUDED.speed_kmh,
	heading = EXCLUDED.heading, ignition = EXCLUDED.ignition, h3_r9 = EXCLUDED.h3_r9, h3_r7 = EXCLUDED.h3_r7,
	site_code = EXCLUDED.site_code, site_since = EXCLUDED.site_since, candidate_site = EXCLUDED.candidate_site,
	candidate_since = EXCLUDED.candidate_since, stopped_since = EXCLUDED.stopped_since,
	overspeed_since = EXCLUDED.overspeed_since, overspeed_open = EXCLUDED.overspeed_open,
	idle_open = EXCLUDED.idle_open, offline_open = EXCLUDED.offline_open, updated_at = now()
WHERE s.fix_time <= EXCLUDED.fix_time`
	insertIncidentSQL = `
INSERT INTO alerts (kind, source_kind, incident_key, plate, trip_code, site_code, severity, message,
	lat, lng, data, opened_at, resolved_at)
SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::float8, $10::float8,
	$11::jsonb, $12::timestamptz, $13::timestamptz
WHERE ` + notQuietSQL + `
ON CONFLICT (incident_key) WHERE resolved_at IS NULL DO NOTHING
RETURNING ` + alertCols
	resolveIncidentSQL = resolveAlertSQL
	moveTripSQL        = `
UPDATE trips SET status = $2, departed_at = $3, arrived_at = $4, completed_at = $5, updated_at = $6
WHERE code = $1 AND status = $7
RETURNING ` + tripCols
)

// applier runs the rules over one batch inside its transaction and writes what they decided.
type applier struct {
	s      *Store
	tx     pgx.Tx
	sites  []fleet.Site
	th     fleet.Thresholds
	states map[string]*fleet.TruckState
	trips  map[string]*fleet.Trip
	dirty  map[string]bool // plates whose state must be written
	moved  int
	dets   []entryDetection
	boxes  map[string]*outbox
	moves  []fleet.Trip           // trips moved, for the audit log
	late   map[string][]time.Time // fix times older than their truck's state, for the visit history
}

// entryDetection is one rule outcome and the entry that caused it.
type entryDetection struct {
	entry string
	det   fleet.Detection
}

func newApplier(s *Store, tx pgx.Tx, sites []fleet.Site, th fleet.Thresholds) *applier {
	return &applier{s: s, tx: tx, sites: sites, th: th, dirty: map[string]bool{}, boxes: map[string]*outbox{}}
}

// apply runs the fresh observations through the rules, truck by truck in time order, and
// writes the result. The trucks' states and trips are loaded (and locked) already.
func (a *applier) apply(ctx context.Context, stream string, obs []fleet.Observation, fresh map[string]bool, out *fleet.IngestOutcome) error {
	byPlate := make(map[string][]fleet.Observation, len(a.states))
	for _, o := range obs {
		if fresh[o.EntryID] {
			p := observed(o).plate
			byPlate[p] = append(byPlate[p], o)
		}
	}
	positions := make([]fleet.Position, 0, len(obs))
	for _, plate := range sortedPlates(byPlate) {
		list := byPlate[plate]
		slices.SortStableFunc(list, func(x, y fleet.Observation) int {
			return cmp.Or(x.At().Compare(y.At()), cmp.Compare(x.EntryID, y.EntryID))
		})
		for _, o := range list {
			if o.Position != nil {
				positions = append(positions, *o.Position)
			}
			a.detect(plate, o)
		}
	}
	if err := a.write(ctx, stream, positions, out); err != nil {
		return err
	}
	out.StatesMoved = a.moved
	return nil
}

// queuePositions adds the insert of ps into the position history to b (one statement whatever
// their number); the number of new rows goes to *n. The caller has made sure their daily
// partitions exist.
func queuePositions(b *pgx.Batch, ps []fleet.Position, n *int) error {
	if len(ps) == 0 {
		return nil
	}
	args, err := positionArgs(ps)
	if err != nil {
		return err
	}
	b.Queue(insertPositionsSQL, args...).Exec(func(tag pgconn.CommandTag) error {
		*n = int(tag.RowsAffected())
		return nil
	})
	return nil
}

// load locks the trucks and reads their states and trips.
func (a *applier) load(ctx context.Context, plates []string) (err error) {
	if err = lockTrucks(ctx, a.tx, plates); err != nil {
		return err
	}
	if a.states, err = loadStates(ctx, a.tx, plates); err != nil {
		return err
	}
	a.trips, err = loadTrips(ctx, a.tx, plates)
	return err
}

func (a *applier) state(plate string) *fleet.TruckState {
	st, ok := a.states[plate]
	if !ok {
		st = &fleet.TruckState{Plate: plate}
		a.states[plate] = st
	}
	return st
}

// detect runs the rule for one observation and keeps the truck's state and trip current.
func (a *applier) detect(plate string, o fleet.Observation) {
	st := a.state(plate)
	var det fleet.Detection
	switch {
	case o.Position != nil && st.Newer(*o.Position):
		if o.Position.Cell == 0 { // once, for the rules and the positions row alike
			o.Position.Cell = fleet.CellOf(o.Position.Point, fleet.CellResolution)
		}
		det = fleet.DetectPosition(*st, *o.Position, a.sites, a.trips[plate], a.th)
		a.moved++
	case o.Alert != nil:
		det = fleet.DetectAlert(*st, *o.Alert, a.th)
		det.State.Plate = plate
	case o.Position != nil && o.Position.FixTime.Before(st.FixTime):
		a.lateFix(plate, o.Position.FixTime) // history, and the visits around it are revised
		return
	default:
		return // a fix at the same time as the state: history only
	}
	*st = det.State
	if !st.FixTime.IsZero() {
		a.dirty[plate] = true
	}
	if det.Trip != nil {
		t := det.Trip.Trip
		a.trips[plate] = &t
		if t.Status.Final() {
			delete(a.trips, plate)
		}
	}
	if len(det.Events) > 0 || len(det.Open) > 0 || len(det.Resolve) > 0 || det.Trip != nil || len(det.Visits) > 0 {
		a.dets = append(a.dets, entryDetection{entry: o.EntryID, det: det})
	}
}

// write stores the positions, the states, the incidents and trip moves in one round trip,
// then the audit of the moves and the outbox.
func (a *applier) write(ctx context.Context, stream string, positions []fleet.Position, out *fleet.IngestOutcome) error {
	b := &pgx.Batch{}
	if err := queuePositions(b, positions, &out.Positions); err != nil {
		return err
	}
	a.queueStates(b)
	moved := a.queueDetections(b)
	if b.Len() > 0 {
		if err := a.tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
	}
	a.keepEvents(moved)
	if err := a.reviseVisits(ctx); err != nil {
		return err
	}
	for _, t := range a.moves {
		err := a.s.Audit(ctx, a.tx, AuditEntry{At: t.UpdatedAt, Actor: fleet.SystemActor(), Action: "trip." + string(t.Status),
			Subject: t.Code, Details: auditDetails(map[string]any{"to": t.Status, "via": "ingest"})})
		if err != nil {
			return err
		}
	}
	for _, d := range a.dets {
		if b := a.boxes[d.entry]; b != nil {
			out.Events = append(out.Events, b.Events...)
			out.Notifications = append(out.Notifications, b.Notifications...)
		}
	}
	if stream == "" {
		return nil
	}
	return saveOutbox(ctx, a.tx, stream, a.boxes)
}

// queueStates adds the upsert of every changed truck state to b.
func (a *applier) queueStates(b *pgx.Batch) {
	plates := sortedPlates(a.dirty)
	if len(plates) == 0 {
		return
	}
	n := len(plates)
	var c stateColumns
	c.init(n)
	for i, p := range plates {
		c.set(i, *a.states[p])
	}
	b.Queue(upsertStatesSQL, c.plate, c.imei, c.fix, c.recv, c.lat, c.lng, c.speed, c.heading,
		c.ign, c.cell, c.coarse, c.site, c.siteSince, c.cand, c.candSince, c.stopped, c.overSince, c.overOpen,
		c.idleOpen, c.offOpen)
}

// stateColumns are the unnest arrays of upsertStatesSQL.
type stateColumns struct {
	plate, imei, site, cand                  []string
	fix, recv                                []time.Time
	siteSince, candSince, stopped, overSince []*time.Time
	lat, lng, speed, heading                 []float64
	ign, overOpen, idleOpen, offOpen         []bool
	cell, coarse                             []int64
}

func (c *stateColumns) init(n int) {
	c.plate, c.imei, c.site, c.cand = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	c.fix, c.recv = make([]time.Time, n), make([]time.Time, n)
	c.siteSince, c.candSince, c.stopped, c.overSince = make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
	c.lat, c.lng, c.speed, c.heading = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	c.ign, c.overOpen, c.idleOpen, c.offOpen = make([]bool, n), make([]bool, n), make([]bool, n), make([]bool, n)
	c.cell, c.coarse = make([]int64, n), make([]int64, n)
}

func (c *stateColumns) set(i int, st fleet.TruckState) {
	if st.Cell == 0 {
		st.Cell = fleet.CellOf(st.Point, fleet.CellResolution)
	}
	if st.CellCoarse == 0 {
		st.CellCoarse = fleet.CellOf(st.Point, fleet.CoarseResolution)
	}
	c.plate[i], c.imei[i], c.site[i], c.cand[i] = st.Plate, st.IMEI, st.SiteCode, st.CandidateSite
	c.fix[i], c.recv[i] = st.FixTime, orNow(st.ReceivedAt)
	c.siteSince[i], c.candSince[i], c.stopped[i], c.overSince[i] = st.SiteSince, st.CandidateSince, st.StoppedSince, st.OverspeedSince
	c.lat[i], c.lng[i], c.speed[i], c.heading[i] = st.Point.Lat, st.Point.Lng, st.SpeedKmh, st.Heading
	c.ign[i], c.overOpen[i], c.idleOpen[i], c.offOpen[i] = st.Ignition, st.OverspeedOpen, st.IdleOpen, st.OfflineOpen
	c.cell[i], c.coarse[i] = st.Cell, st.CellCoarse
}

// queueDetections adds every resolution, incident and trip move to b, in rule order; as their
// results are read, what the database accepted becomes notifications per entry. moved[i] is
// set when the trip move of a.dets[i] went through.
func (a *applier) queueDetections(b *pgx.Batch) (moved []bool) {
	moved = make([]bool, len(a.dets))
	for i, d := range a.dets {
		box := a.box(d.entry)
		at := d.det.ResolveAt()
		for _, key := range d.det.Resolve {
			b.Queue(resolveIncidentSQL, key, at, fleet.ResolutionCleared).QueryRow(func(r pgx.Row) error {
				return a.onAlert(r, box, fleet.NotifyAlertResolved, at)
			})
		}
		for _, al := range d.det.Open {
			al.Severity = a.th.Severity.Of(al.Kind, al.SourceKind)
			b.Queue(insertIncidentSQL, incidentArgs(al)...).QueryRow(func(r pgx.Row) error {
				return a.onAlert(r, box, fleet.NotifyAlertOpened, al.OpenedAt)
			})
		}
		if d.det.Trip != nil {
			a.queueTripMove(b, d.det, box, &moved[i])
		}
		queueVisits(b, d.det.Visits)
	}
	return moved
}

// keepEvents adds each detection's events to its entry's outbox once the batch ran; a trip
// event is kept only when its trip moved (a concurrent cancellation wins).
func (a *applier) keepEvents(moved []bool) {
	for i, d := range a.dets {
		box := a.box(d.entry)
		for _, e := range d.det.Events {
			if moved[i] || !isTripEvent(e) {
				box.Events = append(box.Events, e)
			}
		}
	}
}

// queueTripMove adds det's trip transition to b; when the trip still had the status the rules
// saw, it records the move and adds the trip notifications to box and sets *moved.
func (a *applier) queueTripMove(b *pgx.Batch, det fleet.Detection, box *outbox, moved *bool) {
	tc := det.Trip
	t := tc.Trip
	b.Queue(moveTripSQL, t.Code, string(t.Status), t.DepartedAt, t.ArrivedAt, t.CompletedAt, t.UpdatedAt,
		string(tc.From)).QueryRow(func(r pgx.Row) error {
		trip, err := scanTrip(r)
		if isNoRows(err) {
			return nil // cancelled or moved by someone else meanwhile
		} else if err != nil {
			return err
		}
		*moved = true
		a.moves = append(a.moves, trip)
		for _, e := range det.Events {
			if isTripEvent(e) {
				box.Notifications = append(box.Notifications, fleet.TripNotification(trip, e))
			}
		}
		return nil
	})
}

// box returns the outbox of entry, creating it.
func (a *applier) box(entry string) *outbox {
	b := a.boxes[entry]
	if b == nil {
		b = &outbox{}
		a.boxes[entry] = b
	}
	return b
}

// onAlert reads the row an insert or resolution returned (none: the incident was already open,
// or not open) and adds its notification to box.
func (a *applier) onAlert(r pgx.Row, box *outbox, kind fleet.NotificationKind, at time.Time) error {
	al, err := scanAlert(r)
	if isNoRows(err) {
		return nil
	} else if err != nil {
		return err
	}
	box.Notifications = append(box.Notifications, fleet.AlertNotification(al, kind, at))
	return nil
}

// incidentArgs are the parameters of insertIncidentSQL.
func incidentArgs(al fleet.Alert) []any {
	var lat, lng *float64
	if al.Point != nil {
		lat, lng = &al.Point.Lat, &al.Point.Lng
	}
	var data any
	if len(al.Data) > 0 {
		data = string(al.Data)
	}
	sev := al.Severity
	if sev == "" {
		sev = fleet.SeverityRules(nil).Of(al.Kind, al.SourceKind)
	}
	return []any{string(al.Kind), al.SourceKind, al.IncidentKey, fleet.NormalizePlate(al.Plate), al.TripCode,
		al.SiteCode, string(sev), al.Message, lat, lng, data, orNow(al.OpenedAt), al.ResolvedAt,
		fleet.MaintenanceSilenced()}
}
