package painter

import (
	"bytes"
	"errors"
	"image/color"
	"image/draw"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-text/render"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	"github.com/go-text/typesetting/fontscan"
	"github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/internal/async"
	"fyne.io/fyne/v2/internal/cache"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
)

const (
	// DefaultTabWidth is the default width in spaces
	DefaultTabWidth = 4

	fontTabSpaceSize = 10
)

var (
	fm           *fontscan.FontMap
	fontScanLock sync.Mutex
	loaded       bool
)

func loadMap() {
	loaded = true

	fm = fontscan.NewFontMap(noopLogger{})
	err := loadSystemFonts(fm)
	if err != nil {
		fm = nil // just don't fallback
	}
}

func lookupLangFont(family string, aspect font.Aspect) *font.Face {
	fontScanLock.Lock()
	defer fontScanLock.Unlock()

	if !loaded {
		loadMap()
	}
	if fm == nil {
		return nil
	}

	fm.SetQuery(fontscan.Query{Families: []string{family}, Aspect: aspect})
	l, _ := fontscan.NewLangID(language.Language(lang.SystemLocale().LanguageString()))
	return fm.ResolveFaceForLang(l)
}

func lookupRuneFont(r rune, family string, aspect font.Aspect) *font.Face {
	fontScanLock.Lock()
	defer fontScanLock.Unlock()

	if !loaded {
		loadMap()
	}
	if fm == nil {
		return nil
	}

	fm.SetQuery(fontscan.Query{Families: []string{family}, Aspect: aspect})
	return fm.ResolveFace(r)
}

func lookupFaces(theme, fallback, emoji fyne.Resource, family string, style fyne.TextStyle) (faces *dynamicFontMap) {
	f1 := loadMeasureFont(theme)
	if theme == fallback {
		faces = &dynamicFontMap{family: family, faces: []*font.Face{f1}}
	} else {
		f2 := loadMeasureFont(fallback)
		faces = &dynamicFontMap{family: family, faces: []*font.Face{f1, f2}}
	}

	aspect := font.Aspect{Style: font.StyleNormal}
	if style.Italic {
		aspect.Style = font.StyleItalic
	}
	if style.Bold {
		aspect.Weight = font.WeightBold
	}

	// Parley: the emoji font (4 MB), then the system font for the user's language, are loaded
	// at the first character the fonts above lack, not for every style up front: most text
	// never needs them, and each was a font parsed (and its tables copied) for each style.
	faces.emoji, faces.aspect, faces.langFallback = emoji, aspect, true
	return faces
}

// CachedFontFace returns a Font face held in memory. These are loaded from the current theme.
func CachedFontFace(style fyne.TextStyle, source fyne.Resource, o fyne.CanvasObject) *FontCacheItem {
	if source != nil {
		val, ok := fontCustomCache.Load(source)
		if !ok {
			face := loadMeasureFont(source)
			if face == nil {
				face = loadMeasureFont(theme.TextFont())
			}
			faces := &dynamicFontMap{family: source.Name(), faces: []*font.Face{face}}

			val = &FontCacheItem{Fonts: faces}
			fontCustomCache.Store(source, val)
		}
		return val
	}

	scope := ""
	if o != nil { // for overridden themes get the cache key right
		scope = cache.WidgetScopeID(o)
	}

	val, ok := fontCache.Load(cacheID{style: style, scope: scope})
	if !ok {
		var faces *dynamicFontMap

		th := theme.CurrentForWidget(o)
		font1 := th.Font(style)

		emoji := theme.DefaultEmojiFont() // TODO only one emoji - maybe others too
		switch {
		case style.Monospace:
			faces = lookupFaces(font1, defaultFont(style), emoji, fontscan.Monospace, style)
		case style.Symbol && !style.Bold && !style.Italic:
			th := theme.SymbolFont()
			fallback := defaultFont(style)
			f1 := loadMeasureFont(th)

			if th == fallback {
				faces = &dynamicFontMap{family: fontscan.SansSerif, faces: []*font.Face{f1}}
			} else {
				f2 := loadMeasureFont(fallback)
				faces = &dynamicFontMap{family: fontscan.SansSerif, faces: []*font.Face{f1, f2}}
			}
		default:
			faces = lookupFaces(font1, defaultFont(style), emoji, fontscan.SansSerif, style)
		}

		val = &FontCacheItem{Fonts: faces}
		fontCache.Store(cacheID{style: style, scope: scope}, val)
	}

	return val
}

