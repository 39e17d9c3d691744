/*
 * GEMM entry points: C = alpha * op(A) * op(B) + beta * C, row-major.
 *
 * A blocked, packed GEMM (see gemm_internal.h for the loop nest and the packed layouts). The
 * register-tiled micro-kernels and the blocking parameters come from the run-time kernel path
 * (keel_current_kernel_path): AVX-512, AVX2+FMA, NEON or portable C. Large products are split over
 * the columns (or, when C is narrow, the rows) of C between the threads of the worker pool; each
 * thread packs its own panels into thread-local buffers, so threads never wait on each other.
 */
#include "gemm_internal.h"
#include "threadpool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Products below this many FLOPs (2 M N K) per thread run on one thread: below it the wake-up and
 * the duplicated packing cost more than the second core gains (measured on the 2-core test VM). */
#define KEEL_GEMM_MIN_FLOPS_PER_THREAD 1500000.0

/* ------------------------------------------------------------ workspace */

/* Per-thread packing buffers, 64-byte aligned, grown on demand and freed at thread exit. */
typedef struct {
    void *ptr;
    size_t size;
} keel_gemm_buffer;

static pthread_key_t keel_gemm_key;
static pthread_once_t keel_gemm_key_once = PTHREAD_ONCE_INIT;

static void keel_gemm_buffer_free(void *p) {
    keel_gemm_buffer *buf = p;
    if (buf == NULL) return;
    free(buf->ptr);
    free(buf);
}

static void keel_gemm_key_init(void) { (void)pthread_key_create(&keel_gemm_key, keel_gemm_buffer_free); }

/* A buffer of at least `bytes` for the calling thread, or NULL when out of memory. */
static void *keel_gemm_workspace(size_t bytes) {
    pthread_once(&keel_gemm_key_once, keel_gemm_key_init);
    keel_gemm_buffer *buf = pthread_getspecific(keel_gemm_key);
    if (buf == NULL) {
        buf = calloc(1, sizeof *buf);
        if (buf == NULL) return NULL;
        if (pthread_setspecific(keel_gemm_key, buf) != 0) {
            free(buf);
            return NULL;
        }
    }
    if (buf->size < bytes) {
        free(buf->ptr);
        buf->ptr = NULL;
        buf->size = 0;
        size_t size = (bytes + 4095) & ~(size_t)4095;
        void *p = NULL;
        if (posix_memalign(&p, 4096, size) != 0) return NULL;
        buf->ptr = p;
        buf->size = size;
    }
    return buf->ptr;
}

/* ----------------------------------------------------------- the driver */

/*
 * KEEL_DEFINE_GEMM_DRIVER(P, T, IMPL): for one scalar type,
 *   P##gemm_scale_c    C = beta * C (beta == 0 writes zeros),
 *   P##gemm_naive      the plain triple loop (used when no workspace can be allocated),
 *   P##gemm_blocked    the single-threaded blocked product on one part of C,
 *   P##gemm_task       a thread's share of a parallel product,
 *   P##gemm_run        choice of implementation and thread count.
 */
