/*
 * Softmax cross-entropy over rows of logits, fused: per row the max shift, exp (the vectorized
 * kernel), the log-sum-exp loss term and the gradient (softmax − one-hot) · scale, in one pass
 * over memory that stays in L1. Rows are independent, so large inputs are split over the worker
 * pool in fixed blocks of rows; each block's loss sum is kept separately and the blocks are added
 * in order, so the result does not depend on the thread count.
 */
#include "internal.h"
#include "threadpool.h"
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

#define KEEL_XENT_BLOCK_ROWS 64L
/* Below this many logits one thread does it all (waking a worker costs more). */
#define KEEL_XENT_MIN_PARALLEL 32768L

#define KEEL_DEFINE_SOFTMAX_XENT(P, T)                                                             \
    typedef struct {                                                                               \
        long rows, classes;                                                                        \
        const T *logits;                                                                           \
        const long *targets;                                                                       \
        T scale;                                                                                   \
        T *grad;                                                                                   \
        double *partials;                                                                          \
        long blocks;                                                                               \
        _Atomic long next;                                                                         \
    } keel_##P##_xent_job;                                                                         \
                                                                                                   \
    static double keel_##P##_xent_rows(const keel_##P##_xent_job *job, long r0, long r1) {         \
        const long C = job->classes;                                                               \
        double total = 0;                                                                          \
        for (long r = r0; r < r1; r++) {                                                           \
            const T *x = job->logits + r * C;                                                      \
            T *g = job->grad + r * C;                                                              \
            const long target = job->targets[r];                                                   \
            if (target < 0) {                                                                      \
                for (long j = 0; j < C; j++) g[j] = 0;                                             \
                continue;                                                                          \
            }                                                                                      \
            T largest = x[0];                                                                      \
            int nan = isnan(x[0]);                                                                 \
            for (long j = 1; j < C; j++) {                                                         \
                if (x[j] > largest) largest = x[j];                                                \
                nan |= isnan(x[j]);                                                                \
            }                                                                                      \
            if (nan) largest = (T)NAN;                                                             \
            for (long j = 0; j < C; j++) g[j] = x[j] - largest;                                    \
            const T shifted_target = g[target];                                                    \
            keel_##P##_exp_in_kernel(C, g, g);                                                     \
            T sum = 0;                                                                             \
            for (long j = 0; j < C; j++) sum += g[j];                                              \
            total += log((double)sum) - (double)shifted_target;                                    \
            const T factor = job->scale / sum;                                                     \
            for (long j = 0; j < C; j++) g[j] *= factor;                                           \
            g[target] -= job->scale;                                                               \
        }                                                                                          \
        return total;                                                                              \
    }                                                                                              \
                                                                                                   \
    /* Rows of block b, its loss sum into partials[b] (when there is room for it) and returned. */ \
    static double keel_##P##_xent_block(const keel_##P##_xent_job *job, long b) {                  \
        const long r0 = b * KEEL_XENT_BLOCK_ROWS, r1 = r0 + KEEL_XENT_BLOCK_ROWS;                  \
        const double sum = keel_##P##_xent_rows(job, r0, r1 < job->rows ? r1 : job->rows);         \
        if (job->partials != NULL) job->partials[b] = sum;                                         \
        return sum;                                                                                \
    }                                                                                              \
                                                                                                   \
    static void keel_##P##_xent_task(void *ctx, int tid, int nthreads) {                           \
        (void)tid;                                                                                 \
        (void)nthreads;                                                                            \
        keel_##P##_xent_job *job = ctx;                                                            \
        for (;;) {                                                                                 \
            long b = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);               \
            if (b >= job->blocks) break;                                                           \
            (void)keel_##P##_xent_block(job, b);                                                   \
        }                                                                                          \
    }                                                                                              \
                                                                                                   \
    double keel_##P##_softmax_cross_entropy(long rows, long classes, const T *logits,              \
                                            const long *targets, T scale, T *grad) {               \
        if (rows <= 0 || classes <= 0) return 0;                                                   \
        const long blocks = (rows + KEEL_XENT_BLOCK_ROWS - 1) / KEEL_XENT_BLOCK_ROWS;              \
        keel_##P##_xent_job job = {                                                                \
            .rows = rows, .classes = classes, .logits = logits, .targets = targets, .scale = scale, \
            .grad = grad, .partials = malloc((size_t)blocks * sizeof(double)), .blocks = blocks,   \
        };                                                                                         \
        atomic_init(&job.next, 0);                                                                 \
        unsigned fp = keel_fp_enter();                                                             \
        double total = 0;                                                                          \
        const int threads = keel_num_threads();                                                    \
        if (job.partials != NULL && threads > 1 && blocks > 1 && rows * classes >= KEEL_XENT_MIN_PARALLEL) { \
            keel_parallel_run(keel_##P##_xent_task, &job, threads, keel_current_csr());            \
            for (long b = 0; b < blocks; b++) total += job.partials[b];                            \
        } else {                                                                                   \
            /* one thread, blocks in order: the same sums in the same order */                     \
            for (long b = 0; b < blocks; b++) total += keel_##P##_xent_block(&job, b);             \
        }                                                                                          \
        free(job.partials);                                                                        \
        keel_fp_exit(fp);                                                                          \
        return total;                                                                              \
    }

KEEL_DEFINE_SOFTMAX_XENT(s, float)
KEEL_DEFINE_SOFTMAX_XENT(d, double)
