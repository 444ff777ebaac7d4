package bot

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Slack's limits on select menus.
const (
	maxOptions     = 100
	maxOptionGroup = 100
	maxOptionText  = 75
)

// cargoTypes are the trip form's cargo choices.
var cargoTypes = []string{"General cargo", "Empty container", "Reefer (refrigerated)", "Hazardous (IMO)", "Bulk", "Out of gauge"}

// openTripForm opens the trip form for a /trip trigger. Reply.OpenForm is true when the form
// opened; otherwise the reply says why it could not.
func (a *App) openTripForm(ctx context.Context, triggerID, channel string) Reply {
	plates, err := a.catalog.Plates(ctx)
	if err != nil {
		return Reply{View: a.h.problem(ctx, err, "load trucks for the trip form")}
	}
	sites, err := a.catalog.ListSites(ctx)
	if err != nil {
		return Reply{View: a.h.problem(ctx, err, "load sites for the trip form")}
	}
	if len(plates) == 0 || len(sites) < 2 {
		return usage(":warning: The trip form needs trucks and at least two sites in the roster.")
	}
	view := tripFormView(plates, sites, channel, a.h.r.now().In(a.h.r.Zone), a.h.r.Zone)
	if _, err := a.api.OpenViewContext(ctx, triggerID, view); err != nil {
		return Reply{View: a.h.problem(ctx, err, "open trip form", "channel", channel)}
	}
	return Reply{OpenForm: true}
}

func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// tripFormView is the /trip modal: truck, origin, destination, date and time pickers,
// container number, cargo type and notes. private_metadata carries the channel it was
// opened from.
func tripFormView(plates []string, sites []fleet.Site, channel string, now time.Time, zone *time.Location) slack.ModalViewRequest {
	truck := selectElement(formTruck, "Choose a truck", plateGroups(plates))
	origin := selectElement(formOrigin, "Where the truck is now", siteGroups(sites))
	dest := selectElement(formDestination, "Choose a site", siteGroups(sites))
	date := slack.NewDatePickerBlockElement(formDate)
	date.InitialDate = now.AddDate(0, 0, 1).Format("2006-01-02")
	tp := slack.NewTimePickerBlockElement(formTime)
	tp.InitialTime, tp.Timezone = "08:00", zone.String()
	container := slack.NewPlainTextInputBlockElement(plainText("MSCU1234567"), formContainer)
	container.MaxLength = 15
	cargo := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Choose"), formCargo, options(cargoTypes, nil)...)
	notes := slack.NewPlainTextInputBlockElement(plainText("Booking reference, gate instructions…"), formNotes)
	notes.Multiline, notes.MaxLength = true, 500
	blocks := []slack.Block{
		slack.NewInputBlock(formTruck, plainText("Truck"), nil, truck),
		optional(slack.NewInputBlock(formOrigin, plainText("From"), plainText("Where the trip starts; left empty, you are asked."), origin)),
		slack.NewInputBlock(formDestination, plainText("To"), nil, dest),
		slack.NewInputBlock(formDate, plainText("Departure date"), nil, date),
		slack.NewInputBlock(formTime, plainText("Departure time ("+zone.String()+")"), plainText("At least 30 minutes from now."), tp),
		optional(slack.NewInputBlock(formContainer, plainText("Container number"), nil, container)),
		optional(slack.NewInputBlock(formCargo, plainText("Cargo type"), nil, cargo)),
		optional(slack.NewInputBlock(formNotes, plainText("Notes"), nil, notes)),
	}
	return slack.ModalViewRequest{Type: slack.VTModal, CallbackID: CallbackTripForm, PrivateMetadata: channel,
		Title: plainText("Request a trip"), Submit: plainText("Request"), Close: plainText("Cancel"),
		Blocks: slack.Blocks{BlockSet: blocks}}
}

func optional(b *slack.InputBlock) *slack.InputBlock {
	b.Optional = true
	return b
}

// optionGroup is a labelled list of select options.
type optionGroup struct {
	label  string
	values []string
	texts  []string // shown instead of values when set
}

// selectElement builds a static select: plain options when they fit in one list of 100,
// option groups (up to 100 of 100) otherwise.
func selectElement(actionID, placeholder string, groups []optionGroup) *slack.SelectBlockElement {
	total := 0
	for _, g := range groups {
		total += len(g.values)
	}
	if total <= maxOptions {
		var opts []*slack.OptionBlockObject
		for _, g := range groups {
			opts = append(opts, options(g.values, g.texts)...)
		}
		return slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText(placeholder), actionID, opts...)
	}
	var og []*slack.OptionGroupBlockObject
	for _, g := range groups {
		for i := 0; i < len(g.values) && len(og) < maxOptionGroup; i += maxOptions {
			end := min(i+maxOptions, len(g.values))
			var texts []string
			if g.texts != nil {
				texts = g.texts[i:end]
			}
			label := g.label
			if len(g.values) > maxOptions {
				label = fmt.Sprintf("%s %s–%s", g.label, g.values[i], g.values[end-1])
			}
			og = append(og, slack.NewOptionGroupBlockElement(plainText(truncate(label, maxOptionText)), options(g.values[i:end], texts)...))
		}
	}
	return slack.NewOptionsGroupSelectBlockElement(slack.OptTypeStatic, plainText(placeholder), actionID, og...)
}

func options(values, texts []string) []*slack.OptionBlockObject {
	out := make([]*slack.OptionBlockObject, 0, len(values))
	for i, v := range values {
		text := v
		if texts != nil {
			text = texts[i]
		}
		out = append(out, slack.NewOptionBlockObject(v, plainText(truncate(text, maxOptionText)), nil))
	}
	return out
}

// plateGroups groups plates by their first character when there are more than fit one list.
func plateGroups(plates []string) []optionGroup {
	sorted := append([]string(nil), plates...)
	sort.Strings(sorted)
	if len(sorted) <= maxOptions {
		return []optionGroup{{label: "Trucks", values: sorted}}
	}
	var groups []optionGroup
	for _, p := range sorted {
		key := strings.ToUpper(p[:1])
		if len(groups) == 0 || groups[len(groups)-1].label != key {
			groups = append(groups, optionGroup{label: key})
		}
		groups[len(groups)-1].values = append(groups[len(groups)-1].values, p)
	}
	return groups
}

// siteGroups groups sites by kind (terminals, clients, depots, service areas).
func siteGroups(sites []fleet.Site) []optionGroup {
	order := []fleet.SiteKind{fleet.SiteTerminal, fleet.SiteClient, fleet.SiteDepot, fleet.SiteServiceArea}
	byKind := map[fleet.SiteKind]*optionGroup{}
	for _, k := range order {
		byKind[k] = &optionGroup{label: capitalize(human(k)) + "s"}
	}
	for _, s := range sites {
		g, ok := byKind[s.Kind]
		if !ok {
			g = byKind[fleet.SiteDepot]
		}
		g.values = append(g.values, s.Code)
		g.texts = append(g.texts, s.Code+" — "+s.Name)
	}
	var out []optionGroup
	for _, k := range order {
		if len(byKind[k].values) > 0 {
			out = append(out, *byKind[k])
		}
	}
	return out
}
