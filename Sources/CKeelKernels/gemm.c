/* GEMM entry points. Portable reference implementation; fast paths are added per ISA. */
#include "internal.h"

#define KEEL_DEFINE_GEMM(NAME, T)                                                                   \
    void NAME(bool transA, bool transB, long M, long N, long K, T alpha, const T *A, long lda,      \
              const T *B, long ldb, T beta, T *C, long ldc) {                                       \
        unsigned fp = keel_fp_enter();                                                              \
        for (long i = 0; i < M; i++) {                                                              \
            T *c = C + i * ldc;                                                                     \
            if (beta == (T)0) {                                                                     \
                for (long j = 0; j < N; j++) c[j] = (T)0;                                           \
            } else if (beta != (T)1) {                                                              \
                for (long j = 0; j < N; j++) c[j] *= beta;                                          \
            }                                                                                       \
            if (alpha == (T)0) continue;                                                            \
            for (long p = 0; p < K; p++) {                                                          \
                T a = alpha * (transA ? A[p * lda + i] : A[i * lda + p]);                           \
                if (transB) {                                                                       \
                    for (long j = 0; j < N; j++) c[j] += a * B[j * ldb + p];                        \
                } else {                                                                            \
                    const T *b = B + p * ldb;                                                       \
                    for (long j = 0; j < N; j++) c[j] += a * b[j];                                  \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
        keel_fp_exit(fp);                                                                           \
    }

KEEL_DEFINE_GEMM(keel_sgemm, float)
KEEL_DEFINE_GEMM(keel_dgemm, double)
