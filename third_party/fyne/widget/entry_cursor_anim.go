package widget

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	col "fyne.io/fyne/v2/internal/color"
	"fyne.io/fyne/v2/theme"
)

var timeNow = time.Now // used in tests

const (
	// Parley: the caret stops blinking, and stays shown, after this long without a key, a
	// click or the focus coming back (GTK's cursor-blink-timeout is 10 s too), so that an idle
	// window paints nothing and its event loop can sleep.
	cursorBlinkTimeout  = 10 * time.Second
	cursorInterruptTime = 300 * time.Millisecond
	cursorFadeAlpha     = uint8(0x16)
)

type entryCursorAnimation struct {
	cursor            *canvas.Rectangle
	anim              *fyne.Animation
	lastInterruptTime time.Time
	lastActivity      time.Time // the last key, click or start: blinking ends cursorBlinkTimeout after it
	resting           bool      // blinking ended: the cursor is shown until the next interrupt
}

func newEntryCursorAnimation(cursor *canvas.Rectangle) *entryCursorAnimation {
	return &entryCursorAnimation{cursor: cursor}
}

// creates fyne animation
func (a *entryCursorAnimation) createAnim(inverted bool) *fyne.Animation {
	cursorOpaque := theme.Color(theme.ColorNamePrimary)
	ri, gi, bi, _ := col.ToNRGBA(cursorOpaque)
	r := uint8(ri >> 8)
	g := uint8(gi >> 8)
	b := uint8(bi >> 8)
	cursorDim := color.NRGBA{R: r, G: g, B: b, A: cursorFadeAlpha}
	if inverted {
		a.cursor.FillColor = cursorOpaque
	} else {
		a.cursor.FillColor = cursorDim
	}

	interrupted := false
	anim := fyne.NewAnimation(time.Second/2, func(f float32) {
		if timeNow().Sub(a.lastActivity) > cursorBlinkTimeout {
			a.anim.Stop()
			a.anim = nil
			a.resting = true
			a.cursor.FillColor = cursorOpaque
			a.cursor.Refresh()
			return
		}
		shouldInterrupt := timeNow().Sub(a.lastInterruptTime) <= cursorInterruptTime
		if shouldInterrupt {
			if !interrupted {
				a.cursor.FillColor = cursorOpaque
				a.cursor.Refresh()
				interrupted = true
			}
			return
		}
		if interrupted {
			a.anim.Stop()
			if !inverted {
				a.anim = a.createAnim(true)
			}
			interrupted = false
			canStart := a.anim != nil
			if canStart {
				a.anim.Start()
			}
			return
		}

		// Parley: a plain blink, dim in the first half of the cycle and shown in the second; it
		// faded between the two, which repainted the window on every frame of the fade.
		if f < 0.5 {
			if _, _, _, al := a.cursor.FillColor.RGBA(); uint8(al>>8) == cursorFadeAlpha {
				return
			}
			a.cursor.FillColor = cursorDim
		} else {
			if _, _, _, al := a.cursor.FillColor.RGBA(); al == 0xffff {
				return
			}
			a.cursor.FillColor = cursorOpaque
		}

		a.cursor.Refresh()
	})

	anim.RepeatCount = fyne.AnimationRepeatForever
	anim.AutoReverse = true
	return anim
}

// starts cursor animation.
func (a *entryCursorAnimation) start() {
	isStopped := a.anim == nil
	if isStopped && !a.resting {
		a.lastActivity = timeNow()
		a.anim = a.createAnim(false)
		a.anim.Start()
	}
}

// temporarily stops the animation by "cursorInterruptTime".
func (a *entryCursorAnimation) interrupt() {
	a.lastInterruptTime = timeNow()
	a.lastActivity = a.lastInterruptTime
	if a.resting {
		a.resting = false
		a.start()
	}
}

// stops cursor animation.
func (a *entryCursorAnimation) stop() {
	a.resting = false
	if a.anim != nil {
		a.anim.Stop()
		a.anim = nil
	}
}
