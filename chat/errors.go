package chat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Kind sorts errors by what the user can do about them.
type Kind string

// The kinds of error, after the error codes OpenAI documents (platform.openai.com/docs/guides/
// error-codes), plus the ones Parley finds itself.
const (
	InvalidKey       Kind = "invalid_key"       // 401: the key is wrong or revoked
	NoAccess         Kind = "no_access"         // 403: the account may not use this
	UnknownModel     Kind = "unknown_model"     // 404 model_not_found
	ContextTooLong   Kind = "context_too_long"  // 400 context_length_exceeded, or found before sending
	UnsupportedParam Kind = "unsupported_param" // 400 unsupported_parameter / unsupported_value
	OutOfCredit      Kind = "out_of_credit"     // 429 insufficient_quota and the billing codes
	RateLimited      Kind = "rate_limited"      // 429 rate_limit_exceeded
	ServerTrouble    Kind = "server_trouble"    // 408, 409, 5xx, an error event mid-stream
	NetworkTrouble   Kind = "network_trouble"   // refused, reset, timed out, stalled, DNS
	BadResponse      Kind = "bad_response"      // the server sent something that is not the protocol
	BadRequest       Kind = "bad_request"       // any other 4xx
)

// Error is a failure in plain words: what happened, what the user can do, and the server's own
// message for the curious. Nothing in it ever contains the API key.
type Error struct {
	Kind    Kind
	Status  int    // HTTP status; 0 when there was no response
	Code    string // the API's error code, e.g. "rate_limit_exceeded"
	Message string // what happened, in plain words
	Action  string // what the user can do
	Detail  string // the server's message, redacted
	// RetryAfter is the wait the server asked for, if it named one.
	RetryAfter time.Duration
	// Retryable says whether sending the same request again may succeed.
	Retryable bool
	cause     error
}

func (e *Error) Error() string {
	s := e.Message
	if e.Detail != "" && !strings.Contains(s, e.Detail) {
		s += " (" + e.Detail + ")"
	}
	return s
}

// Unwrap returns the underlying error, already redacted.
func (e *Error) Unwrap() error { return e.cause }

// keyPattern matches what looks like an OpenAI key, whole or masked as OpenAI's own 401 message
// masks it ("sk-proj-****abcd"): the prefix and anything key-like after it.
var keyPattern = regexp.MustCompile(`\bsk-[A-Za-z0-9_\-\*\.]{3,}`)

// bearerPattern matches an Authorization header value that a library might echo.
var bearerPattern = regexp.MustCompile(`(?i)\bbearer\s+[^\s"',;]+`)

// Redact removes the key, and anything shaped like a key, from a text. A server may echo the
// key without its "sk-" or "sk-proj-" prefix, or only its end: the key's distinctive body goes
// too, and any 12 characters of it in a row.
func Redact(s, key string) string {
	if key != "" {
		s = strings.ReplaceAll(s, key, "[redacted key]")
		body := key
		for _, prefix := range []string{"sk-proj-", "sk-svcacct-", "sk-admin-", "sk-"} {
			if b, ok := strings.CutPrefix(key, prefix); ok {
				body = b
				break
			}
		}
		s = redactRuns(s, body, 12)
	}
	s = keyPattern.ReplaceAllString(s, "[redacted key]")
	return bearerPattern.ReplaceAllString(s, "Bearer [redacted]")
}

// redactRuns replaces every run of at least n characters of secret that appears in s. Error
// texts are short, so the plain search will do.
func redactRuns(s, secret string, n int) string {
	if len(secret) < n || len(s) < n {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		l := 0
		if i+n <= len(s) && strings.Contains(secret, s[i:i+n]) {
			l = n
			for i+l < len(s) && strings.Contains(secret, s[i:i+l+1]) {
				l++
			}
		}
		if l > 0 {
			b.WriteString("[redacted key]")
			i += l
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

type redactedError struct{ msg string }

func (r redactedError) Error() string { return r.msg }

// classify turns whatever failed into an *Error. status and retryAfter come from the response
// headers the transport captured (go-openai loses them on failed streams).
func classify(err error, model, host, key string) *Error {
	e := classifyError(err, model, host, key)
	if e != nil && e.Kind == InvalidKey && key == "" {
		// Nothing was refused: no key was sent at all.
		e.Message = "This server needs an API key, and none is set for this profile."
		e.Action = "Open Settings and paste the key it takes."
	}
	return e
}

func classifyError(err error, model, host, key string) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	out := &Error{cause: redactedError{Redact(err.Error(), key)}}

	var api *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &api):
		out.Status = api.HTTPStatusCode
		out.Code = codeString(api.Code)
		out.Detail = Redact(api.Message, key)
		if out.Code == "" && api.Type != "" && api.Type != "invalid_request_error" {
			out.Code = api.Type
		}
		if api.HTTPStatusCode == 0 { // an error event inside a running stream
			out.Kind = ServerTrouble
			classifyByCode(out, api.Type)
			describe(out, api.Type, model)
			return out
		}
		classifyStatus(out, api.Type, model)
	case errors.As(err, &reqErr):
		out.Status = reqErr.HTTPStatusCode
		out.Detail = Redact(strings.TrimSpace(string(reqErr.Body)), key)
		if len(out.Detail) > 300 {
			out.Detail = out.Detail[:300] + "…"
		}
		classifyStatus(out, "", model)
	default:
		classifyTransport(out, err, host)
	}
	return out
}

