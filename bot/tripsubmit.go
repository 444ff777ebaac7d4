package bot

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// submitBudget is how long a form submission may take before its ack; Slack waits 3 s.
const submitBudget = 2500 * time.Millisecond

var containerNo = regexp.MustCompile(`^[A-Z]{4}\d{7}$`)

// submitTripForm validates the trip form and creates the trip request, answering in the ack:
// inline errors next to the fields (response_action errors), or the confirmation in place of
// the form.
func (a *App) submitTripForm(ctx context.Context, req *socketmode.Request, cb slack.InteractionCallback) {
	ctx, cancel := context.WithTimeout(ctx, submitBudget)
	defer cancel()
	var values map[string]map[string]slack.BlockAction
	if cb.View.State != nil {
		values = cb.View.State.Values
	}
	now := a.h.r.now()
	args, errs := parseTripForm(values, now, a.h.r.Zone, a.cfg.MinLeadTime)
	if len(errs) > 0 {
		a.ack(ctx, req, slack.NewErrorsViewSubmissionResponse(errs))
		return
	}
	created, err := a.h.desk.CreateTrip(ctx, args, a.users.caller(ctx, cb.User.ID))
	if err != nil {
		field := errorField(err, args)
		msg := fleet.ErrorMessage(err)
		if s := fleet.ErrorSuggestions(err); len(s) > 0 {
			msg += ". Did you mean " + strings.Join(s, ", ") + "?"
		}
		if c := fleet.ErrorCode(err); c == fleet.EINTERNAL || c == fleet.EUNAVAILABLE {
			ref := NewRef()
			a.log.ErrorContext(ctx, "create trip from form failed", "err", err, "ref", ref, "plate", args.Truck)
			field, msg = formTruck, "Sorry, something went wrong on my side; try again (reference "+ref+")."
		}
		a.ack(ctx, req, slack.NewErrorsViewSubmissionResponse(map[string]string{field: capitalize(msg)}))
		return
	}
	v := a.h.r.TripCreated(created)
	a.ack(ctx, req, slack.NewUpdateViewSubmissionResponse(&slack.ModalViewRequest{Type: slack.VTModal,
		Title: plainText("Trip requested"), Close: plainText("Done"), Blocks: slack.Blocks{BlockSet: v.Blocks()}}))
	if ch := cb.View.PrivateMetadata; ch != "" {
		if _, err := a.api.PostEphemeralContext(context.WithoutCancel(ctx), ch, cb.User.ID, messageOptions(v, "")...); err != nil {
			a.log.WarnContext(ctx, "confirm trip request", "channel", ch, "trip_id", created.TripID, "err", err)
		}
	}
}

// parseTripForm reads the form's values into create_trip's arguments, with an error per
// field for what can be checked without the database.
func parseTripForm(values map[string]map[string]slack.BlockAction, now time.Time, zone *time.Location, minLead time.Duration) (tools.CreateTripArgs, map[string]string) {
	get := func(block string) slack.BlockAction { return values[block][block] }
	errs := map[string]string{}
	args := tools.CreateTripArgs{Truck: get(formTruck).SelectedOption.Value, Destination: get(formDestination).SelectedOption.Value}
	if args.Truck == "" {
		errs[formTruck] = "Choose a truck."
	}
	if args.Destination == "" {
		errs[formDestination] = "Choose where the trip ends."
	}
	if o := get(formOrigin).SelectedOption.Value; o != "" {
		args.Origin = &o
		if strings.EqualFold(o, args.Destination) {
			errs[formDestination] = "The destination must differ from the origin."
		}
	}
	dep, field, msg := departure(get(formDate).SelectedDate, get(formTime).SelectedTime, now, zone, minLead)
	if msg != "" {
		errs[field] = msg
	}
	args.DepartureTime = dep.Format(time.RFC3339)
	if c := strings.ToUpper(strings.Join(strings.Fields(get(formContainer).Value), "")); c != "" {
		if !containerNo.MatchString(c) {
			errs[formContainer] = "A container number is 4 letters and 7 digits, like MSCU1234567."
		}
		args.ContainerNo = &c
	}
	if c := get(formCargo).SelectedOption.Value; c != "" {
		args.CargoType = &c
	}
	if n := strings.TrimSpace(get(formNotes).Value); n != "" {
		args.Notes = &n
	}
	return args, errs
}

// departure combines the date and time pickers in zone and checks the lead time; it returns
// the field to blame and a message when they do not make a valid departure.
func departure(date, hhmm string, now time.Time, zone *time.Location, minLead time.Duration) (time.Time, string, string) {
	d, err := time.ParseInLocation("2006-01-02", date, zone)
	if err != nil {
		return time.Time{}, formDate, "Choose the departure date."
	}
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		return time.Time{}, formTime, "Choose the departure time."
	}
	dep := time.Date(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), 0, 0, zone)
	if dep.Before(fleet.Day(now, zone)) {
		return dep, formDate, "That date has passed."
	}
	if dep.Before(now.Add(minLead)) {
		return dep, formTime, fmt.Sprintf("Departure must be at least %d minutes from now (it is %s).", int(minLead.Minutes()), now.In(zone).Format("15:04 MST"))
	}
	return dep, "", ""
}

// errorField picks the form field a create_trip error is about, from its safe message.
func errorField(err error, args tools.CreateTripArgs) string {
	msg := strings.ToLower(fleet.ErrorMessage(err))
	has := func(s string) bool { return s != "" && strings.Contains(msg, strings.ToLower(s)) }
	switch {
	case strings.Contains(msg, "departure") || strings.Contains(msg, "minutes from now") || strings.Contains(msg, "time"):
		return formTime
	case strings.Contains(msg, "container"):
		return formContainer
	case strings.Contains(msg, "origin") || strings.Contains(msg, "starts") || strings.Contains(msg, "start from") || (args.Origin != nil && has(*args.Origin) && !has(args.Destination)):
		return formOrigin
	case strings.Contains(msg, "destination") || has(args.Destination):
		return formDestination
	}
	return formTruck
}
