/*
 * Internal interface between the GEMM driver (gemm.c) and the per-ISA micro-kernels
 * (gemm_avx512.c, gemm_avx2.c, gemm_portable.c, gemm_neon.c). Not part of the public header.
 *
 * The driver is a GotoBLAS/BLIS-style loop nest:
 *   for jc (NC columns of C)  for pc (KC of the K dimension)  for ic (MC rows of C):
 *     pack the MC x KC block of op(A) into MR-row micro-panels,
 *     for jr (NR columns): pack (during the first ic pass) the KC x NR micro-panel of op(B),
 *       for ir (MR rows): micro-kernel on an MR x NR tile of C.
 *
 * Packed layouts (T = float or double):
 *   A micro-panel: kc steps of mr values, a[p * mr + i] = alpha-free op(A)[i][p]; rows past the
 *                  edge of A are zero.
 *   B micro-panel: kc steps of nr values, b[p * nr + j] = op(B)[p][j]; columns past the edge are zero.
 * Transposition is absorbed by the packing routines; kernels only ever see packed panels.
 */
#ifndef KEEL_GEMM_INTERNAL_H
#define KEEL_GEMM_INTERNAL_H

#include "internal.h"

/*
 * Micro-kernel: C[0..m) x [0..n) = alpha * (A panel * B panel) + beta * C (beta == 0: C is written
 * without being read). 1 <= m <= mr, 1 <= n <= nr; the panels are always full mr / nr wide.
 */
typedef void (*keel_sgemm_ukernel)(long kc, const float *a, const float *b, float *c, long ldc, int m, int n,
                                   float alpha, float beta);
typedef void (*keel_dgemm_ukernel)(long kc, const double *a, const double *b, double *c, long ldc, int m, int n,
                                   double alpha, double beta);

/*
 * Packing one micro-panel of width W (mr for A, nr for B): dst[p * W + j] for p < kc, j < W, where
 * element (p, j) (j < count) is read at src[p * ld + j] when !trans and at src[j * ld + p] when
 * trans; columns count ..< W are zero. For B the driver passes transB (op(B)[p][j]); for A it passes
 * !transA (op(A)[i][p] is A[i * lda + p] when !transA, i.e. the transposed read).
 */
typedef void (*keel_spack_fn)(bool trans, long kc, int count, const float *src, long ld, float *dst);
typedef void (*keel_dpack_fn)(bool trans, long kc, int count, const double *src, long ld, double *dst);

typedef struct {
    int mr, nr;      /* register tile */
    long mc, kc, nc; /* cache blocks: mc multiple of mr, nc multiple of nr */
    keel_sgemm_ukernel kernel;
    keel_spack_fn pack_a;
    keel_spack_fn pack_b;
} keel_sgemm_impl;

typedef struct {
    int mr, nr;
    long mc, kc, nc;
    keel_dgemm_ukernel kernel;
    keel_dpack_fn pack_a;
    keel_dpack_fn pack_b;
} keel_dgemm_impl;

extern const keel_sgemm_impl keel_sgemm_portable_impl;
extern const keel_dgemm_impl keel_dgemm_portable_impl;
#ifdef KEEL_X86
extern const keel_sgemm_impl keel_sgemm_avx2_impl;
extern const keel_dgemm_impl keel_dgemm_avx2_impl;
extern const keel_sgemm_impl keel_sgemm_avx512_impl;
extern const keel_dgemm_impl keel_dgemm_avx512_impl;
#endif
#ifdef KEEL_ARM64
extern const keel_sgemm_impl keel_sgemm_neon_impl;
extern const keel_dgemm_impl keel_dgemm_neon_impl;
#endif

/*
 * Generic packing loops (plain C). Each ISA file wraps them in functions compiled under its own
 * target attribute, so the compiler may vectorize them for that ISA. W is the panel width (mr or nr).
 */
#define KEEL_GEMM_PACK_GENERIC(T, W, trans, kc, count, src, ld, dst)                                \
    do {                                                                                           \
        if (!(trans)) {                                                                            \
            /* element (p, j) at src[p * ld + j]: contiguous runs of `count` */                    \
            for (long p_ = 0; p_ < (kc); p_++) {                                                   \
                const T *s_ = (src) + p_ * (ld);                                                   \
                T *d_ = (dst) + p_ * (W);                                                          \
                int j_ = 0;                                                                        \
                for (; j_ < (count); j_++) d_[j_] = s_[j_];                                        \
                for (; j_ < (W); j_++) d_[j_] = (T)0;                                              \
            }                                                                                      \
        } else {                                                                                   \
            /* element (p, j) at src[j * ld + p]: transpose */                                     \
            int j_ = 0;                                                                            \
            for (; j_ < (count); j_++) {                                                           \
                const T *s_ = (src) + j_ * (ld);                                                   \
                for (long p_ = 0; p_ < (kc); p_++) (dst)[p_ * (W) + j_] = s_[p_];                  \
            }                                                                                      \
            for (; j_ < (W); j_++)                                                                 \
                for (long p_ = 0; p_ < (kc); p_++) (dst)[p_ * (W) + j_] = (T)0;                    \
        }                                                                                          \
    } while (0)

