package asmtest

// ProcessCPUSeconds is ProcessCPUNanos in seconds.
func ProcessCPUSeconds() float64 { return float64(ProcessCPUNanos()) / 1e9 }