// PreloadFonts parses the fonts these styles are drawn with in a theme (Parley), so the first
// text drawn in them need not wait for it; no app need exist yet. It may run on any goroutine:
// a parsed font is shared (see loadMeasureFont) but each text style still makes its own face,
// whose caches are not safe to share across goroutines; no face is made or kept here.
func PreloadFonts(th fyne.Theme, styles ...fyne.TextStyle) {
	for _, style := range styles {
		for _, res := range []fyne.Resource{th.Font(style), defaultFont(style)} {
			if content := res.Content(); len(content) > 0 {
				if _, ok := parsedFonts.Load(fontBytes{&content[0], len(content)}); !ok {
					loadMeasureFont(res)
				}
			}
		}
	}
}

// defaultFont is the bundled font a text style falls back on (Parley: one place for
// CachedFontFace and PreloadFonts).
func defaultFont(style fyne.TextStyle) fyne.Resource {
	switch {
	case style.Monospace:
		return theme.DefaultTextMonospaceFont()
	case style.Bold && style.Italic:
		return theme.DefaultTextBoldItalicFont()
	case style.Bold:
		return theme.DefaultTextBoldFont()
	case style.Italic:
		return theme.DefaultTextItalicFont()
	case style.Symbol:
		return theme.DefaultSymbolFont()
	}
	return theme.DefaultTextFont()
}

// ClearFontCache is used to remove cached fonts in the case that we wish to re-load Font faces
func ClearFontCache() {
	fontCache.Clear()
	fontCustomCache.Clear()
}

// DrawString draws a string into an image.
func DrawString(dst draw.Image, s string, color color.Color, f shaping.Fontmap, fontSize, scale float32, style fyne.TextStyle) {
	r := render.Renderer{
		FontSize: fontSize,
		PixScale: scale,
		Color:    color,
	}

	advance := float32(0)
	y := math.MinInt
	walkString(f, s, float32ToFixed266(fontSize), style, &advance, scale, false, func(run shaping.Output, x float32) {
		if y == math.MinInt {
			y = int(math.Ceil(float64(fixed266ToFloat32(run.LineBounds.Ascent) * r.PixScale)))
		}
		if len(run.Glyphs) == 1 {
			if run.Glyphs[0].GlyphID == 0 {
				r.DrawStringAt(string([]rune{0xfffd}), dst, int(x), y, f.ResolveFace(0xfffd))
				return
			}
		}

		r.DrawShapedRunAt(run, dst, int(x), y)
	})
}

// parsedFonts are the fonts parsed so far, by their bytes (Parley).
var parsedFonts sync.Map // fontBytes -> *font.Font

type fontBytes struct {
	first *byte
	size  int
}

// loadMeasureFont returns a face of a font resource. Parley: a font is parsed once and shared by
// every style and theme scope that uses it (a font.Font may be shared; each gets its own Face):
// the 4 MB emoji font was parsed again for each style, each parse copying its tables.
func loadMeasureFont(data fyne.Resource) *font.Face {
	content := data.Content()
	if len(content) == 0 {
		fyne.LogError("font load error", errors.New("empty font resource "+data.Name()))
		return nil
	}
	key := fontBytes{&content[0], len(content)}
	if f, ok := parsedFonts.Load(key); ok {
		return font.NewFace(f.(*font.Font))
	}
	loaded, err := font.ParseTTF(bytes.NewReader(content))
	if err != nil {
		fyne.LogError("font load error", err)
		return nil
	}
	parsedFonts.Store(key, loaded.Font)
	return loaded
}

// MeasureString returns how far dot would advance by drawing s with f.
// Tabs are translated into a dot location change.
func MeasureString(f shaping.Fontmap, s string, textSize float32, style fyne.TextStyle) (size fyne.Size, advance float32) {
	return walkString(f, s, float32ToFixed266(textSize), style, &advance, 1, true, func(shaping.Output, float32) {})
}

// RenderedTextSize looks up how big a string would be if drawn on screen.
// It also returns the distance from top to the text baseline.
func RenderedTextSize(text string, fontSize float32, style fyne.TextStyle, source fyne.Resource) (size fyne.Size, baseline float32) {
	size, base := cache.GetFontMetrics(text, fontSize, style, source)
	if base != 0 {
		return size, base
	}

	size, base = measureText(text, fontSize, style, source)
	cache.SetFontMetrics(text, fontSize, style, source, size, base)
	return size, base
}

func fixed266ToFloat32(i fixed.Int26_6) float32 {
	return float32(float64(i) / (1 << 6))
}

