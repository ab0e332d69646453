package widgets

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// These tests pin what Parley's copy of Fyne changed in how text and icons are drawn: shapers
// reused across strings, SVG icons colorized and parsed once per content and colour.

// A text measures the same however many other texts were shaped in between (shapers, their
// fonts and plans are reused from one string to the next), and a longer text measures longer.
func TestTextMeasuresTheSameEachTime(t *testing.T) {
	newTestApp(t)
	styles := []fyne.TextStyle{{}, {Bold: true}, {Italic: true}, {Monospace: true}}
	texts := []string{"Parley", "New chat", "a\ttab", "Überschrift", "WAVE fi ffl", "x", "Ask anything… (Enter sends)"}
	measureAll := func(round int) map[string]fyne.Size {
		sizes := map[string]fyne.Size{}
		for i := range styles {
			s := styles[(i+round)%len(styles)]
			for _, text := range texts {
				// Texts not seen before are shaped (Fyne keeps the sizes of those it has measured).
				fyne.MeasureText(fmt.Sprintf("%s, round %d", text, round), theme.TextSize(), s)
				sizes[fmt.Sprint(s, text)] = fyne.MeasureText(text, theme.TextSize(), s)
			}
		}
		return sizes
	}
	first := measureAll(0)
	if first[fmt.Sprint(fyne.TextStyle{}, "WAVE fi ffl")].Width <= first[fmt.Sprint(fyne.TextStyle{}, "x")].Width {
		t.Fatalf("measures make no sense: %v", first)
	}
	for round := 1; round < 4; round++ {
		for k, v := range measureAll(round) {
			if v != first[k] {
				t.Errorf("round %d, %s: %v, first %v", round, k, v, first[k])
			}
		}
	}
	for _, s := range styles {
		fresh := "Parley measures " + fmt.Sprint(s)
		one, more := fyne.MeasureText(fresh, theme.TextSize(), s), fyne.MeasureText(fresh+"!", theme.TextSize(), s)
		if more.Width <= one.Width || more.Height != one.Height {
			t.Errorf("%v: one character more measures %v, without it %v", s, more, one)
		}
	}
}

// A text drawn right after it was measured (from the shaping kept by measuring) looks the same,
// pixel for pixel, as the same text drawn again later (shaped afresh).
func TestTextDrawsTheSameAfterMeasuring(t *testing.T) {
	newTestApp(t)
	for i, style := range []fyne.TextStyle{{}, {Bold: true}, {Monospace: true}} {
		text := canvas.NewText(fmt.Sprintf("Draw %d: ffi WAVE\tafter a tab, Überschrift…", i), theme.Color(theme.ColorNameForeground))
		text.TextStyle = style
		w := test.NewWindow(container.NewVBox(text))
		w.Resize(fyne.NewSize(500, 60))
		first := w.Canvas().Capture()
		second := w.Canvas().Capture()
		if _, ok := inkOf(first); !ok {
			t.Fatalf("%v: nothing drawn", style)
		}
		if !sameImage(first, second) {
			t.Errorf("%v: the text drawn after measuring differs from the same text drawn again", style)
		}
		w.Close()
	}
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if color.NRGBAModel.Convert(a.At(x, y)) != color.NRGBAModel.Convert(b.At(x, y)) {
				return false
			}
		}
	}
	return true
}

// A tab moves what follows to the next tab stop in code too when a run in another font (an
// emoji, here) came before it: the text after the tab starts at the stop.
func TestTabsAfterAnotherFont(t *testing.T) {
	newTestApp(t)
	mono := fyne.TextStyle{Monospace: true}
	width := func(s string) float64 { return float64(fyne.MeasureText(s, theme.TextSize(), mono).Width) }
	tab := width("\t")
	for _, before := range []string{"ab", "😀", "ab😀cd", "x := \"✅\"", "😀😀😀😀😀 done"} {
		stop := math.Floor((width(before)+tab)/tab) * tab
		if got, want := width(before+"\tnext"), stop+width("next"); math.Abs(got-want) > 0.5 {
			t.Errorf("%q, a tab, \"next\": %.1f wide, want %.1f (the stop after %.1f, then the word)", before, got, want, width(before))
		}
	}
}

// monoTheme draws all text in the monospace font.
type monoTheme struct{ fyne.Theme }

func (m monoTheme) Font(fyne.TextStyle) fyne.Resource { return theme.DefaultTextMonospaceFont() }

