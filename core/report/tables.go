package report

import (
	"fmt"
	"math"
	"strings"

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

// Num formats x with 3 significant digits ("NaN" and "±Inf" spelled out), except that a number
// that rounds to 1,000 or more but is below ten million is printed as that integer: a
// participation ratio of 1013 reads "1013", not "1.01e+03".
func Num(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	}
	return Sig(x, 3)
}

// Num4 is Num with four significant digits.
func Num4(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return Num(x)
	}
	return Sig(x, 4)
}

// Sig formats x with the given number of significant digits (%g), except that a number that
// rounds to 1,000 or more but is below ten million, where %g would switch to an exponent, is
// written out as the integer it rounds to. NaN and infinities are printed as %g prints them.
func Sig(x float64, digits int) string {
	if a := math.Abs(x); a >= 999.5 && a < 1e7 {
		if r := fmt.Sprintf("%.*g", digits, x); strings.Contains(r, "e") {
			return fmt.Sprintf("%.0f", x)
		}
	}
	return fmt.Sprintf("%.*g", digits, x)
}

// NumErr formats x +- e with e to 2 significant digits and x to the same decimal place.
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
