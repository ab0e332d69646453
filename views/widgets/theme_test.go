package widgets

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// luminance is a colour's relative luminance (WCAG 2).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// Secondary text (model details, footers, meta lines) is legible in both variants: at least
// 4.5:1 against the window, dialogs and menus (WCAG AA), unlike Fyne's disabled colour.
func TestSecondaryTextIsLegible(t *testing.T) {
	th := NewTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for _, back := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground} {
			for _, text := range []fyne.ThemeColorName{ColorMuted, ColorSearchMark} {
				if c := contrast(th.Color(text, v), th.Color(back, v)); c < 4.5 {
					t.Errorf("variant %d: %s on %s is %.2f:1", v, text, back, c)
				}
			}
		}
	}
}
