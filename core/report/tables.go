package report

import (
	"fmt"
	"math"

	"github.com/isingrbm/isingrbm/core/analysis"
)

// SummaryHeader is the header matching SummaryRow.
func SummaryHeader(first string) []string {
	return []string{first, "n", "min", "5%", "25%", "median", "75%", "95%", "max", "mean"}
}

// SummaryRow formats a distribution over units as one table row (3 significant digits).
func SummaryRow(name string, s analysis.Summary) []string {
	return []string{name, fmt.Sprint(s.N), Num(s.Min), Num(s.Q05), Num(s.Q25), Num(s.Median), Num(s.Q75), Num(s.Q95), Num(s.Max), Num(s.Mean)}
}

// Num formats x with 3 significant digits ("NaN" and "±Inf" spelled out).
func Num(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	}
	return fmt.Sprintf("%.3g", x)
}

// NumErr formats x +- e with e to 2 significant digits and x to the same decimal place.
// Num4 is Num with four significant digits.
func Num4(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return Num(x)
	}
	return fmt.Sprintf("%.4g", x)
}

func NumErr(x, e float64) string {
	if math.IsNaN(e) || math.IsInf(e, 0) || e <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return Num(x) + " ± " + Num(e)
	}
	d := 1 - int(math.Floor(math.Log10(e)))
	if d < 0 {
		d = 0
	}
	return fmt.Sprintf("%.*f ± %.*f", d, x, d, e)
}
