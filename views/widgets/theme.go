package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// parleyTheme is Fyne's default theme, which follows the system's light or dark mode, with
// Parley's own colours for message bubbles, code, syntax and usage bars.
type parleyTheme struct{ fyne.Theme }

// NewTheme returns Parley's theme.
func NewTheme() fyne.Theme { return parleyTheme{theme.DefaultTheme()} }

// Colour names Parley adds to the theme.
const (
	ColorUserBubble   fyne.ThemeColorName = "parley.userBubble"
	ColorCodeBack     fyne.ThemeColorName = "parley.codeBackground"
	ColorCodeInline   fyne.ThemeColorName = "parley.codeInline"
	ColorQuoteBar     fyne.ThemeColorName = "parley.quoteBar"
	ColorMuted        fyne.ThemeColorName = "parley.muted"
	ColorMeterOK      fyne.ThemeColorName = "parley.meterOK"
	ColorMeterWarn    fyne.ThemeColorName = "parley.meterWarn"
	ColorMeterOver    fyne.ThemeColorName = "parley.meterOver"
	ColorDemoBanner   fyne.ThemeColorName = "parley.demoBanner"
	ColorErrorBack    fyne.ThemeColorName = "parley.errorBackground"
	ColorSearchMark   fyne.ThemeColorName = "parley.searchMark"
	ColorTableBorder  fyne.ThemeColorName = "parley.tableBorder"
	ColorTableHeader  fyne.ThemeColorName = "parley.tableHeader"
	ColorChartTokens  fyne.ThemeColorName = "parley.chartTokens"
	ColorChartCost    fyne.ThemeColorName = "parley.chartCost"
	ColorSyntaxPrefix                     = "parley.syntax."
)

func rgb(hex uint32) color.NRGBA {
	return color.NRGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 0xff}
}

// palette holds a colour for the light and the dark variant.
type palette struct{ light, dark color.Color }

var parleyColors = map[fyne.ThemeColorName]palette{
	ColorUserBubble:  {rgb(0xe8eefc), rgb(0x263247)},
	ColorCodeBack:    {rgb(0xf6f8fa), rgb(0x161b22)},
	ColorCodeInline:  {rgb(0xb3261e), rgb(0xffa198)},
	ColorQuoteBar:    {rgb(0xd0d7de), rgb(0x3d444d)},
	ColorMuted:       {rgb(0x59636e), rgb(0x8b949e)},
	ColorMeterOK:     {rgb(0x2da44e), rgb(0x3fb950)},
	ColorMeterWarn:   {rgb(0xd4a72c), rgb(0xd29922)},
	ColorMeterOver:   {rgb(0xcf222e), rgb(0xf85149)},
	ColorDemoBanner:  {rgb(0xfff8c5), rgb(0x3b2e00)},
	ColorErrorBack:   {rgb(0xffebe9), rgb(0x3c1618)},
	ColorSearchMark:  {rgb(0x7d4e00), rgb(0xe3b341)},
	ColorTableBorder: {rgb(0xd0d7de), rgb(0x30363d)},
	ColorTableHeader: {rgb(0xf6f8fa), rgb(0x1c2128)},
	ColorChartTokens: {rgb(0x0969da), rgb(0x58a6ff)},
	ColorChartCost:   {rgb(0x8250df), rgb(0xbc8cff)},

	// Syntax colours, after GitHub's light and dark palettes.
	ColorSyntaxPrefix + "keyword":  {rgb(0xcf222e), rgb(0xff7b72)},
	ColorSyntaxPrefix + "string":   {rgb(0x0a3069), rgb(0xa5d6ff)},
	ColorSyntaxPrefix + "comment":  {rgb(0x6e7781), rgb(0x8b949e)},
	ColorSyntaxPrefix + "number":   {rgb(0x0550ae), rgb(0x79c0ff)},
	ColorSyntaxPrefix + "function": {rgb(0x8250df), rgb(0xd2a8ff)},
	ColorSyntaxPrefix + "type":     {rgb(0x953800), rgb(0xffa657)},
	ColorSyntaxPrefix + "builtin":  {rgb(0x0550ae), rgb(0x79c0ff)},
	ColorSyntaxPrefix + "tag":      {rgb(0x116329), rgb(0x7ee787)},
	ColorSyntaxPrefix + "operator": {rgb(0xcf222e), rgb(0xff7b72)},
	ColorSyntaxPrefix + "inserted": {rgb(0x116329), rgb(0x7ee787)},
	ColorSyntaxPrefix + "deleted":  {rgb(0x82071e), rgb(0xffa198)},
}

func (t parleyTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if p, ok := parleyColors[name]; ok {
		if v == theme.VariantLight {
			return p.light
		}
		return p.dark
	}
	return t.Theme.Color(name, v)
}
