package sysmem

import (
	"math"
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for _, c := range []struct {
		s    string
		want float64
		ok   bool
	}{
		{"1073741824", 1 << 30, true}, {"512M", 512 << 20, true}, {"1G", 1 << 30, true},
		{"1GiB", 1 << 30, true}, {" 2K ", 2048, true}, {"1.5T", 1.5 * (1 << 40), true},
		{"", 0, false}, {"0", 0, false}, {"-1G", 0, false}, {"G", 0, false}, {"1X", 0, false}, {"NaN", 0, false},
		{"Inf", 0, false}, {"+Inf", 0, false}, {"infinity", 0, false}, {"1e308T", 0, false},
	} {
		got, ok := ParseBytes(c.s)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseBytes(%q) = %v, %v; want %v, %v", c.s, got, ok, c.want, c.ok)
		}
	}
}

func TestLimitEnv(t *testing.T) {
	t.Setenv(EnvMaxMemory, "3M")
	limit, source := Limit()
	if limit != 3<<20 || source != EnvMaxMemory+" allows" {
		t.Fatalf("Limit() = %v, %q", limit, source)
	}
	if err := Check(2<<20, "x"); err != nil {
		t.Fatal(err)
	}
	err := Check(4<<20, "-n 9")
	if err == nil || err.Error() != "-n 9: need about 4 MiB, more than the 3 MiB "+EnvMaxMemory+" allows; lower them" {
		t.Fatalf("Check: %v", err)
	}
	for _, bad := range []float64{math.NaN(), -1} {
		if err := Check(bad, "-n 9"); err == nil || !strings.Contains(err.Error(), "a defect") {
			t.Errorf("Check(%v): %v, want a refusal", bad, err)
		}
	}
	t.Setenv(EnvMaxMemory, "lots")
	if err := CheckEnv(); err == nil || !strings.Contains(err.Error(), "want a positive number of bytes") {
		t.Fatalf("CheckEnv: %v", err)
	}
}

func TestFormat(t *testing.T) {
	if got := Format(1.5 * (1 << 30)); got != "1.5 GiB" {
		t.Error(got)
	}
	if got := Format(512 << 20); got != "512 MiB" {
		t.Error(got)
	}
}

func TestPeakRSS(t *testing.T) {
	if v := PeakRSSMiB(); !(v > 0) && v == v {
		t.Errorf("PeakRSSMiB() = %v, want > 0 or NaN", v)
	}
}
