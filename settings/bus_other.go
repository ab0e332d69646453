//go:build !linux

package settings

// noBus is Linux's concern: other systems' keychains need no session bus.
func (k *Keys) noBus() error { return nil }
