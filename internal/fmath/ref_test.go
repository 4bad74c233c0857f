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
	refSqrtPi = func() *big.Float { // π = 16·atan(1/5) - 4·atan(1/239)
		atanInv := func(n int64) *big.Float {
			sum, x := newI(0), newI(1)
			x.Quo(x, newI(n))
			x2 := new(big.Float).SetPrec(refPrec).Mul(x, x)
			term := new(big.Float).SetPrec(refPrec).Set(x)
			for k := int64(0); term.Sign() != 0 && term.MantExp(nil) > -refPrec-10; k++ {
				t := new(big.Float).SetPrec(refPrec).Quo(term, newI(2*k+1))
				if k%2 == 0 {
					sum.Add(sum, t)
				} else {
					sum.Sub(sum, t)
				}
				term.Mul(term, x2)
			}
			return sum
		}
		pi := new(big.Float).SetPrec(refPrec).Mul(newI(16), atanInv(5))
		pi.Sub(pi, new(big.Float).SetPrec(refPrec).Mul(newI(4), atanInv(239)))
		return pi.Sqrt(pi)
	}()
)

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
func refLog(x float64) *big.Float {
	frac, e := math.Frexp(x)
	m := newF(frac)
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

// refErf returns erf x = 2/√π Σ (-1)^n x^(2n+1)/(n!(2n+1)), for |x| ≤ 6,
// with enough extra precision for the cancellation between terms.
func refErf(x float64) *big.Float {
	const prec = refPrec + 80
	nf := func(v int64) *big.Float { return new(big.Float).SetPrec(prec).SetInt64(v) }
	bx := new(big.Float).SetPrec(prec).SetFloat64(x)
	x2 := new(big.Float).SetPrec(prec).Mul(bx, bx)
	sum, term := nf(0), new(big.Float).SetPrec(prec).Set(bx) // term = x^(2n+1)/n!
	for n := int64(0); term.Sign() != 0 && term.MantExp(nil) > -prec; n++ {
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
	return sum.Quo(sum, refSqrtPi)
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
