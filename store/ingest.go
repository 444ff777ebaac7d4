package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Ingest apply: one consumer batch in one transaction. The entry IDs are claimed first (a
// redelivered entry finds its row and is skipped), each truck of the batch is locked, the pure
// rules of fleet run over its state in fix order, and positions, states, alerts, trip
// transitions and the outbox are written before the commit.

// ingestLockClass namespaces the per-truck advisory locks of ingest ("WT" 0x5754, 1).
const ingestLockClass = 0x57540001

const (
	claimEntriesSQL = `
INSERT INTO ingest_applied (stream, entry_id) SELECT $1, unnest($2::text[])
ON CONFLICT DO NOTHING RETURNING entry_id`
	replayedOutboxSQL = `
SELECT outbox FROM ingest_applied WHERE stream = $1 AND entry_id = ANY($2) AND outbox IS NOT NULL ORDER BY entry_id`
	lockTrucksSQL = `
SELECT pg_advisory_xact_lock($1, k) FROM (SELECT DISTINCT hashtext(p) AS k FROM unnest($2::text[]) p ORDER BY 1) l`
	ingestTripsSQL = `
SELECT DISTINCT ON (plate) ` + tripCols + ` FROM trips
WHERE plate = ANY($1) AND status IN ('ongoing', 'arrived', 'delayed', 'scheduled')
ORDER BY plate, status NOT IN ('ongoing', 'arrived'), scheduled_departure, id`
	saveOutboxSQL = `
UPDATE ingest_applied a SET outbox = v.o FROM unnest($2::text[], $3::jsonb[]) v(id, o)
WHERE a.stream = $1 AND a.entry_id = v.id`
	pruneAppliedSQL = `DELETE FROM ingest_applied WHERE stream = $1 AND entry_id < $2`
)

// outbox is what one entry produced, kept with its ingest_applied row.
type outbox struct {
	Events        []fleet.Event        `json:"events,omitempty"`
	Notifications []fleet.Notification `json:"notifications,omitempty"`
}

// ApplyIngest applies the observations (entries of the ingest stream named stream) in one
// transaction: unknown vehicles are registered as unrostered trucks, every fix goes to the
// position history, each truck's state moves forward only to a newer fix, and the detection
// rules of fleet open and resolve incidents and move trips (th are their thresholds). Entries
// applied before are skipped; the events and notifications they produced are returned again so
// the caller can publish them (IDs are deterministic). It returns EINVALID for an observation
// without position or alert and EUNAVAILABLE-classified errors only through pgx's own errors.
func (s *Store) ApplyIngest(ctx context.Context, stream string, obs []fleet.Observation, th fleet.Thresholds) (out fleet.IngestOutcome, err error) {
	defer wrap(&err, "ApplyIngest(%d entries)", len(obs))
	if len(obs) == 0 {
		return out, nil
	}
	ids, fixes, err := checkObservations(obs)
	if err != nil {
		return out, err
	}
	obs = ownObservations(obs) // plates are resolved in place: never in the caller's values
	if out.Registered, err = s.resolveVehicles(ctx, obs); err != nil {
		return out, err
	}
	if err := s.EnsurePositionPartitions(ctx, fixes...); err != nil {
		return out, err
	}
	plates := make(map[string]bool, len(obs))
	for _, o := range obs {
		plates[observed(o).plate] = true
	}
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		a := newApplier(s, tx, nil, th)
		fresh, err := a.claimAndLoad(ctx, stream, ids, sortedPlates(plates), &out)
		if err != nil || len(fresh) == 0 {
			return err
		}
		return a.apply(ctx, stream, obs, fresh, &out)
	})
	s.lostPartitions(err, fixes)
	return out, err
}

func checkObservations(obs []fleet.Observation) (ids []string, fixes []time.Time, err error) {
	ids = make([]string, len(obs))
	for i, o := range obs {
		if o.EntryID == "" || (o.Position == nil) == (o.Alert == nil) {
			return nil, nil, fleet.Errorf(fleet.EINVALID, "observation %d needs an entry ID and one position or alert", i)
		}
		ids[i] = o.EntryID
		if o.Position != nil {
			fixes = append(fixes, o.Position.FixTime)
		}
	}
	return ids, fixes, nil
}

