/*
 * AVX2 + FMA GEMM micro-kernels. float: 6 x 16 register tile (12 ymm accumulators, 2 ymm of B per
 * k step, A broadcast); double: 6 x 8. Edge tiles use the same code instantiated for the smaller
 * shape; the last vector of a row is loaded and stored with vmaskmov when the tile is narrower.
 */
#include "gemm_internal.h"

#ifdef KEEL_X86

#define KEEL_AVX2 __attribute__((target("avx2,fma")))
#define KEEL_AVX2_INLINE static inline __attribute__((always_inline)) KEEL_AVX2

#define S256_MR 6
#define S256_NR 16
#define D256_MR 6
#define D256_NR 8

/* mask_table + 8 - rest: the first `rest` of 8 lanes set */
static const int keel_avx2_mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
static const long long keel_avx2_mask_table64[8] = {-1, -1, -1, -1, 0, 0, 0, 0};

/* --------------------------------------------------------------- float */

KEEL_AVX2_INLINE void s256_tile(const int MRV, const int NV, long kc, const float *restrict a,
                                const float *restrict b, float *c, long ldc, int n, float alpha, float beta) {
    __m256 acc[S256_MR][2];
    for (int i = 0; i < MRV; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        for (int v = 0; v < NV; v++) acc[i][v] = _mm256_setzero_ps();
    }
    for (long p = 0; p < kc; p++) {
        __m256 bv[2];
        for (int v = 0; v < NV; v++) bv[v] = _mm256_load_ps(b + p * S256_NR + 8 * v);
        for (int i = 0; i < MRV; i++) {
            __m256 ai = _mm256_broadcast_ss(a + p * S256_MR + i);
            for (int v = 0; v < NV; v++) acc[i][v] = _mm256_fmadd_ps(ai, bv[v], acc[i][v]);
        }
    }
    int rest = n - 8 * (NV - 1);
    bool full = rest >= 8;
    __m256i last = _mm256_loadu_si256((const __m256i *)(keel_avx2_mask_table + 8 - (full ? 8 : rest)));
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    for (int i = 0; i < MRV; i++)
        for (int v = 0; v < NV; v++) {
            float *cp = c + i * ldc + 8 * v;
            __m256 r = _mm256_mul_ps(va, acc[i][v]);
            if (v < NV - 1 || full) {
                if (beta != 0.0f) r = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cp), r);
                _mm256_storeu_ps(cp, r);
            } else {
                if (beta != 0.0f) r = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cp, last), r);
                _mm256_maskstore_ps(cp, last, r);
            }
        }
}

#define S256_INST(M_, NV_)                                                                          \
    static KEEL_AVX2 void s256_k_##M_##_##NV_(long kc, const float *a, const float *b, float *c,    \
                                              long ldc, int n, float alpha, float beta) {           \
        s256_tile(M_, NV_, kc, a, b, c, ldc, n, alpha, beta);                                       \
    }
#define S256_INST_M(M_) S256_INST(M_, 1) S256_INST(M_, 2)
S256_INST_M(1) S256_INST_M(2) S256_INST_M(3) S256_INST_M(4) S256_INST_M(5) S256_INST_M(6)

typedef void (*s256_fn)(long, const float *, const float *, float *, long, int, float, float);
#define S256_ROW(M_) {s256_k_##M_##_1, s256_k_##M_##_2}
static const s256_fn s256_table[S256_MR][2] = {
    S256_ROW(1), S256_ROW(2), S256_ROW(3), S256_ROW(4), S256_ROW(5), S256_ROW(6),
};

static void s256_kernel(long kc, const float *a, const float *b, float *c, long ldc, int m, int n, float alpha,
                        float beta) {
    s256_table[m - 1][(n + 7) / 8 - 1](kc, a, b, c, ldc, n, alpha, beta);
}

static KEEL_AVX2 void s256_pack_a(bool trans, long kc, int count, const float *src, long ld, float *dst) {
    if (trans) {
        keel_pack_transposed_ps(S256_MR, kc, count, src, ld, dst);
        return;
    }
    KEEL_GEMM_PACK_GENERIC(float, S256_MR, trans, kc, count, src, ld, dst);
}

