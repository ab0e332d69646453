package chat

import "time"

// Event is one thing that happened while answering a request. A stream delivers them in order
// and always ends with exactly one Done; then the channel is closed.
type Event interface{ isEvent() }

// Prepared reports the prompt as Parley counted it and what context fitting left out. Counting
// runs alongside the request when the prompt surely fits, so it may come late, but always
// before Done.
type Prepared struct {
	PromptTokens int // Parley's count of the prompt (the cookbook formula)
	Dropped      int // old messages left out to fit the context window
}

// Delta is a piece of the answer's text.
type Delta struct{ Text string }

// Thinking is a piece of the model's reasoning summary.
type Thinking struct{ Text string }

// UsageReport is the usage the server reported at the end of the answer.
type UsageReport struct{ Usage Usage }

// Wait announces a pause before sending: the client pacing itself within the rate limits, or a
// retry after a failure. The UI can count down to Until.
type Wait struct {
	Duration time.Duration
	Until    time.Time
	Reason   string // in plain words: "rate limited (tokens per minute)", "server trouble (HTTP 503)"
	Attempt  int    // the retry this wait leads to (1, 2, ...); 0 when pacing
}

// Background says the question runs in background mode: ID names its response on OpenAI,
// Status says where it stands (queued, in_progress). It comes once the server took the
// question, and again whenever the status changes while Parley follows it.
type Background struct{ ID, Status string }

// Failure reports the error that ended or interrupted the answer; Done follows it.
type Failure struct{ Err *Error }

// Done is the last event: the answer as it stands.
type Done struct{ Answer Answer }

func (Prepared) isEvent()    {}
func (Background) isEvent()  {}
func (Delta) isEvent()       {}
func (Thinking) isEvent()    {}
func (UsageReport) isEvent() {}
func (RateLimit) isEvent()   {}
func (Wait) isEvent()        {}
func (Failure) isEvent()     {}
func (Done) isEvent()        {}
