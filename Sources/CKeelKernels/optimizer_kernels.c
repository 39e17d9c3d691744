/*
 * Fused optimizer updates: one pass per tensor over the gradient (overwritten with the update to
 * add to the parameters), the moments (updated in place) and, when a weight-decay term needs them,
 * the parameters. The formulas are PyTorch's single-tensor algorithms (see KeelOptimizers).
 *
 * Memory bound: each loop is instantiated for the portable, AVX2 and AVX-512 paths (KEEL_EW_VARIANTS).
 * Tensors of at least two KEEL_ELEMENTWISE_GRAIN chunks are split over the pool
 * (keel_parallel_ranges); every element is computed alone, so any split gives the same bits.
 * Options are loop-invariant, so compilers unswitch the branches. Contraction is off so every path
 * gives the same bits. sqrt uses __builtin_elementwise_sqrt where available: it has no errno side
 * effect, so the loop vectorizes.
 *
 * Every optional buffer or term is a compile-time flag of its own loop (KEEL_IF below), never a
 * branch inside the loop: the vectorizer would turn `if (p) ... p[i]` into a masked load from a NULL
 * pointer, and the CPU's fault-suppression assist on such loads made Adam 60x slower than its
 * memory bound.
 */
#include "internal.h"
#include "threadpool.h"

#include <math.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#if defined(__has_builtin)
#if __has_builtin(__builtin_elementwise_sqrt)
#define KEEL_SQRTF(x) __builtin_elementwise_sqrt(x)
#define KEEL_SQRT(x) __builtin_elementwise_sqrt(x)
#endif
#endif
#ifndef KEEL_SQRTF
#define KEEL_SQRTF(x) sqrtf(x)
#define KEEL_SQRT(x) sqrt(x)
#endif

#define KEEL_SIGN(x) ((x) > 0 ? (T)1 : ((x) < 0 ? (T)-1 : (x)))

/* p + lo, or NULL for an option that is off. */
#define KEEL_AT(PTR, LO) ((PTR) != NULL ? (PTR) + (LO) : NULL)

/* Runs BODY with FLAG as the literal 1 or 0, so each variant is a branch-free loop. */
#define KEEL_IF(COND, FLAG, ...) { if (COND) { enum { FLAG = 1 }; __VA_ARGS__ } else { enum { FLAG = 0 }; __VA_ARGS__ } }

