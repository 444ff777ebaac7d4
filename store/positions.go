package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// partitionDay is the layout of a position partition's day in its name (positions_20260126).
const partitionDay = "20060102"

// utcDay returns midnight UTC of t's UTC calendar day.
func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// partitionName returns the position partition of the UTC day starting at day.
func partitionName(day time.Time) string { return "positions_" + day.Format(partitionDay) }

// partitionLockClass namespaces the advisory lock that creators of one day's partition take
// turns on ("WT" 0x5754, 2; the key is the day's number since 1970).
const partitionLockClass = 0x57540002

// ensurePartitionSQL is filled with a name and bounds made by this package from time.Time
// values, never with user input. lock_timeout makes a caller that already writes positions in
// an open transaction fail fast instead of waiting on itself.
const ensurePartitionSQL = `CREATE TABLE IF NOT EXISTS %s PARTITION OF positions FOR VALUES FROM ('%s') TO ('%s')`

// EnsurePositionPartitions creates the daily position partitions (UTC days) holding days,
// unless this Store already made sure of them. It is safe to call concurrently, from many
// processes. InsertPositions calls it for every day it writes; a job may call it ahead of
// midnight so the hot path never runs DDL.
func (s *Store) EnsurePositionPartitions(ctx context.Context, days ...time.Time) (err error) {
	defer wrap(&err, "EnsurePositionPartitions")
	for _, day := range missingDays(s, days) {
		name := partitionName(day)
		sql := fmt.Sprintf(ensurePartitionSQL, name, day.Format(time.RFC3339), day.AddDate(0, 0, 1).Format(time.RFC3339))
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '5s'`); err != nil {
				return err
			}
			// Creators of one day take turns: IF NOT EXISTS alone lets two pass and the second
			// fail in Postgres (and its log); waiting here, it finds the table and skips.
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, partitionLockClass, int32(day.Unix()/86400)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, sql)
			return err
		})
		// A creator that does not take the turn (an older release during a rolling deploy)
		// can still race past IF NOT EXISTS: the loser sees the table (42P07) or its row type
		// (23505 on pg_type) already there. Either way the partition exists.
		if err != nil && pgError(err, pgDuplicateTable) == nil && pgError(err, pgUniqueViolation) == nil {
			return fmt.Errorf("create %s: %w", name, err)
		}
		s.mu.Lock()
		s.partitions[day.Format(partitionDay)] = true
		s.mu.Unlock()
	}
	return nil
}

// missingDays returns the distinct UTC days of days that s has not ensured yet, in order.
func missingDays(s *Store, days []time.Time) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []time.Time
	for _, t := range days {
		d := utcDay(t)
		if !s.partitions[d.Format(partitionDay)] && !slices.ContainsFunc(out, d.Equal) {
			out = append(out, d)
		}
	}
	return out
}

// forgetPartitions drops days from the cache of ensured partitions.
func (s *Store) forgetPartitions(days ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range days {
		delete(s.partitions, d)
	}
}

// insertPositionsSQL sends a batch as one array per column: one round trip, binary encoded, and
// ON CONFLICT makes a replayed fix a no-op.
const insertPositionsSQL = `
INSERT INTO positions (plate, imei, fix_time, received_at, lat, lng, speed_kmh, heading, ignition, h3_r9, source)
SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::float8[], $6::float8[],
	$7::float8[], $8::float8[], $9::bool[], $10::int8[], $11::text[])
ON CONFLICT (plate, fix_time) DO NOTHING`

// InsertPositions appends ps to the position history through tx (nil: on its own) and
// returns how many were new; fixes already stored (same plate and fix time) are skipped, so a
// replayed batch inserts nothing. A zero Cell is computed from the point. Missing daily
// partitions are created first, on their own connection: a caller whose open transaction has
// already written positions must call EnsurePositionPartitions for a new day before it begins.
// It returns EINVALID, naming the index, for a position without plate or fix time.
func (s *Store) InsertPositions(ctx context.Context, tx pgx.Tx, ps []fleet.Position) (_ int64, err error) {
	defer wrap(&err, "InsertPositions(%d)", len(ps))
	if len(ps) == 0 {
		return 0, nil
	}
	args, err := positionArgs(ps)
	if err != nil {
		return 0, err
	}
	fixes := args[2].([]time.Time)
	if err := s.EnsurePositionPartitions(ctx, fixes...); err != nil {
		return 0, err
	}
	tag, err := s.q(tx).Exec(ctx, insertPositionsSQL, args...)
	s.lostPartitions(err, fixes)
	return tag.RowsAffected(), err
}

// lostPartitions forgets the daily partitions of fixes when err says a row had no partition
// (one was dropped behind our back), so the next attempt creates them again.
func (s *Store) lostPartitions(err error, fixes []time.Time) {
	if pgError(err, pgCheckViolation) == nil {
		return
	}
	days := make([]string, len(fixes))
	for i, f := range fixes {
		days[i] = utcDay(f).Format(partitionDay)
	}
	s.forgetPartitions(days...)
}

// positionArgs are the parameters of insertPositionsSQL for ps, one array per column (a zero
// Cell computed from the point, a zero ReceivedAt taken as now). It returns EINVALID, naming
// the index, for a position without plate or fix time.
func positionArgs(ps []fleet.Position) ([]any, error) {
	n := len(ps)
	var (
		plates, imeis, sources = make([]string, n), make([]string, n), make([]string, n)
		fixes, received        = make([]time.Time, n), make([]time.Time, n)
		lats, lngs, speeds     = make([]float64, n), make([]float64, n), make([]float64, n)
		headings               = make([]float64, n)
		ignitions              = make([]bool, n)
		cells                  = make([]int64, n)
	)
	now := time.Now().UTC()
	for i, p := range ps {
		if p.Plate == "" || p.FixTime.IsZero() {
			return nil, fleet.Errorf(fleet.EINVALID, "position %d needs a plate and a fix time", i)
		}
		plates[i], imeis[i], sources[i] = fleet.NormalizePlate(p.Plate), p.IMEI, p.Source
		fixes[i], received[i] = p.FixTime, p.ReceivedAt
		if received[i].IsZero() {
			received[i] = now
		}
		lats[i], lngs[i], speeds[i], headings[i], ignitions[i] = p.Point.Lat, p.Point.Lng, p.SpeedKmh, p.Heading, p.Ignition
		if cells[i] = p.Cell; cells[i] == 0 {
			cells[i] = fleet.CellOf(p.Point, fleet.CellResolution)
		}
	}
	return []any{plates, imeis, fixes, received, lats, lngs, speeds, headings, ignitions, cells, sources}, nil
}

const positionCols = `plate, imei, fix_time, received_at, lat, lng, speed_kmh, heading, ignition, h3_r9, source`

const positionsBetweenSQL = `
SELECT ` + positionCols + ` FROM positions
WHERE plate = $1 AND fix_time >= $2 AND fix_time < $3
ORDER BY fix_time`

// PositionsBetween returns the fixes of the truck with plate taken in [from, to), oldest
// first.
func (s *Store) PositionsBetween(ctx context.Context, plate string, from, to time.Time) (_ []fleet.Position, err error) {
	defer wrap(&err, "PositionsBetween(%q)", plate)
	rows, err := s.pool.Query(ctx, positionsBetweenSQL, fleet.NormalizePlate(plate), from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (fleet.Position, error) {
		var p fleet.Position
		err := r.Scan(&p.Plate, &p.IMEI, &p.FixTime, &p.ReceivedAt, &p.Point.Lat, &p.Point.Lng, &p.SpeedKmh,
			&p.Heading, &p.Ignition, &p.Cell, &p.Source)
		p.FixTime, p.ReceivedAt = p.FixTime.UTC(), p.ReceivedAt.UTC()
		return p, err
	})
}

// partitionNameRE matches the partitions this package creates, and only those.
var partitionNameRE = regexp.MustCompile(`^positions_[0-9]{8}$`)

const positionPartitionsSQL = `
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'positions'::regclass ORDER BY c.relname`

// DropPositionPartitionsBefore drops the daily position partitions of UTC days entirely
// before day's UTC day (retention: whole partitions, no row deletes) and returns the names it
// dropped, oldest first.
func (s *Store) DropPositionPartitionsBefore(ctx context.Context, day time.Time) (_ []string, err error) {
	defer wrap(&err, "DropPositionPartitionsBefore(%s)", day.Format(time.DateOnly))
	rows, err := s.pool.Query(ctx, positionPartitionsSQL)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	cutoff := partitionName(utcDay(day))
	var dropped []string
	for _, name := range names {
		if !partitionNameRE.MatchString(name) || name >= cutoff {
			continue
		}
		s.forgetPartitions(name[len("positions_"):])
		if _, err := s.pool.Exec(ctx, `DROP TABLE IF EXISTS `+pgx.Identifier{name}.Sanitize()); err != nil {
			return dropped, fmt.Errorf("drop %s: %w", name, err)
		}
		dropped = append(dropped, name)
	}
	return dropped, nil
}

// legKmSQL is fleet.DistanceKm in SQL, from the previous fix (plat, plng) to (lat, lng). Sums
// over whole days of fixes stay in Postgres (millions of rows at fleet scale), so the leg
// rule (fleet.LegKm) has this one SQL twin; callers pass fleet.MaxLegKmh as a parameter and a
// store test pins both to the same answer.
const legKmSQL = `2 * 6371.0088 * asin(least(1, sqrt(
			power(sin(radians(lat - plat) / 2), 2) +
			cos(radians(plat)) * cos(radians(lat)) * power(sin(radians(lng - plng) / 2), 2))))`

// distanceSQL sums the great-circle distance between consecutive fixes of each truck,
// skipping jumps faster than $4 km/h (fleet.MaxLegKmh). An empty $1 covers every truck.
const distanceSQL = `
SELECT COALESCE(sum(km), 0) FROM (
	SELECT ` + legKmSQL + ` AS km,
		extract(epoch FROM fix_time - pfix) AS secs
	FROM (
		SELECT lat, lng, fix_time,
			lag(lat) OVER w AS plat, lag(lng) OVER w AS plng, lag(fix_time) OVER w AS pfix
		FROM positions
		WHERE ($1 = '' OR plate = $1) AND fix_time >= $2 AND fix_time < $3
		WINDOW w AS (PARTITION BY plate ORDER BY fix_time)
	) pairs
	WHERE plat IS NOT NULL
) legs
WHERE km <= $4 * greatest(secs, 1) / 3600`

// DistanceKm returns how far the truck with plate drove in [from, to), summed over its
// consecutive fixes, ignoring impossible jumps. An empty plate sums the whole fleet.
func (s *Store) DistanceKm(ctx context.Context, plate string, from, to time.Time) (_ float64, err error) {
	defer wrap(&err, "DistanceKm(%q)", plate)
	var km float64
	err = s.pool.QueryRow(ctx, distanceSQL, fleet.NormalizePlate(plate), from, to, float64(fleet.MaxLegKmh)).Scan(&km)
	return km, err
}
