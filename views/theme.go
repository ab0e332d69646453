package views

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
	colorUserBubble   fyne.ThemeColorName = "parley.userBubble"
	colorCodeBack     fyne.ThemeColorName = "parley.codeBackground"
	colorCodeInline   fyne.ThemeColorName = "parley.codeInline"
	colorQuoteBar     fyne.ThemeColorName = "parley.quoteBar"
	colorMuted        fyne.ThemeColorName = "parley.muted"
	colorMeterOK      fyne.ThemeColorName = "parley.meterOK"
	colorMeterWarn    fyne.ThemeColorName = "parley.meterWarn"
	colorMeterOver    fyne.ThemeColorName = "parley.meterOver"
	colorDemoBanner   fyne.ThemeColorName = "parley.demoBanner"
	colorErrorBack    fyne.ThemeColorName = "parley.errorBackground"
	colorSearchMark   fyne.ThemeColorName = "parley.searchMark"
	colorTableBorder  fyne.ThemeColorName = "parley.tableBorder"
	colorTableHeader  fyne.ThemeColorName = "parley.tableHeader"
	colorChartTokens  fyne.ThemeColorName = "parley.chartTokens"
	colorChartCost    fyne.ThemeColorName = "parley.chartCost"
	colorSyntaxPrefix                     = "parley.syntax."
)

func rgb(hex uint32) color.NRGBA {
	return color.NRGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 0xff}
}

// palette holds a colour for the light and the dark variant.
type palette struct{ light, dark color.Color }

var parleyColors = map[fyne.ThemeColorName]palette{
	colorUserBubble:  {rgb(0xe8eefc), rgb(0x263247)},
	colorCodeBack:    {rgb(0xf6f8fa), rgb(0x161b22)},
	colorCodeInline:  {rgb(0xb3261e), rgb(0xffa198)},
	colorQuoteBar:    {rgb(0xd0d7de), rgb(0x3d444d)},
	colorMuted:       {rgb(0x6e7781), rgb(0x8b949e)},
	colorMeterOK:     {rgb(0x2da44e), rgb(0x3fb950)},
	colorMeterWarn:   {rgb(0xd4a72c), rgb(0xd29922)},
	colorMeterOver:   {rgb(0xcf222e), rgb(0xf85149)},
	colorDemoBanner:  {rgb(0xfff8c5), rgb(0x3b2e00)},
	colorErrorBack:   {rgb(0xffebe9), rgb(0x3c1618)},
	colorSearchMark:  {rgb(0x9a6700), rgb(0xe3b341)},
	colorTableBorder: {rgb(0xd0d7de), rgb(0x30363d)},
	colorTableHeader: {rgb(0xf6f8fa), rgb(0x1c2128)},
	colorChartTokens: {rgb(0x0969da), rgb(0x58a6ff)},
	colorChartCost:   {rgb(0x8250df), rgb(0xbc8cff)},

	// Syntax colours, after GitHub's light and dark palettes.
	colorSyntaxPrefix + "keyword":  {rgb(0xcf222e), rgb(0xff7b72)},
	colorSyntaxPrefix + "string":   {rgb(0x0a3069), rgb(0xa5d6ff)},
	colorSyntaxPrefix + "comment":  {rgb(0x6e7781), rgb(0x8b949e)},
	colorSyntaxPrefix + "number":   {rgb(0x0550ae), rgb(0x79c0ff)},
	colorSyntaxPrefix + "function": {rgb(0x8250df), rgb(0xd2a8ff)},
	colorSyntaxPrefix + "type":     {rgb(0x953800), rgb(0xffa657)},
	colorSyntaxPrefix + "builtin":  {rgb(0x0550ae), rgb(0x79c0ff)},
	colorSyntaxPrefix + "tag":      {rgb(0x116329), rgb(0x7ee787)},
	colorSyntaxPrefix + "operator": {rgb(0xcf222e), rgb(0xff7b72)},
	colorSyntaxPrefix + "inserted": {rgb(0x116329), rgb(0x7ee787)},
	colorSyntaxPrefix + "deleted":  {rgb(0x82071e), rgb(0xffa198)},
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
