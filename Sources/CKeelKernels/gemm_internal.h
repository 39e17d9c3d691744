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

#endif