#ifdef KEEL_X86
/* 8 x 8 float transpose with AVX: dst[q * ldd + r] = src[r * lds + q] for r, q < 8. */
static inline __attribute__((always_inline, target("avx2,fma"))) void
keel_transpose8x8_ps(const float *src, long lds, float *dst, long ldd) {
    __m256 r0 = _mm256_loadu_ps(src + 0 * lds), r1 = _mm256_loadu_ps(src + 1 * lds);
    __m256 r2 = _mm256_loadu_ps(src + 2 * lds), r3 = _mm256_loadu_ps(src + 3 * lds);
    __m256 r4 = _mm256_loadu_ps(src + 4 * lds), r5 = _mm256_loadu_ps(src + 5 * lds);
    __m256 r6 = _mm256_loadu_ps(src + 6 * lds), r7 = _mm256_loadu_ps(src + 7 * lds);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(dst + 0 * ldd, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(dst + 1 * ldd, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(dst + 2 * ldd, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(dst + 3 * ldd, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(dst + 4 * ldd, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(dst + 5 * ldd, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(dst + 6 * ldd, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(dst + 7 * ldd, _mm256_permute2f128_ps(u3, u7, 0x31));
}

/*
 * Transposing float pack (the `trans` case of KEEL_GEMM_PACK_GENERIC) in 8 x 8 blocks:
 * dst[p * W + j] = src[j * ld + p] for j < count, zero for count <= j < W.
 */
static inline __attribute__((always_inline, target("avx2,fma"))) void
keel_pack_transposed_ps(int W, long kc, int count, const float *src, long ld, float *dst) {
    int j = 0;
    for (; j + 8 <= count; j += 8) {
        const float *s = src + (long)j * ld;
        long p = 0;
        for (; p + 8 <= kc; p += 8) keel_transpose8x8_ps(s + p, ld, dst + p * W + j, W);
        for (; p < kc; p++)
            for (int r = 0; r < 8; r++) dst[p * W + j + r] = s[(long)r * ld + p];
    }
    for (; j < count; j++) {
        const float *s = src + (long)j * ld;
        for (long p = 0; p < kc; p++) dst[p * W + j] = s[p];
    }
    for (; j < W; j++)
        for (long p = 0; p < kc; p++) dst[p * W + j] = 0.0f;
}
#endif

/* Largest thread count any kernel asks the pool for (no limit in practice). */
#define KEEL_POOL_MAX_THREADS 1024

/* Single-threaded GEMM on the calling thread, for kernels that already run on pool threads
 * (gemm.c). `packed` is a keel_sgemm_pack_b buffer for the same op(B), or NULL. */
void keel_s_gemm_serial(bool transA, bool transB, long M, long N, long K, float alpha, const float *A, long lda,
                        const float *B, long ldb, const void *packed, float beta, float *C, long ldc);
void keel_d_gemm_serial(bool transA, bool transB, long M, long N, long K, double alpha, const double *A, long lda,
                        const double *B, long ldb, const void *packed, double beta, double *C, long ldc);

/* Columns [n0, n1) of the same product, written at C (column n0 of the product is C[0] of each row);
 * n0 must be a multiple of the column tile, so each element is computed as in the whole product. */
void keel_s_gemm_serial_columns(bool transA, bool transB, long M, long N, long K, float alpha, const float *A,
                                long lda, const float *B, long ldb, const void *packed, float beta, float *C,
                                long ldc, long n0, long n1);
void keel_d_gemm_serial_columns(bool transA, bool transB, long M, long N, long K, double alpha, const double *A,
                                long lda, const double *B, long ldb, const void *packed, double beta, double *C,
                                long ldc, long n0, long n1);
/* Columns of the current path's register tile (the panel width of packed op(B)). */
long keel_s_gemm_col_tile(void);
long keel_d_gemm_col_tile(void);

/* Rows of the current path's register tile (gemm.c): row chunks that start at multiples of it
 * give every element the same tile, hence the same result, as the whole product. */
long keel_s_gemm_row_tile(void);
long keel_d_gemm_row_tile(void);

/*
 * A buffer of at least `bytes` for the calling thread in `slot`, kept and reused by later calls
 * (grown when too small; its contents are not preserved), freed at thread exit; NULL when out of
 * memory. Each slot has one user at a time on a thread.
 */
enum {
    KEEL_BUFFER_GEMM,     /* the GEMM driver's packing buffers */
    KEEL_BUFFER_SEQ_ROWS, /* recurrent sequence kernels: a tile's scratch rows */
    /* then KEEL_SEQ_SLOTS slots per layer of a recurrent stack (keel_seq_slot), layer 0 first */
    KEEL_BUFFER_SEQ_LAYERS
};
enum {
    KEEL_SEQ_WEIGHTS,    /* [W_hh | W_ih | b] rows (forward) */
    KEEL_SEQ_PACKED,     /* ... their packed weights; backward: packed W_hh */
    KEEL_SEQ_PACKED_HH,  /* GRU's packed W_hh (forward) */
    KEEL_SEQ_WEIGHTS_HH, /* W_hh with its rows in the column partition's order */
    KEEL_SEQ_CARRY,      /* the backward carry's second buffer */
    KEEL_SEQ_PACKED_UP,  /* backward below the top layer: the layer above's packed W_ih */
    KEEL_SEQ_SLOTS
};
/* Most layers a recurrent stack runs as one wavefront (keel_*_recurrent_stack_*). */
#define KEEL_STACK_MAX_LAYERS 8
#define KEEL_THREAD_BUFFER_SLOTS (KEEL_BUFFER_SEQ_LAYERS + KEEL_SEQ_SLOTS * KEEL_STACK_MAX_LAYERS)
static inline int keel_seq_slot(int layer, int which) { return KEEL_BUFFER_SEQ_LAYERS + layer * KEEL_SEQ_SLOTS + which; }
void *keel_thread_buffer(int slot, size_t bytes);

#endif
