// Package format writes counts, costs and times as Parley's screens show them.
package format

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"parley/chat"
)

// Thousands writes an integer with thousands separators: 128000 → "128,000".
func Thousands(n int) string { return chat.Thousands(n) }

// Compact writes a large count briefly: 1.2k, 3.4M.
func Compact(n float64) string {
	switch {
	case n >= 1e9:
		return trimZero(fmt.Sprintf("%.1f", n/1e9)) + "B"
	case n >= 1e6:
		return trimZero(fmt.Sprintf("%.1f", n/1e6)) + "M"
	case n >= 1e4:
		return trimZero(fmt.Sprintf("%.0f", n/1e3)) + "k"
	case n >= 1e3:
		return trimZero(fmt.Sprintf("%.1f", n/1e3)) + "k"
	}
	return strconv.Itoa(int(math.Round(n)))
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

// Dollars writes a cost with the precision small amounts need: $0.00042, $0.031, $12.40.
func Dollars(usd float64) string {
	switch {
	case usd == 0:
		return "$0"
	case usd < 0.00001:
		return "<$0.00001"
	case usd < 0.001:
		return fmt.Sprintf("$%.5f", usd)
	case usd < 0.1:
		return fmt.Sprintf("$%.4f", usd)
	case usd < 100:
		return fmt.Sprintf("$%.2f", usd)
	}
	return "$" + Thousands(int(usd+0.5))
}

// Cost is a cost, or "price unknown" for a model without one.
func Cost(c chat.Cost) string {
	if !c.Known {
		return "price unknown"
	}
	return Dollars(c.USD)
}

// Usage describes an answer's tokens: prompt / completion, "≈" when Parley counted them.
func Usage(u chat.Usage) string {
	approx := ""
	if u.Estimated {
		approx = "≈"
	}
	s := fmt.Sprintf("%s%s / %s%s tokens", approx, Thousands(u.PromptTokens), approx, Thousands(u.CompletionTokens))
	var parts []string
	if u.CachedTokens > 0 {
		parts = append(parts, Thousands(u.CachedTokens)+" cached")
	}
	if u.CacheWriteTokens > 0 {
		parts = append(parts, Thousands(u.CacheWriteTokens)+" written to cache")
	}
	if u.ReasoningTokens > 0 {
		parts = append(parts, Thousands(u.ReasoningTokens)+" reasoning")
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	switch u.ServiceTier {
	case "flex", "priority", "batch", "ultrafast":
		s += " · " + u.ServiceTier
	}
	return s
}

// Duration writes a short duration the way a thinking time shows: 0.8 s, 12 s, 2 min 5 s.
func Duration(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
}

// Seconds writes a wait the way a countdown shows it.
func Seconds(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d < 10*time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return d.Round(time.Second).String()
}
