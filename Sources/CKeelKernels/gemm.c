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
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Products below this many FLOPs (2 M N K) per thread run on one thread: below it the wake-up and
 * the duplicated packing cost more than the second core gains (measured on the 2-core test VM). */
#define KEEL_GEMM_MIN_FLOPS_PER_THREAD 1500000.0
/* Largest op(A) (bytes) a thread keeps packed whole in the small-M path. */
#define KEEL_GEMM_MAX_KEPT_A_BYTES (8.0 * 1024 * 1024)

/* ------------------------------------------------------------ workspace */

/* Per-thread buffers, page aligned, grown on demand and freed at thread exit; one per slot
 * (KEEL_THREAD_BUFFER_SLOTS in gemm_internal.h). Reused buffers matter: glibc serves every
 * same-size request at or above its mmap threshold with a fresh mapping, whose pages fault in
 * again on each call (the whole-sequence kernels' packed weights: ~1% of a char-LM step). */
typedef struct {
    void *ptr[KEEL_THREAD_BUFFER_SLOTS];
    size_t size[KEEL_THREAD_BUFFER_SLOTS];
} keel_thread_buffers;

static pthread_key_t keel_buffers_key;
static pthread_once_t keel_buffers_key_once = PTHREAD_ONCE_INIT;

static void keel_thread_buffers_free(void *p) {
    keel_thread_buffers *buffers = p;
    if (buffers == NULL) return;
    for (int i = 0; i < KEEL_THREAD_BUFFER_SLOTS; i++) free(buffers->ptr[i]);
    free(buffers);
}

static void keel_buffers_key_init(void) { (void)pthread_key_create(&keel_buffers_key, keel_thread_buffers_free); }

void *keel_thread_buffer(int slot, size_t bytes) {
    if (slot < 0 || slot >= KEEL_THREAD_BUFFER_SLOTS) return NULL;
    pthread_once(&keel_buffers_key_once, keel_buffers_key_init);
    keel_thread_buffers *buffers = pthread_getspecific(keel_buffers_key);
    if (buffers == NULL) {
        buffers = calloc(1, sizeof *buffers);
        if (buffers == NULL) return NULL;
        if (pthread_setspecific(keel_buffers_key, buffers) != 0) {
            free(buffers);
            return NULL;
        }
    }
    if (buffers->size[slot] < bytes || buffers->ptr[slot] == NULL) {
        free(buffers->ptr[slot]);
        buffers->ptr[slot] = NULL;
        buffers->size[slot] = 0;
        size_t size = (bytes + 4095) & ~(size_t)4095;
        void *p = NULL;
        if (posix_memalign(&p, 4096, size == 0 ? 4096 : size) != 0) return NULL;
        buffers->ptr[slot] = p;
        buffers->size[slot] = size;
    }
    return buffers->ptr[slot];
}

/* The GEMM driver's packing buffer for the calling thread. */
static void *keel_gemm_workspace(size_t bytes) { return keel_thread_buffer(KEEL_BUFFER_GEMM, bytes); }

/* ----------------------------------------------------------- the driver */

