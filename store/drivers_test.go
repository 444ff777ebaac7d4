package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestDrivers(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	d, err := s.CreateDriver(ctx, fleet.Driver{Name: "Chinedu Okafor", Phone: "0803 123 4567", License: "LAG-1"})
	must(t, err)
	if d.Phone != "08031234567" {
		t.Errorf("phone = %q; want 08031234567 (leading zero kept)", d.Phone)
	}
	for _, phone := range []string{"08031234567", "+2348031234567", "0803-123-4567"} {
		got, err := s.DriverByPhone(ctx, phone)
		must(t, err)
		if got.ID != d.ID {
			t.Errorf("DriverByPhone(%q) = %d; want %d", phone, got.ID, d.ID)
		}
	}
	_, err = s.CreateDriver(ctx, fleet.Driver{Name: "Someone Else", Phone: "08031234567"})
	wantCode(t, "CreateDriver same phone", err, fleet.ECONFLICT)
	_, err = s.CreateDriver(ctx, fleet.Driver{Phone: "0800"})
	wantCode(t, "CreateDriver no name", err, fleet.EINVALID)

	d.Name = "Chinedu O. Okafor"
	up, err := s.UpdateDriver(ctx, d)
	must(t, err)
	if up.Name != d.Name || up.Phone != "08031234567" {
		t.Errorf("UpdateDriver = %+v", up)
	}
	_, err = s.UpdateDriver(ctx, fleet.Driver{ID: 999, Name: "X"})
	wantCode(t, "UpdateDriver unknown", err, fleet.ENOTFOUND)
	_, err = s.DriverByID(ctx, 999)
	wantCode(t, "DriverByID unknown", err, fleet.ENOTFOUND)
	_, err = s.DriverByPhone(ctx, "0900")
	wantCode(t, "DriverByPhone unknown", err, fleet.ENOTFOUND)

	addTrucks(t, s, "T11985LA")
	tr, err := s.AssignDriver(ctx, "t11985la", d.ID)
	must(t, err)
	if tr.DriverID != d.ID {
		t.Errorf("AssignDriver: driver = %d; want %d", tr.DriverID, d.ID)
	}
	_, err = s.AssignDriver(ctx, "T11985LA", 999)
	wantCode(t, "AssignDriver unknown driver", err, fleet.ENOTFOUND)
	_, err = s.AssignDriver(ctx, "NOPE123", d.ID)
	wantCode(t, "AssignDriver unknown truck", err, fleet.ENOTFOUND)
	tr, err = s.AssignDriver(ctx, "T11985LA", 0)
	must(t, err)
	if tr.DriverID != 0 {
		t.Errorf("AssignDriver(0): driver = %d; want unassigned", tr.DriverID)
	}
}

func TestDriversByID(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	a, err := s.CreateDriver(ctx, fleet.Driver{Name: "Musa Ibrahim", Phone: "08031234567"})
	must(t, err)
	b, err := s.CreateDriver(ctx, fleet.Driver{Name: "Ada Obi", Phone: "08039876543"})
	must(t, err)
	got, err := s.DriversByID(ctx, []int64{a.ID, b.ID, a.ID, 999, 0})
	must(t, err)
	want := map[int64]fleet.Driver{a.ID: a, b.ID: b}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(fleet.Driver{}, "CreatedAt", "UpdatedAt")); diff != "" {
		t.Errorf("DriversByID: want %s and %s only (-want +got):\n%s", a.Name, b.Name, diff)
	}
	none, err := s.DriversByID(ctx, nil)
	must(t, err)
	if len(none) != 0 {
		t.Errorf("DriversByID(nil) = %+v; want empty", none)
	}
}
