// Package mlpplot draws the training history of an mlp model, the
// mlp.History that Trainer.Fit returns, as a PNG image made with
// gonum.org/v1/plot.
//
// The plotting library lives in this package only, so that a program that
// imports github.com/mlpkit/mlp to train and run models does not depend on
// it.
//
// # The image
//
// The image stacks panels that share the epoch axis:
//
//   - the first holds the training loss ("loss") and, when the history has
//     validation figures, the validation loss ("val_loss", dashed) of each
//     epoch;
//   - below it come the metrics (accuracy, RMSE, R², ...): the validation
//     values ("val_accuracy", dashed) and, when the history records them,
//     the training values ("accuracy"), named as mlp.History names them.
//     Metrics share one panel when their magnitudes are alike, the largest
//     absolute values of any two (taken as at least 1) within a factor of
//     4, as accuracy and macro F1 are; otherwise each metric gets a panel
//     of its own, so that RMSE in the target's units does not flatten R².
//
// Every panel has a legend and axis labels. Non-finite values (NaN, ±Inf)
// are left out of the lines; a history without validation data gives the
// loss panel alone.
package mlpplot

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/mlpkit/mlp"
	"github.com/mlpkit/mlp/internal/guard"
)

// ErrEmptyHistory is returned, wrapped, for a nil history or one with no
// epochs.
var ErrEmptyHistory = errors.New("mlpplot: the history has no epochs")

// Image sizes in pixels.
const (
	// DefaultWidth and DefaultHeight are the size of the image when the
	// Settings leave it zero.
	DefaultWidth  = 800
	DefaultHeight = 800

	// MinSize and MaxSize bound each side of the image.
	MinSize = 200
	MaxSize = 4096
)

// dpi is the resolution of the image: text sizes are given in points, and
// 12-point text is 16 pixels high.
const dpi = 96

// metricSpread is the largest ratio of magnitudes of metrics that share a
// panel.
const metricSpread = 4

// gridColor is the colour of the grid lines behind the data.
var gridColor = color.Gray{Y: 220}

// maxGlyphEpochs is the largest number of epochs whose points are marked
// with glyphs as well as joined by lines.
const maxGlyphEpochs = 25

// Settings configure the image. The zero value gives an untitled image of
// DefaultWidth by DefaultHeight pixels.
type Settings struct {
	// Title, when not empty, is drawn above the first panel.
	Title string

	// Width and Height are the size of the image in pixels, each in
	// [MinSize, MaxSize]. Zero means DefaultWidth and DefaultHeight.
	Width, Height int
}

// size returns the width and height in pixels, or an error wrapping
// mlp.ErrSetting.
func (s Settings) size() (w, h int, err error) {
	w, h = s.Width, s.Height
	if w == 0 {
		w = DefaultWidth
	}
	if h == 0 {
		h = DefaultHeight
	}
	if w < MinSize || w > MaxSize || h < MinSize || h > MaxSize {
		return 0, 0, fmt.Errorf("%w: mlpplot: image size %dx%d pixels: each side must be in [%d, %d]",
			mlp.ErrSetting, s.Width, s.Height, MinSize, MaxSize)
	}
	return w, h, nil
}

// WritePNG draws the history h as described in the package documentation
// and writes it to w as a PNG image of the size s gives.
//
// It returns an error wrapping ErrEmptyHistory when h is nil or has no
// epochs, one wrapping mlp.ErrSetting when the size is out of range, one
// wrapping mlp.ErrData when an epoch's metric values do not match
// h.MetricNames, when no epoch has a finite loss or val_loss (there would
// be nothing to draw in the loss panel), when an epoch number is beyond
// ±2^53 (where float64 no longer tells epochs apart) or a finite value
// beyond ±1e300 (where the axis arithmetic overflows), and the error of w. A figure that is constant,
// or varies by less than 1e-9 of its magnitude, is drawn in the middle of
// a range of ±max(1, |value|/1000). A nil w is an error wrapping
// mlp.ErrSetting, and a w that reports a short write with no error gives
// io.ErrShortWrite. Nothing is written unless the image
// could be drawn. h is not changed; WritePNG allocates the image and may be
// called concurrently as long as h is not being changed.
func WritePNG(w io.Writer, h *mlp.History, s Settings) error {
	if guard.IsNil(w) {
		return fmt.Errorf("%w: mlpplot: WritePNG: nil io.Writer", mlp.ErrSetting)
	}
	c, err := render(h, s)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(guard.Writer(w)); err != nil {
		return fmt.Errorf("mlpplot: writing the PNG image: %w", err)
	}
	return nil
}

// SavePNG writes the image of WritePNG to the file at path, creating or
// truncating it. It returns the errors of WritePNG, in which case the file
// is not touched, and those of writing the file.
func SavePNG(path string, h *mlp.History, s Settings) error {
	var buf bytes.Buffer
	if err := WritePNG(&buf, h, s); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("mlpplot: %w", err)
	}
	return nil
}

// series is one line of a panel.
type series struct {
	name   string
	pts    plotter.XYs // finite points only
	dashes []vg.Length
}

