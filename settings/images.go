package settings

import (
	"slices"
	"strings"
)

// How models count images is data too (catalog.json "image_sizing", from OPENAI-RESPONSES.md
// §7): the first rule whose pattern names the model applies; a row's own "image" outranks them.
// A pattern ending in "*" names every model id that begins with what comes before it.

// ImageRule is one row of the image sizing table.
type ImageRule struct {
	Models  []string     `json:"models"`
	Tiles   *TileSizing  `json:"tiles,omitempty"`
	Patches *PatchSizing `json:"patches,omitempty"`
	Note    string       `json:"note,omitempty"`
}

// TileSizing is a tile model's: Base tokens at low detail, Base plus Tile per 512-px tile.
type TileSizing struct {
	Base int `json:"base"`
	Tile int `json:"tile"`
}

// PatchSizing is a patch model's: a token per 32-px patch times Multiplier (0: 1); at high at
// most High patches and HighPx on the long side, at original Original and OriginalPx (0: never
// resized); "auto" means original when AutoOriginal; the API refuses more than MaxPatches.
type PatchSizing struct {
	High         int     `json:"high"`
	HighPx       int     `json:"high_px"`
	Original     int     `json:"original,omitempty"`
	OriginalPx   int     `json:"original_px,omitempty"`
	AutoOriginal bool    `json:"auto_original,omitempty"`
	Multiplier   float64 `json:"multiplier,omitempty"`
	MaxPatches   int     `json:"max_patches,omitempty"`
}

// ImageSizing is how one model counts an image: a tile or a patch sizing.
type ImageSizing struct {
	Tiles   *TileSizing  `json:"tiles,omitempty"`
	Patches *PatchSizing `json:"patches,omitempty"`
}

// ImageSizingFor is how a model counts images: its own row's, else the first rule that names it.
func ImageSizingFor(id string) ImageSizing {
	if m := LookupModel(id); m.Image != nil {
		return *m.Image
	}
	for _, r := range CurrentCatalog().ImageSizing {
		if slices.ContainsFunc(r.Models, func(p string) bool { return matches(p, id) }) {
			return ImageSizing{Tiles: r.Tiles, Patches: r.Patches}
		}
	}
	return ImageSizing{}
}

// PDFPagePixels is the size assumed for a PDF page's image, for estimates.
func PDFPagePixels() [2]int { return CurrentCatalog().PDFPagePx }

func matches(pattern, id string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(id, prefix)
	}
	return pattern == id
}