func float32ToFixed266(f float32) fixed.Int26_6 {
	return fixed.Int26_6(float64(f) * (1 << 6))
}

func measureText(text string, fontSize float32, style fyne.TextStyle, source fyne.Resource) (fyne.Size, float32) {
	face := CachedFontFace(style, source, nil)
	return MeasureString(face.Fonts, text, fontSize, style)
}

func tabStop(spacew, x float32, tabWidth int) float32 {
	if tabWidth <= 0 {
		tabWidth = DefaultTabWidth
	}

	tabw := spacew * float32(tabWidth)
	tabs, _ := math.Modf(float64((x + tabw) / tabw))
	return tabw * float32(tabs)
}

// shapers are reused (Parley): a shaper keeps the fonts and shaping plans it built (a new one
// for every string measured or drawn built them again each time, most of the cost of text), and
// a segmenter its buffers. A shaper's font cache is off until given a size.
var shapers = sync.Pool{New: func() any {
	s := &textShaper{}
	s.shaper.SetFontCacheSize(8)
	return s
}}

type textShaper struct {
	shaper    shaping.HarfbuzzShaper
	segmenter shaping.Segmenter
}

// WithShaper lends f a shaper and a segmenter from the pool (Parley: for RichText's truncation,
// which made new ones, and so rebuilt the font's shaping tables, for every text it cut).
func WithShaper(f func(*shaping.HarfbuzzShaper, *shaping.Segmenter)) {
	s := shapers.Get().(*textShaper)
	defer shapers.Put(s)
	f(&s.shaper, &s.segmenter)
}

// walkString shapes s and calls cb with each run shaped, at its x. Parley: a text measured
// (measuring sets remember) is kept shaped until it is drawn, which takes it: a window's text is
// measured as it is laid out and drawn right after, and was shaped twice.
func walkString(faces shaping.Fontmap, s string, textSize fixed.Int26_6, style fyne.TextStyle, advance *float32, scale float32,
	remember bool, cb func(run shaping.Output, x float32),
) (size fyne.Size, base float32) {
	key := shapedKey{faces: faces, text: s, size: textSize, style: style, scale: scale}
	if t, ok := shapedTexts.get(key, !remember); ok {
		for _, r := range t.runs {
			cb(r.out, r.x)
		}
		*advance = t.advance
		return t.size, t.base
	}
	if !remember {
		drawScale.Store(math.Float32bits(scale))
	}
	var kept *shapedText
	// Measuring is at scale 1: a window drawn at another scale would never take what is kept.
	if remember && len(s) <= maxShapedText && drawScale.Load() == math.Float32bits(1) {
		kept = &shapedText{}
		inner := cb
		cb = func(run shaping.Output, x float32) {
			kept.runs = append(kept.runs, shapedRun{run, x})
			inner(run, x)
		}
		defer func() {
			kept.size, kept.base, kept.advance = size, base, *advance
			shapedTexts.put(key, kept)
		}()
	}
	s = strings.ReplaceAll(s, "\r", "")

	runes := []rune(s)
	in := shaping.Input{
		Text:      []rune{' '},
		RunStart:  0,
		RunEnd:    1,
		Direction: di.DirectionLTR,
		Face:      faces.ResolveFace(' '),
		Size:      textSize,
	}
	reused := shapers.Get().(*textShaper)
	defer shapers.Put(reused)
	shaper, segmenter := &reused.shaper, &reused.segmenter
	out := shaper.Shape(in)

	in.Text = runes
	in.RunStart = 0
	in.RunEnd = len(runes)

	x := float32(0)
	spacew := scale * fontTabSpaceSize
	if style.Monospace {
		spacew = scale * fixed266ToFloat32(out.Advance)
	}
	ins := segmenter.Split(in, faces)
	for _, in := range ins {
		inEnd := in.RunEnd

		pending := false
		// Parley: i is an index into the whole text (upstream used the index within the run as
		// one, which split every run but the first at the wrong place around a tab).
		first := in.RunStart
		for j, r := range in.Text[first:inEnd] {
			i := first + j
			if r == '\t' {
				if pending {
					in.RunEnd = i
					x = shapeCallback(shaper, in, x, scale, cb)
				}
				x = tabStop(spacew, x, style.TabWidth)

				in.RunStart = i + 1
				in.RunEnd = inEnd
				pending = false
			} else {
				pending = true
			}
		}

		x = shapeCallback(shaper, in, x, scale, cb)
	}

	*advance = x
	return fyne.NewSize(*advance, fixed266ToFloat32(out.LineBounds.LineThickness())),
		fixed266ToFloat32(out.LineBounds.Ascent)
}