// magnitude returns the largest absolute value of the series, at least 1.
func (s series) magnitude() float64 {
	m := 1.0
	for _, p := range s.pts {
		m = max(m, math.Abs(p.Y))
	}
	return m
}

// newSeries returns the finite points (epoch, v[i]) of the history.
func newSeries(name string, h *mlp.History, v func(e mlp.Epoch) float64) series {
	s := series{name: name}
	for _, e := range h.Epochs {
		y := v(e)
		if math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		s.pts = append(s.pts, plotter.XY{X: float64(e.Epoch), Y: y})
	}
	return s
}

// panels returns the series of each panel and the label of its y axis.
// Series are named as mlp.History names the figures (Keras's names): "loss"
// and "val_loss", a metric's name for its training values and "val_" with
// its name for its validation values; validation lines are dashed.
func panels(h *mlp.History) (groups [][]series, labels []string, err error) {
	if h == nil || len(h.Epochs) == 0 {
		return nil, nil, ErrEmptyHistory
	}
	validation := false
	for i, e := range h.Epochs {
		for _, vals := range [][]float64{e.Metrics, e.ValMetrics} {
			if vals != nil && len(vals) != len(h.MetricNames) {
				return nil, nil, fmt.Errorf("%w: mlpplot: epoch %d of the history has %d metric values for %d metric names",
					mlp.ErrData, i, len(vals), len(h.MetricNames))
			}
		}
		if e.ValMetrics != nil || !math.IsNaN(e.ValLoss) {
			validation = true
		}
	}
	dashed := []vg.Length{vg.Points(6), vg.Points(3)}

	loss := []series{newSeries("loss", h, func(e mlp.Epoch) float64 { return e.Loss })}
	if validation {
		val := newSeries("val_loss", h, func(e mlp.Epoch) float64 { return e.ValLoss })
		val.dashes = dashed
		loss = append(loss, val)
	}
	if len(loss[0].pts) == 0 && (len(loss) == 1 || len(loss[1].pts) == 0) {
		return nil, nil, fmt.Errorf("%w: mlpplot: no epoch of the history has a finite loss or val_loss to draw", mlp.ErrData)
	}
	groups, labels = [][]series{loss}, []string{"loss"}

	var metrics [][]series // the lines of each metric that has any point
	var names []string
	for k, name := range h.MetricNames {
		at := func(vals []float64) float64 {
			if vals == nil {
				return math.NaN()
			}
			return vals[k]
		}
		var lines []series
		if m := newSeries(name, h, func(e mlp.Epoch) float64 { return at(e.Metrics) }); len(m.pts) > 0 {
			lines = append(lines, m)
		}
		if m := newSeries("val_"+name, h, func(e mlp.Epoch) float64 { return at(e.ValMetrics) }); len(m.pts) > 0 {
			m.dashes = dashed
			lines = append(lines, m)
		}
		if len(lines) > 0 {
			metrics, names = append(metrics, lines), append(names, name)
		}
	}
	if len(metrics) == 0 {
		return groups, labels, nil
	}
	magnitude := func(lines []series) float64 {
		m := 0.0
		for _, l := range lines {
			m = max(m, l.magnitude())
		}
		return m
	}
	lo, hi := math.Inf(1), 0.0
	for _, m := range metrics {
		lo, hi = min(lo, magnitude(m)), max(hi, magnitude(m))
	}
	if len(metrics) == 1 || hi <= metricSpread*lo {
		label := names[0]
		if len(metrics) > 1 {
			label = "metrics"
		}
		var all []series
		for _, m := range metrics {
			all = append(all, m...)
		}
		return append(groups, all), append(labels, label), nil
	}
	for i, m := range metrics {
		groups = append(groups, m)
		labels = append(labels, names[i])
	}
	return groups, labels, nil
}

// render draws the panels of h on a new image canvas.
func render(h *mlp.History, s Settings) (*vgimg.Canvas, error) {
	wpx, hpx, err := s.size()
	if err != nil {
		return nil, err
	}
	groups, labels, err := panels(h)
	if err != nil {
		return nil, err
	}
	if err := checkRange(h); err != nil {
		return nil, err
	}
	glyphs := len(h.Epochs) <= maxGlyphEpochs

	plots := make([][]*plot.Plot, len(groups))
	for i, g := range groups {
		p, err := newPanel(g, labels[i], glyphs)
		if err != nil {
			return nil, err
		}
		plots[i] = []*plot.Plot{p}
	}
	if s.Title != "" {
		plots[0][0].Title.Text = s.Title
		plots[0][0].Title.TextStyle.Font.Size = vg.Points(14)
	}

	pixel := vg.Inch / dpi
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(wpx)*pixel, vg.Length(hpx)*pixel), vgimg.UseDPI(dpi))
	dc := draw.New(c)
	pad := vg.Points(8)
	tiles := draw.Tiles{
		Rows: len(plots), Cols: 1,
		PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: vg.Points(14),
		PadY: vg.Points(14),
	}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		plots[i][0].Draw(canvases[i][0])
	}
	return c, nil
}