/*
 * Work is handed out in chunks of C (column ranges, or row ranges when C is narrow and tall) that
 * threads claim from an atomic counter: a thread that is late to wake up (or descheduled on a busy
 * machine) simply gets fewer chunks, and the calling thread does everything if no worker shows up.
 *
 * Small M (M <= mc, the recurrent-network case: batch x hidden times hidden x 4 hidden): the whole
 * of op(A) is packed once per thread and kept for all the chunks that thread computes; each KC x NR
 * micro-panel of op(B) is packed just before use and stays in L1 while the M/MR micro-tiles consume
 * it. Otherwise: the classic five loops on each chunk, with MC x KC blocks of A and KC x NC blocks
 * of B.
 *
 * KEEL_DEFINE_GEMM_DRIVER(P, T, IMPL) defines, for one scalar type:
 *   P##gemm_scale_c   C = beta * C (beta == 0 writes zeros),
 *   P##gemm_naive     the plain triple loop (used only when no workspace can be allocated),
 *   P##gemm_small_m   one column chunk of a small-M product,
 *   P##gemm_general   one chunk of any other product,
 *   P##gemm_task      a thread's loop over chunks,
 *   P##gemm_run       choice of chunking and thread count.
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
    typedef struct {                                                                                \
        const IMPL *im;                                                                             \
        bool transA, transB;                                                                        \
        bool small_m; /* keep all of packed op(A) per thread */                                     \
        bool split_m; /* chunks are row ranges (else column ranges) */                              \
        long M, N, K;                                                                               \
        T alpha, beta;                                                                              \
        const T *A, *B;                                                                             \
        const T *bpacked; /* op(B) pre-packed by P##gemm_pack_b_all, or NULL */                     \
        long npad;        /* N rounded up to NR: the stride of one KC block of bpacked */            \
        T *C;             /* column j of C is at C + (j - nbase) */                                 \
        long nbase;                                                                                 \
        long lda, ldb, ldc;                                                                         \
        long chunk, nchunks;                                                                        \
        long first, last; /* the chunks cover [first, last) of the split dimension */              \
        long grid_n, mchunk; /* grid_n > 0: 2-D chunks, row block c / grid_n of mchunk rows x      \
                                column block c % grid_n of `chunk` columns */                       \
        _Atomic long next;                                                                          \
    } P##gemm_job;                                                                                  \
                                                                                                    \
    /* Columns [n0, n1) of a small-M product; apack holds ceil(K / kc) packed A blocks, packed[]   \
     * says which are already there. */                                                             \
    static void P##gemm_small_m(const P##gemm_job *job, long n0, long n1, T *apack, bool *packed,  \
                                T *bpanel) {                                                        \
        const IMPL *im = job->im;                                                                   \
        const long MR = im->mr, NR = im->nr, KC = im->kc;                                           \
        const long M = job->M, K = job->K, lda = job->lda, ldb = job->ldb, ldc = job->ldc;          \
        const long mpad = (M + MR - 1) / MR * MR;                                                   \
        for (long pc = 0, blk = 0; pc < K; pc += KC, blk++) {                                       \
            long kc = K - pc < KC ? K - pc : KC;                                                    \
            T beta_k = pc == 0 ? job->beta : (T)1;                                                  \
            T *ablock = apack + mpad * pc;                                                          \
            if (!packed[blk]) {                                                                     \
                for (long i = 0; i < M; i += MR) {                                                  \
                    const T *a = job->transA ? job->A + pc * lda + i : job->A + i * lda + pc;       \
                    im->pack_a(!job->transA, kc, (int)(M - i < MR ? M - i : MR), a, lda,           \
                               ablock + i * kc);                                                    \
                }                                                                                   \
                packed[blk] = true;                                                                 \
            }                                                                                       \
            for (long j = n0; j < n1; j += NR) {                                                    \
                int n = (int)(n1 - j < NR ? n1 - j : NR);                                           \
                const T *bp = bpanel;                                                               \
                if (job->bpacked != NULL) {                                                         \
                    bp = job->bpacked + pc * job->npad + (j / NR) * kc * NR;                        \
                } else {                                                                            \
                    const T *b = job->transB ? job->B + j * ldb + pc : job->B + pc * ldb + j;       \
                    im->pack_b(job->transB, kc, n, b, ldb, bpanel);                                 \
                }                                                                                   \
                for (long i = 0; i < M; i += MR) {                                                  \
                    int m = (int)(M - i < MR ? M - i : MR);                                         \
                    im->kernel(kc, ablock + i * kc, bp, job->C + i * ldc + (j - job->nbase), ldc, m, n,            \
                               job->alpha, beta_k);                                                 \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }                                                                                               \
                                                                                                    \
    /* Rows [m0, m1) x columns [n0, n1) of C, five-loop blocked. */                                 \
    static void P##gemm_general(const P##gemm_job *job, long m0, long m1, long n0, long n1,        \
                                T *abuf, T *bbuf) {                                                 \
        const IMPL *im = job->im;                                                                   \
        const long MR = im->mr, NR = im->nr, KC = im->kc, MC = im->mc, NC = im->nc;                 \
        const long K = job->K, lda = job->lda, ldb = job->ldb, ldc = job->ldc;                      \
        const bool transA = job->transA, transB = job->transB;                                      \
        for (long jc = n0; jc < n1; jc += NC) {                                                     \
            long nc = n1 - jc < NC ? n1 - jc : NC;                                                  \
            for (long pc = 0; pc < K; pc += KC) {                                                   \
                long kc = K - pc < KC ? K - pc : KC;                                                \
                T beta_k = pc == 0 ? job->beta : (T)1;                                              \
                for (long ic = m0; ic < m1; ic += MC) {                                             \
                    long mc = m1 - ic < MC ? m1 - ic : MC;                                          \
                    for (long ir = 0; ir < mc; ir += MR) {                                          \
                        long i = ic + ir;                                                           \
                        const T *a = transA ? job->A + pc * lda + i : job->A + i * lda + pc;        \
                        im->pack_a(!transA, kc, (int)(mc - ir < MR ? mc - ir : MR), a, lda,        \
                                   abuf + ir * kc);                                                 \
                    }                                                                               \
                    for (long jr = 0; jr < nc; jr += NR) {                                          \
                        long j = jc + jr;                                                           \
                        int n = (int)(nc - jr < NR ? nc - jr : NR);                                 \
                        T *bp = bbuf + jr * kc;                                                     \
                        if (job->bpacked != NULL) {                                                 \
                            bp = (T *)job->bpacked + pc * job->npad + (j / NR) * kc * NR;           \
                        } else if (ic == m0) {                                                      \
                            const T *b = transB ? job->B + j * ldb + pc : job->B + pc * ldb + j;    \
                            im->pack_b(transB, kc, n, b, ldb, bp);                                  \
                        }                                                                           \
                        for (long ir = 0; ir < mc; ir += MR) {                                      \
                            int m = (int)(mc - ir < MR ? mc - ir : MR);                             \
                            im->kernel(kc, abuf + ir * kc, bp, job->C + (ic + ir) * ldc + (j - job->nbase), ldc, \
                                       m, n, job->alpha, beta_k);                                   \
                        }                                                                           \
                    }                                                                               \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }                                                                                               \
                                                                                                    \
    static void P##gemm_task(void *ctx, int tid, int nthreads) {                                    \
        (void)tid;                                                                                  \
        (void)nthreads;                                                                             \
        P##gemm_job *job = ctx;                                                                     \
        const IMPL *im = job->im;                                                                   \
        const long MR = im->mr, NR = im->nr;                                                        \
        const long kcmax = job->K < im->kc ? job->K : im->kc;                                       \
        const long kblocks = (job->K + im->kc - 1) / im->kc;                                        \
        size_t abytes, bbytes;                                                                      \
        if (job->small_m) {                                                                         \
            abytes = (size_t)((job->M + MR - 1) / MR * MR) * (size_t)job->K * sizeof(T);           \
            bbytes = (size_t)kcmax * (size_t)NR * sizeof(T) + (size_t)kblocks;                      \
        } else {                                                                                    \
            long mc = job->M < im->mc ? job->M : im->mc;                                            \
            long nc = job->N < im->nc ? job->N : im->nc;                                            \
            abytes = (size_t)((mc + MR - 1) / MR * MR) * (size_t)kcmax * sizeof(T);                 \
            bbytes = (size_t)((nc + NR - 1) / NR * NR) * (size_t)kcmax * sizeof(T);                 \
        }                                                                                           \
        abytes = (abytes + 4095) & ~(size_t)4095;                                                   \
        char *ws = keel_gemm_workspace(abytes + bbytes);                                            \
        bool *packed = NULL;                                                                        \
        if (ws != NULL && job->small_m) {                                                           \
            packed = (bool *)(ws + abytes + (size_t)kcmax * (size_t)NR * sizeof(T));                \
            memset(packed, 0, (size_t)kblocks);                                                     \
        }                                                                                           \
        for (;;) {                                                                                  \
            long c = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);                \
            if (c >= job->nchunks) break;                                                           \
            long lo = job->first + c * job->chunk;                                                  \
            long hi = lo + job->chunk < job->last ? lo + job->chunk : job->last;                    \
            long m0 = 0, m1 = job->M, n0 = 0, n1 = job->N;                                          \
            if (job->grid_n > 0) {                                                                  \
                m0 = (c / job->grid_n) * job->mchunk;                                               \
                m1 = m0 + job->mchunk < job->M ? m0 + job->mchunk : job->M;                         \
                n0 = (c % job->grid_n) * job->chunk;                                                \
                n1 = n0 + job->chunk < job->N ? n0 + job->chunk : job->N;                           \
            } else if (job->split_m) {                                                              \
                m0 = lo;                                                                            \
                m1 = hi;                                                                            \
            } else {                                                                                \
                n0 = lo;                                                                            \
                n1 = hi;                                                                            \
            }                                                                                       \
            if (ws == NULL) {                                                                       \
                const T *A = job->transA ? job->A + m0 : job->A + m0 * job->lda;                    \
                const T *B = job->transB ? job->B + n0 * job->ldb : job->B + n0;                    \
                P##gemm_naive(job->transA, job->transB, m1 - m0, n1 - n0, job->K, job->alpha, A,    \
                              job->lda, B, job->ldb, job->beta, job->C + m0 * job->ldc + (n0 - job->nbase), \
                              job->ldc);                                                            \
            } else if (job->small_m) {                                                              \
                P##gemm_small_m(job, n0, n1, (T *)ws, packed, (T *)(ws + abytes));                 \
            } else {                                                                                \
                P##gemm_general(job, m0, m1, n0, n1, (T *)ws, (T *)(ws + abytes));                 \
            }                                                                                       \
        }                                                                                           \
    }                                                                                               \
                                                                                                    \
    /* Whole panels of `width` per chunk so that `want` chunks split `extent` as evenly as panel   \
     * boundaries allow: the nearest whole number of panels to extent / (want * width), so a        \
     * ragged last panel (577 = 12 x 48 + 1 columns) does not give one thread 7 panels and the     \
     * other 5 plus a column; any remainder becomes a small extra chunk, claimed by whoever is     \
     * free first. */                                                                              \
    static long P##gemm_panels_per_chunk(long extent, long width, long want) {                      \
        long per = (2 * extent + want * width) / (2 * want * width);                                \
        return per < 1 ? 1 : per;                                                                   \
    }                                                                                               \
                                                                                                    \
    static void P##gemm_run(const IMPL *im, bool transA, bool transB, long M, long N, long K,      \
                            T alpha, const T *A, long lda, const T *B, long ldb, T beta, T *C,      \
                            long ldc, unsigned csr, const T *bpacked, int max_threads) {            \
        P##gemm_job job = {                                                                         \
            .im = im, .transA = transA, .transB = transB, .small_m = false, .split_m = false,        \
            .M = M, .N = N, .K = K, .alpha = alpha, .beta = beta, .A = A, .B = B, .C = C, .nbase = 0, \
            .bpacked = bpacked, .npad = (N + im->nr - 1) / im->nr * im->nr,                         \
            .lda = lda, .ldb = ldb, .ldc = ldc, .chunk = N, .nchunks = 1, .first = 0, .last = N,    \
        };                                                                                          \
        atomic_init(&job.next, 0);                                                                  \
        /* keep all of packed A per thread when M fits one MC block and A is not huge */            \
        job.small_m = M <= im->mc && (double)M * (double)K * sizeof(T) <= KEEL_GEMM_MAX_KEPT_A_BYTES;  \
        int threads = keel_num_threads();                                                           \
        if (threads > max_threads) threads = max_threads;                                           \
        double flops = 2.0 * (double)M * (double)N * (double)K;                                     \
        double by_work = flops / KEEL_GEMM_MIN_FLOPS_PER_THREAD;                                    \
        if (by_work < (double)threads) threads = by_work < 1.0 ? 1 : (int)by_work;                  \
        if (threads > 1) {                                                                          \
            long npanels = (N + im->nr - 1) / im->nr, mpanels = (M + im->mr - 1) / im->mr;          \
            /* Column chunks of whole micro-panels (several per thread when A is kept), unless C   \
             * has too few column panels to share evenly and enough row panels: then row chunks. */ \
            /* With op(B) pre-packed, row chunks pack nothing twice (each thread packs only its    \
             * rows of A), while column chunks would have every thread pack all of A.             \
             * The result is the same either way: same panels, kernels and k order per element. */ \
            bool rows_first = bpacked != NULL && mpanels >= 2L * threads;                           \
            /* Without pre-packing, each thread of a column split packs all of op(A) (M x K) and   \
             * each thread of a row split all of op(B) (K x N): split the side that is larger, so \
             * the smaller operand is the one packed twice (BPTT's dW = dZ^T [h|x|1] has M = 4H,  \
             * N = H + I + 1; the input gradient dZ W has M = T*B rows). */                        \
            if (!rows_first && !job.small_m && bpacked == NULL && M > N && mpanels >= 2L * threads) rows_first = true; \
            if (!rows_first && (npanels >= 2L * threads || mpanels < 2L * threads)) {               \
                long want = job.small_m ? 4L * threads : (long)threads;                             \
                long per = P##gemm_panels_per_chunk(N, im->nr, want);                               \
                job.chunk = per * im->nr;                                                           \
                job.nchunks = (N + job.chunk - 1) / job.chunk;                                      \
            } else {                                                                                \
                job.small_m = false;                                                                \
                job.split_m = true;                                                                 \
                job.last = M;                                                                       \
                long per = P##gemm_panels_per_chunk(M, im->mr, threads);                            \
                job.chunk = per * im->mr;                                                           \
                job.nchunks = (M + job.chunk - 1) / job.chunk;                                      \
            }                                                                                       \
            /* Neither side alone has a chunk for every thread (the dW of a small RNN: M = H = 128, \
             * N = 131, K = T*B): a grid of row x column blocks, each thread packing only its     \
             * blocks of A and B. Same panels, kernels and k order per element as any chunking.  */ \
            if (job.nchunks < threads && bpacked == NULL && npanels >= 2 && mpanels >= 2) {         \
                long gn = npanels < threads ? npanels : threads;                                    \
                long gm = (threads + gn - 1) / gn;                                                  \
                if (gm > mpanels) gm = mpanels;                                                     \
                long nper = P##gemm_panels_per_chunk(N, im->nr, gn), mper = P##gemm_panels_per_chunk(M, im->mr, gm); \
                long ncount = (N + nper * im->nr - 1) / (nper * im->nr), mcount = (M + mper * im->mr - 1) / (mper * im->mr); \
                if (ncount * mcount > job.nchunks) {                                                \
                    job.small_m = false;                                                            \
                    job.split_m = false;                                                            \
                    job.chunk = nper * im->nr;                                                      \
                    job.mchunk = mper * im->mr;                                                     \
                    job.grid_n = ncount;                                                            \
                    job.nchunks = ncount * mcount;                                                  \
                }                                                                                   \
            }                                                                                       \
            if (job.nchunks < threads) threads = (int)job.nchunks;                                  \
        }                                                                                           \
        if (threads <= 1) {                                                                         \
            P##gemm_task(&job, 0, 1);                                                               \
            return;                                                                                 \
        }                                                                                           \
        /* workers that join claim chunks; the caller claims whatever is left */                    \
        keel_parallel_run(P##gemm_task, &job, threads, csr);                                        \
    }                                                                                               \
                                                                                                    \
    /* Columns [n0, n1) of the product on the calling thread, written at C (column n0 of the      \
     * result is C[0]); n0 is a multiple of NR, so every element gets the panel, kernel and k     \
     * order it gets in the whole product, hence the same bits. */                                 \
    static void P##gemm_columns(const IMPL *im, bool transA, bool transB, long M, long N, long K,  \
                                T alpha, const T *A, long lda, const T *B, long ldb, T beta, T *C,  \
                                long ldc, const T *bpacked, long n0, long n1) {                     \
        P##gemm_job job = {                                                                         \
            .im = im, .transA = transA, .transB = transB, .split_m = false,                         \
            .M = M, .N = N, .K = K, .alpha = alpha, .beta = beta, .A = A, .B = B, .C = C, .nbase = n0, \
            .bpacked = bpacked, .npad = (N + im->nr - 1) / im->nr * im->nr,                         \
            .lda = lda, .ldb = ldb, .ldc = ldc, .chunk = n1 - n0, .nchunks = 1, .first = n0, .last = n1, \
        };                                                                                          \
        atomic_init(&job.next, 0);                                                                  \
        job.small_m = M <= im->mc && (double)M * (double)K * sizeof(T) <= KEEL_GEMM_MAX_KEPT_A_BYTES;  \
        P##gemm_task(&job, 0, 1);                                                                   \
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