// shapedTexts are texts measured and not drawn yet, shaped (Parley; see walkString). Texts
// measured and never drawn (a word measured to wrap a paragraph) are dropped together when
// there are too many.
var shapedTexts = shapedCache{m: map[shapedKey]*shapedText{}}

// drawScale is the scale texts were last drawn at (before the first, 1: a window's text is
// measured before it is drawn).
var drawScale = func() *atomic.Uint32 {
	var s atomic.Uint32
	s.Store(math.Float32bits(1))
	return &s
}()

const (
	maxShapedTexts = 1024
	maxShapedText  = 2048 // bytes: a longer text is shaped again when drawn
)

type shapedKey struct {
	faces shaping.Fontmap
	text  string
	size  fixed.Int26_6
	style fyne.TextStyle
	scale float32
}

type shapedText struct {
	runs          []shapedRun
	size          fyne.Size
	base, advance float32
}

type shapedRun struct {
	out shaping.Output
	x   float32
}

type shapedCache struct {
	sync.Mutex
	m map[shapedKey]*shapedText
}

func (c *shapedCache) get(k shapedKey, take bool) (*shapedText, bool) {
	c.Lock()
	defer c.Unlock()
	t, ok := c.m[k]
	if ok && take {
		delete(c.m, k)
	}
	return t, ok
}

func (c *shapedCache) put(k shapedKey, t *shapedText) {
	c.Lock()
	defer c.Unlock()
	if len(c.m) >= maxShapedTexts {
		c.m = map[shapedKey]*shapedText{}
	}
	c.m[k] = t
}

func shapeCallback(shaper shaping.Shaper, in shaping.Input, x, scale float32, cb func(shaping.Output, float32)) float32 {
	out := shaper.Shape(in)
	glyphs := out.Glyphs
	start := 0
	pending := false
	adv := fixed.I(0)
	for i, g := range out.Glyphs {
		if g.GlyphID == 0 {
			if pending {
				out.Glyphs = glyphs[start:i]
				cb(out, x)
				x += fixed266ToFloat32(adv) * scale
				adv = 0
			}

			out.Glyphs = glyphs[i : i+1]
			cb(out, x)
			x += fixed266ToFloat32(glyphs[i].XAdvance) * scale
			adv = 0

			start = i + 1
			pending = false
		} else {
			pending = true
		}
		adv += g.XAdvance
	}

	if pending {
		out.Glyphs = glyphs[start:]
		cb(out, x)
		x += fixed266ToFloat32(adv) * scale
		adv = 0
	}
	return x + fixed266ToFloat32(adv)*scale
}

type FontCacheItem struct {
	Fonts shaping.Fontmap
}

type cacheID struct {
	style fyne.TextStyle
	scope string
}

var (
	fontCache       async.Map[cacheID, *FontCacheItem]
	fontCustomCache async.Map[fyne.Resource, *FontCacheItem] // for custom resources
)

type noopLogger struct{}

func (n noopLogger) Printf(string, ...any) {}

type dynamicFontMap struct {
	faces  []*font.Face
	family string

	// Parley: the system font for the user's language, looked up at the first character the
	// faces above lack (see lookupFaces); mu guards faces as it grows.
	emoji        fyne.Resource // not loaded yet
	aspect       font.Aspect
	langFallback bool // lookupFaces made it: the language's font comes next, when needed
	mu           sync.Mutex
}

func (d *dynamicFontMap) ResolveFace(r rune) *font.Face {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, f := range d.faces {
		if _, ok := f.NominalGlyph(r); ok {
			return f
		}
	}

	if d.emoji != nil {
		emoji := loadMeasureFont(d.emoji)
		d.emoji = nil
		if emoji != nil {
			d.faces = append(d.faces, emoji)
			if _, ok := emoji.NominalGlyph(r); ok {
				return emoji
			}
		}
	}
	if d.langFallback {
		d.langFallback = false
		if local := lookupLangFont(d.family, d.aspect); local != nil {
			d.faces = append(d.faces, local)
			if _, ok := local.NominalGlyph(r); ok {
				return local
			}
		}
	}

	toAdd := lookupRuneFont(r, d.family, font.Aspect{})
	if toAdd != nil {
		d.faces = append(d.faces, toAdd)
		return toAdd
	}

	return d.faces[0]
}
