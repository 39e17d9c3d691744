/* Elementwise unary/binary kernels and reductions, for float and double. */
#include "internal.h"

#include <math.h>

/* ----------------------------------------------------------------- unary */

#define KEEL_DEFINE_UNARY(NAME, T, SQRT, LOG, EXPV, TANHV, SIGV)                                    \
    void NAME(keel_unary_op op, long n, const T *x, T *y) {                                         \
        switch (op) {                                                                               \
        case KEEL_UNARY_EXP: EXPV(n, x, y); return;                                                 \
        case KEEL_UNARY_TANH: TANHV(n, x, y); return;                                               \
        case KEEL_UNARY_SIGMOID: SIGV(n, x, y); return;                                             \
        default: break;                                                                             \
        }                                                                                           \
        unsigned fp = keel_fp_enter();                                                              \
        switch (op) {                                                                               \
        case KEEL_UNARY_NEG: for (long i = 0; i < n; i++) y[i] = -x[i]; break;                      \
        case KEEL_UNARY_ABS: for (long i = 0; i < n; i++) y[i] = x[i] < 0 ? -x[i] : (x[i] == 0 ? (T)0 : x[i]); break; \
        case KEEL_UNARY_SQRT: for (long i = 0; i < n; i++) y[i] = SQRT(x[i]); break;                \
        case KEEL_UNARY_LOG: for (long i = 0; i < n; i++) y[i] = LOG(x[i]); break;                  \
        case KEEL_UNARY_RELU: for (long i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : (x[i] != x[i] ? x[i] : (T)0); break; \
        case KEEL_UNARY_SQUARE: for (long i = 0; i < n; i++) y[i] = x[i] * x[i]; break;             \
        default: break;                                                                             \
        }                                                                                           \
        keel_fp_exit(fp);                                                                           \
    }

KEEL_DEFINE_UNARY(keel_s_unary, float, sqrtf, logf, keel_s_exp, keel_s_tanh, keel_s_sigmoid)
KEEL_DEFINE_UNARY(keel_d_unary, double, sqrt, log, keel_d_exp, keel_d_tanh, keel_d_sigmoid)

#define KEEL_DEFINE_CLAMP(NAME, T)                                                                  \
    void NAME(long n, const T *x, T lo, T hi, T *y) {                                               \
        for (long i = 0; i < n; i++) {                                                              \
            T v = x[i];                                                                             \
            y[i] = v < lo ? lo : (v > hi ? hi : v);                                                 \
        }                                                                                           \
    }
KEEL_DEFINE_CLAMP(keel_s_clamp, float)
KEEL_DEFINE_CLAMP(keel_d_clamp, double)

void keel_s_pow_scalar(long n, const float *x, float p, float *y) {
    unsigned fp = keel_fp_enter();
    if (p == 2.0f) {
        for (long i = 0; i < n; i++) y[i] = x[i] * x[i];
    } else {
        for (long i = 0; i < n; i++) y[i] = powf(x[i], p);
    }
    keel_fp_exit(fp);
}
void keel_d_pow_scalar(long n, const double *x, double p, double *y) {
    unsigned fp = keel_fp_enter();
    if (p == 2.0) {
        for (long i = 0; i < n; i++) y[i] = x[i] * x[i];
    } else {
        for (long i = 0; i < n; i++) y[i] = pow(x[i], p);
    }
    keel_fp_exit(fp);
}

/* ---------------------------------------------------------------- binary */

/* max/min propagate NaN (as NumPy's maximum/minimum do). */
#define KEEL_MAXV(a, b) ((a) != (a) || (a) > (b) ? (a) : (b))
#define KEEL_MINV(a, b) ((a) != (a) || (a) < (b) ? (a) : (b))

#define KEEL_BINARY_LOOP(EXPR)                                                                      \
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

#define KEEL_DEFINE_BINARY(NAME, T, POW)                                                            \
    void NAME(keel_binary_op op, long n, const T *a, long inca, const T *b, long incb, T *out) {    \
        unsigned fp = keel_fp_enter();                                                              \
        switch (op) {                                                                               \
        case KEEL_BINARY_ADD: { KEEL_BINARY_LOOP(x + z) } break;                                    \
        case KEEL_BINARY_SUB: { KEEL_BINARY_LOOP(x - z) } break;                                    \
        case KEEL_BINARY_MUL: { KEEL_BINARY_LOOP(x * z) } break;                                    \
        case KEEL_BINARY_DIV: { KEEL_BINARY_LOOP(x / z) } break;                                    \
        case KEEL_BINARY_MAX: { KEEL_BINARY_LOOP(KEEL_MAXV(x, z)) } break;                          \
        case KEEL_BINARY_MIN: { KEEL_BINARY_LOOP(KEEL_MINV(x, z)) } break;                          \
        case KEEL_BINARY_POW: { KEEL_BINARY_LOOP(POW(x, z)) } break;                                \
        }                                                                                           \
        keel_fp_exit(fp);                                                                           \
    }

#define T float
KEEL_DEFINE_BINARY(keel_s_binary, float, powf)
#undef T
#define T double
KEEL_DEFINE_BINARY(keel_d_binary, double, pow)
#undef T

void keel_s_axpy(long n, float alpha, const float *x, float *y) {
    unsigned fp = keel_fp_enter();
    for (long i = 0; i < n; i++) y[i] += alpha * x[i];
    keel_fp_exit(fp);
}
void keel_d_axpy(long n, double alpha, const double *x, double *y) {
    unsigned fp = keel_fp_enter();
    for (long i = 0; i < n; i++) y[i] += alpha * x[i];
    keel_fp_exit(fp);
}

/* ------------------------------------------------------------ reductions */

/* Eight independent accumulators let the compiler vectorize without reassociation flags. */
#define KEEL_DEFINE_REDUCE(NAME, T)                                                                 \
    double NAME(keel_reduce_op op, long n, const T *x) {                                            \
        switch (op) {                                                                               \
        case KEEL_REDUCE_SUM:                                                                       \
        case KEEL_REDUCE_SUM_SQUARES:                                                               \
        case KEEL_REDUCE_ABS_SUM: {                                                                 \
            double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                               \
            long i = 0;                                                                             \
            for (; i + 8 <= n; i += 8) {                                                            \
                for (int k = 0; k < 8; k++) {                                                       \
                    double v = (double)x[i + k];                                                    \
                    acc[k] += op == KEEL_REDUCE_SUM ? v : (op == KEEL_REDUCE_SUM_SQUARES ? v * v : fabs(v)); \
                }                                                                                   \
            }                                                                                       \
            for (; i < n; i++) {                                                                    \
                double v = (double)x[i];                                                            \
                acc[0] += op == KEEL_REDUCE_SUM ? v : (op == KEEL_REDUCE_SUM_SQUARES ? v * v : fabs(v)); \
            }                                                                                       \
            return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])); \
        }                                                                                           \
        case KEEL_REDUCE_MAX: {                                                                     \
            double m = -INFINITY;                                                                   \
            for (long i = 0; i < n; i++) { double v = (double)x[i]; if (v != v) return v; if (v > m) m = v; } \
            return m;                                                                               \
        }                                                                                           \
        case KEEL_REDUCE_MIN: {                                                                     \
            double m = INFINITY;                                                                    \
            for (long i = 0; i < n; i++) { double v = (double)x[i]; if (v != v) return v; if (v < m) m = v; } \
            return m;                                                                               \
        }                                                                                           \
        case KEEL_REDUCE_ABS_MAX: {                                                                 \
            double m = 0;                                                                           \
            for (long i = 0; i < n; i++) { double v = fabs((double)x[i]); if (v != v) return v; if (v > m) m = v; } \
            return m;                                                                               \
        }                                                                                           \
        }                                                                                           \
        return 0;                                                                                   \
    }

KEEL_DEFINE_REDUCE(keel_s_reduce, float)
KEEL_DEFINE_REDUCE(keel_d_reduce, double)

#define KEEL_DEFINE_COUNT_NONFINITE(NAME, T, ISFINITE)                                              \
    long NAME(long n, const T *x) {                                                                 \
        long count = 0;                                                                             \
        for (long i = 0; i < n; i++) count += !ISFINITE(x[i]);                                      \
        return count;                                                                               \
    }
KEEL_DEFINE_COUNT_NONFINITE(keel_s_count_nonfinite, float, isfinite)
KEEL_DEFINE_COUNT_NONFINITE(keel_d_count_nonfinite, double, isfinite)

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
