/*
 * exp, tanh and sigmoid over buffers: the public entry points, the run-time choice of path, the
 * portable path and the libm reference loops. The algorithm is described in activations_internal.h;
 * the AVX-512 and AVX2 paths live in activations_avx512.c and activations_avx2.c.
 *
 * The portable path is branch-free scalar C (selects, integer bit tricks, no libm calls) written so
 * that compilers vectorize it for whatever the baseline of the target is (SSE2 on x86-64, NEON on
 * arm64). It does not need round-to-nearest tricks that depend on FLT_EVAL_METHOD.
 *
 * Measured maximum error (harness outside the repository: every path against long-double libm over
 * a dense sweep of [-20, 20] (4M points), 2^24 random bit patterns, 2^24 uniform points in the
 * exp range, 2^24 log-uniform magnitudes, and the edge values +-0, +-FLT_MIN/DBL_MIN, subnormals,
 * +-1e-30, +-1e-8, +-88.7, +-89, +-104, +-709.8, +-745.1, +-MAX, +-inf, NaN; identical with denormal
 * flushing on and off; subnormal results measured in units of the subnormal spacing, or accepted as
 * 0 when flushing is on). ulp = units in the last place of the exact result; abs = absolute error.
 *
 *                 float                                   double
 *            exp       tanh              sigmoid           exp       tanh               sigmoid
 * AVX-512   1.05 ulp  2.39 ulp 8.9e-8   2.33 ulp 8.9e-8   0.98 ulp  2.40 ulp 1.7e-16   2.30 ulp 1.7e-16
 * AVX2      1.05 ulp  2.39 ulp 8.9e-8   2.33 ulp 8.9e-8   0.98 ulp  2.40 ulp 1.7e-16   2.30 ulp 1.7e-16
 * portable  1.02 ulp  2.52 ulp 8.9e-8   2.33 ulp 8.9e-8   1.00 ulp  2.40 ulp 1.7e-16   2.30 ulp 1.7e-16
 *
 * Speed (1M elements uniform in [-10, 10], one thread, release build, best of 30; ns/element and
 * speed-up over the scalar libm loop, e.g. keel_s_tanh_reference; libm times vary between runs on
 * this machine, so the ratios use the fastest libm time seen over several runs):
 *            float exp    float tanh    float sigmoid   double exp   double tanh   double sigmoid
 * libm       1.39-1.40    11.5-16.6     6.1-6.6         2.57-2.60    13.1-24.6     7.4-10.2
 * AVX-512    0.094 (15x)  0.141 (82x)   0.137 (45x)     0.333 (7.7x) 0.448 (29x)   0.457 (16x)
 * AVX2       0.259 (5.4x) 0.288 (40x)   0.351 (17x)     0.827 (3.1x) 0.927 (14x)   1.05 (7.1x)
 * portable   1.06 (1.3x)  1.04 (11x)    1.28 (4.8x)     2.95 (0.9x)  2.82 (4.6x)   3.35 (2.2x)
 * (tanh and sigmoid add the roundings of E + 2 / 1 + E and of the division to exp/expm1's ~1 ulp.)
 */
#include "activations_internal.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------ libm reference */

static inline float keel_sigmoidf_libm(float x) { return x >= 0 ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x)); }

void keel_s_exp_reference(long n, const float *x, float *y) { for (long i = 0; i < n; i++) y[i] = expf(x[i]); }
void keel_s_tanh_reference(long n, const float *x, float *y) { for (long i = 0; i < n; i++) y[i] = tanhf(x[i]); }
void keel_s_sigmoid_reference(long n, const float *x, float *y) { for (long i = 0; i < n; i++) y[i] = keel_sigmoidf_libm(x[i]); }

/* ------------------------------------------------------------ portable path */

static inline float keel_f_from_bits(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }
static inline double keel_d_from_bits(uint64_t u) { double d; memcpy(&d, &u, sizeof d); return d; }

/* e^r - 1 for |r| <= 0.35 (relative error ~0.5 ulp plus the final rounding). */
static inline float keel_f_expm1_reduced(float r) {
    float p = KEEL_F_P4;
    p = p * r + KEEL_F_P3;
    p = p * r + KEEL_F_P2;
    p = p * r + KEEL_F_P1;
    p = p * r + KEEL_F_P0;
    return (r * r) * p + r;
}