// A text keeps the size it measured only while nothing it depends on changes: its words, size
// and style, and the theme's fonts.
func TestTextSizeFollowsWhatItDependsOn(t *testing.T) {
	a := newTestApp(t)
	text := canvas.NewText("iiii", theme.Color(theme.ColorNameForeground))
	first := text.MinSize()
	text.Text = "iiii, and more"
	if longer := text.MinSize(); longer.Width <= first.Width {
		t.Fatalf("longer text %v, was %v", longer, first)
	}
	text.Text = "iiii"
	if again := text.MinSize(); again != first {
		t.Fatalf("the same text again %v, first %v", again, first)
	}
	text.TextSize = theme.TextSize() * 2
	if bigger := text.MinSize(); bigger.Height <= first.Height {
		t.Fatalf("twice the size %v, was %v", bigger, first)
	}
	text.TextSize = theme.TextSize()
	text.TextStyle = fyne.TextStyle{Monospace: true}
	mono := text.MinSize()
	if mono.Width <= first.Width {
		t.Fatalf("monospace %v, proportional %v", mono, first)
	}
	text.TextStyle = fyne.TextStyle{}
	if text.MinSize() != first {
		t.Fatalf("back to the regular style: %v, first %v", text.MinSize(), first)
	}
	a.Settings().SetTheme(monoTheme{NewTheme()})
	if now := text.MinSize(); now != mono {
		t.Fatalf("after the theme's fonts changed to monospace: %v, want %v", now, mono)
	}
}

// Start-up reads the fonts on other goroutines while the UI goroutine may already measure: the
// race detector sees nothing shared.
func TestFontsPreloadWhileTextIsMeasured(t *testing.T) {
	newTestApp(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fyneapp.PreloadFonts(NewTheme(), fyne.TextStyle{}, fyne.TextStyle{Bold: true}, fyne.TextStyle{Monospace: true})
		}()
	}
	for i := range 200 {
		fyne.MeasureText(fmt.Sprintf("measured while fonts load %d", i), theme.TextSize(), fyne.TextStyle{Bold: i%2 == 0})
	}
	wg.Wait()
}

// variantTheme shows Parley's theme in one variant whatever the system's.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (v variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return v.Theme.Color(n, v.variant)
}

// An icon takes the colour of the theme it is shown in, each time it is refreshed, though its
// colouring and parsing are remembered: light, then dark, then light again.
func TestIconsTakeTheirThemesColour(t *testing.T) {
	newTestApp(t)
	th := NewTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark, theme.VariantLight} {
		for range 2 {
			img := canvas.NewImageFromResource(theme.DeleteIcon())
			container.NewThemeOverride(img, variantTheme{th, v})
			img.Resize(fyne.NewSize(24, 24))
			img.Refresh()
			want := th.Color(theme.ColorNameForeground, v)
			if got, ok := inkOf(img.Image); !ok || !near(got, want) {
				t.Fatalf("variant %d: the icon is drawn in %v (drawn: %v), the theme's foreground is %v", v, got, ok, want)
			}
		}
	}
}

// inkOf is the colour of an icon's most opaque pixel.
func inkOf(img image.Image) (color.NRGBA, bool) {
	if img == nil {
		return color.NRGBA{}, false
	}
	var best color.NRGBA
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if c.A > best.A {
				best = c
			}
		}
	}
	return best, best.A > 200
}

func near(got color.NRGBA, want color.Color) bool {
	w := color.NRGBAModel.Convert(want).(color.NRGBA)
	d := func(a, b uint8) int { return max(int(a), int(b)) - min(int(a), int(b)) }
	return d(got.R, w.R) <= 8 && d(got.G, w.G) <= 8 && d(got.B, w.B) <= 8
}

// BenchmarkMeasureNewText measures lines never measured before (Fyne keeps the sizes of those it
// has): the cost of shaping one, which every new label, title and streamed line pays.
func BenchmarkMeasureNewText(b *testing.B) {
	newTestApp(b)
	fyne.MeasureText("warm the fonts", theme.TextSize(), fyne.TextStyle{})
	n := 0
	for b.Loop() {
		n++
		fyne.MeasureText(fmt.Sprintf("Conversation %d: how do I stream the Responses API in Go?", n), theme.TextSize(), fyne.TextStyle{})
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "µs/text")
}
