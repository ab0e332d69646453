package settings

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ParseLimits reads custom limits as a user types them: whole numbers of requests and tokens
// (thousands separators allowed), an amount in dollars ("$" allowed); empty means no limit.
func ParseLimits(rpm, tpm, rpd, budget string) (Limits, error) {
	var l Limits
	for _, f := range []struct {
		text string
		into *int
		name string
	}{{rpm, &l.RPM, "requests per minute"}, {tpm, &l.TPM, "tokens per minute"}, {rpd, &l.RPD, "requests per day"}} {
		t := strings.ReplaceAll(strings.TrimSpace(f.text), ",", "")
		if t == "" {
			continue
		}
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			return Limits{}, fmt.Errorf("%s must be a whole number", f.name)
		}
		*f.into = n
	}
	if t := strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(budget), "$"), ",", ""); t != "" {
		v, err := strconv.ParseFloat(t, 64)
		if err != nil || v < 0 || v != v {
			return Limits{}, errors.New("the monthly budget must be an amount in dollars")
		}
		l.MonthlyBudget = v
	}
	return l, nil
}

// ParseMaxOutput reads an output cap: a whole number of tokens, or empty for none.
func ParseMaxOutput(text string) (int, error) {
	t := strings.ReplaceAll(strings.TrimSpace(text), ",", "")
	if t == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 {
		return 0, errors.New("max output tokens must be a whole number (or empty for no cap)")
	}
	return n, nil
}
