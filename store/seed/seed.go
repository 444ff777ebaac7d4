// Package seed loads the demo fleet: the Lagos sites (terminals, clients, depots, a service
// area) and a roster of 60 trucks with their drivers, both embedded as CSV so the binary needs
// no files at run time. Load is idempotent.
//
// It belongs to store's row: it imports store and fleet only, never ingest, tools, schedule
// or bot.
package seed

import (
	"context"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

//go:embed sites.csv roster.csv
var files embed.FS

// Counts says how big the demo fleet is and what a Load created.
type Counts struct {
	Sites, Drivers, Trucks                      int // rows of the demo fleet
	SitesCreated, DriversCreated, TrucksCreated int // rows this Load created
}

// String says what a Load did, for people: "13 sites, 60 drivers and 60 trucks; created 13
// sites, 60 drivers and 60 trucks" (or "nothing new" when all were there).
func (c Counts) String() string {
	s := fmt.Sprintf("%d sites, %d drivers and %d trucks", c.Sites, c.Drivers, c.Trucks)
	if c.SitesCreated+c.DriversCreated+c.TrucksCreated == 0 {
		return s + "; nothing new"
	}
	return s + fmt.Sprintf("; created %d sites, %d drivers and %d trucks", c.SitesCreated, c.DriversCreated, c.TrucksCreated)
}

// Entry is one roster line: a truck and its driver.
type Entry struct {
	Truck  fleet.Truck
	Driver fleet.Driver
}

// readCSV reads an embedded CSV file as records keyed by its header, skipping # comments.
func readCSV(name string) ([]map[string]string, error) {
	f, err := files.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []map[string]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		m := make(map[string]string, len(header))
		for i, h := range header {
			m[h] = rec[i]
		}
		out = append(out, m)
	}
}

// Sites returns the demo sites.
func Sites() ([]fleet.Site, error) {
	recs, err := readCSV("sites.csv")
	if err != nil {
		return nil, err
	}
	sites := make([]fleet.Site, len(recs))
	for i, r := range recs {
		var nums [3]float64
		for j, col := range []string{"lat", "lng", "radius_m"} {
			if nums[j], err = strconv.ParseFloat(r[col], 64); err != nil {
				return nil, fmt.Errorf("sites.csv: site %s: %s: %w", r["code"], col, err)
			}
		}
		sites[i] = fleet.Site{Code: r["code"], Name: r["name"], Kind: fleet.SiteKind(r["kind"]),
			Point: fleet.Point{Lat: nums[0], Lng: nums[1]}, RadiusM: nums[2]}
	}
	return sites, nil
}

// Roster returns the demo trucks with their drivers.
func Roster() ([]Entry, error) {
	recs, err := readCSV("roster.csv")
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(recs))
	for i, r := range recs {
		out[i] = Entry{
			Truck: fleet.Truck{Plate: r["plate"], IMEI: r["imei"], Company: r["company"], FleetManager: r["fleet_manager"],
				Status: fleet.TruckStatus(r["status"]), Brand: r["brand"], TrailerSize: r["trailer_size"], HomeSite: r["home_site"]},
			Driver: fleet.Driver{Name: r["driver_name"], Phone: r["driver_phone"], License: r["driver_license"]},
		}
	}
	return out, nil
}

// Load writes the demo sites, drivers and trucks into s, creating what is missing and
// restoring what differs; a second Load changes nothing. Drivers are matched by phone, trucks
// by plate, sites by code.
func Load(ctx context.Context, s *store.Store) (c Counts, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("seed demo fleet: %w", err)
		}
	}()
	sites, err := Sites()
	if err != nil {
		return c, err
	}
	roster, err := Roster()
	if err != nil {
		return c, err
	}
	c.Sites, c.Drivers, c.Trucks = len(sites), len(roster), len(roster)

	known, err := s.ListSites(ctx)
	if err != nil {
		return c, err
	}
	codes := make(map[string]bool, len(known))
	for _, st := range known {
		codes[st.Code] = true
	}
	for _, st := range sites {
		if _, err := s.UpsertSite(ctx, st); err != nil {
			return c, err
		}
		if !codes[st.Code] {
			c.SitesCreated++
		}
	}

	trucks, err := s.ListTrucks(ctx, store.TruckFilter{IncludeArchived: true})
	if err != nil {
		return c, err
	}
	plates := make(map[string]bool, len(trucks))
	for _, t := range trucks {
		plates[t.Plate] = true
	}
	for _, e := range roster {
		driver, created, err := loadDriver(ctx, s, e.Driver)
		if err != nil {
			return c, err
		}
		if created {
			c.DriversCreated++
		}
		e.Truck.DriverID = driver.ID
		if _, err := s.UpsertTruck(ctx, e.Truck); err != nil {
			return c, err
		}
		if !plates[fleet.NormalizePlate(e.Truck.Plate)] {
			c.TrucksCreated++
		}
	}
	return c, nil
}

// loadDriver finds d by phone, creating it when missing and updating it when it differs.
func loadDriver(ctx context.Context, s *store.Store, d fleet.Driver) (fleet.Driver, bool, error) {
	got, err := s.DriverByPhone(ctx, d.Phone)
	switch {
	case fleet.ErrorCode(err) == fleet.ENOTFOUND:
		got, err = s.CreateDriver(ctx, d)
		return got, err == nil, err
	case err != nil:
		return fleet.Driver{}, false, err
	case got.Name != d.Name || got.License != d.License:
		d.ID = got.ID
		got, err = s.UpdateDriver(ctx, d)
		return got, false, err
	}
	return got, false, nil
}
