/* Portable GEMM micro-kernels (plain C, any compiler and architecture): 4 x 8 register tile. */
#include "gemm_internal.h"

#define KEEL_PORTABLE_MR 4
#define KEEL_PORTABLE_NR 8

#define KEEL_DEFINE_PORTABLE(P, T)                                                                  \
    static void P##_portable_kernel(long kc, const T *a, const T *b, T *c, long ldc, int m, int n,  \
                                    T alpha, T beta) {                                              \
        T acc[KEEL_PORTABLE_MR][KEEL_PORTABLE_NR];                                                  \
        for (int i = 0; i < KEEL_PORTABLE_MR; i++)                                                  \
            for (int j = 0; j < KEEL_PORTABLE_NR; j++) acc[i][j] = (T)0;                            \
        for (long p = 0; p < kc; p++) {                                                             \
            const T *ap = a + p * KEEL_PORTABLE_MR, *bp = b + p * KEEL_PORTABLE_NR;                 \
            for (int i = 0; i < KEEL_PORTABLE_MR; i++) {                                            \
                T ai = ap[i];                                                                       \
                for (int j = 0; j < KEEL_PORTABLE_NR; j++) acc[i][j] += ai * bp[j];                 \
            }                                                                                       \
        }                                                                                           \
        for (int i = 0; i < m; i++) {                                                               \
            T *ci = c + i * ldc;                                                                    \
            if (beta == (T)0) {                                                                     \
                for (int j = 0; j < n; j++) ci[j] = alpha * acc[i][j];                              \
            } else if (beta == (T)1) {                                                              \
                for (int j = 0; j < n; j++) ci[j] += alpha * acc[i][j];                             \
            } else {                                                                                \
                for (int j = 0; j < n; j++) ci[j] = alpha * acc[i][j] + beta * ci[j];               \
            }                                                                                       \
        }                                                                                           \
    }                                                                                               \
    static void P##_portable_pack_a(bool trans, long kc, int count, const T *src, long ld, T *dst) { \
        KEEL_GEMM_PACK_GENERIC(T, KEEL_PORTABLE_MR, trans, kc, count, src, ld, dst);                \
    }                                                                                               \
    static void P##_portable_pack_b(bool trans, long kc, int count, const T *src, long ld, T *dst) { \
        KEEL_GEMM_PACK_GENERIC(T, KEEL_PORTABLE_NR, trans, kc, count, src, ld, dst);                \
    }

KEEL_DEFINE_PORTABLE(keel_s, float)
KEEL_DEFINE_PORTABLE(keel_d, double)

const keel_sgemm_impl keel_sgemm_portable_impl = {
    KEEL_PORTABLE_MR, KEEL_PORTABLE_NR, 128, 256, 2048,
    keel_s_portable_kernel, keel_s_portable_pack_a, keel_s_portable_pack_b,
};
const keel_dgemm_impl keel_dgemm_portable_impl = {
    KEEL_PORTABLE_MR, KEEL_PORTABLE_NR, 128, 256, 1024,
    keel_d_portable_kernel, keel_d_portable_pack_a, keel_d_portable_pack_b,
};
