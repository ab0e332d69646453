package widgets

import (
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// transcript is a virtualized, vertically scrolling list of rows of different heights: only
// the rows in view (and a screen around them) exist as widgets, so a conversation of thousands
// of messages costs what a screenful does. Heights start as estimates and become exact as rows
// are built; the view follows the bottom while the user has not scrolled away from it.
type Transcript struct {
	widget.BaseWidget

	length   func() int
	create   func() fyne.CanvasObject
	bind     func(i int, row fyne.CanvasObject)
	estimate func(i int, width float32) float32

	scroll *container.Scroll
	body   *transcriptBody

	heights  []float32
	exact    []bool
	offsets  []float32 // offsets[i] is the top of row i; offsets[n] the total height
	width    float32
	follow   bool
	visible  map[int]fyne.CanvasObject
	pool     []fyne.CanvasObject
	bound    map[fyne.CanvasObject]int // which item a row shows, to skip binding it again
	stale    map[int]bool              // items whose content changed since their row was bound
	placing  bool
	resizing bool
}

const (
	rowGap   = 6
	overscan = 400 // pixels built beyond the viewport, above and below
)

func NewTranscript(length func() int, create func() fyne.CanvasObject, bind func(int, fyne.CanvasObject), estimate func(int, float32) float32) *Transcript {
	t := &Transcript{length: length, create: create, bind: bind, estimate: estimate, follow: true,
		visible: map[int]fyne.CanvasObject{}, bound: map[fyne.CanvasObject]int{}, stale: map[int]bool{}}
	t.body = &transcriptBody{t: t}
	t.body.ExtendBaseWidget(t.body)
	t.scroll = container.NewVScroll(t.body)
	t.scroll.OnScrolled = func(p fyne.Position) {
		t.follow = t.atBottom()
		t.body.Refresh()
	}
	t.ExtendBaseWidget(t)
	return t
}

func (t *Transcript) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(t.scroll)
}

// Reset shows a new list from its end, forgetting every height.
func (t *Transcript) Reset() {
	for i, row := range t.visible {
		t.release(i, row)
	}
	t.heights, t.exact, t.offsets = nil, nil, nil
	clear(t.stale)
	t.follow = true
	t.sync()
	t.scrollToEnd()
}

// Changed says item i's content changed (a streamed answer grew, a status changed).
func (t *Transcript) Changed(i int) {
	t.stale[i] = true
	if i < len(t.exact) {
		t.exact[i] = false
	}
	follow := t.follow
	t.sync()
	t.body.Refresh()
	if follow {
		t.scrollToEnd()
	}
}

// Reload rebinds every row, after items were removed or replaced.
func (t *Transcript) Reload() {
	for i, row := range t.visible {
		t.release(i, row)
	}
	t.heights, t.exact, t.offsets = nil, nil, nil
	clear(t.stale)
	t.sync()
	t.body.Refresh()
	if t.follow {
		t.scrollToEnd()
	}
}

// ReloadFrom rebinds the rows from item i on, after the items from there were replaced (another
// version of a message shown): those before it keep their rows and heights.
func (t *Transcript) ReloadFrom(i int) {
	for j, row := range t.visible {
		if j >= i {
			t.release(j, row)
		}
	}
	if i < len(t.heights) {
		t.heights, t.exact = t.heights[:i], t.exact[:i]
	}
	for j := range t.stale {
		if j >= i {
			delete(t.stale, j)
		}
	}
	t.sync()
	t.body.Refresh()
	if t.follow {
		t.scrollToEnd()
	}
}

// ScrollTo brings item i to the top of the view.
func (t *Transcript) ScrollTo(i int) {
	t.sync()
	if i < 0 || i >= len(t.heights) {
		return
	}
	// Measure from a screen above the item to a screen below it, so the offset is exact.
	t.measureAround(i)
	t.follow = false
	t.scroll.ScrollToOffset(fyne.NewPos(0, t.offsets[i]))
	t.body.Refresh()
	t.scroll.Refresh()
}

