package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

const (
	setMaintenanceSQL = `UPDATE trucks SET status = 'maintenance', maintenance_until = $2, updated_at = now()
		WHERE plate = $1 AND archived_at IS NULL RETURNING ` + truckCols
	setActiveSQL = `UPDATE trucks SET status = 'operational', maintenance_until = NULL, muted_by = '',
		muted_at = NULL, updated_at = now() WHERE plate = $1 AND archived_at IS NULL RETURNING ` + truckCols
	// endMaintenanceOfSQL ends the maintenance of truck $1 whose until has passed, so a trip
	// booked right after it sees the truck operational.
	endMaintenanceOfSQL = `UPDATE trucks SET status = 'operational', maintenance_until = NULL, updated_at = now()
		WHERE plate = $1 AND status = 'maintenance' AND maintenance_until <= now()`
	endMaintenanceSQL = `UPDATE trucks SET status = 'operational', maintenance_until = NULL, updated_at = now()
		WHERE status = 'maintenance' AND maintenance_until <= $1 RETURNING plate`
)

// SetTruckMaintenance puts a truck in maintenance, until until when not nil (it then ends by
// itself), audited. A truck in maintenance raises no idle, offline or overspeed alerts and
// cannot take a trip. It returns ENOTFOUND for an unknown or archived plate and EINVALID for
// an until in the past.
func (s *Store) SetTruckMaintenance(ctx context.Context, plate string, until *time.Time, who fleet.Actor) (_ fleet.Truck, err error) {
	defer wrap(&err, "SetTruckMaintenance(%q)", plate)
	if until != nil && !until.After(time.Now()) {
		return fleet.Truck{}, fleet.Errorf(fleet.EINVALID, "the end of maintenance (%s) has already passed", fleet.FormatTime(*until, nil))
	}
	return s.setTruckService(ctx, plate, setMaintenanceSQL, []any{until}, who, maintenanceDetails(until))
}

// SetTruckActive puts a truck back in service: operational, out of maintenance and unmuted,
// audited. It returns ENOTFOUND for an unknown or archived plate.
func (s *Store) SetTruckActive(ctx context.Context, plate string, who fleet.Actor) (_ fleet.Truck, err error) {
	defer wrap(&err, "SetTruckActive(%q)", plate)
	return s.setTruckService(ctx, plate, setActiveSQL, nil, who, map[string]any{"status": fleet.TruckOperational})
}

func (s *Store) setTruckService(ctx context.Context, plate, query string, args []any, who fleet.Actor, details map[string]any) (fleet.Truck, error) {
	var t fleet.Truck
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		t, err = s.setTruckServiceTx(ctx, tx, plate, fleet.NormalizePlate(plate), query, args, who, details)
		return err
	})
	return t, err
}

// setTruckServiceTx runs a status query on the truck norm (as typed: plate) in tx and audits it
// as truck.status. It returns ENOTFOUND with suggestions for an unknown or archived plate.
func (s *Store) setTruckServiceTx(ctx context.Context, tx pgx.Tx, plate, norm, query string, args []any, who fleet.Actor, details map[string]any) (fleet.Truck, error) {
	t, err := scanTruck(tx.QueryRow(ctx, query, append([]any{norm}, args...)...))
	if isNoRows(err) {
		return fleet.Truck{}, s.truckNotFound(ctx, plate)
	} else if err != nil {
		return fleet.Truck{}, err
	}
	return t, s.Audit(ctx, tx, AuditEntry{Actor: who, Action: "truck.status", Subject: norm, Details: auditDetails(details)})
}

// EndMaintenance puts back in service every truck whose maintenance until has passed at now,
// and returns their plates.
func (s *Store) EndMaintenance(ctx context.Context, now time.Time) (_ []string, err error) {
	defer wrap(&err, "EndMaintenance")
	rows, err := s.pool.Query(ctx, endMaintenanceSQL, now)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
