package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

const driverNamesSQL = `
SELECT t.plate, d.name FROM trucks t JOIN drivers d ON d.id = t.driver_id
WHERE t.archived_at IS NULL`

// DriverNames returns plate → name of the current driver, for every truck (not archived) that
// has one.
func (s *Store) DriverNames(ctx context.Context) (_ map[string]string, err error) {
	defer wrap(&err, "DriverNames")
	rows, err := s.pool.Query(ctx, driverNamesSQL)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var plate, name string
	_, err = pgx.ForEachRow(rows, []any{&plate, &name}, func() error {
		out[plate] = name
		return nil
	})
	return out, err
}