#define KEEL_DEFINE_GEMM(NAME, P, T, SELECT)                                                        \
    void NAME(bool transA, bool transB, long M, long N, long K, T alpha, const T *A, long lda,      \
              const T *B, long ldb, T beta, T *C, long ldc) {                                       \
        if (M <= 0 || N <= 0) return;                                                               \
        unsigned fp = keel_fp_enter();                                                              \
        if (K <= 0 || alpha == (T)0) {                                                              \
            P##gemm_scale_c(M, N, beta, C, ldc);                                                    \
        } else {                                                                                    \
            P##gemm_run(SELECT(), transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc,     \
                        keel_current_csr(), NULL, KEEL_POOL_MAX_THREADS);                              \
        }                                                                                           \
        keel_fp_exit(fp);                                                                           \
    }

KEEL_DEFINE_GEMM(keel_sgemm, keel_s, float, keel_sgemm_select)
KEEL_DEFINE_GEMM(keel_dgemm, keel_d, double, keel_dgemm_select)

/* ------------------------------------------------------- pre-packed op(B) */

/* Header of a pre-packed op(B): the implementation (kernel path) and shape it was packed for. */
typedef struct {
    const void *impl;
    long k, n, npad;
    long pad[4]; /* the packed panels start 64 bytes in */
} keel_packed_header;