static KEEL_AVX2 void s256_pack_b(bool trans, long kc, int count, const float *src, long ld, float *dst) {
    if (trans) {
        keel_pack_transposed_ps(S256_NR, kc, count, src, ld, dst);
        return;
    }
    KEEL_GEMM_PACK_GENERIC(float, S256_NR, trans, kc, count, src, ld, dst);
}

const keel_sgemm_impl keel_sgemm_avx2_impl = {
    S256_MR, S256_NR, 144, 256, 3072, s256_kernel, s256_pack_a, s256_pack_b,
};

/* -------------------------------------------------------------- double */

KEEL_AVX2_INLINE void d256_tile(const int MRV, const int NV, long kc, const double *restrict a,
                                const double *restrict b, double *c, long ldc, int n, double alpha,
                                double beta) {
    __m256d acc[D256_MR][2];
    for (int i = 0; i < MRV; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        for (int v = 0; v < NV; v++) acc[i][v] = _mm256_setzero_pd();
    }
    for (long p = 0; p < kc; p++) {
        __m256d bv[2];
        for (int v = 0; v < NV; v++) bv[v] = _mm256_load_pd(b + p * D256_NR + 4 * v);
        for (int i = 0; i < MRV; i++) {
            __m256d ai = _mm256_broadcast_sd(a + p * D256_MR + i);
            for (int v = 0; v < NV; v++) acc[i][v] = _mm256_fmadd_pd(ai, bv[v], acc[i][v]);
        }
    }
    int rest = n - 4 * (NV - 1);
    bool full = rest >= 4;
    __m256i last = _mm256_loadu_si256((const __m256i *)(keel_avx2_mask_table64 + 4 - (full ? 4 : rest)));
    __m256d va = _mm256_set1_pd(alpha), vb = _mm256_set1_pd(beta);
    for (int i = 0; i < MRV; i++)
        for (int v = 0; v < NV; v++) {
            double *cp = c + i * ldc + 4 * v;
            __m256d r = _mm256_mul_pd(va, acc[i][v]);
            if (v < NV - 1 || full) {
                if (beta != 0.0) r = _mm256_fmadd_pd(vb, _mm256_loadu_pd(cp), r);
                _mm256_storeu_pd(cp, r);
            } else {
                if (beta != 0.0) r = _mm256_fmadd_pd(vb, _mm256_maskload_pd(cp, last), r);
                _mm256_maskstore_pd(cp, last, r);
            }
        }
}

#define D256_INST(M_, NV_)                                                                          \
    static KEEL_AVX2 void d256_k_##M_##_##NV_(long kc, const double *a, const double *b, double *c, \
                                              long ldc, int n, double alpha, double beta) {         \
        d256_tile(M_, NV_, kc, a, b, c, ldc, n, alpha, beta);                                       \
    }
#define D256_INST_M(M_) D256_INST(M_, 1) D256_INST(M_, 2)
D256_INST_M(1) D256_INST_M(2) D256_INST_M(3) D256_INST_M(4) D256_INST_M(5) D256_INST_M(6)

typedef void (*d256_fn)(long, const double *, const double *, double *, long, int, double, double);
#define D256_ROW(M_) {d256_k_##M_##_1, d256_k_##M_##_2}
static const d256_fn d256_table[D256_MR][2] = {
    D256_ROW(1), D256_ROW(2), D256_ROW(3), D256_ROW(4), D256_ROW(5), D256_ROW(6),
};

static void d256_kernel(long kc, const double *a, const double *b, double *c, long ldc, int m, int n,
                        double alpha, double beta) {
    d256_table[m - 1][(n + 3) / 4 - 1](kc, a, b, c, ldc, n, alpha, beta);
}

static KEEL_AVX2 void d256_pack_a(bool trans, long kc, int count, const double *src, long ld, double *dst) {
    KEEL_GEMM_PACK_GENERIC(double, D256_MR, trans, kc, count, src, ld, dst);
}

static KEEL_AVX2 void d256_pack_b(bool trans, long kc, int count, const double *src, long ld, double *dst) {
    KEEL_GEMM_PACK_GENERIC(double, D256_NR, trans, kc, count, src, ld, dst);
}

const keel_dgemm_impl keel_dgemm_avx2_impl = {
    D256_MR, D256_NR, 96, 256, 1536, d256_kernel, d256_pack_a, d256_pack_b,
};

#else
typedef int keel_gemm_avx2_unused; /* keeps the translation unit non-empty off x86-64 */
#endif /* KEEL_X86 */