// claimAndLoad claims the entry IDs, locks the trucks of plates and reads their states and
// trips and the sites, in one round trip (the statements run in this order); it returns the
// entries claimed now. A concurrent claim of the same entry waits for the other transaction
// and then finds the row. The outbox of entries applied before is added to out. Every truck of
// the batch is locked and read, also one whose entries all turn out replayed: a replay is rare,
// and knowing the fresh entries first would cost a round trip per batch.
func (a *applier) claimAndLoad(ctx context.Context, stream string, ids, plates []string, out *fleet.IngestOutcome) (map[string]bool, error) {
	var claimed []string
	b := &pgx.Batch{}
	b.Queue(claimEntriesSQL, stream, ids).Query(func(rows pgx.Rows) (err error) {
		claimed, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	b.Queue(lockTrucksSQL, ingestLockClass, plates)
	a.states = make(map[string]*fleet.TruckState, len(plates))
	a.dirty = make(map[string]bool, len(plates))
	b.Queue(loadStatesSQL, plates).Query(func(rows pgx.Rows) error { return scanStates(rows, a.states) })
	b.Queue(ingestTripsSQL, plates).Query(func(rows pgx.Rows) error {
		trips, err := collectTrips(rows, nil)
		a.trips = tripsByPlate(trips)
		return err
	})
	b.Queue(listSitesSQL).Query(func(rows pgx.Rows) (err error) {
		a.sites, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (fleet.Site, error) { return scanSite(r) })
		return err
	})
	if err := a.tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return a.replayed(ctx, stream, ids, claimed, out)
}

// replayed records which of ids were claimed now and which were applied before, adds the
// outbox of the latter to out, and returns the claimed ones as a set.
func (a *applier) replayed(ctx context.Context, stream string, ids, claimed []string, out *fleet.IngestOutcome) (map[string]bool, error) {
	fresh := make(map[string]bool, len(claimed))
	for _, id := range claimed {
		fresh[id] = true
	}
	var replayed []string
	for _, id := range ids {
		if !fresh[id] {
			replayed = append(replayed, id)
		}
	}
	out.Applied, out.Replayed = claimed, replayed
	if len(replayed) == 0 {
		return fresh, nil
	}
	rows, err := a.tx.Query(ctx, replayedOutboxSQL, stream, replayed)
	if err != nil {
		return nil, err
	}
	boxes, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, err
	}
	for _, b := range boxes {
		var ob outbox
		if err := json.Unmarshal(b, &ob); err != nil {
			return nil, fmt.Errorf("decode outbox: %w", err)
		}
		out.Events = append(out.Events, ob.Events...)
		out.Notifications = append(out.Notifications, ob.Notifications...)
	}
	return fresh, nil
}

// ownObservations copies obs with their positions and alerts, so resolving plates does not
// write into values the caller (a consumer's retry, a test applying one batch from several
// goroutines) still holds.
func ownObservations(obs []fleet.Observation) []fleet.Observation {
	out := make([]fleet.Observation, len(obs))
	for i, o := range obs {
		if o.Position != nil {
			p := *o.Position
			o.Position = &p
		}
		if o.Alert != nil {
			a := *o.Alert
			o.Alert = &a
		}
		out[i] = o
	}
	return out
}

// vehicle is how an observation names its truck.
type vehicle struct{ plate, imei string }

func observed(o fleet.Observation) vehicle {
	if o.Position != nil {
		return vehicle{fleet.NormalizePlate(o.Position.Plate), o.Position.IMEI}
	}
	return vehicle{fleet.NormalizePlate(o.Alert.Plate), o.Alert.IMEI}
}

func setPlate(o fleet.Observation, plate string) {
	if o.Position != nil {
		o.Position.Plate = plate
	} else {
		o.Alert.Plate = plate
	}
}

// rosterForIngestSQL joins the batch's plates and IMEIs to the roster. It is a join on
// unnest, not "plate = ANY($1) OR imei = ANY($2)": under the generic plan Postgres settles on
// for a prepared statement, that OR is a sequential scan testing every row against both arrays
// one element at a time (5 ms for 250 fixes over 1,000 trucks, the largest statement of the
// consumers' transaction), where the join probes an index or a hash once per element. A truck
// matched both ways comes twice; the caller's maps absorb that.
const rosterForIngestSQL = `
SELECT t.plate, COALESCE(t.imei, '') FROM unnest($1::text[]) p(plate) JOIN trucks t ON t.plate = p.plate
UNION ALL
SELECT t.plate, t.imei FROM unnest($2::text[]) i(imei) JOIN trucks t ON t.imei = i.imei`

