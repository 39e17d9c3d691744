/*
 * Shared constants and per-path entry points of the activation kernels (activations*.c).
 *
 * Algorithm (the same on every path, float and double):
 *
 *   exp(x):  clamp x to [EXP_LO, EXP_HI] (NaN kept), k = round(x / ln2),
 *            r = (x - k*LN2_HI) - k*LN2_LO  (Cody-Waite: k*LN2_HI and the subtraction are exact),
 *            q = e^r - 1 = r + r^2 P(r) (minimax P on |r| <= 0.35), result (1 + q) * 2^k.
 *            2^k is applied so that the result is rounded once: AVX-512 uses vscalef, the other
 *            paths multiply by 2^(k/2) and 2^(k - k/2), both normal, so overflow gives +inf and
 *            underflow the correctly rounded subnormal (or 0 under FTZ).
 *   tanh(x): E = expm1(2 min(|x|, TANH_CLAMP)) = 2^k q + (2^k - 1) (one fma), tanh = sign(x) E/(E+2).
 *            expm1 is accurate in the relative sense for small arguments, so tanh(tiny) = tiny and
 *            tanh(+-0) = +-0 without a separate small-argument polynomial; past the clamp the quotient
 *            rounds to exactly 1.
 *   sigmoid(x): E = exp(-|x|) (never overflows), sigmoid = (x < 0 ? E : 1) / (1 + E): one exp, one
 *            division, relative accuracy kept for very negative x (E / (1 + E) ~ E, down to subnormals).
 *
 * The coefficients come from Utilities/activation_coefficients.py (Remez exchange, relative error).
 * Measured errors are listed in activations.c.
 */
#ifndef KEEL_ACTIVATIONS_INTERNAL_H
#define KEEL_ACTIVATIONS_INTERNAL_H

#include "internal.h"

#include <stdint.h>

/* ---- float */
#define KEEL_F_LOG2E 0x1.715476p+0f
#define KEEL_F_LN2_HI 0x1.62e400p-1f  /* 15 significant bits: k * LN2_HI exact for |k| < 512 */
#define KEEL_F_LN2_LO 0x1.7f7d1cp-20f /* ln2 - LN2_HI */
#define KEEL_F_EXP_HI 100.0f          /* exp(100) overflows; keeps k = 144 finite and 2^(k/2) normal */
#define KEEL_F_EXP_LO (-110.0f)       /* exp(-110) rounds to 0; k = -159, 2^(k/2) still normal */
#define KEEL_F_TANH_CLAMP 10.0f       /* tanh(10) rounds to 1 in float */
/* e^r - 1 - r ~= r^2 (P0 + P1 r + ... + P4 r^4), |r| <= 0.35, relative error of P 1.45e-7 */
#define KEEL_F_P0 0x1.000000p-1f
#define KEEL_F_P1 0x1.5554d8p-3f
#define KEEL_F_P2 0x1.5555bep-5f
#define KEEL_F_P3 0x1.121014p-7f
#define KEEL_F_P4 0x1.6c6b98p-10f

/* ---- double */
#define KEEL_D_LOG2E 0x1.71547652b82fep+0
#define KEEL_D_LN2_HI 0x1.62e42fefa4000p-1   /* 41 significant bits: k * LN2_HI exact for |k| < 4096 */
#define KEEL_D_LN2_LO (-0x1.8432a1b0e2634p-43) /* ln2 - LN2_HI */
#define KEEL_D_EXP_HI 720.0                  /* exp(720) overflows; k = 1039 */
#define KEEL_D_EXP_LO (-760.0)               /* exp(-760) rounds to 0; k = -1096 */
#define KEEL_D_TANH_CLAMP 20.0               /* tanh(20) rounds to 1 in double */
/* e^r - 1 - r ~= r^2 (P0 + ... + P10 r^10), |r| <= 0.35, relative error of P 4.3e-18 */
#define KEEL_D_P0 0x1.0000000000000p-1
#define KEEL_D_P1 0x1.5555555555557p-3
#define KEEL_D_P2 0x1.555555555554ep-5
#define KEEL_D_P3 0x1.111111110ff9cp-7
#define KEEL_D_P4 0x1.6c16c16c1a4bep-10
#define KEEL_D_P5 0x1.a01a01ac96254p-13
#define KEEL_D_P6 0x1.a01a018f6d665p-16
#define KEEL_D_P7 0x1.71de000b7c6fep-19
#define KEEL_D_P8 0x1.27e511b6b201bp-22
#define KEEL_D_P9 0x1.af525c4c181ffp-26
#define KEEL_D_P10 0x1.1f1ad5780e04fp-29

#if defined(__GNUC__) || defined(__clang__)
#define KEEL_ACT_HIDDEN __attribute__((visibility("hidden")))
#else
#define KEEL_ACT_HIDDEN
#endif

#ifdef KEEL_X86
/* AVX-512F (+AVX2, FMA: what KEEL_PATH_AVX512 guarantees; no DQ/VL/BW instructions are used). */
#define KEEL_TARGET_AVX512 __attribute__((target("avx512f,avx2,fma")))
#define KEEL_TARGET_AVX2 __attribute__((target("avx2,fma")))

KEEL_ACT_HIDDEN void keel_s_exp_avx512(long n, const float *x, float *y);
KEEL_ACT_HIDDEN void keel_s_tanh_avx512(long n, const float *x, float *y);
KEEL_ACT_HIDDEN void keel_s_sigmoid_avx512(long n, const float *x, float *y);
KEEL_ACT_HIDDEN void keel_d_exp_avx512(long n, const double *x, double *y);
KEEL_ACT_HIDDEN void keel_d_tanh_avx512(long n, const double *x, double *y);
KEEL_ACT_HIDDEN void keel_d_sigmoid_avx512(long n, const double *x, double *y);

KEEL_ACT_HIDDEN void keel_s_exp_avx2(long n, const float *x, float *y);
KEEL_ACT_HIDDEN void keel_s_tanh_avx2(long n, const float *x, float *y);
KEEL_ACT_HIDDEN void keel_s_sigmoid_avx2(long n, const float *x, float *y);
KEEL_ACT_HIDDEN void keel_d_exp_avx2(long n, const double *x, double *y);
KEEL_ACT_HIDDEN void keel_d_tanh_avx2(long n, const double *x, double *y);
KEEL_ACT_HIDDEN void keel_d_sigmoid_avx2(long n, const double *x, double *y);
#endif

#endif