/* Estrin's scheme: without FMA (SSE2 baseline) a Horner chain of 11 multiply-adds is latency bound. */
static inline double keel_d_expm1_reduced(double r) {
    double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    double a0 = KEEL_D_P0 + KEEL_D_P1 * r, a1 = KEEL_D_P2 + KEEL_D_P3 * r;
    double a2 = KEEL_D_P4 + KEEL_D_P5 * r, a3 = KEEL_D_P6 + KEEL_D_P7 * r;
    double a4 = KEEL_D_P8 + KEEL_D_P9 * r;
    double b0 = a0 + a1 * r2, b1 = a2 + a3 * r2, b2 = a4 + KEEL_D_P10 * r2;
    double p = (b0 + b1 * r4) + b2 * r8;
    return r2 * p + r;
}

/* exp over the whole float range. */
static inline float keel_f_exp_portable(float x) {
    float xc = x < KEEL_F_EXP_HI ? x : KEEL_F_EXP_HI; /* NaN -> EXP_HI, patched at the end */
    xc = xc > KEEL_F_EXP_LO ? xc : KEEL_F_EXP_LO;
    int32_t k = (int32_t)(xc * KEEL_F_LOG2E + (xc < 0 ? -0.5f : 0.5f));
    float kf = (float)k;
    float r = (xc - kf * KEEL_F_LN2_HI) - kf * KEEL_F_LN2_LO;
    float p = 1.0f + keel_f_expm1_reduced(r);
    int32_t k1 = k / 2, k2 = k - k1; /* both in [-80, 72]: 2^k1 and 2^k2 are normal */
    float s1 = keel_f_from_bits((uint32_t)(k1 + 127) << 23);
    float s2 = keel_f_from_bits((uint32_t)(k2 + 127) << 23);
    float e = (p * s1) * s2; /* p * s1 is exact; one rounding, to +inf or a subnormal when needed */
    return x != x ? x + x : e;
}

static inline double keel_d_exp_portable(double x) {
    double xc = x < KEEL_D_EXP_HI ? x : KEEL_D_EXP_HI;
    xc = xc > KEEL_D_EXP_LO ? xc : KEEL_D_EXP_LO;
    int32_t k = (int32_t)(xc * KEEL_D_LOG2E + (xc < 0 ? -0.5 : 0.5));
    double kf = (double)k;
    double r = (xc - kf * KEEL_D_LN2_HI) - kf * KEEL_D_LN2_LO;
    double p = 1.0 + keel_d_expm1_reduced(r);
    int32_t k1 = k / 2, k2 = k - k1; /* both in [-548, 520] */
    double s1 = keel_d_from_bits((uint64_t)(int64_t)(k1 + 1023) << 52);
    double s2 = keel_d_from_bits((uint64_t)(int64_t)(k2 + 1023) << 52);
    double e = (p * s1) * s2;
    return x != x ? x + x : e;
}

/* tanh = sign(x) E / (E + 2), E = expm1(2|x|) = 2^k q + (2^k - 1); 2|x| <= 20, so 2^k is normal. */
static inline float keel_f_tanh_portable(float x) {
    float a = fabsf(x);
    float ac = a < KEEL_F_TANH_CLAMP ? a : KEEL_F_TANH_CLAMP; /* NaN -> clamp, patched at the end */
    float t = ac + ac;
    int32_t k = (int32_t)(t * KEEL_F_LOG2E + 0.5f);
    float kf = (float)k;
    float r = (t - kf * KEEL_F_LN2_HI) - kf * KEEL_F_LN2_LO;
    float q = keel_f_expm1_reduced(r);
    float s = keel_f_from_bits((uint32_t)(k + 127) << 23);
    float e = s * q + (s - 1.0f);
    float th = copysignf(e / (e + 2.0f), x);
    return x != x ? x + x : th;
}

static inline double keel_d_tanh_portable(double x) {
    double a = fabs(x);
    double ac = a < KEEL_D_TANH_CLAMP ? a : KEEL_D_TANH_CLAMP;
    double t = ac + ac;
    int32_t k = (int32_t)(t * KEEL_D_LOG2E + 0.5);
    double kf = (double)k;
    double r = (t - kf * KEEL_D_LN2_HI) - kf * KEEL_D_LN2_LO;
    double q = keel_d_expm1_reduced(r);
    double s = keel_d_from_bits((uint64_t)(int64_t)(k + 1023) << 52);
    double e = s * q + (s - 1.0);
    double th = copysign(e / (e + 2.0), x);
    return x != x ? x + x : th;
}