size_t keel_sgemm_packed_b_size(long K, long N) {
    if (K <= 0 || N <= 0) return 0;
    const keel_sgemm_impl *im = keel_sgemm_select();
    long npad = (N + im->nr - 1) / im->nr * im->nr;
    return sizeof(keel_packed_header) + (size_t)K * (size_t)npad * sizeof(float);
}

void keel_sgemm_pack_b(bool transB, long K, long N, const float *B, long ldb, void *packed) {
    if (K <= 0 || N <= 0) return;
    const keel_sgemm_impl *im = keel_sgemm_select();
    keel_packed_header *h = packed;
    long NR = im->nr, KC = im->kc;
    long npad = (N + NR - 1) / NR * NR;
    h->impl = im;
    h->k = K;
    h->n = N;
    h->npad = npad;
    float *dst = (float *)((char *)packed + sizeof(keel_packed_header));
    for (long pc = 0; pc < K; pc += KC) {
        long kc = K - pc < KC ? K - pc : KC;
        for (long j = 0; j < N; j += NR) {
            int n = (int)(N - j < NR ? N - j : NR);
            const float *b = transB ? B + j * ldb + pc : B + pc * ldb + j;
            im->pack_b(transB, kc, n, b, ldb, dst + pc * npad + (j / NR) * kc * NR);
        }
    }
}