#define KEEL_DEFINE_GEMM_DRIVER(P, T, IMPL)                                                         \
    static void P##gemm_scale_c(long M, long N, T beta, T *C, long ldc) {                          \
        for (long i = 0; i < M; i++) {                                                              \
            T *c = C + i * ldc;                                                                     \
            if (beta == (T)0) {                                                                     \
                for (long j = 0; j < N; j++) c[j] = (T)0;                                           \
            } else if (beta != (T)1) {                                                              \
                for (long j = 0; j < N; j++) c[j] *= beta;                                          \
            }                                                                                       \
        }                                                                                           \
    }                                                                                               \
                                                                                                    \
    static void P##gemm_naive(bool transA, bool transB, long M, long N, long K, T alpha,           \
                              const T *A, long lda, const T *B, long ldb, T beta, T *C, long ldc) { \
        P##gemm_scale_c(M, N, beta, C, ldc);                                                        \
        for (long i = 0; i < M; i++) {                                                              \
            T *c = C + i * ldc;                                                                     \
            for (long p = 0; p < K; p++) {                                                          \
                T a = alpha * (transA ? A[p * lda + i] : A[i * lda + p]);                           \
                for (long j = 0; j < N; j++) c[j] += a * (transB ? B[j * ldb + p] : B[p * ldb + j]); \
            }                                                                                       \
        }                                                                                           \
    }                                                                                               \
                                                                                                    \
    static size_t P##gemm_workspace_bytes(const IMPL *im, long M, long N, long K) {                 \
        long kc = K < im->kc ? K : im->kc;                                                          \
        long mc = M < im->mc ? M : im->mc;                                                          \
        long nc = N < im->nc ? N : im->nc;                                                          \
        mc = (mc + im->mr - 1) / im->mr * im->mr;                                                   \
        nc = (nc + im->nr - 1) / im->nr * im->nr;                                                   \
        /* A block, then B block at a 4 KiB boundary */                                             \
        size_t abytes = ((size_t)mc * (size_t)kc * sizeof(T) + 4095) & ~(size_t)4095;               \
        return abytes + (size_t)kc * (size_t)nc * sizeof(T) + 4096;                                 \
    }                                                                                               \
                                                                                                    \
    /* Returns false when no workspace could be allocated (C untouched). */                         \
    static bool P##gemm_blocked(const IMPL *im, bool transA, bool transB, long M, long N, long K,  \
                                T alpha, const T *A, long lda, const T *B, long ldb, T beta, T *C,  \
                                long ldc) {                                                         \
        size_t bytes = P##gemm_workspace_bytes(im, M, N, K);                                        \
        char *ws = keel_gemm_workspace(bytes);                                                      \
        if (ws == NULL) return false;                                                               \
        const long MR = im->mr, NR = im->nr;                                                        \
        const long KC = im->kc, MC = im->mc, NC = im->nc;                                           \
        long kcmax = K < KC ? K : KC;                                                               \
        long mcmax = (M < MC ? M : MC);                                                             \
        mcmax = (mcmax + MR - 1) / MR * MR;                                                         \
        T *abuf = (T *)ws;                                                                          \
        T *bbuf = (T *)(ws + (((size_t)mcmax * (size_t)kcmax * sizeof(T) + 4095) & ~(size_t)4095)); \
        for (long jc = 0; jc < N; jc += NC) {                                                       \
            long nc = N - jc < NC ? N - jc : NC;                                                    \
            for (long pc = 0; pc < K; pc += KC) {                                                   \
                long kc = K - pc < KC ? K - pc : KC;                                                \
                T beta_k = pc == 0 ? beta : (T)1;                                                   \
                for (long ic = 0; ic < M; ic += MC) {                                               \
                    long mc = M - ic < MC ? M - ic : MC;                                            \
                    for (long ir = 0; ir < mc; ir += MR) {                                          \
                        long i = ic + ir;                                                           \
                        const T *a = transA ? A + pc * lda + i : A + i * lda + pc;                  \
                        int m = (int)(mc - ir < MR ? mc - ir : MR);                                 \
                        im->pack_a(!transA, kc, m, a, lda, abuf + ir * kc);                         \
                    }                                                                               \
                    for (long jr = 0; jr < nc; jr += NR) {                                          \
                        long j = jc + jr;                                                           \
                        int n = (int)(nc - jr < NR ? nc - jr : NR);                                 \
                        T *bp = bbuf + jr * kc;                                                     \
                        if (ic == 0) {                                                              \
                            const T *b = transB ? B + j * ldb + pc : B + pc * ldb + j;              \
                            im->pack_b(transB, kc, n, b, ldb, bp);                                  \
                        }                                                                           \
                        for (long ir = 0; ir < mc; ir += MR) {                                      \
                            int m = (int)(mc - ir < MR ? mc - ir : MR);                             \
                            im->kernel(kc, abuf + ir * kc, bp, C + (ic + ir) * ldc + j, ldc, m, n,  \
                                       alpha, beta_k);                                              \
                        }                                                                           \
                    }                                                                               \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
        return true;                                                                                \
    }                                                                                               \
                                                                                                    \
    typedef struct {                                                                                \
        const IMPL *im;                                                                             \
        bool transA, transB, split_n;                                                               \
        long M, N, K, unit;                                                                         \
        T alpha, beta;                                                                              \
        const T *A, *B;                                                                             \
        T *C;                                                                                       \
        long lda, ldb, ldc;                                                                         \
    } P##gemm_job;                                                                                  \
                                                                                                    \
    static void P##gemm_task(void *ctx, int tid, int nthreads) {                                    \
        const P##gemm_job *job = ctx;                                                               \
        long dim = job->split_n ? job->N : job->M;                                                  \
        long units = (dim + job->unit - 1) / job->unit;                                             \
        long u0 = units * tid / nthreads, u1 = units * (tid + 1) / nthreads;                        \
        long lo = u0 * job->unit, hi = u1 * job->unit < dim ? u1 * job->unit : dim;                 \
        if (lo >= hi) return;                                                                       \
        const T *A = job->A, *B = job->B;                                                           \
        T *C = job->C;                                                                              \
        long M = job->M, N = job->N;                                                                \
        if (job->split_n) {                                                                         \
            B += job->transB ? lo * job->ldb : lo;                                                  \
            C += lo;                                                                                \
            N = hi - lo;                                                                            \
        } else {                                                                                    \
            A += job->transA ? lo : lo * job->lda;                                                  \
            C += lo * job->ldc;                                                                     \
            M = hi - lo;                                                                            \
        }                                                                                           \
        if (!P##gemm_blocked(job->im, job->transA, job->transB, M, N, job->K, job->alpha, A,        \
                             job->lda, B, job->ldb, job->beta, C, job->ldc))                        \
            P##gemm_naive(job->transA, job->transB, M, N, job->K, job->alpha, A, job->lda, B,       \
                          job->ldb, job->beta, C, job->ldc);                                        \
    }                                                                                               \
                                                                                                    \
    static void P##gemm_run(const IMPL *im, bool transA, bool transB, long M, long N, long K,      \
                            T alpha, const T *A, long lda, const T *B, long ldb, T beta, T *C,      \
                            long ldc, unsigned csr) {                                               \
        P##gemm_job job = {im, transA, transB, true, M, N, K, 1, alpha, beta, A, B, C,              \
                           lda, ldb, ldc};                                                          \
        int threads = keel_num_threads();                                                           \
        double flops = 2.0 * (double)M * (double)N * (double)K;                                     \
        double by_work = flops / KEEL_GEMM_MIN_FLOPS_PER_THREAD;                                    \
        if (by_work < (double)threads) threads = by_work < 1.0 ? 1 : (int)by_work;                  \
        if (threads > 1) {                                                                          \
            /* Split the columns in whole cache lines, unless C is too narrow for that. */          \
            long unit_n = 64 / (long)sizeof(T);                                                     \
            long units_n = (N + unit_n - 1) / unit_n, units_m = (M + im->mr - 1) / im->mr;          \
            if (units_n >= 4L * threads || units_n >= units_m) {                                    \
                job.split_n = true;                                                                 \
                job.unit = unit_n;                                                                  \
                if (units_n < threads) threads = (int)units_n;                                      \
            } else {                                                                                \
                job.split_n = false;                                                                \
                job.unit = im->mr;                                                                  \
                if (units_m < threads) threads = (int)units_m;                                      \
            }                                                                                       \
        }                                                                                           \
        if (threads <= 1) {                                                                         \
            P##gemm_task(&job, 0, 1);                                                               \
            return;                                                                                 \
        }                                                                                           \
        keel_parallel_run(P##gemm_task, &job, threads, csr);                                        \
    }