static inline float keel_f_sigmoid_portable(float x) {
    float e = keel_f_exp_portable(-fabsf(x)); /* in (0, 1], NaN for NaN */
    return (x < 0 ? e : 1.0f) / (1.0f + e);
}

static inline double keel_d_sigmoid_portable(double x) {
    double e = keel_d_exp_portable(-fabs(x));
    return (x < 0 ? e : 1.0) / (1.0 + e);
}

#if defined(__clang__)
#define KEEL_INTERLEAVE _Pragma("clang loop interleave_count(2)")
#else
#define KEEL_INTERLEAVE
#endif
#define KEEL_DEFINE_PORTABLE_LOOP(NAME, T, FN)                                                      \
    static void NAME(long n, const T *x, T *y) {                                                    \
        KEEL_INTERLEAVE for (long i = 0; i < n; i++) y[i] = FN(x[i]);                               \
    }
KEEL_DEFINE_PORTABLE_LOOP(keel_s_exp_portable, float, keel_f_exp_portable)
KEEL_DEFINE_PORTABLE_LOOP(keel_s_tanh_portable, float, keel_f_tanh_portable)
KEEL_DEFINE_PORTABLE_LOOP(keel_s_sigmoid_portable, float, keel_f_sigmoid_portable)
KEEL_DEFINE_PORTABLE_LOOP(keel_d_exp_portable_loop, double, keel_d_exp_portable)
KEEL_DEFINE_PORTABLE_LOOP(keel_d_tanh_portable_loop, double, keel_d_tanh_portable)
KEEL_DEFINE_PORTABLE_LOOP(keel_d_sigmoid_portable_loop, double, keel_d_sigmoid_portable)

/* ------------------------------------------------------------ public entries */

#ifdef KEEL_X86
#define KEEL_ACT_DISPATCH(AVX512, AVX2, PORTABLE)                                                   \
    switch (keel_current_kernel_path()) {                                                           \
    case KEEL_PATH_AVX512: AVX512(n, x, y); break;                                                  \
    case KEEL_PATH_AVX2: AVX2(n, x, y); break;                                                      \
    default: PORTABLE(n, x, y); break;                                                              \
    }
#else
#define KEEL_ACT_DISPATCH(AVX512, AVX2, PORTABLE) PORTABLE(n, x, y);
#endif

/* NAME##_in_kernel runs on the caller's floating-point mode, for kernels that set it once around
 * many calls (the whole-sequence recurrent kernels call these per row and step; the fused
 * softmax cross-entropy per row); NAME is the public entry that sets FTZ/DAZ around it. */
#define KEEL_DEFINE_ACTIVATION(NAME, T, AVX512, AVX2, PORTABLE)                                     \
    void NAME##_in_kernel(long n, const T *x, T *y) {                                               \
        if (n <= 0) return;                                                                         \
        KEEL_ACT_DISPATCH(AVX512, AVX2, PORTABLE)                                                   \
    }                                                                                               \
    void NAME(long n, const T *x, T *y) {                                                           \
        if (n <= 0) return;                                                                         \
        unsigned fp = keel_fp_enter();                                                              \
        NAME##_in_kernel(n, x, y);                                                                  \
        keel_fp_exit(fp);                                                                           \
    }

KEEL_DEFINE_ACTIVATION(keel_s_exp, float, keel_s_exp_avx512, keel_s_exp_avx2, keel_s_exp_portable)
KEEL_DEFINE_ACTIVATION(keel_s_tanh, float, keel_s_tanh_avx512, keel_s_tanh_avx2, keel_s_tanh_portable)
KEEL_DEFINE_ACTIVATION(keel_s_sigmoid, float, keel_s_sigmoid_avx512, keel_s_sigmoid_avx2, keel_s_sigmoid_portable)
KEEL_DEFINE_ACTIVATION(keel_d_exp, double, keel_d_exp_avx512, keel_d_exp_avx2, keel_d_exp_portable_loop)
KEEL_DEFINE_ACTIVATION(keel_d_tanh, double, keel_d_tanh_avx512, keel_d_tanh_avx2, keel_d_tanh_portable_loop)
KEEL_DEFINE_ACTIVATION(keel_d_sigmoid, double, keel_d_sigmoid_avx512, keel_d_sigmoid_avx2, keel_d_sigmoid_portable_loop)
