package app

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// profiling writes CPU and heap profiles when PARLEY_CPUPROFILE or PARLEY_MEMPROFILE name a file
// (for `go tool pprof`, when a benchmark misses its target). It returns what to call at exit.
func profiling() func() {
	var stops []func()
	if path := os.Getenv("PARLEY_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		} else {
			fmt.Fprintln(os.Stderr, "parley: cannot write the CPU profile:", err)
		}
	}
	if path := os.Getenv("PARLEY_MEMPROFILE"); path != "" {
		stops = append(stops, func() {
			f, err := os.Create(path)
			if err != nil {
				fmt.Fprintln(os.Stderr, "parley: cannot write the heap profile:", err)
				return
			}
			runtime.GC()
			pprof.WriteHeapProfile(f)
			f.Close()
		})
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}
