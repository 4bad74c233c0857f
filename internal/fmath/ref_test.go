package fmath

import (
	"math"
	"math/big"
)

// The references below compute exp, log, tanh and erf in big.Float with
// refPrec bits, far more than the 53 of a float64, from series alone, so
// that they share nothing with the code under test.
const refPrec = 320

func newF(x float64) *big.Float { return new(big.Float).SetPrec(refPrec).SetFloat64(x) }

func newI(n int64) *big.Float { return new(big.Float).SetPrec(refPrec).SetInt64(n) }

var (
	refLn2 = func() *big.Float { // ln 2 = Σ 1/(k·2^k)
		sum, p := newI(0), newI(1)
		for k := int64(1); k < refPrec+10; k++ {
			p.Quo(p, newI(2))
			sum.Add(sum, new(big.Float).SetPrec(refPrec).Quo(p, newI(k)))
		}
		return sum
	}()
)

// refSqrtPiPrec returns √π to prec bits: π = 16·atan(1/5) - 4·atan(1/239).
func refSqrtPiPrec(prec uint) *big.Float {
	nf := func(n int64) *big.Float { return new(big.Float).SetPrec(prec).SetInt64(n) }
	atanInv := func(n int64) *big.Float {
		sum, x := nf(0), nf(1)
		x.Quo(x, nf(n))
		x2 := new(big.Float).SetPrec(prec).Mul(x, x)
		term := new(big.Float).SetPrec(prec).Set(x)
		for k := int64(0); term.Sign() != 0 && term.MantExp(nil) > -int(prec)-10; k++ {
			t := new(big.Float).SetPrec(prec).Quo(term, nf(2*k+1))
			if k%2 == 0 {
				sum.Add(sum, t)
			} else {
				sum.Sub(sum, t)
			}
			term.Mul(term, x2)
		}
		return sum
	}
	pi := new(big.Float).SetPrec(prec).Mul(nf(16), atanInv(5))
	pi.Sub(pi, new(big.Float).SetPrec(prec).Mul(nf(4), atanInv(239)))
	return pi.Sqrt(pi)
}

// refExpm1 returns e**x - 1 by its Taylor series, for |x| ≤ 1.
func refExpm1(x *big.Float) *big.Float {
	sum := newI(0)
	term := new(big.Float).SetPrec(refPrec).Set(x)
	for k := int64(2); term.Sign() != 0 && term.MantExp(nil) > sum.MantExp(nil)-refPrec-10; k++ {
		sum.Add(sum, term)
		term.Mul(term, x)
		term.Quo(term, newI(k))
	}
	return sum
}

// refExp returns e**x: x = n·ln2 + r with |r| ≤ ln2/2, e**x = (1 + expm1(r))·2**n.
func refExp(x float64) *big.Float {
	bx := newF(x)
	q := new(big.Float).SetPrec(refPrec).Quo(bx, refLn2)
	qf, _ := q.Float64()
	n := math.Round(qf)
	r := new(big.Float).SetPrec(refPrec).Sub(bx, new(big.Float).SetPrec(refPrec).Mul(newF(n), refLn2))
	e := refExpm1(r)
	e.Add(e, newI(1))
	return e.SetMantExp(e, int(n))
}

// refLog returns ln x: x = m·2**e with m in [0.5, 1), ln m = 2·atanh((m-1)/(m+1)).
func refLog(x float64) *big.Float { return refLogBig(newF(x)) }

func refLogBig(x *big.Float) *big.Float {
	m := new(big.Float).SetPrec(refPrec)
	e := x.MantExp(m)
	y := new(big.Float).SetPrec(refPrec).Quo(new(big.Float).SetPrec(refPrec).Sub(m, newI(1)), new(big.Float).SetPrec(refPrec).Add(m, newI(1)))
	y2 := new(big.Float).SetPrec(refPrec).Mul(y, y)
	sum, term := newI(0), new(big.Float).SetPrec(refPrec).Set(y)
	for k := int64(0); term.Sign() != 0 && term.MantExp(nil) > -refPrec-10; k++ {
		sum.Add(sum, new(big.Float).SetPrec(refPrec).Quo(term, newI(2*k+1)))
		term.Mul(term, y2)
	}
	sum.Mul(sum, newI(2))
	return sum.Add(sum, new(big.Float).SetPrec(refPrec).Mul(newI(int64(e)), refLn2))
}

