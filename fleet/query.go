package fleet

import "time"

// TripPage selects one page of trips: the statuses, truck and departure window, plus a keyset
// position, so pages stay stable while trips are added.
type TripPage struct {
	Statuses []TripStatus // any of these; none: every status
	Plate    string       // "" any truck
	From, To time.Time    // scheduled departure in [From, To); zero: unbounded
	// AfterDeparture and AfterID are the last trip of the previous page (AfterID 0: first page).
	AfterDeparture time.Time
	AfterID        int64
	Limit          int // 1 to 1000; default 100
}
