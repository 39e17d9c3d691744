#!/usr/bin/env python3
"""Derives the constants used by Sources/CKeelKernels/activations*.c.

Run:  python3 Utilities/activation_coefficients.py

What it computes (all from first principles with mpmath; nothing is copied from a math library):

* the Cody-Waite split of ln 2: LN2_HI has few enough significant bits that k * LN2_HI is exact for
  every reduction index k the kernels use, LN2_LO = ln 2 - LN2_HI rounded to the working precision;
* a minimax polynomial P of degree n with  e^r - 1 - r  ~=  r^2 * P(r)  on |r| <= A, found with the
  Remez exchange algorithm minimising the relative error of P (which makes e^r - 1 = r + r^2 P(r)
  accurate in the relative sense, the property expm1 and therefore tanh need), and then rounded to
  float or double.  The script prints the polynomial's own error before and after rounding.
"""
import mpmath as mp

mp.mp.dps = 60


def g(r):
    """(e^r - 1 - r) / r^2, with its limit 1/2 at r = 0."""
    if r == 0:
        return mp.mpf(1) / 2
    return (mp.expm1(r) - r) / (r * r)


def remez(f, a, b, n, grid=6000, iters=30):
    """Degree-n polynomial minimising max |(p - f) / f| on [a, b]. Returns (coefficients, error)."""
    xs = [a + (b - a) * mp.mpf(i) / (grid - 1) for i in range(grid)]
    fs = [f(x) for x in xs]
    m = n + 2
    # initial reference: Chebyshev nodes (the extrema give a degenerate first system for odd m)
    ref = [(a + b) / 2 - (b - a) / 2 * mp.cos(mp.pi * (i + mp.mpf(1) / 4) / m) for i in range(m)]
    coeffs, E = None, None
    for _ in range(iters):
        A = mp.matrix(m, m)
        rhs = mp.matrix(m, 1)
        for i, x in enumerate(ref):
            fx = f(x)
            for j in range(n + 1):
                A[i, j] = x ** j
            A[i, n + 1] = (-1) ** i * fx  # weight = |f| -> relative error
            rhs[i] = fx
        sol = mp.lu_solve(A, rhs)
        coeffs = [sol[j] for j in range(n + 1)]
        E = abs(sol[n + 1])
        errs = [(mp.polyval(coeffs[::-1], x) - fx) / fx for x, fx in zip(xs, fs)]
        # pick the extremum of each run of equal sign, then keep m alternating ones with largest |e|
        runs = []
        start = 0
        for i in range(1, len(errs) + 1):
            if i == len(errs) or (errs[i] >= 0) != (errs[start] >= 0):
                k = max(range(start, i), key=lambda t: abs(errs[t]))
                runs.append(k)
                start = i
        while len(runs) > m:
            # drop the smaller end or merge the smallest interior pair
            if abs(errs[runs[0]]) < abs(errs[runs[-1]]):
                runs.pop(0)
            else:
                runs.pop()
        if len(runs) < m:
            break
        ref = [xs[k] for k in runs]
        emax = max(abs(e) for e in errs)
        if emax - E < E * mp.mpf("1e-6"):
            break
    emax = max(abs((mp.polyval(coeffs[::-1], x) - fx) / fx) for x, fx in zip(xs, fs))
    return coeffs, emax


def round_to(x, bits):
    """Round an mpf to the nearest binary floating-point number with `bits` significant bits."""
    if x == 0:
        return mp.mpf(0)
    e = mp.floor(mp.log(abs(x), 2))
    scale = mp.mpf(2) ** (bits - 1 - e)
    return mp.nint(x * scale) / scale


def hexfloat(x, bits):
    """C hexadecimal literal of x, which must be exactly representable with `bits` bits."""
    if x == 0:
        return "0x0p+0"
    sign = "-" if x < 0 else ""
    x = abs(x)
    e = int(mp.floor(mp.log(x, 2)))
    m = x / mp.mpf(2) ** e
    while m >= 2:
        m /= 2
        e += 1
    while m < 1:
        m *= 2
        e -= 1
    frac = int(mp.nint((m - 1) * mp.mpf(2) ** 52))
    return f"{sign}0x1.{frac:013x}p{e:+d}"


def split_ln2(bits_hi, bits):
    hi = round_to(mp.log(2), bits_hi)
    lo = round_to(mp.log(2) - hi, bits)
    return hi, lo


def main():
    for name, bits, k_bits, degree, A in (("float", 24, 9, 4, mp.mpf("0.35")),
                                         ("double", 53, 12, 10, mp.mpf("0.35"))):
        hi, lo = split_ln2(bits - k_bits, bits)
        print(f"--- {name}")
        print(f"LN2_HI = {hexfloat(hi, bits)}   ({bits - k_bits} significant bits)")
        print(f"LN2_LO = {hexfloat(lo, bits)}")
        print(f"LOG2E  = {hexfloat(round_to(1 / mp.log(2), bits), bits)}")
        for n in (degree - 1, degree):
            coeffs, err = remez(g, -A, A, n)
            rounded = [round_to(c, bits) for c in coeffs]
            xs = [-A + 2 * A * mp.mpf(i) / 4000 for i in range(4001)]
            rerr = max(abs((mp.polyval(rounded[::-1], x) - g(x)) / g(x)) for x in xs)
            # relative error that P's error causes in e^r - 1 = r + r^2 P(r) and in e^r
            xs_nz = [x for x in xs if x != 0]
            em1 = max(abs(x * x * (mp.polyval(rounded[::-1], x) - g(x)) / mp.expm1(x)) for x in xs_nz)
            ex = max(abs(x * x * (mp.polyval(rounded[::-1], x) - g(x)) / mp.exp(x)) for x in xs_nz)
            print(f"P degree {n} on |r| <= {A}: minimax rel err {mp.nstr(err, 3)}, rounded {mp.nstr(rerr, 3)}; "
                  f"=> rel err of expm1 {mp.nstr(em1, 3)}, of exp {mp.nstr(ex, 3)} "
                  f"(working epsilon {mp.nstr(mp.mpf(2) ** -bits, 3)})")
            for j, c in enumerate(rounded):
                print(f"    P{j} = {hexfloat(c, bits)}")


if __name__ == "__main__":
    main()