#define KEEL_DEFINE_OPTIMIZER_KERNELS(P, T, SQRT)                                                   \
    KEEL_EW_VARIANTS(void, keel_##P##_sgd_impl,                                                     \
        (long n, T *restrict u, const T *restrict p, T *restrict buf, T lr, T momentum, T dampening, T wd, bool nesterov, bool first), \
        (n, u, p, buf, lr, momentum, dampening, wd, nesterov, first), {                            \
        const T keep = (T)1 - dampening;                                                            \
        KEEL_IF(wd != 0, DECAY, KEEL_IF(buf != 0, MOMENTUM, KEEL_IF(first, FIRST, KEEL_IF(nesterov, NESTEROV, \
        for (long i = 0; i < n; i++) {                                                              \
            T d = u[i];                                                                             \
            if (DECAY) d += wd * p[i];                                                              \
            if (MOMENTUM) {                                                                         \
                T b = FIRST ? d : momentum * buf[i] + keep * d;                                     \
                buf[i] = b;                                                                         \
                d = NESTEROV ? d + momentum * b : b;                                                \
            }                                                                                       \
            u[i] = -lr * d;                                                                         \
        }))));                                                                                      \
    })                                                                                              \
    typedef struct {                                                                                \
        T *u, *buf;                                                                                 \
        const T *p;                                                                                 \
        T lr, momentum, dampening, wd;                                                              \
        bool nesterov, first;                                                                       \
    } keel_##P##_sgd_args;                                                                          \
    static void keel_##P##_sgd_range(void *ctx, long lo, long hi) {                                 \
        const keel_##P##_sgd_args *a = ctx;                                                         \
        keel_##P##_sgd_impl(hi - lo, a->u + lo, KEEL_AT(a->p, lo), KEEL_AT(a->buf, lo), a->lr, a->momentum, \
                            a->dampening, a->wd, a->nesterov, a->first);                            \
    }                                                                                               \
    void keel_##P##_sgd_step(long n, T *u, const T *p, T *buf, T lr, T momentum, T dampening, T wd, \
                             bool nesterov, bool first) {                                           \
        unsigned fp = keel_fp_enter();                                                              \
        keel_##P##_sgd_args args = {                                                                \
            .u = u, .buf = buf, .p = p, .lr = lr, .momentum = momentum, .dampening = dampening,     \
            .wd = wd, .nesterov = nesterov, .first = first,                                         \
        };                                                                                          \
        /* elementwise: any split gives the same bits */                                            \
        keel_parallel_ranges(keel_##P##_sgd_range, &args, n, KEEL_ELEMENTWISE_GRAIN);               \
        keel_fp_exit(fp);                                                                           \
    }                                                                                               \
                                                                                                    \
    KEEL_EW_VARIANTS(void, keel_##P##_adam_impl,                                                    \
        (long n, T *restrict u, const T *restrict p, T *restrict m, T *restrict v, T *restrict vmax, T step_size, \
         T beta1, T beta2, T eps, T coupled, T decay, T bc2_root),                                  \
        (n, u, p, m, v, vmax, step_size, beta1, beta2, eps, coupled, decay, bc2_root), {            \
        const T c1 = (T)1 - beta1, c2 = (T)1 - beta2;                                               \
        KEEL_IF(coupled != 0, COUPLED, KEEL_IF(vmax != 0, AMSGRAD, KEEL_IF(decay != 0, DECAY,       \
        for (long i = 0; i < n; i++) {                                                              \
            T g = u[i];                                                                             \
            if (COUPLED) g += coupled * p[i];                                                       \
            T mi = beta1 * m[i] + c1 * g;                                                           \
            T vi = beta2 * v[i] + c2 * g * g;                                                       \
            m[i] = mi;                                                                              \
            v[i] = vi;                                                                              \
            T s = vi;                                                                               \
            if (AMSGRAD) {                                                                          \
                s = vmax[i] > vi ? vmax[i] : vi;                                                    \
                vmax[i] = s;                                                                        \
            }                                                                                       \
            T step = -step_size * mi / (SQRT(s) / bc2_root + eps);                                  \
            if (DECAY) step -= decay * p[i];                                                        \
            u[i] = step;                                                                            \
        })));                                                                                       \
    })                                                                                              \
    typedef struct {                                                                                \
        T *u, *m, *v, *vmax;                                                                        \
        const T *p;                                                                                 \
        T step_size, beta1, beta2, eps, coupled, decay, bc2_root;                                   \
    } keel_##P##_adam_args;                                                                         \
    static void keel_##P##_adam_range(void *ctx, long lo, long hi) {                                \
        const keel_##P##_adam_args *a = ctx;                                                        \
        keel_##P##_adam_impl(hi - lo, a->u + lo, a->p != NULL ? a->p + lo : NULL, a->m + lo, a->v + lo, \
                             a->vmax != NULL ? a->vmax + lo : NULL, a->step_size, a->beta1, a->beta2, a->eps, \
                             a->coupled, a->decay, a->bc2_root);                                    \
    }                                                                                               \
    void keel_##P##_adam_step(long n, T *u, const T *p, T *m, T *v, T *vmax, T lr, T beta1, T beta2, \
                              T eps, T wd, bool decoupled, T bc1, T bc2) {                          \
        unsigned fp = keel_fp_enter();                                                              \
        keel_##P##_adam_args args = {                                                               \
            .u = u, .m = m, .v = v, .vmax = vmax, .p = p, .step_size = lr / bc1, .beta1 = beta1,     \
            .beta2 = beta2, .eps = eps, .coupled = decoupled ? (T)0 : wd, .decay = decoupled ? lr * wd : (T)0, \
            .bc2_root = SQRT(bc2),                                                                  \
        };                                                                                          \
        /* elementwise: any split gives the same bits */                                            \
        keel_parallel_ranges(keel_##P##_adam_range, &args, n, KEEL_ELEMENTWISE_GRAIN);             \
        keel_fp_exit(fp);                                                                           \
    }                                                                                               \
                                                                                                    \
    KEEL_EW_VARIANTS(void, keel_##P##_rmsprop_impl,                                                 \
        (long n, T *restrict u, const T *restrict p, T *restrict sq, T *restrict gavg, T *restrict buf, T lr, \
         T alpha, T eps, T wd, T momentum),                                                         \
        (n, u, p, sq, gavg, buf, lr, alpha, eps, wd, momentum), {                                  \
        const T c = (T)1 - alpha;                                                                   \
        KEEL_IF(wd != 0, DECAY, KEEL_IF(gavg != 0, CENTERED, KEEL_IF(buf != 0, MOMENTUM,           \
        for (long i = 0; i < n; i++) {                                                              \
            T g = u[i];                                                                             \
            if (DECAY) g += wd * p[i];                                                              \
            T s = alpha * sq[i] + c * g * g;                                                        \
            sq[i] = s;                                                                              \
            if (CENTERED) {                                                                         \
                T a = alpha * gavg[i] + c * g;                                                      \
                gavg[i] = a;                                                                        \
                /* The variance s - a^2: never negative (rounding), and +inf, not inf - inf = NaN,  \
                   when a huge gradient overflowed s; the update is then 0 as when uncentered. */  \
                T variance = s - a * a;                                                             \
                s = s == (T)INFINITY ? s : (variance > 0 ? variance : (T)0);                        \
            }                                                                                       \
            T avg = SQRT(s) + eps;                                                                  \
            if (MOMENTUM) {                                                                         \
                T b = momentum * buf[i] + g / avg;                                                  \
                buf[i] = b;                                                                         \
                u[i] = -lr * b;                                                                     \
            } else {                                                                                \
                u[i] = -lr * g / avg;                                                               \
            }                                                                                       \
        })));                                                                                       \
    })                                                                                              \
    typedef struct {                                                                                \
        T *u, *sq, *gavg, *buf;                                                                     \
        const T *p;                                                                                 \
        T lr, alpha, eps, wd, momentum;                                                             \
    } keel_##P##_rmsprop_args;                                                                      \
    static void keel_##P##_rmsprop_range(void *ctx, long lo, long hi) {                             \
        const keel_##P##_rmsprop_args *a = ctx;                                                     \
        keel_##P##_rmsprop_impl(hi - lo, a->u + lo, KEEL_AT(a->p, lo), a->sq + lo, KEEL_AT(a->gavg, lo), \
                                KEEL_AT(a->buf, lo), a->lr, a->alpha, a->eps, a->wd, a->momentum);  \
    }                                                                                               \
    void keel_##P##_rmsprop_step(long n, T *u, const T *p, T *sq, T *gavg, T *buf, T lr, T alpha,  \
                                 T eps, T wd, T momentum) {                                         \
        unsigned fp = keel_fp_enter();                                                              \
        keel_##P##_rmsprop_args args = {                                                            \
            .u = u, .sq = sq, .gavg = gavg, .buf = buf, .p = p, .lr = lr, .alpha = alpha, .eps = eps, \
            .wd = wd, .momentum = momentum,                                                         \
        };                                                                                          \
        keel_parallel_ranges(keel_##P##_rmsprop_range, &args, n, KEEL_ELEMENTWISE_GRAIN);           \
        keel_fp_exit(fp);                                                                           \
    }                                                                                               \
                                                                                                    \
    KEEL_EW_VARIANTS(void, keel_##P##_adagrad_impl,                                                 \
        (long n, T *restrict u, const T *restrict p, T *restrict sum, T lr, T eps, T wd),           \
        (n, u, p, sum, lr, eps, wd), {                                                              \
        KEEL_IF(wd != 0, DECAY,                                                                     \
        for (long i = 0; i < n; i++) {                                                              \
            T g = u[i];                                                                             \
            if (DECAY) g += wd * p[i];                                                              \
            T s = sum[i] + g * g;                                                                   \
            sum[i] = s;                                                                             \
            u[i] = -lr * g / (SQRT(s) + eps);                                                       \
        });                                                                                         \
    })                                                                                              \
    typedef struct {                                                                                \
        T *u, *sum;                                                                                 \
        const T *p;                                                                                 \
        T lr, eps, wd;                                                                              \
    } keel_##P##_adagrad_args;                                                                      \
    static void keel_##P##_adagrad_range(void *ctx, long lo, long hi) {                             \
        const keel_##P##_adagrad_args *a = ctx;                                                     \
        keel_##P##_adagrad_impl(hi - lo, a->u + lo, KEEL_AT(a->p, lo), a->sum + lo, a->lr, a->eps, a->wd); \
    }                                                                                               \
    void keel_##P##_adagrad_step(long n, T *u, const T *p, T *sum, T lr, T eps, T wd) {             \
        unsigned fp = keel_fp_enter();                                                              \
        keel_##P##_adagrad_args args = { .u = u, .sum = sum, .p = p, .lr = lr, .eps = eps, .wd = wd }; \
        keel_parallel_ranges(keel_##P##_adagrad_range, &args, n, KEEL_ELEMENTWISE_GRAIN);           \
        keel_fp_exit(fp);                                                                           \
    }                                                                                               \
                                                                                                    \
    KEEL_EW_VARIANTS(void, keel_##P##_lion_impl,                                                    \
        (long n, T *restrict u, const T *restrict p, T *restrict m, T lr, T beta1, T beta2, T decay), \
        (n, u, p, m, lr, beta1, beta2, decay), {                                                    \
        const T c1 = (T)1 - beta1, c2 = (T)1 - beta2;                                               \
        KEEL_IF(decay != 0, DECAY,                                                                  \
        for (long i = 0; i < n; i++) {                                                              \
            T g = u[i], mi = m[i];                                                                  \
            T c = beta1 * mi + c1 * g;                                                              \
            T step = -lr * KEEL_SIGN(c);                                                            \
            if (DECAY) step -= decay * p[i];                                                        \
            u[i] = step;                                                                            \
            m[i] = beta2 * mi + c2 * g;                                                             \
        });                                                                                         \
    })                                                                                              \
    typedef struct {                                                                                \
        T *u, *m;                                                                                   \
        const T *p;                                                                                 \
        T lr, beta1, beta2, decay;                                                                  \
    } keel_##P##_lion_args;                                                                         \
    static void keel_##P##_lion_range(void *ctx, long lo, long hi) {                                \
        const keel_##P##_lion_args *a = ctx;                                                        \
        keel_##P##_lion_impl(hi - lo, a->u + lo, KEEL_AT(a->p, lo), a->m + lo, a->lr, a->beta1, a->beta2, a->decay); \
    }                                                                                               \
    void keel_##P##_lion_step(long n, T *u, const T *p, T *m, T lr, T beta1, T beta2, T wd) {       \
        unsigned fp = keel_fp_enter();                                                              \
        keel_##P##_lion_args args = { .u = u, .m = m, .p = p, .lr = lr, .beta1 = beta1, .beta2 = beta2, .decay = lr * wd }; \
        keel_parallel_ranges(keel_##P##_lion_range, &args, n, KEEL_ELEMENTWISE_GRAIN);              \
        keel_fp_exit(fp);                                                                           \
    }                                                                                               \
                                                                                                    \
    KEEL_EW_VARIANTS(void, keel_##P##_add_scaled_sign_impl,                                         \
        (long n, T *restrict u, const T *restrict p, T alpha), (n, u, p, alpha), {                  \
        for (long i = 0; i < n; i++) u[i] += alpha * KEEL_SIGN(p[i]);                               \
    })                                                                                              \
    typedef struct {                                                                                \
        T *u;                                                                                       \
        const T *p;                                                                                 \
        T alpha;                                                                                    \
    } keel_##P##_scaled_sign_args;                                                                  \
    static void keel_##P##_scaled_sign_range(void *ctx, long lo, long hi) {                         \
        const keel_##P##_scaled_sign_args *a = ctx;                                                 \
        keel_##P##_add_scaled_sign_impl(hi - lo, a->u + lo, a->p + lo, a->alpha);                   \
    }                                                                                               \
    void keel_##P##_add_scaled_sign(long n, T *u, const T *p, T alpha) {                            \
        unsigned fp = keel_fp_enter();                                                              \
        keel_##P##_scaled_sign_args args = { .u = u, .p = p, .alpha = alpha };                     \
        keel_parallel_ranges(keel_##P##_scaled_sign_range, &args, n, KEEL_ELEMENTWISE_GRAIN);       \
        keel_fp_exit(fp);                                                                           \
    }

#define T float
KEEL_DEFINE_OPTIMIZER_KERNELS(s, float, KEEL_SQRTF)
#undef T
#define T double
KEEL_DEFINE_OPTIMIZER_KERNELS(d, double, KEEL_SQRT)
#undef T