func codeString(c any) string {
	switch v := c.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}

// classifyStatus fills in an error that came with an HTTP status: the status gives the kind, the
// API's error code (when there is one) refines it.
func classifyStatus(e *Error, typ, model string) {
	switch {
	case e.Status == 401:
		e.Kind = InvalidKey
	case e.Status == 403:
		e.Kind = NoAccess
	case e.Status == 404:
		e.Kind = UnknownModel
	case e.Status == 429:
		e.Kind = RateLimited
	case e.Status == 408 || e.Status == 409 || e.Status >= 500:
		e.Kind = ServerTrouble
	default:
		e.Kind = BadRequest
	}
	classifyByCode(e, typ)
	describe(e, typ, model)
}

// classifyByCode refines a kind by the API's error code, which outranks the status.
func classifyByCode(e *Error, typ string) {
	switch {
	case e.Code == "invalid_api_key":
		e.Kind = InvalidKey
	case e.Code == "model_not_found":
		e.Kind = UnknownModel
	case e.Code == "context_length_exceeded":
		e.Kind = ContextTooLong
	case e.Code == "unsupported_parameter" || e.Code == "unsupported_value":
		e.Kind = UnsupportedParam
	case e.Code == "insufficient_quota" || e.Code == "credit_balance_exhausted" || e.Code == "billing_hard_limit_reached" ||
		strings.HasSuffix(e.Code, "_spend_limit_exceeded") || typ == "insufficient_quota":
		e.Kind = OutOfCredit
	case e.Code == "rate_limit_exceeded":
		e.Kind = RateLimited
	case e.Code == "server_is_overloaded" || e.Code == "server_error" || typ == "server_error":
		e.Kind = ServerTrouble
	}
}

// describe puts an error of a known kind in plain words, with what the user can do, and says
// whether trying again may help.
func describe(e *Error, typ, model string) {
	e.Retryable = false
	switch e.Kind {
	case InvalidKey:
		e.Message = "The API key was refused: it is wrong or revoked."
		e.Action = "Open Settings and paste a valid key (platform.openai.com/api-keys)."
	case NoAccess:
		e.Message = "This account is not allowed to use " + quote(model) + " (or this region is not supported)."
		e.Action = "Pick another model, or check your organization's access in the OpenAI dashboard."
	case UnknownModel:
		e.Message = "The model " + quote(model) + " does not exist for this key, or the address is wrong."
		e.Action = "Pick another model, or check the base URL in Settings."
	case ContextTooLong:
		e.Message = "The conversation is too long for " + quote(model) + "."
		e.Action = "Start a new chat, or pick a model with a larger context window."
	case UnsupportedParam:
		e.Message = quote(model) + " does not accept one of the settings sent with the question."
		e.Action = "Reset the temperature and output limit to their defaults, or pick another model."
	case OutOfCredit:
		e.Message = "Your OpenAI account is out of credit or over its spending limit."
		e.Action = "Add credit or raise the limit at platform.openai.com/settings/organization/billing, then try again."
	case RateLimited:
		e.Retryable = true
		e.Message = "Rate limit reached" + limitName(typ) + "."
		e.Action = "Parley waits and tries again; if it keeps happening, send less per minute or move to a higher tier."
	case ServerTrouble:
		e.Retryable = true
		switch {
		case e.Status == 0:
			e.Message = "The server reported an error in the middle of the answer."
		case e.Code == "server_is_overloaded" || e.Status == 503:
			e.Message = fmt.Sprintf("The server is overloaded (HTTP %d).", e.Status)
		default:
			e.Message = fmt.Sprintf("The server had trouble answering (HTTP %d).", e.Status)
		}
		e.Action = "Try again in a moment."
	default:
		e.Message = fmt.Sprintf("The server rejected the request (HTTP %d).", e.Status)
		e.Action = "Check the model and its settings."
	}
}

func limitName(typ string) string {
	switch typ {
	case "tokens":
		return " (tokens per minute)"
	case "requests":
		return " (requests per minute)"
	case "tokens_usage_based", "requests_usage_based":
		return " (usage-based)"
	}
	return ""
}