// resolveVehicles sets each observation's plate to its roster truck's: found by IMEI first,
// then by plate. Vehicles the roster does not know are registered as unrostered (and a known
// plate without a device learns its IMEI). It returns the plates registered.
func (s *Store) resolveVehicles(ctx context.Context, obs []fleet.Observation) ([]string, error) {
	byPlate, byIMEI, err := s.rosterOf(ctx, obs)
	if err != nil {
		return nil, err
	}
	resolved := make(map[vehicle]string, len(byPlate))
	var unknown []vehicle
	for _, o := range obs {
		v := observed(o)
		if _, done := resolved[v]; done || slices.Contains(unknown, v) {
			continue
		}
		if plate, ok := byIMEI[v.imei]; ok && v.imei != "" {
			resolved[v] = plate
		} else if imei, known := byPlate[v.plate]; known && (imei != "" || v.imei == "") {
			resolved[v] = v.plate
		} else {
			unknown = append(unknown, v)
		}
	}
	registered, err := s.registerUnknown(ctx, unknown, resolved)
	if err != nil {
		return nil, err
	}
	for _, o := range obs {
		setPlate(o, resolved[observed(o)])
	}
	return registered, nil
}

const registerUnrosteredSQL = `
INSERT INTO trucks (plate, imei, status) SELECT p, NULLIF(i, ''), 'unrostered' FROM unnest($1::text[], $2::text[]) v(p, i)
ON CONFLICT DO NOTHING RETURNING plate`

// registerUnknown registers vehicles as unrostered trucks in one INSERT and records their
// plates in resolved. One that collides with a truck (its plate known without this device, or
// its device under another plate) goes through RegisterUnrostered, which sorts it out.
func (s *Store) registerUnknown(ctx context.Context, vs []vehicle, resolved map[vehicle]string) ([]string, error) {
	if len(vs) == 0 {
		return nil, nil
	}
	plates, imeis := make([]string, len(vs)), make([]string, len(vs))
	for i, v := range vs {
		plates[i], imeis[i] = v.plate, v.imei
		if v.plate == "" {
			plates[i] = unrosteredPlate(v.imei)
		}
	}
	rows, err := s.pool.Query(ctx, registerUnrosteredSQL, plates, imeis)
	if err != nil {
		return nil, err
	}
	created, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	for i, v := range vs {
		if slices.Contains(created, plates[i]) && !slices.Contains(plates[:i], plates[i]) {
			resolved[v] = plates[i]
			continue
		}
		t, made, err := s.RegisterUnrostered(ctx, v.plate, v.imei)
		if err != nil {
			return nil, err
		}
		if resolved[v] = t.Plate; made {
			created = append(created, t.Plate)
		}
	}
	return created, nil
}

// rosterOf returns the trucks the observations name, as plate → IMEI and IMEI → plate.
func (s *Store) rosterOf(ctx context.Context, obs []fleet.Observation) (byPlate, byIMEI map[string]string, err error) {
	plateSet, imeiSet := make(map[string]bool, len(obs)), make(map[string]bool, len(obs))
	for _, o := range obs {
		v := observed(o)
		plateSet[v.plate], imeiSet[v.imei] = true, true
	}
	rows, err := s.pool.Query(ctx, rosterForIngestSQL, sortedPlates(plateSet), sortedPlates(imeiSet))
	if err != nil {
		return nil, nil, err
	}
	byPlate, byIMEI = make(map[string]string, len(plateSet)), make(map[string]string, len(imeiSet))
	err = forEachRow(rows, func(r pgx.Row) error {
		var p, i string
		if err := r.Scan(&p, &i); err != nil {
			return err
		}
		byPlate[p] = i
		if i != "" {
			byIMEI[i] = p
		}
		return nil
	})
	return byPlate, byIMEI, err
}

