package fleet

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// TruckRetired is how a retired truck's status reads. It is never stored: retiring a truck
// sets its ArchivedAt and keeps its row, trips and positions.
const TruckRetired TruckStatus = "retired"

// Roster text limits.
const (
	MaxNotesLen      = 2000 // characters of a truck's notes
	MaxDriverNameLen = 100
	MaxSiteNameLen   = 100
	MinSiteCodeLen   = 2
	MaxSiteCodeLen   = 24
)

// ShownStatus is the status to show for t: TruckRetired once retired, else its Status.
func (t Truck) ShownStatus() TruckStatus {
	if t.ArchivedAt != nil {
		return TruckRetired
	}
	return t.Status
}

// TruckChange is what a person sets on a truck, through the API or a command. A nil field is
// left as it is; an empty string clears (driver, home site, notes).
type TruckChange struct {
	DriverName       *string
	DriverPhone      *string
	Status           *TruckStatus // operational, maintenance or inactive ("active" means operational)
	MaintenanceUntil *time.Time   // only with Status maintenance; nil: until set operational
	HomeSite         *string      // site code
	Notes            *string
}

// Empty reports whether c changes nothing.
func (c TruckChange) Empty() bool {
	return c.DriverName == nil && c.DriverPhone == nil && c.Status == nil && c.MaintenanceUntil == nil &&
		c.HomeSite == nil && c.Notes == nil
}

// Normalize trims and checks c at now: statuses a person may set, a maintenance end in the
// future and only with maintenance, a phone that is a phone, text within its limits. It returns
// EINVALID naming the field at fault (driver_name, driver_phone, status, maintenance_until,
// site, notes).
func (c TruckChange) Normalize(now time.Time) (TruckChange, error) {
	c.DriverName = trimmed(c.DriverName)
	c.HomeSite = upperTrimmed(c.HomeSite)
	c.Notes = trimmed(c.Notes)
	if c.DriverPhone != nil {
		p := CleanPhone(*c.DriverPhone)
		c.DriverPhone = &p
		if p != "" && !ValidPhone(p) {
			return c, FieldErrorf("driver_phone", EINVALID, "driver_phone %q is not a phone number: use 7 to 15 digits, optionally starting with +", *c.DriverPhone)
		}
	}
	if c.DriverName != nil && utf8.RuneCountInString(*c.DriverName) > MaxDriverNameLen {
		return c, FieldErrorf("driver_name", EINVALID, "driver_name is longer than %d characters", MaxDriverNameLen)
	}
	if c.DriverPhone != nil && *c.DriverPhone != "" && c.DriverName != nil && *c.DriverName == "" {
		return c, FieldErrorf("driver_name", EINVALID, "a driver_phone needs a driver_name; clear both to remove the driver")
	}
	if c.Notes != nil && utf8.RuneCountInString(*c.Notes) > MaxNotesLen {
		return c, FieldErrorf("notes", EINVALID, "notes are longer than %d characters", MaxNotesLen)
	}
	if c.HomeSite != nil && *c.HomeSite != "" && !ValidSiteCode(*c.HomeSite) {
		return c, FieldErrorf("site", EINVALID, "site %q is not a site code", *c.HomeSite)
	}
	if c.Status != nil {
		st := TruckStatus(strings.ToLower(strings.TrimSpace(string(*c.Status))))
		if st == "active" {
			st = TruckOperational
		}
		switch st {
		case TruckOperational, TruckMaintenance, TruckInactive:
		case TruckRetired:
			return c, FieldErrorf("status", EINVALID, "a truck is retired by deleting it, not by its status")
		default:
			return c, FieldErrorf("status", EINVALID, "status must be operational, maintenance or inactive, not %q", *c.Status)
		}
		c.Status = &st
	}
	if c.MaintenanceUntil != nil {
		switch {
		case c.Status == nil || *c.Status != TruckMaintenance:
			return c, FieldErrorf("maintenance_until", EINVALID, "maintenance_until goes with status maintenance")
		case !c.MaintenanceUntil.After(now):
			return c, FieldErrorf("maintenance_until", EINVALID, "maintenance_until (%s) has already passed", FormatTime(*c.MaintenanceUntil, nil))
		}
	}
	return c, nil
}

