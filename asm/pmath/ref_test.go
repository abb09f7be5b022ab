package pmath

import (
	"math"
	"math/big"
	"sync"
)

// The tests' reference: the exact functions evaluated in 160-bit binary
// floating point (math/big), far beyond float64's 53 bits, so the error of
// a float64 result can be measured in ulps of the exact value rather than
// against the math package (whose math.Log is -709.09 at 5e-324 on amd64,
// and whose math.Sinh overflows at 710).

const refPrec = 160

var (
	refLn2Once sync.Once
	refLn2     *big.Float
)

func newRef() *big.Float { return new(big.Float).SetPrec(refPrec) }

// ln2Ref returns ln 2 = 2 atanh(1/3) = 2 sum (1/3)^(2n+1)/(2n+1).
func ln2Ref() *big.Float {
	refLn2Once.Do(func() {
		sum, term := newRef(), newRef().Quo(newRef().SetInt64(1), newRef().SetInt64(3))
		ninth := newRef().Quo(newRef().SetInt64(1), newRef().SetInt64(9))
		for n := 0; n < 120; n++ {
			sum.Add(sum, newRef().Quo(term, newRef().SetInt64(int64(2*n+1))))
			term.Mul(term, ninth)
		}
		refLn2 = sum.Mul(sum, newRef().SetInt64(2))
	})
	return refLn2
}

// expRef returns e^x for a big x with |x| < 2^11: x = k ln2 + r, e^r from
// its Taylor series at r/2^10, squared ten times.
func expRef(x *big.Float) *big.Float {
	xf, _ := x.Float64()
	k := math.Round(xf / math.Ln2)
	r := newRef().Sub(x, newRef().Mul(newRef().SetFloat64(k), ln2Ref()))
	r.SetMantExp(r, -10)
	sum, term := newRef().SetInt64(1), newRef().SetInt64(1)
	for n := 1; n < 60 && term.Sign() != 0 && term.MantExp(nil) > -refPrec-8; n++ {
		term.Mul(term, r)
		term.Quo(term, newRef().SetInt64(int64(n)))
		sum.Add(sum, term)
	}
	for i := 0; i < 10; i++ {
		sum.Mul(sum, sum)
	}
	return sum.SetMantExp(sum, int(k))
}

// logRef returns ln x for a big x > 0 by Halley's iteration y += 2 (x -
// e^y)/(x + e^y) from a float64 start.
func logRef(x *big.Float) *big.Float {
	mant := newRef()
	e := x.MantExp(mant) // x = mant 2^e, mant in [0.5, 1)
	m, _ := mant.Float64()
	y := newRef().SetFloat64(math.Log(m) + float64(e)*math.Ln2)
	for i := 0; i < 3; i++ { // cubic: 53 -> 159 -> 477 bits
		ey := expRef(y)
		num := newRef().Sub(x, ey)
		den := newRef().Add(x, ey)
		y.Add(y, num.Quo(num.Mul(num, newRef().SetInt64(2)), den))
	}
	return y
}

func bigOf(x float64) *big.Float { return newRef().SetFloat64(x) }

// refFuncs are the exact functions, for the arguments the tests give them
// (finite, and inside the domain).
var refFuncs = map[string]func(float64) *big.Float{
	"Exp":   func(x float64) *big.Float { return expRef(bigOf(x)) },
	"Expm1": func(x float64) *big.Float { return newRef().Sub(expRef(bigOf(x)), newRef().SetInt64(1)) },
	"Log":   func(x float64) *big.Float { return logRef(bigOf(x)) },
	"Log1p": func(x float64) *big.Float {
		return logRef(newRef().Add(bigOf(x), newRef().SetInt64(1)))
	},
	"Sinh": func(x float64) *big.Float {
		s := newRef().Sub(expRef(bigOf(x)), expRef(bigOf(-x)))
		return s.SetMantExp(s, -1)
	},
	"Cosh": func(x float64) *big.Float {
		s := newRef().Add(expRef(bigOf(x)), expRef(bigOf(-x)))
		return s.SetMantExp(s, -1)
	},
	"Tanh": func(x float64) *big.Float {
		e := expRef(bigOf(2 * x)) // 2x is exact
		one := newRef().SetInt64(1)
		return newRef().Quo(newRef().Sub(e, one), newRef().Add(e, one))
	},
}

// errUlps returns |got - exact| in ulps of the exact value (the spacing of
// float64 values at its magnitude, 2^-1074 among the subnormals); +Inf
// when got is infinite or NaN and the exact value is not.
func errUlps(got float64, exact *big.Float) float64 {
	if math.IsInf(got, 0) || got != got {
		return math.Inf(1)
	}
	d := newRef().Sub(bigOf(got), exact)
	d.Abs(d)
	e := exact.MantExp(nil) // |exact| in [2^(e-1), 2^e)
	ulpExp := max(e-53, -1074)
	d.SetMantExp(d, -ulpExp)
	f, _ := d.Float64()
	return f
}