// refTanh returns tanh x = expm1(2x)/(expm1(2x) + 2).
func refTanh(x float64) *big.Float {
	var em1 *big.Float
	if math.Abs(2*x) <= 1 {
		em1 = refExpm1(newF(2 * x))
	} else {
		em1 = refExp(2 * x)
		em1.Sub(em1, newI(1))
	}
	d := new(big.Float).SetPrec(refPrec).Add(em1, newI(2))
	return em1.Quo(em1, d)
}

// refLog1p returns ln(1 + x), by its series for |x| < 1/2.
func refLog1p(x float64) *big.Float {
	if math.Abs(x) >= 0.5 {
		return refLogBig(new(big.Float).SetPrec(refPrec).Add(newF(x), newI(1)))
	}
	bx := newF(x)
	sum, term := newI(0), new(big.Float).SetPrec(refPrec).Set(bx)
	for k := int64(1); term.Sign() != 0 && term.MantExp(nil) > sum.MantExp(nil)-refPrec-10; k++ {
		t := new(big.Float).SetPrec(refPrec).Quo(term, newI(k))
		if k%2 == 1 {
			sum.Add(sum, t)
		} else {
			sum.Sub(sum, t)
		}
		term.Mul(term, bx)
	}
	return sum
}

// refErf returns erf x = 2/√π Σ (-1)^n x^(2n+1)/(n!(2n+1)), for |x| ≤ 6,
// with enough extra precision for the cancellation between terms.
func refErf(x float64) *big.Float { return refErfPrec(x, refPrec+80) }

// refErfc returns 1 - erf x, with the precision the cancellations need:
// about 1.44·x² bits are lost between the terms of the series and as many
// again between 1 and erf x.
func refErfc(x float64) *big.Float {
	prec := uint(refPrec + 80)
	if x > 0 {
		prec += uint(3 * x * x)
	}
	r := refErfPrec(x, prec)
	return r.Sub(new(big.Float).SetPrec(prec).SetInt64(1), r)
}

func refErfPrec(x float64, prec uint) *big.Float {
	nf := func(v int64) *big.Float { return new(big.Float).SetPrec(prec).SetInt64(v) }
	bx := new(big.Float).SetPrec(prec).SetFloat64(x)
	x2 := new(big.Float).SetPrec(prec).Mul(bx, bx)
	sum, term := nf(0), new(big.Float).SetPrec(prec).Set(bx) // term = x^(2n+1)/n!
	for n := int64(0); term.Sign() != 0 && term.MantExp(nil) > -int(prec); n++ {
		t := new(big.Float).SetPrec(prec).Quo(term, nf(2*n+1))
		if n%2 == 0 {
			sum.Add(sum, t)
		} else {
			sum.Sub(sum, t)
		}
		term.Mul(term, x2)
		term.Quo(term, nf(n+1))
	}
	sum.Mul(sum, nf(2))
	return sum.Quo(sum, refSqrtPiPrec(prec))
}

// ulps returns |got - want| in units of the last place of want rounded to
// float64.
func ulps(got float64, want *big.Float) float64 {
	w, _ := want.Float64()
	if math.IsInf(w, 0) || w == 0 {
		if got == w {
			return 0
		}
		return math.Inf(1)
	}
	_, e := math.Frexp(w)
	ulp := math.Ldexp(1, max(e-53, -1074))
	d := new(big.Float).SetPrec(refPrec).Sub(newF(got), want)
	df, _ := d.Float64()
	return math.Abs(df) / ulp
}