KEEL_DEFINE_GEMM_DRIVER(keel_s, float, keel_sgemm_impl)
KEEL_DEFINE_GEMM_DRIVER(keel_d, double, keel_dgemm_impl)

static const keel_sgemm_impl *keel_sgemm_select(void) {
    switch (keel_current_kernel_path()) {
#ifdef KEEL_X86
    case KEEL_PATH_AVX512: return &keel_sgemm_avx512_impl;
    case KEEL_PATH_AVX2: return &keel_sgemm_avx2_impl;
#endif
#ifdef KEEL_ARM64
    case KEEL_PATH_NEON: return &keel_sgemm_neon_impl;
#endif
    default: return &keel_sgemm_portable_impl;
    }
}

static const keel_dgemm_impl *keel_dgemm_select(void) {
    switch (keel_current_kernel_path()) {
#ifdef KEEL_X86
    case KEEL_PATH_AVX512: return &keel_dgemm_avx512_impl;
    case KEEL_PATH_AVX2: return &keel_dgemm_avx2_impl;
#endif
#ifdef KEEL_ARM64
    case KEEL_PATH_NEON: return &keel_dgemm_neon_impl;
#endif
    default: return &keel_dgemm_portable_impl;
    }
}

static inline unsigned keel_gemm_csr(void) {
#ifdef KEEL_X86
    return _mm_getcsr();
#else
    return 0;
#endif
}

#define KEEL_DEFINE_GEMM(NAME, P, T, SELECT)                                                        \
    void NAME(bool transA, bool transB, long M, long N, long K, T alpha, const T *A, long lda,      \
              const T *B, long ldb, T beta, T *C, long ldc) {                                       \
        if (M <= 0 || N <= 0) return;                                                               \
        unsigned fp = keel_fp_enter();                                                              \
        if (K <= 0 || alpha == (T)0) {                                                              \
            P##gemm_scale_c(M, N, beta, C, ldc);                                                    \
        } else {                                                                                    \
            P##gemm_run(SELECT(), transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc,     \
                        keel_gemm_csr());                                                           \
        }                                                                                           \
        keel_fp_exit(fp);                                                                           \
    }

KEEL_DEFINE_GEMM(keel_sgemm, keel_s, float, keel_sgemm_select)
KEEL_DEFINE_GEMM(keel_dgemm, keel_d, double, keel_dgemm_select)