// ScrollToEnd shows the last items and follows new ones.
func (t *Transcript) ScrollToEnd() {
	t.follow = true
	t.scrollToEnd()
}

func (t *Transcript) scrollToEnd() {
	if n := len(t.heights); n > 0 {
		t.measureAround(n - 1)
	}
	t.scroll.Refresh()
	t.scroll.ScrollToBottom()
	t.body.Refresh()
}

func (t *Transcript) atBottom() bool {
	return t.scroll.Offset.Y+t.scroll.Size().Height >= t.total()-4
}

// sync matches the heights to the number of items.
func (t *Transcript) sync() {
	n := t.length()
	width := t.contentWidth()
	if width != t.width {
		t.width = width
		for i := range t.exact {
			t.exact[i] = false
		}
	}
	for len(t.heights) < n {
		i := len(t.heights)
		t.heights = append(t.heights, t.estimate(i, width))
		t.exact = append(t.exact, false)
	}
	if len(t.heights) > n {
		t.heights, t.exact = t.heights[:n], t.exact[:n]
		for i, row := range t.visible {
			if i >= n {
				t.release(i, row)
			}
		}
	}
	t.reoffset()
}

// MaxRowWidth is the widest a row is laid out: past about 100 characters a line is hard to
// read, so a maximised window centres its rows instead of stretching them.
const MaxRowWidth = 860

func (t *Transcript) contentWidth() float32 {
	w := t.scroll.Size().Width - theme.ScrollBarSize()
	return min(max(w, 100), MaxRowWidth)
}

func (t *Transcript) reoffset() {
	if cap(t.offsets) < len(t.heights)+1 {
		t.offsets = make([]float32, len(t.heights)+1)
	}
	t.offsets = t.offsets[:len(t.heights)+1]
	y := float32(0)
	for i, h := range t.heights {
		t.offsets[i] = y
		y += h + rowGap
	}
	t.offsets[len(t.heights)] = y
}

func (t *Transcript) total() float32 {
	if len(t.offsets) == 0 {
		return 0
	}
	return t.offsets[len(t.offsets)-1]
}

// row returns the row showing item i, binding it when it is new or its item changed.
func (t *Transcript) row(i int) fyne.CanvasObject {
	row, ok := t.visible[i]
	if !ok {
		if n := len(t.pool); n > 0 {
			row, t.pool = t.pool[n-1], t.pool[:n-1]
		} else {
			row = t.create()
		}
		t.visible[i] = row
	}
	if j, ok := t.bound[row]; !ok || j != i || t.stale[i] {
		t.bind(i, row)
		t.bound[row] = i
		delete(t.stale, i)
	}
	return row
}

func (t *Transcript) release(i int, row fyne.CanvasObject) {
	delete(t.visible, i)
	delete(t.bound, row)
	t.pool = append(t.pool, row)
}

// measure makes item i's height exact, building its row.
func (t *Transcript) measure(i int) (changed bool) {
	if t.exact[i] {
		return false
	}
	row := t.row(i)
	row.Resize(fyne.NewSize(t.width, t.heights[i]))
	h := row.MinSize().Height
	t.exact[i] = true
	if h != t.heights[i] {
		t.heights[i] = h
		return true
	}
	return false
}

func (t *Transcript) measureAround(i int) {
	view := t.scroll.Size().Height
	changed := false
	for j := i; j >= 0 && t.offsets[i]-t.offsets[j] < view+overscan; j-- {
		changed = t.measure(j) || changed
	}
	for j := i + 1; j < len(t.heights) && t.offsets[j]-t.offsets[i] < view+overscan; j++ {
		changed = t.measure(j) || changed
	}
	if changed {
		t.reoffset()
	}
}

