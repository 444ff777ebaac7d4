package schedule

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"time"
)

// Chart geometry, in pixels. The weekly chart has two panels of paired bars, one pair a day:
// trips completed on top, distance driven below; in each pair the grey bar is the same
// weekday of the week before.
const (
	chartW      = 900
	chartH      = 585
	chartLeft   = 80  // plot area's left edge (axis labels sit left of it)
	chartRight  = 20  // margin right of the plot area
	panelPlotH  = 170 // height of a panel's bars at the panel's maximum
	textScale   = 2   // font pixels are 2×2 image pixels
	textH       = glyphH * textScale
	tripsBase   = 275 // baseline (y of the bottom of the bars) of the trips panel
	distBase    = 545 // baseline of the distance panel
	barGapRatio = 0.15
)

// Chart colours.
var (
	colBackground = color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}
	colText       = color.RGBA{0x33, 0x33, 0x33, 0xFF}
	colGrid       = color.RGBA{0xE3, 0xE3, 0xE3, 0xFF}
	colPrevious   = color.RGBA{0xC4, 0xC4, 0xC4, 0xFF}
	colTrips      = color.RGBA{0x2E, 0x86, 0xDE, 0xFF}
	colDistance   = color.RGBA{0x27, 0xA0, 0x6B, 0xFF}
)

// DayPoint is one day of the weekly chart and report.
type DayPoint struct {
	Date           time.Time `json:"date"`            // midnight, business zone
	TripsCompleted int       `json:"trips_completed"` // the day's DailySummary.TripsCompleted
	DistanceKm     float64   `json:"distance_km"`     // the day's DailySummary.DistanceKm
}

// panel is one bar panel of the chart.
type panel struct {
	title    string
	baseline int
	colour   color.RGBA
	this     []float64 // this week, one value a day
	previous []float64 // the week before, same weekdays
}

// WeeklyChart draws the weekly report's chart as a PNG: trips completed and distance driven
// per day of days (this week, oldest first) next to the same weekdays of previous (the week
// before; it may be shorter or empty). It is drawn with the standard library only.
func WeeklyChart(title string, days, previous []DayPoint) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, chartW, chartH))
	draw.Draw(img, img.Bounds(), &image.Uniform{colBackground}, image.Point{}, draw.Src)
	drawText(img, chartLeft, 14, title, textScale, colText)
	drawLegend(img)
	trips, dist := panelValues(days)
	prevTrips, prevDist := panelValues(previous)
	for _, p := range []panel{
		{"TRIPS COMPLETED", tripsBase, colTrips, trips, prevTrips},
		{"DISTANCE KM", distBase, colDistance, dist, prevDist},
	} {
		drawPanel(img, p, days)
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

func panelValues(days []DayPoint) (trips, dist []float64) {
	for _, d := range days {
		trips = append(trips, float64(d.TripsCompleted))
		dist = append(dist, d.DistanceKm)
	}
	return trips, dist
}

func drawLegend(img *image.RGBA) {
	x := chartW - chartRight - 330
	fillRect(img, image.Rect(x, 44, x+14, 58), colPrevious)
	drawText(img, x+20, 44, "WEEK BEFORE", textScale, colText)
	x += 175
	fillRect(img, image.Rect(x, 44, x+14, 58), colTrips)
	fillRect(img, image.Rect(x+14, 44, x+28, 58), colDistance)
	drawText(img, x+34, 44, "THIS WEEK", textScale, colText)
}

// drawPanel draws p's title, grid, axis labels, bars, values and weekday labels.
func drawPanel(img *image.RGBA, p panel, days []DayPoint) {
	top := p.baseline - panelPlotH
	drawText(img, chartLeft, top-textH-24, p.title, textScale, colText)
	full := panelMax(p)
	for _, frac := range []float64{0, 0.5, 1} {
		y := p.baseline - int(math.Round(frac*panelPlotH))
		fillRect(img, image.Rect(chartLeft, y, chartW-chartRight, y+1), colGrid)
		label := axisLabel(frac * full)
		drawText(img, chartLeft-8-textWidth(label, textScale), y-textH/2, label, textScale, colText)
	}
	for i := range p.this {
		if i < len(p.previous) {
			fillRect(img, barRect(p.baseline, i, len(p.this), false, barHeight(p.previous[i], full)), colPrevious)
		}
		bar := barRect(p.baseline, i, len(p.this), true, barHeight(p.this[i], full))
		fillRect(img, bar, p.colour)
		label := axisLabel(p.this[i])
		drawText(img, (bar.Min.X+bar.Max.X-textWidth(label, textScale))/2, bar.Min.Y-textH-4, label, textScale, colText)
		if i < len(days) {
			day := days[i].Date.Format("Mon 2")
			slotMid := (barRect(p.baseline, i, len(p.this), false, 0).Min.X + bar.Max.X) / 2
			drawText(img, slotMid-textWidth(day, textScale)/2, p.baseline+6, day, textScale, colText)
		}
	}
}

// panelMax is the value a full-height bar stands for: the largest of both weeks, at least 1.
func panelMax(p panel) float64 {
	m := 1.0
	for _, v := range append(append([]float64(nil), p.this...), p.previous...) {
		m = math.Max(m, v)
	}
	return m
}

// barHeight is the height in pixels of a bar of value v when full is full height.
func barHeight(v, full float64) int {
	if !(v > 0) {
		return 0
	}
	return int(math.Round(math.Min(v/full, 1) * panelPlotH))
}

// barRect is the rectangle of day i's bar of n in the panel with baseline: the right bar of
// the pair for this week, the left one for the week before.
func barRect(baseline, i, n int, thisWeek bool, height int) image.Rectangle {
	slot := float64(chartW-chartRight-chartLeft) / float64(max(n, 1))
	x0 := float64(chartLeft) + slot*float64(i) + slot*barGapRatio
	half := slot * (1 - 2*barGapRatio) / 2
	if thisWeek {
		x0 += half
	}
	return image.Rect(int(x0), baseline-height, int(x0+half)-2, baseline)
}

// axisLabel formats a value for the chart: whole numbers, with a k for thousands.
func axisLabel(v float64) string {
	if v >= 10000 {
		return fmt.Sprintf("%.0fK", v/1000)
	}
	return fmt.Sprintf("%.0f", v)
}

func fillRect(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r.Intersect(img.Bounds()), &image.Uniform{c}, image.Point{}, draw.Src)
}