// CleanPhone trims a phone number and drops the spaces, dashes, dots and brackets people type
// in it, keeping its leading 0 or +.
func CleanPhone(p string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')', '\t':
			return -1
		}
		return r
	}, strings.TrimSpace(p))
}

// ValidPhone reports whether p (cleaned) is 7 to 15 digits, optionally after a +.
func ValidPhone(p string) bool {
	d := strings.TrimPrefix(p, "+")
	return len(d) >= 7 && len(d) <= 15 && isDigits(d)
}

// ValidSiteCode reports whether code is MinSiteCodeLen to MaxSiteCodeLen upper-case letters,
// digits, dashes or underscores.
func ValidSiteCode(code string) bool {
	if len(code) < MinSiteCodeLen || len(code) > MaxSiteCodeLen {
		return false
	}
	for _, r := range code {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// SiteChange is what a person changes on a site; a nil field is left as it is.
type SiteChange struct {
	Name    *string
	Kind    *SiteKind
	Lat     *float64
	Lng     *float64
	RadiusM *float64
}

// Empty reports whether c changes nothing.
func (c SiteChange) Empty() bool {
	return c.Name == nil && c.Kind == nil && c.Lat == nil && c.Lng == nil && c.RadiusM == nil
}

// Apply returns s with c applied, checked with CheckSite. It returns EINVALID naming the field.
func (c SiteChange) Apply(s Site) (Site, error) {
	if c.Name != nil {
		s.Name = *c.Name
	}
	if c.Kind != nil {
		s.Kind = *c.Kind
	}
	if c.Lat != nil {
		s.Point.Lat = *c.Lat
	}
	if c.Lng != nil {
		s.Point.Lng = *c.Lng
	}
	if c.RadiusM != nil {
		s.RadiusM = *c.RadiusM
	}
	return CheckSite(s)
}

// CheckSite normalises a site a person gives (code upper case, name and kind trimmed) and
// checks it field by field: a code of letters, digits, dashes or underscores, a name, a known
// kind, lat within ±90, lng within ±180 (not both 0), a radius within the geofence bounds. It
// returns EINVALID naming the field at fault (code, name, kind, lat, lng, radius_m).
func CheckSite(s Site) (Site, error) {
	s.Code = strings.ToUpper(strings.TrimSpace(s.Code))
	s.Name = strings.TrimSpace(s.Name)
	s.Kind = SiteKind(strings.ToLower(strings.TrimSpace(string(s.Kind))))
	lat, lng := s.Point.Lat, s.Point.Lng
	switch {
	case !ValidSiteCode(s.Code):
		return s, FieldErrorf("code", EINVALID, "site code %q must be %d to %d letters, digits, dashes or underscores", s.Code, MinSiteCodeLen, MaxSiteCodeLen)
	case s.Name == "":
		return s, FieldErrorf("name", EINVALID, "site %s needs a name", s.Code)
	case utf8.RuneCountInString(s.Name) > MaxSiteNameLen:
		return s, FieldErrorf("name", EINVALID, "site name is longer than %d characters", MaxSiteNameLen)
	case !s.Kind.Valid():
		return s, FieldErrorf("kind", EINVALID, "kind must be terminal, client, depot or service_area, not %q", s.Kind)
	case math.IsNaN(lat) || lat < -90 || lat > 90:
		return s, FieldErrorf("lat", EINVALID, "lat must be between -90 and 90, not %g", lat)
	case math.IsNaN(lng) || lng < -180 || lng > 180:
		return s, FieldErrorf("lng", EINVALID, "lng must be between -180 and 180, not %g", lng)
	case lat == 0 && lng == 0:
		return s, FieldErrorf("lat", EINVALID, "lat 0, lng 0 is not a place a site can be; give its coordinates")
	case !(s.RadiusM >= MinSiteRadiusM && s.RadiusM <= MaxSiteRadiusM):
		return s, FieldErrorf("radius_m", EINVALID, "radius_m must be from %d to %d m, not %g", MinSiteRadiusM, MaxSiteRadiusM, s.RadiusM)
	}
	return s, nil
}

func trimmed(p *string) *string {
	if p == nil {
		return nil
	}
	s := strings.TrimSpace(*p)
	return &s
}

func upperTrimmed(p *string) *string {
	if p == nil {
		return nil
	}
	s := strings.ToUpper(strings.TrimSpace(*p))
	return &s
}