func forEachRow(rows pgx.Rows, fn func(pgx.Row) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PruneIngestApplied forgets the entries of stream applied before before (by their entry
// IDs' timestamps, compared as text: Redis IDs have 13-digit milliseconds until the year 2286)
// and returns how many. Keep them longer than an entry can stay pending.
func (s *Store) PruneIngestApplied(ctx context.Context, stream string, before time.Time) (_ int64, err error) {
	defer wrap(&err, "PruneIngestApplied(%q)", stream)
	tag, err := s.pool.Exec(ctx, pruneAppliedSQL, stream, strconv.FormatInt(before.UnixMilli(), 10)+"-0")
	return tag.RowsAffected(), err
}

const staleTrucksSQL = `
SELECT plate FROM truck_state WHERE fix_time < $1 AND NOT offline_open ORDER BY fix_time LIMIT $2`

// SweepOffline opens the offline incident of each truck (at most limit) whose latest fix is
// th.OfflineAfter old at now and has none open, remembering it in the truck's state so its
// next fix resolves it ("back online"). It returns the events and notifications to publish.
func (s *Store) SweepOffline(ctx context.Context, now time.Time, th fleet.Thresholds, limit int) (out fleet.IngestOutcome, err error) {
	defer wrap(&err, "SweepOffline")
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, staleTrucksSQL, now.Add(-th.OfflineAfter), limit)
		if err != nil {
			return err
		}
		plates, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || len(plates) == 0 {
			return err
		}
		a := newApplier(s, tx, nil, th)
		if err := a.load(ctx, plates); err != nil {
			return err
		}
		for _, p := range plates {
			st, found := a.states[p]
			if !found {
				continue
			}
			det, ok := fleet.DetectOffline(*st, now, th) // re-read under the lock: it may have reported since
			if !ok {
				continue
			}
			*st, a.dirty[p] = det.State, true
			a.dets = append(a.dets, entryDetection{entry: "offline:" + p, det: det})
		}
		return a.write(ctx, "", nil, &out)
	})
	return out, err
}

// lockTrucks takes the ingest advisory lock of every plate, in one fixed order so two
// transactions never deadlock; they are released at commit.
func lockTrucks(ctx context.Context, tx pgx.Tx, plates []string) error {
	_, err := tx.Exec(ctx, lockTrucksSQL, ingestLockClass, plates)
	return err
}

const loadStatesSQL = `SELECT ` + stateCols + ` FROM truck_state s WHERE s.plate = ANY($1)`

// loadStates returns the stored states of plates.
func loadStates(ctx context.Context, tx pgx.Tx, plates []string) (map[string]*fleet.TruckState, error) {
	rows, err := tx.Query(ctx, loadStatesSQL, plates)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*fleet.TruckState, len(plates))
	return out, scanStates(rows, out)
}

// scanStates reads truck states from rows into out, by plate.
func scanStates(rows pgx.Rows, out map[string]*fleet.TruckState) error {
	return forEachRow(rows, func(r pgx.Row) error {
		st := new(fleet.TruckState)
		if err := r.Scan(stateDest(st)...); err != nil {
			return err
		}
		utcState(st)
		out[st.Plate] = st
		return nil
	})
}

// loadTrips returns the trip each truck of plates is on or will do next (pending approval
// excluded: detection does not move those).
func loadTrips(ctx context.Context, tx pgx.Tx, plates []string) (map[string]*fleet.Trip, error) {
	trips, err := collectTrips(tx.Query(ctx, ingestTripsSQL, plates))
	return tripsByPlate(trips), err
}

func tripsByPlate(trips []fleet.Trip) map[string]*fleet.Trip {
	out := make(map[string]*fleet.Trip, len(trips))
	for i := range trips {
		out[trips[i].Plate] = &trips[i]
	}
	return out
}

// saveOutbox records what each entry produced, for a replay after a lost publish.
func saveOutbox(ctx context.Context, tx pgx.Tx, stream string, boxes map[string]*outbox) error {
	if len(boxes) == 0 {
		return nil
	}
	ids := make([]string, 0, len(boxes))
	for id := range boxes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	docs := make([]string, len(ids))
	for i, id := range ids {
		b, err := json.Marshal(boxes[id])
		if err != nil {
			return fmt.Errorf("encode outbox of %s: %w", id, err)
		}
		docs[i] = string(b)
	}
	_, err := tx.Exec(ctx, saveOutboxSQL, stream, ids, docs)
	return err
}

// sortedPlates returns the distinct plates of m's keys, sorted.
func sortedPlates[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// isTripEvent reports whether e is written only when its trip transition is.
func isTripEvent(e fleet.Event) bool { return strings.HasPrefix(string(e.Kind), "trip.") }