bool keel_sgemm_prepacked(bool transA, bool transB, long M, long N, long K, float alpha, const float *A,
                          long lda, const float *B, long ldb, const void *packed, float beta, float *C,
                          long ldc) {
    const keel_sgemm_impl *im = keel_sgemm_select();
    const keel_packed_header *h = packed;
    if (h == NULL || h->impl != (const void *)im || h->k != K || h->n != N) {
        keel_sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        return false;
    }
    if (M <= 0 || N <= 0) return true;
    unsigned fp = keel_fp_enter();
    if (K <= 0 || alpha == 0.0f) {
        keel_sgemm_scale_c(M, N, beta, C, ldc);
    } else {
        keel_sgemm_run(im, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, keel_current_csr(),
                        (const float *)((const char *)packed + sizeof(keel_packed_header)), KEEL_POOL_MAX_THREADS);
    }
    keel_fp_exit(fp);
    return true;
}

/* ------------------------------------------------ single-threaded entry points */

/* For callers that already run on a pool thread (the whole-sequence recurrent kernels): the same
 * product as keel_sgemm / keel_sgemm_prepacked, on the calling thread only, without touching the
 * floating-point mode (the caller has set it). `packed` may be NULL; a pack for another path or
 * shape is ignored. */
void keel_s_gemm_serial(bool transA, bool transB, long M, long N, long K, float alpha, const float *A, long lda,
                        const float *B, long ldb, const void *packed, float beta, float *C, long ldc) {
    if (M <= 0 || N <= 0) return;
    const keel_sgemm_impl *im = keel_sgemm_select();
    if (K <= 0 || alpha == 0.0f) {
        keel_sgemm_scale_c(M, N, beta, C, ldc);
        return;
    }
    const keel_packed_header *h = packed;
    const float *bp = NULL;
    if (h != NULL && h->impl == (const void *)im && h->k == K && h->n == N)
        bp = (const float *)((const char *)packed + sizeof(keel_packed_header));
    keel_sgemm_run(im, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, keel_current_csr(), bp, 1);
}

