-- Cheaper writes for the ingest consumers, which write every fix.
--
-- positions_h3_r9_idx is dropped: no query reads positions by cell (radius searches read
-- truck_state's cells; history is read by plate and time through the unique index), and a
-- B-tree over H3 cells cost each insert an index write in a random place, about a quarter of
-- the insert's time. The h3_r9 column stays.
--
-- truck_state is rewritten on every fix of every truck. With half of each page left free, the
-- new version of a row fits beside the old one, so Postgres can update it in place ("HOT")
-- without touching the indexes whenever the fix stays in the truck's H3 cells, which is most
-- fixes of a moving truck and every fix of a parked one. The setting applies to pages written
-- from now on; the table is small and its rows move to such pages as they are updated.

-- +goose Up

DROP INDEX positions_h3_r9_idx;
ALTER TABLE truck_state SET (fillfactor = 50);

-- +goose Down

ALTER TABLE truck_state RESET (fillfactor);
CREATE INDEX positions_h3_r9_idx ON positions (h3_r9);
