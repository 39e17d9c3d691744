/*
 * Elementwise unary/binary kernels and reductions, for float and double.
 *
 * These are memory bound, so each kernel is written once as a plain C loop that compilers
 * vectorize, and instantiated three times: portable (the target's baseline, e.g. SSE2), AVX2+FMA and
 * AVX-512F (same source under __attribute__((target(...))), so the vectorizer uses 256/512-bit
 * registers), chosen at run time by keel_current_kernel_path(). Floating-point contraction is off in
 * this file, so every path gives bit-identical results (reductions keep a fixed assignment of
 * elements to accumulators). sqrt gets explicit intrinsics on the x86 paths, because with errno
 * semantics (the default) compilers do not vectorize sqrtf().
 */
#include "internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif


/* ----------------------------------------------------------------- unary */

/* sqrt: libm on the portable path; vsqrt on x86 (same IEEE result, no errno). */
static void keel_s_sqrt_portable(long n, const float *x, float *y) { for (long i = 0; i < n; i++) y[i] = sqrtf(x[i]); }
static void keel_d_sqrt_portable(long n, const double *x, double *y) { for (long i = 0; i < n; i++) y[i] = sqrt(x[i]); }
#ifdef KEEL_X86
static KEEL_EW_AVX512 void keel_s_sqrt_avx512(long n, const float *x, float *y) {
    long i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_sqrt_ps(_mm512_loadu_ps(x + i)));
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (unsigned)(n - i)) - 1u);
        _mm512_mask_storeu_ps(y + i, m, _mm512_sqrt_ps(_mm512_maskz_loadu_ps(m, x + i)));
    }
}
static KEEL_EW_AVX512 void keel_d_sqrt_avx512(long n, const double *x, double *y) {
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm512_storeu_pd(y + i, _mm512_sqrt_pd(_mm512_loadu_pd(x + i)));
    if (i < n) {
        __mmask8 m = (__mmask8)((1u << (unsigned)(n - i)) - 1u);
        _mm512_mask_storeu_pd(y + i, m, _mm512_sqrt_pd(_mm512_maskz_loadu_pd(m, x + i)));
    }
}
static KEEL_EW_AVX2 void keel_s_sqrt_avx2(long n, const float *x, float *y) {
    long i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_sqrt_ps(_mm256_loadu_ps(x + i)));
    for (; i < n; i++) _mm_store_ss(y + i, _mm_sqrt_ss(_mm_load_ss(x + i)));
}
static KEEL_EW_AVX2 void keel_d_sqrt_avx2(long n, const double *x, double *y) {
    long i = 0;
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, _mm256_sqrt_pd(_mm256_loadu_pd(x + i)));
    for (; i < n; i++) {
        __m128d v = _mm_load_sd(x + i);
        _mm_store_sd(y + i, _mm_sqrt_sd(v, v));
    }
}
#endif

#define KEEL_DEFINE_SQRT(NAME, T)                                                                   \
    static void NAME(long n, const T *x, T *y) {                                                    \
        KEEL_SQRT_DISPATCH(NAME)                                                                    \
        NAME##_portable(n, x, y);                                                                   \
    }
#ifdef KEEL_X86
#define KEEL_SQRT_DISPATCH(NAME)                                                                    \
    switch (keel_current_kernel_path()) {                                                           \
    case KEEL_PATH_AVX512: NAME##_avx512(n, x, y); return;                                          \
    case KEEL_PATH_AVX2: NAME##_avx2(n, x, y); return;                                              \
    default: break;                                                                                 \
    }
#else
#define KEEL_SQRT_DISPATCH(NAME)
#endif
KEEL_DEFINE_SQRT(keel_s_sqrt, float)
KEEL_DEFINE_SQRT(keel_d_sqrt, double)

