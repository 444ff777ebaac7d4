package bot

import (
	"regexp"
	"strings"
)

// emojiText maps the Slack emoji the views use to characters a terminal shows.
var emojiText = map[string]string{
	":large_green_circle:":      "🟢",
	":large_yellow_circle:":     "🟡",
	":large_blue_circle:":       "🔵",
	":red_circle:":              "🔴",
	":hourglass_flowing_sand:":  "⏳",
	":spiral_calendar_pad:":     "🗓",
	":warning:":                 "⚠️",
	":truck:":                   "🚚",
	":round_pushpin:":           "📍",
	":white_check_mark:":        "✅",
	":x:":                       "❌",
	":no_entry_sign:":           "🚫",
	":rotating_light:":          "🚨",
	":information_source:":      "ℹ️",
	":bar_chart:":               "📊",
	":calendar:":                "📅",
	":satellite_antenna:":       "📡",
	":arrows_counterclockwise:": "🔄",
	":gear:":                    "⚙️",
	":mag:":                     "🔍",
	":world_map:":               "🗺",
	":busts_in_silhouette:":     "👥",
	":stopwatch:":               "⏱",
}

// consoleVerbs maps button action IDs to the console command that stands in for them.
var consoleVerbs = map[string]string{ActionApprove: "approve", ActionReject: "reject"}

var (
	slackLinkText = regexp.MustCompile(`<(https?://[^|>]+)\|([^>]+)>`)
	slackLinkBare = regexp.MustCompile(`<(https?://[^|>]+)>`)
	slackUser     = regexp.MustCompile(`<@([A-Z0-9]+)(?:\|[^>]*)?>`)
	slackChannel  = regexp.MustCompile(`<#([A-Z0-9]+)(?:\|([^>]*))?>`)
	mrkBold       = regexp.MustCompile(`\*([^*\s]|[^*\s][^*\n]*[^*\s])\*`) // as Slack: no space inside the marks
	mrkItalic     = regexp.MustCompile(`(^|[\s(])_([^_\n]+)_`)
	mrkStrike     = regexp.MustCompile(`~([^~\n]+)~`)
	emojiCode     = regexp.MustCompile(`:[a-z0-9_+\-]+:`)
)

// plain turns mrkdwn into terminal text: links become "text (url)", mentions "@U123",
// formatting marks go, entities are unescaped and known emoji become characters.
func plain(s string) string {
	s = slackLinkText.ReplaceAllString(s, "$2 ($1)")
	return plainMarks(s)
}

// plainNoURL is plain for running text and lists, where a link's URL would drown the line:
// links keep only their text.
func plainNoURL(s string) string {
	return plainMarks(slackLinkText.ReplaceAllString(s, "$2"))
}

func plainMarks(s string) string {
	s = slackLinkBare.ReplaceAllString(s, "$1")
	s = slackUser.ReplaceAllString(s, "@$1")
	s = slackChannel.ReplaceAllStringFunc(s, func(m string) string {
		sub := slackChannel.FindStringSubmatch(m)
		if sub[2] != "" {
			return "#" + sub[2]
		}
		return "#" + sub[1]
	})
	s = mrkBold.ReplaceAllString(s, "$1")
	s = mrkItalic.ReplaceAllString(s, "$1$2")
	s = mrkStrike.ReplaceAllString(s, "$1")
	s = emojiCode.ReplaceAllStringFunc(s, func(code string) string {
		if e, ok := emojiText[code]; ok {
			return e
		}
		return code
	})
	return unescaper.Replace(s)
}

// Console renders v as plain text for a terminal: the same header, text, fields, notes and
// buttons Slack shows, one block after another.
func (v View) Console() string {
	var b strings.Builder
	for _, p := range v.Parts {
		switch p := p.(type) {
		case *Header:
			b.WriteString("── " + plain(p.Text) + " ──\n")
		case *Section:
			if p.Text != "" {
				b.WriteString(plainNoURL(p.Text) + "\n")
			}
			for _, f := range p.Fields {
				val := strings.ReplaceAll(plain(orDash(f.Value)), "\n", "; ")
				b.WriteString("  " + plain(f.Label) + ": " + val + "\n")
			}
		case *Context:
			for _, it := range p.Items {
				if it != "" {
					b.WriteString("  · " + plain(it) + "\n")
				}
			}
		case *Divider:
			b.WriteString("  ────────\n")
		case *Buttons:
			b.WriteString(consoleButtons(p))
		}
	}
	if b.Len() == 0 {
		return v.FallbackText() + "\n"
	}
	return b.String()
}

func consoleButtons(p *Buttons) string {
	var cmds []string
	for _, bt := range p.Buttons {
		if verb, ok := consoleVerbs[bt.ActionID]; ok {
			cmds = append(cmds, "'"+verb+" "+bt.Value+"'")
		} else {
			cmds = append(cmds, "["+bt.Text+"]")
		}
	}
	return "  ▸ " + strings.Join(cmds, " or ") + "\n"
}

// ConsoleLine renders v on one line, for alerts and events printed as they happen.
func (v View) ConsoleLine() string {
	line := strings.Join(strings.Fields(v.FallbackText()), " ")
	return truncate(line, 240)
}
