package bot

import (
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Slack's limits on a message (https://docs.slack.dev/reference/block-kit/blocks).
const (
	maxBlocks       = 50
	maxSectionChars = 3000
	maxFieldChars   = 2000
	maxFields       = 10
	maxHeaderChars  = 150
	maxTextChars    = 3900 // the fallback text; Slack truncates far later, notifications stay short
	maxContextItems = 10
)

// View is one message in a transport-neutral form: Slack renders it as Block Kit with Text as
// the notification fallback, the console as plain text. Every card, list and notification is
// built as a View so Slack and the terminal show the same thing.
type View struct {
	Text  string // plain-text fallback (not mrkdwn): notifications, screen readers, one-line console
	Parts []Part
}

// Part is one piece of a View: *Header, *Section, *Context, *Divider or *Buttons.
type Part interface{ part() }

// Header is a title line (plain text, no formatting).
type Header struct{ Text string }

// Section is a paragraph of mrkdwn and/or a grid of label-value fields.
type Section struct {
	Text   string // mrkdwn
	Fields []Field
}

// Field is one cell of a Section's grid.
type Field struct{ Label, Value string }

// Context is small grey print: ages, sources, assumptions. Items are mrkdwn.
type Context struct{ Items []string }

// Divider is a horizontal rule.
type Divider struct{}

// Buttons is a row of buttons; BlockID identifies the row.
type Buttons struct {
	BlockID string
	Buttons []Button
}

// Button is one button; Style is "", "primary" or "danger".
type Button struct {
	ActionID, Text, Value, Style string
}

func (*Header) part()  {}
func (*Section) part() {}
func (*Context) part() {}
func (*Divider) part() {}
func (*Buttons) part() {}

// add appends parts and returns v, for chaining in builders.
func (v View) add(parts ...Part) View {
	v.Parts = append(v.Parts, parts...)
	return v
}

// Blocks renders v as Block Kit within Slack's limits: long sections are split at line
// breaks, fields are grouped ten to a section, and a view that would exceed 50 blocks is cut
// with a note saying so.
func (v View) Blocks() []slack.Block {
	var out []slack.Block
	for _, p := range v.Parts {
		out = append(out, partBlocks(p)...)
	}
	if len(out) > maxBlocks {
		out = append(out[:maxBlocks-1], slack.NewContextBlock("", mrkdwn("_…cut to fit Slack's 50-block limit; ask for a narrower list._")))
	}
	return out
}

// FallbackText returns the message's plain-text fallback, shortened to fit.
func (v View) FallbackText() string {
	if v.Text != "" {
		return truncate(v.Text, maxTextChars)
	}
	for _, p := range v.Parts {
		switch p := p.(type) {
		case *Header:
			return truncate(plainLine(p.Text), maxTextChars)
		case *Section:
			if p.Text != "" {
				return truncate(plainLine(p.Text), maxTextChars)
			}
		}
	}
	return "Watch Tower"
}

func partBlocks(p Part) []slack.Block {
	switch p := p.(type) {
	case *Header:
		if p.Text == "" {
			return nil
		}
		return []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, truncate(p.Text, maxHeaderChars), true, false))}
	case *Section:
		return sectionBlocks(p)
	case *Context:
		return contextBlocks(p)
	case *Divider:
		return []slack.Block{slack.NewDividerBlock()}
	case *Buttons:
		return []slack.Block{buttonsBlock(p)}
	}
	return nil
}

func sectionBlocks(s *Section) []slack.Block {
	var out []slack.Block
	for _, chunk := range splitText(s.Text, maxSectionChars) {
		out = append(out, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
	}
	for i := 0; i < len(s.Fields); i += maxFields {
		end := min(i+maxFields, len(s.Fields))
		fields := make([]*slack.TextBlockObject, 0, end-i)
		for _, f := range s.Fields[i:end] {
			fields = append(fields, mrkdwn(truncate("*"+f.Label+"*\n"+orDash(f.Value), maxFieldChars)))
		}
		out = append(out, slack.NewSectionBlock(nil, fields, nil))
	}
	return out
}

func contextBlocks(c *Context) []slack.Block {
	var out []slack.Block
	var elems []slack.MixedElement
	for _, it := range c.Items {
		if it == "" {
			continue
		}
		elems = append(elems, mrkdwn(truncate(it, maxFieldChars)))
		if len(elems) == maxContextItems {
			out = append(out, slack.NewContextBlock("", elems...))
			elems = nil
		}
	}
	if len(elems) > 0 {
		out = append(out, slack.NewContextBlock("", elems...))
	}
	return out
}

func buttonsBlock(b *Buttons) slack.Block {
	elems := make([]slack.BlockElement, 0, len(b.Buttons))
	for _, bt := range b.Buttons {
		e := slack.NewButtonBlockElement(bt.ActionID, bt.Value, slack.NewTextBlockObject(slack.PlainTextType, bt.Text, true, false))
		if bt.Style != "" {
			e.Style = slack.Style(bt.Style)
		}
		elems = append(elems, e)
	}
	return slack.NewActionBlock(b.BlockID, elems...)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// splitText cuts s into chunks of at most limit characters, at line breaks where it can.
func splitText(s string, limit int) []string {
	s = strings.TrimSpace(s)
	var out []string
	for s != "" {
		if utf8.RuneCountInString(s) <= limit {
			return append(out, s)
		}
		cut := byteIndexOfRune(s, limit)
		if nl := strings.LastIndexByte(s[:cut], '\n'); nl > cut/2 {
			cut = nl
		}
		out = append(out, strings.TrimSpace(s[:cut]))
		s = strings.TrimSpace(s[cut:])
	}
	return out
}

// byteIndexOfRune returns the byte offset of the n-th rune of s (len(s) when s is shorter).
func byteIndexOfRune(s string, n int) int {
	i := 0
	for pos := range s {
		if i == n {
			return pos
		}
		i++
	}
	return len(s)
}

// truncate shortens s to at most limit characters, ending with "…" when cut.
func truncate(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return s[:byteIndexOfRune(s, limit-1)] + "…"
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