/* The other vectorizable unary operations (log stays a libm loop). */
#define KEEL_UNARY_BODY(T)                                                                          \
    {                                                                                               \
        switch (op) {                                                                               \
        case KEEL_UNARY_NEG: for (long i = 0; i < n; i++) y[i] = -x[i]; break;                      \
        case KEEL_UNARY_ABS: for (long i = 0; i < n; i++) y[i] = x[i] < 0 ? -x[i] : (x[i] == 0 ? (T)0 : x[i]); break; \
        case KEEL_UNARY_RELU: for (long i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : (x[i] != x[i] ? x[i] : (T)0); break; \
        case KEEL_UNARY_SQUARE: for (long i = 0; i < n; i++) y[i] = x[i] * x[i]; break;             \
        case KEEL_UNARY_RELU_DERIVATIVE:                                                            \
            for (long i = 0; i < n; i++) y[i] = x[i] > 0 ? (T)1 : (x[i] != x[i] ? x[i] : (T)0); break; \
        default: break;                                                                             \
        }                                                                                           \
    }
KEEL_EW_VARIANTS(void, keel_s_unary_simple, (keel_unary_op op, long n, const float *x, float *y), (op, n, x, y),
                 KEEL_UNARY_BODY(float))
KEEL_EW_VARIANTS(void, keel_d_unary_simple, (keel_unary_op op, long n, const double *x, double *y), (op, n, x, y),
                 KEEL_UNARY_BODY(double))

#define KEEL_DEFINE_UNARY(NAME, T, LOG, SQRTV, SIMPLE, EXPV, TANHV, SIGV)                           \
    void NAME(keel_unary_op op, long n, const T *x, T *y) {                                         \
        switch (op) {                                                                               \
        case KEEL_UNARY_EXP: EXPV(n, x, y); return;                                                 \
        case KEEL_UNARY_TANH: TANHV(n, x, y); return;                                               \
        case KEEL_UNARY_SIGMOID: SIGV(n, x, y); return;                                             \
        default: break;                                                                             \
        }                                                                                           \
        if (n <= 0) return;                                                                         \
        unsigned fp = keel_fp_enter();                                                              \
        switch (op) {                                                                               \
        case KEEL_UNARY_SQRT: SQRTV(n, x, y); break;                                                \
        case KEEL_UNARY_LOG: for (long i = 0; i < n; i++) y[i] = LOG(x[i]); break;                  \
        default: SIMPLE(op, n, x, y); break;                                                        \
        }                                                                                           \
        keel_fp_exit(fp);                                                                           \
    }

KEEL_DEFINE_UNARY(keel_s_unary, float, logf, keel_s_sqrt, keel_s_unary_simple, keel_s_exp, keel_s_tanh, keel_s_sigmoid)
KEEL_DEFINE_UNARY(keel_d_unary, double, log, keel_d_sqrt, keel_d_unary_simple, keel_d_exp, keel_d_tanh, keel_d_sigmoid)

#define KEEL_CLAMP_BODY(T)                                                                          \
    {                                                                                               \
        for (long i = 0; i < n; i++) {                                                              \
            T v = x[i];                                                                             \
            y[i] = v < lo ? lo : (v > hi ? hi : v);                                                 \
        }                                                                                           \
    }
KEEL_EW_VARIANTS(void, keel_s_clamp_impl, (long n, const float *x, float lo, float hi, float *y), (n, x, lo, hi, y),
                 KEEL_CLAMP_BODY(float))
KEEL_EW_VARIANTS(void, keel_d_clamp_impl, (long n, const double *x, double lo, double hi, double *y), (n, x, lo, hi, y),
                 KEEL_CLAMP_BODY(double))
void keel_s_clamp(long n, const float *x, float lo, float hi, float *y) { keel_s_clamp_impl(n, x, lo, hi, y); }
void keel_d_clamp(long n, const double *x, double lo, double hi, double *y) { keel_d_clamp_impl(n, x, lo, hi, y); }

void keel_s_pow_scalar(long n, const float *x, float p, float *y) {
    if (n <= 0) return;
    unsigned fp = keel_fp_enter();
    if (p == 2.0f) {
        keel_s_unary_simple(KEEL_UNARY_SQUARE, n, x, y);
    } else {
        for (long i = 0; i < n; i++) y[i] = powf(x[i], p);
    }
    keel_fp_exit(fp);
}
void keel_d_pow_scalar(long n, const double *x, double p, double *y) {
    if (n <= 0) return;
    unsigned fp = keel_fp_enter();
    if (p == 2.0) {
        keel_d_unary_simple(KEEL_UNARY_SQUARE, n, x, y);
    } else {
        for (long i = 0; i < n; i++) y[i] = pow(x[i], p);
    }
    keel_fp_exit(fp);
}

/* ---------------------------------------------------------------- binary */

/* max/min propagate NaN (as NumPy's maximum/minimum do). */
#define KEEL_MAXV(a, b) ((a) != (a) || (a) > (b) ? (a) : (b))
#define KEEL_MINV(a, b) ((a) != (a) || (a) < (b) ? (a) : (b))

#define KEEL_BINARY_LOOP(T, EXPR)                                                                   \
    if (inca == 1 && incb == 1) {                                                                   \
        for (long i = 0; i < n; i++) { T x = a[i], z = b[i]; out[i] = (EXPR); }                     \
    } else if (inca == 1 && incb == 0) {                                                            \
        T z = b[0];                                                                                 \
        for (long i = 0; i < n; i++) { T x = a[i]; out[i] = (EXPR); }                               \
    } else if (inca == 0 && incb == 1) {                                                            \
        T x = a[0];                                                                                 \
        for (long i = 0; i < n; i++) { T z = b[i]; out[i] = (EXPR); }                               \
    } else {                                                                                        \
        for (long i = 0; i < n; i++) { T x = a[i * inca], z = b[i * incb]; out[i] = (EXPR); }       \
    }

#define KEEL_BINARY_BODY(T)                                                                         \
    {                                                                                               \
        switch (op) {                                                                               \
        case KEEL_BINARY_ADD: { KEEL_BINARY_LOOP(T, x + z) } break;                                 \
        case KEEL_BINARY_SUB: { KEEL_BINARY_LOOP(T, x - z) } break;                                 \
        case KEEL_BINARY_MUL: { KEEL_BINARY_LOOP(T, x * z) } break;                                 \
        case KEEL_BINARY_DIV: { KEEL_BINARY_LOOP(T, x / z) } break;                                 \
        case KEEL_BINARY_MAX: { KEEL_BINARY_LOOP(T, KEEL_MAXV(x, z)) } break;                       \
        case KEEL_BINARY_MIN: { KEEL_BINARY_LOOP(T, KEEL_MINV(x, z)) } break;                       \
        case KEEL_BINARY_GREATER: { KEEL_BINARY_LOOP(T, x > z ? (T)1 : (T)0) } break;               \
        case KEEL_BINARY_GREATER_EQUAL: { KEEL_BINARY_LOOP(T, x >= z ? (T)1 : (T)0) } break;        \
        case KEEL_BINARY_LESS: { KEEL_BINARY_LOOP(T, x < z ? (T)1 : (T)0) } break;                  \
        case KEEL_BINARY_LESS_EQUAL: { KEEL_BINARY_LOOP(T, x <= z ? (T)1 : (T)0) } break;           \
        case KEEL_BINARY_EQUAL: { KEEL_BINARY_LOOP(T, x == z ? (T)1 : (T)0) } break;                \
        case KEEL_BINARY_NOT_EQUAL: { KEEL_BINARY_LOOP(T, x != z ? (T)1 : (T)0) } break;            \
        default: break;                                                                             \
        }                                                                                           \
    }
KEEL_EW_VARIANTS(void, keel_s_binary_simple,
                 (keel_binary_op op, long n, const float *a, long inca, const float *b, long incb, float *out),
                 (op, n, a, inca, b, incb, out), KEEL_BINARY_BODY(float))
KEEL_EW_VARIANTS(void, keel_d_binary_simple,
                 (keel_binary_op op, long n, const double *a, long inca, const double *b, long incb, double *out),
                 (op, n, a, inca, b, incb, out), KEEL_BINARY_BODY(double))

#define KEEL_DEFINE_BINARY(NAME, T, POW, SIMPLE)                                                    \
    void NAME(keel_binary_op op, long n, const T *a, long inca, const T *b, long incb, T *out) {    \
        if (n <= 0) return;                                                                         \
        unsigned fp = keel_fp_enter();                                                              \
        if (op == KEEL_BINARY_POW) {                                                                \
            KEEL_BINARY_LOOP(T, POW(x, z))                                                          \
        } else {                                                                                    \
            SIMPLE(op, n, a, inca, b, incb, out);                                                   \
        }                                                                                           \
        keel_fp_exit(fp);                                                                           \
    }

KEEL_DEFINE_BINARY(keel_s_binary, float, powf, keel_s_binary_simple)
KEEL_DEFINE_BINARY(keel_d_binary, double, pow, keel_d_binary_simple)

/* ---------------------------------------------------------------- select */

#define KEEL_SELECT_BODY(T)                                                                         \
    {                                                                                               \
        if (incm == 1 && inca == 1 && incb == 1) {                                                  \
            for (long i = 0; i < n; i++) out[i] = mask[i] != 0 ? a[i] : b[i];                       \
        } else {                                                                                    \
            for (long i = 0; i < n; i++) out[i] = mask[i * incm] != 0 ? a[i * inca] : b[i * incb];  \
        }                                                                                           \
    }
KEEL_EW_VARIANTS(void, keel_s_select_impl,
                 (long n, const float *mask, long incm, const float *a, long inca, const float *b, long incb, float *out),
                 (n, mask, incm, a, inca, b, incb, out), KEEL_SELECT_BODY(float))
KEEL_EW_VARIANTS(void, keel_d_select_impl,
                 (long n, const double *mask, long incm, const double *a, long inca, const double *b, long incb, double *out),
                 (n, mask, incm, a, inca, b, incb, out), KEEL_SELECT_BODY(double))

void keel_s_select(long n, const float *mask, long incm, const float *a, long inca, const float *b, long incb, float *out) {
    if (n <= 0) return;
    keel_s_select_impl(n, mask, incm, a, inca, b, incb, out);
}
void keel_d_select(long n, const double *mask, long incm, const double *a, long inca, const double *b, long incb, double *out) {
    if (n <= 0) return;
    keel_d_select_impl(n, mask, incm, a, inca, b, incb, out);
}

/* Contraction is off, so y + alpha * x is rounded twice on every path (as the portable build does). */
KEEL_EW_VARIANTS(void, keel_s_axpy_impl, (long n, float alpha, const float *x, float *y), (n, alpha, x, y),
                 { for (long i = 0; i < n; i++) y[i] += alpha * x[i]; })
KEEL_EW_VARIANTS(void, keel_d_axpy_impl, (long n, double alpha, const double *x, double *y), (n, alpha, x, y),
                 { for (long i = 0; i < n; i++) y[i] += alpha * x[i]; })

void keel_s_axpy(long n, float alpha, const float *x, float *y) {
    if (n <= 0) return;
    unsigned fp = keel_fp_enter();
    keel_s_axpy_impl(n, alpha, x, y);
    keel_fp_exit(fp);
}
void keel_d_axpy(long n, double alpha, const double *x, double *y) {
    if (n <= 0) return;
    unsigned fp = keel_fp_enter();
    keel_d_axpy_impl(n, alpha, x, y);
    keel_fp_exit(fp);
}

/* ------------------------------------------------------------ reductions */

/*
 * Thirty-two independent accumulators (element i goes to accumulator i % 32 in the main loop, the
 * tail to accumulator 0), so the result does not depend on the path and the compiler vectorizes
 * without reassociation flags. MAX/MIN/ABS_MAX are branch-free with a separate NaN flag.
 */
#define KEEL_LANES 32
#define KEEL_REDUCE_LANES(T, INIT, STEP, COMBINE)                                                   \
    {                                                                                               \
        double acc[KEEL_LANES];                                                                     \
        for (int k = 0; k < KEEL_LANES; k++) acc[k] = (INIT);                                       \
        long i = 0;                                                                                 \
        for (; i + KEEL_LANES <= n; i += KEEL_LANES) {                                              \
            for (int k = 0; k < KEEL_LANES; k++) {                                                  \
                double v = (double)x[i + k];                                                        \
                STEP(acc[k], v);                                                                    \
            }                                                                                       \
        }                                                                                           \
        for (; i < n; i++) {                                                                        \
            double v = (double)x[i];                                                                \
            STEP(acc[0], v);                                                                        \
        }                                                                                           \
        for (int w = KEEL_LANES / 2; w > 0; w /= 2)                                                 \
            for (int k = 0; k < w; k++) acc[k] = COMBINE(acc[k], acc[k + w]);                       \
        return acc[0];                                                                              \
    }

#define KEEL_ADD(a, b) ((a) + (b))
#define KEEL_STEP_SUM(acc, v) acc += (v)
#define KEEL_STEP_SQ(acc, v) acc += (v) * (v)
#define KEEL_STEP_ABS(acc, v) acc += fabs(v)
/* NaN-sticky: a NaN accumulator stays NaN (no comparison with NaN is true), a NaN v replaces it. */
#define KEEL_STEP_MAX(acc, v) acc = ((v) > acc || (v) != (v)) ? (v) : acc
#define KEEL_STEP_MIN(acc, v) acc = ((v) < acc || (v) != (v)) ? (v) : acc
#define KEEL_STEP_AMAX(acc, v) acc = (fabs(v) > acc || (v) != (v)) ? fabs(v) : acc
#define KEEL_COMB_MAX(a, b) ((b) > (a) || (b) != (b) ? (b) : (a))
#define KEEL_COMB_MIN(a, b) ((b) < (a) || (b) != (b) ? (b) : (a))

#define KEEL_REDUCE_BODY(T)                                                                         \
    {                                                                                               \
        switch (op) {                                                                               \
        case KEEL_REDUCE_SUM: KEEL_REDUCE_LANES(T, 0.0, KEEL_STEP_SUM, KEEL_ADD)                    \
        case KEEL_REDUCE_SUM_SQUARES: KEEL_REDUCE_LANES(T, 0.0, KEEL_STEP_SQ, KEEL_ADD)             \
        case KEEL_REDUCE_ABS_SUM: KEEL_REDUCE_LANES(T, 0.0, KEEL_STEP_ABS, KEEL_ADD)                \
        case KEEL_REDUCE_MAX: KEEL_REDUCE_LANES(T, -INFINITY, KEEL_STEP_MAX, KEEL_COMB_MAX)         \
        case KEEL_REDUCE_MIN: KEEL_REDUCE_LANES(T, INFINITY, KEEL_STEP_MIN, KEEL_COMB_MIN)          \
        case KEEL_REDUCE_ABS_MAX: KEEL_REDUCE_LANES(T, 0.0, KEEL_STEP_AMAX, KEEL_COMB_MAX)          \
        }                                                                                           \
        return 0;                                                                                   \
    }

KEEL_EW_VARIANTS(double, keel_s_reduce_impl, (keel_reduce_op op, long n, const float *x), (op, n, x),
                 KEEL_REDUCE_BODY(float))
KEEL_EW_VARIANTS(double, keel_d_reduce_impl, (keel_reduce_op op, long n, const double *x), (op, n, x),
                 KEEL_REDUCE_BODY(double))

double keel_s_reduce(keel_reduce_op op, long n, const float *x) { return keel_s_reduce_impl(op, n < 0 ? 0 : n, x); }
double keel_d_reduce(keel_reduce_op op, long n, const double *x) { return keel_d_reduce_impl(op, n < 0 ? 0 : n, x); }

/* Non-finite: the exponent field is all ones (integer test, immune to DAZ and vectorizable). */
KEEL_EW_VARIANTS(long, keel_s_count_nonfinite_impl, (long n, const float *x), (n, x), {
    long count = 0;
    for (long i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, x + i, sizeof u);
        count += (u & 0x7f800000u) == 0x7f800000u;
    }
    return count;
})
KEEL_EW_VARIANTS(long, keel_d_count_nonfinite_impl, (long n, const double *x), (n, x), {
    long count = 0;
    for (long i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, x + i, sizeof u);
        count += (u & 0x7ff0000000000000ull) == 0x7ff0000000000000ull;
    }
    return count;
})
long keel_s_count_nonfinite(long n, const float *x) { return keel_s_count_nonfinite_impl(n, x); }
long keel_d_count_nonfinite(long n, const double *x) { return keel_d_count_nonfinite_impl(n, x); }

#define KEEL_DEFINE_ARGMAX(NAME, T)                                                                 \
    long NAME(long n, const T *x, long stride) {                                                    \
        long best = 0;                                                                              \
        for (long i = 0; i < n; i++) {                                                              \
            T v = x[i * stride];                                                                    \
            if (v != v) return i;                                                                   \
            if (v > x[best * stride]) best = i;                                                     \
        }                                                                                           \
        return best;                                                                                \
    }
KEEL_DEFINE_ARGMAX(keel_s_argmax, float)
KEEL_DEFINE_ARGMAX(keel_d_argmax, double)