func quote(model string) string {
	if model == "" {
		return "the model"
	}
	return "“" + model + "”"
}

// classifyTransport fills in an error that came with no HTTP response.
func classifyTransport(e *Error, err error, host string) {
	e.Kind, e.Retryable = NetworkTrouble, true
	e.Action = "Check your connection and the base URL in Settings, then try again."
	where := host
	if where == "" {
		where = "the server"
	}
	var dns *net.DNSError
	var urlErr *url.Error
	var waited timeout
	var notStream notAStream
	var downgrade errDowngrade
	switch {
	case errors.As(err, &waited):
		e.Retryable = false // the user has waited already: Retry is theirs to press
		switch {
		case errors.Is(err, errNoAnswer):
			e.Message = fmt.Sprintf("%s took the request but sent nothing back for %s.", capital(where), wait(waited.after))
		case errors.Is(err, errNothing):
			e.Message = fmt.Sprintf("%s kept the connection open but sent no answer for %s.", capital(where), wait(waited.after))
		default:
			e.Message = fmt.Sprintf("%s stopped sending in the middle of the answer, for %s.", capital(where), wait(waited.after))
		}
		e.Action = "Try again; if it keeps happening, check the server or the base URL in Settings."
	case errors.As(err, &notStream):
		e.Kind, e.Retryable = BadResponse, false
		e.Message = fmt.Sprintf("%s answered with %s, not the API's stream of events.", capital(where), notStream.what())
		e.Action = "If a Wi-Fi or proxy login page is in the way, sign in there first; otherwise check the base URL in Settings."
	case errors.As(err, &downgrade):
		e.Kind, e.Retryable = BadResponse, false
		e.Message = fmt.Sprintf("%s redirected the request to http://%s, in clear text: Parley will not send your key that way.", capital(where), downgrade.to)
		e.Action = "Use the server's https address in Settings, or ask its owner why it redirects."
	case errors.Is(err, errLineTooLong):
		e.Kind, e.Retryable = BadResponse, false
		e.Message = fmt.Sprintf("%s sent a line of more than %d MB without an end: Parley stopped reading it.", capital(where), maxLine>>20)
		e.Action = "Check that the base URL points at an OpenAI-compatible API."
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		e.Message = "The request to " + where + " timed out."
	case errors.As(err, &dns):
		e.Message = "Could not find " + where + " (DNS lookup failed)."
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Message = "Could not connect to " + where + ": the connection was refused."
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		e.Message = "The connection to " + where + " dropped."
	case errors.As(err, &urlErr):
		e.Message = "Could not reach " + where + "."
	case isProtocol(err):
		e.Kind, e.Retryable = BadResponse, true
		e.Message = "The server sent something Parley could not read."
		e.Action = "Try again; if it persists, check that the base URL points at an OpenAI-compatible API."
	default:
		e.Message = "Could not reach " + where + "."
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isProtocol(err error) bool {
	s := err.Error()
	return errors.Is(err, openai.ErrTooManyEmptyStreamMessages) ||
		strings.Contains(s, "invalid character") || strings.Contains(s, "unexpected end of JSON") ||
		strings.Contains(s, "cannot unmarshal")
}

// The ways a stream fails that Parley finds itself.
var (
	errNoAnswer    = errors.New("no response began")            // the first-byte limit passed
	errNothing     = errors.New("the stream brought no answer") // the idle limit passed before any text
	errStalled     = errors.New("the stream stalled")           // the idle limit passed mid-answer
	errCut         = errors.New("the stream ended before the answer was finished")
	errLineTooLong = errors.New("a line of the stream is too long")
)

// timeout is one of the time limits passing, and how long it was.
type timeout struct {
	err   error
	after time.Duration
}

func (t timeout) Error() string { return fmt.Sprintf("%v (after %s)", t.err, t.after) }
func (t timeout) Unwrap() error { return t.err }

// notAStream is a 200 to a streamed request that is not Server-Sent Events: a captive portal's
// page, a proxy's, a server that ignored "stream".
type notAStream struct{ contentType string }

func (n notAStream) Error() string { return "the response is not an event stream: " + n.contentType }

func (n notAStream) what() string {
	switch t := strings.ToLower(n.contentType); {
	case strings.Contains(t, "html"):
		return "a web page"
	case strings.Contains(t, "json"):
		return "a whole JSON reply"
	case t == "":
		return "a reply of no declared type"
	default:
		return "“" + n.contentType + "”"
	}
}

// wait writes a time limit: "90s", "1m0s", "200ms".
func wait(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// capital starts a sentence with a host name or "the server".
func capital(where string) string {
	if where == "the server" {
		return "The server"
	}
	return where
}

// UserMessage is the error as a user should read it: what happened, then what to do.
func (e *Error) UserMessage() string { return strings.TrimSpace(e.Message + " " + e.Action) }