// place builds, measures and positions the rows in view. Rows above the view that change height
// move the scroll offset by as much, so what the user is reading stays still.
func (t *Transcript) place(width float32) []fyne.CanvasObject {
	if t.placing {
		return t.objects()
	}
	t.placing = true
	defer func() { t.placing = false }()
	t.sync()
	n := len(t.heights)
	if n == 0 {
		return nil
	}
	top := t.scroll.Offset.Y - overscan
	bottom := t.scroll.Offset.Y + t.scroll.Size().Height + overscan
	first := max(sort.Search(n, func(i int) bool { return t.offsets[i+1] > top }), 0)
	shift := float32(0)
	for i := first; i < n && t.offsets[i] < bottom+shift; i++ {
		before := t.heights[i]
		if t.measure(i) {
			if t.offsets[i]+before <= t.scroll.Offset.Y && !t.follow {
				shift += t.heights[i] - before
			}
			t.reoffset()
		}
	}
	last := first
	for last < n && t.offsets[last] < bottom+shift {
		last++
	}
	for i, row := range t.visible {
		if i < first || i >= last {
			t.release(i, row)
		}
	}
	objs := make([]fyne.CanvasObject, 0, last-first)
	for i := first; i < last; i++ {
		row := t.row(i)
		row.Move(fyne.NewPos(max((width-t.width)/2, 0), t.offsets[i]))
		row.Resize(fyne.NewSize(t.width, t.heights[i]))
		objs = append(objs, row)
	}
	if shift != 0 {
		t.scroll.Offset.Y += shift
	}
	return objs
}

func (t *Transcript) objects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, 0, len(t.visible))
	for _, row := range t.visible {
		objs = append(objs, row)
	}
	return objs
}

// transcriptBody is the tall, mostly empty content of the scroll, holding the rows in view.
type transcriptBody struct {
	widget.BaseWidget
	t *Transcript
}

func (b *transcriptBody) CreateRenderer() fyne.WidgetRenderer {
	return &transcriptBodyRenderer{b: b}
}

type transcriptBodyRenderer struct {
	b    *transcriptBody
	objs []fyne.CanvasObject
}

func (r *transcriptBodyRenderer) Layout(size fyne.Size) {
	r.objs = r.b.t.place(size.Width)
}

func (r *transcriptBodyRenderer) MinSize() fyne.Size {
	return fyne.NewSize(0, r.b.t.total())
}

func (r *transcriptBodyRenderer) Refresh() {
	t := r.b.t
	before := t.total()
	r.objs = t.place(r.b.Size().Width)
	if t.total() != before && !t.resizing {
		// Measured rows changed the height: the scroll must size its content again.
		t.resizing = true
		t.scroll.Refresh()
		t.resizing = false
	}
}

func (r *transcriptBodyRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *transcriptBodyRenderer) Destroy()                     {}

// Scrolled takes the wheel over the rows (the deepest scrollable under the pointer gets it).
func (b *transcriptBody) Scrolled(e *fyne.ScrollEvent) { b.t.Wheel(e) }

// wheelStep is how far a notch of the wheel moves the page: about three lines, as other apps
// do. Fyne moves 25 pixels a notch (10 on macOS, where trackpads send many small deltas).
const wheelStep = 2.4

// Wheel scrolls the page by a wheel's turn, vertically only (code blocks pass their vertical
// wheel here).
func (t *Transcript) Wheel(e *fyne.ScrollEvent) {
	dy := e.Scrolled.DY * wheelStep
	if dy == 0 {
		return
	}
	t.ScrollBy(-dy)
}

// AtBottom tells whether the view shows the end of the list.
func (t *Transcript) AtBottom() bool { return t.atBottom() }

// ScrollBy moves the view by dy pixels (negative: up), as the scroll bar or a key would.
func (t *Transcript) ScrollBy(dy float32) {
	t.sync()
	y := min(max(t.scroll.Offset.Y+dy, 0), max(t.total()-t.scroll.Size().Height, 0))
	t.scroll.ScrollToOffset(fyne.NewPos(0, y))
	t.scroll.OnScrolled(t.scroll.Offset)
}

// Offset is how far down the view is scrolled.
func (t *Transcript) Offset() float32 { return t.scroll.Offset.Y }

// PageHeight is the height of what the view shows.
func (t *Transcript) PageHeight() float32 { return t.scroll.Size().Height }