// newPanel returns a plot of the series g against the epoch, with the y
// axis labelled ylabel and a legend placed where the lines end away from
// it.
func newPanel(g []series, ylabel string, glyphs bool) (*plot.Plot, error) {
	p := plot.New()
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = ylabel
	p.X.Tick.Marker = epochTicks{}
	p.Y.Tick.Marker = distinctTicks{}
	grid := plotter.NewGrid()
	grid.Vertical.Color = gridColor
	grid.Horizontal.Color = gridColor
	p.Add(grid)
	p.Legend.ThumbnailWidth = vg.Points(28)
	for i, s := range g {
		if len(s.pts) == 0 {
			continue
		}
		col := plotutil.Color(i)
		line, err := plotter.NewLine(s.pts)
		if err != nil {
			return nil, fmt.Errorf("mlpplot: %s: %w", s.name, err) // not reached: the points are finite
		}
		line.Color = col
		line.Width = vg.Points(1.5)
		line.Dashes = s.dashes
		p.Add(line)
		thumbs := []plot.Thumbnailer{line}
		if glyphs {
			pts, err := plotter.NewScatter(s.pts)
			if err != nil {
				return nil, fmt.Errorf("mlpplot: %s: %w", s.name, err)
			}
			pts.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
			p.Add(pts)
			thumbs = append(thumbs, pts)
		}
		p.Legend.Add(s.name, thumbs...)
	}
	if p.X.Min == p.X.Max {
		p.X.Max++ // a single epoch: show whole epochs, not [e-1, e+1]
	}
	// gonum/plot widens an empty range by ±1, which is no range at all
	// from 2^53 on; a range too narrow for its magnitude gets ±max(1, |mid|/1000).
	if lo, hi := p.Y.Min, p.Y.Max; !(hi-lo > 1e-9*max(math.Abs(lo), math.Abs(hi))) {
		mid := lo/2 + hi/2
		pad := max(1, math.Abs(mid)/1000)
		p.Y.Min, p.Y.Max = mid-pad, mid+pad
	}
	p.Legend.Top = endsLow(g, p.Y.Min, p.Y.Max)
	return p, nil
}

// endsLow reports whether the first line of g ends in the lower half of
// [lo, hi], leaving the top right corner free for the legend.
func endsLow(g []series, lo, hi float64) bool {
	for _, s := range g {
		if n := len(s.pts); n > 0 {
			return s.pts[n-1].Y <= (lo+hi)/2
		}
	}
	return true
}

// epochTicks labels whole epochs only, at a step of 1, 2 or 5 times a
// power of ten chosen to give at most about eight labels.
type epochTicks struct{}

func (epochTicks) Ticks(lo, hi float64) []plot.Tick {
	first, last := math.Ceil(lo), math.Floor(hi)
	step := 1.0
	for k := 1; (last-first)/step > 8; k++ {
		step = []float64{1, 2, 5}[k%3] * math.Pow(10, float64(k/3))
	}
	var ticks []plot.Tick
	start := math.Ceil(first/step) * step
	for i := 0; i < 20; i++ { // at most about 8; bounded whatever the range
		v := start + float64(i)*step
		if v > last {
			break
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatInt(int64(v), 10)})
	}
	return ticks
}

// Bounds of what can be drawn: epochs are exact in float64 only below
// 2^53, and the axis arithmetic of gonum/plot overflows for values near
// the largest float64.
const (
	maxEpoch = 1 << 53
	maxValue = 1e300
)

// checkRange returns an error wrapping mlp.ErrData for an epoch number
// outside (-2^53, 2^53) or a finite value beyond ±1e300, naming it.
func checkRange(h *mlp.History) error {
	for _, e := range h.Epochs {
		if e.Epoch <= -maxEpoch || e.Epoch >= maxEpoch {
			return fmt.Errorf("%w: mlpplot: epoch %d is beyond ±2^53, where epochs are no longer distinct points", mlp.ErrData, e.Epoch)
		}
		vals := append([]float64{e.Loss, e.ValLoss}, e.Metrics...)
		for _, v := range append(vals, e.ValMetrics...) {
			if math.Abs(v) > maxValue && !math.IsInf(v, 0) {
				return fmt.Errorf("%w: mlpplot: a value of epoch %d, %v, is beyond ±%v, too large to draw", mlp.ErrData, e.Epoch, v, maxValue)
			}
		}
	}
	return nil
}

// distinctTicks are gonum's default ticks, whose labels are written with
// more digits when the default ones would repeat, as they do over a narrow
// range such as [1.2, 1.25].
type distinctTicks struct{}

func (distinctTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for prec := 2; prec <= 15 && repeated(ticks); prec++ {
		for i, t := range ticks {
			if t.Label != "" {
				ticks[i].Label = strconv.FormatFloat(t.Value, 'g', prec, 64)
			}
		}
	}
	return ticks
}

// repeated reports whether two labelled ticks have the same label.
func repeated(ticks []plot.Tick) bool {
	seen := make(map[string]bool, len(ticks))
	for _, t := range ticks {
		if t.Label == "" {
			continue
		}
		if seen[t.Label] {
			return true
		}
		seen[t.Label] = true
	}
	return false
}
