package fleet

// Bookable reports whether the truck may be given a trip. It returns EINVALID saying why not:
// in maintenance (and how to put it back in service), retired, inactive or unrostered.
func (t Truck) Bookable() error {
	switch {
	case t.Operational():
		return nil
	case t.ArchivedAt != nil:
		return Errorf(EINVALID, "truck %s is retired and cannot take new trips; its history is kept", t.Plate)
	case t.Status == TruckMaintenance:
		return Errorf(EINVALID, "truck %s is in maintenance and cannot take a trip; use /truck %s active when it is back",
			t.Plate, t.Plate)
	}
	return Errorf(EINVALID, "truck %s is %s, not operational", t.Plate, t.Status)
}