void keel_d_gemm_serial(bool transA, bool transB, long M, long N, long K, double alpha, const double *A, long lda,
                        const double *B, long ldb, const void *packed, double beta, double *C, long ldc) {
    (void)packed; /* double products are never pre-packed */
    if (M <= 0 || N <= 0) return;
    const keel_dgemm_impl *im = keel_dgemm_select();
    if (K <= 0 || alpha == 0.0) {
        keel_dgemm_scale_c(M, N, beta, C, ldc);
        return;
    }
    keel_dgemm_run(im, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, keel_current_csr(), NULL, 1);
}

/* Columns [n0, n1) of keel_s_gemm_serial's product (n0 a multiple of keel_s_gemm_col_tile()),
 * written at C: column n0 of the product is C[0] of each row. */
void keel_s_gemm_serial_columns(bool transA, bool transB, long M, long N, long K, float alpha, const float *A,
                                long lda, const float *B, long ldb, const void *packed, float beta, float *C,
                                long ldc, long n0, long n1) {
    if (M <= 0 || n1 <= n0) return;
    const keel_sgemm_impl *im = keel_sgemm_select();
    if (K <= 0 || alpha == 0.0f) {
        keel_sgemm_scale_c(M, n1 - n0, beta, C, ldc);
        return;
    }
    const keel_packed_header *h = packed;
    const float *bp = NULL;
    if (h != NULL && h->impl == (const void *)im && h->k == K && h->n == N)
        bp = (const float *)((const char *)packed + sizeof(keel_packed_header));
    keel_sgemm_columns(im, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, bp, n0, n1);
}

void keel_d_gemm_serial_columns(bool transA, bool transB, long M, long N, long K, double alpha, const double *A,
                                long lda, const double *B, long ldb, const void *packed, double beta, double *C,
                                long ldc, long n0, long n1) {
    (void)packed;
    if (M <= 0 || n1 <= n0) return;
    const keel_dgemm_impl *im = keel_dgemm_select();
    if (K <= 0 || alpha == 0.0) {
        keel_dgemm_scale_c(M, n1 - n0, beta, C, ldc);
        return;
    }
    keel_dgemm_columns(im, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, NULL, n0, n1);
}

long keel_s_gemm_col_tile(void) { return keel_sgemm_select()->nr; }
long keel_d_gemm_col_tile(void) { return keel_dgemm_select()->nr; }

/* The register tile's row count on the current path: products whose row ranges start at
 * multiples of it are computed tile for tile like the whole product (bit for bit). */
long keel_s_gemm_row_tile(void) { return keel_sgemm_select()->mr; }
long keel_d_gemm_row_tile(void) { return keel_dgemm_select()->mr; }
