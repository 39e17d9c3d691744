/*
 * AVX-512 GEMM micro-kernels. float: 8 x 48 register tile (24 zmm accumulators, 3 zmm of B per
 * k step, A broadcast from the packed panel); double: 8 x 24. Edge tiles (fewer rows or columns)
 * use the same code instantiated for the smaller shape, with masked loads and stores of C, so no
 * FMA is spent on padding rows and at most 15 (7) padded columns per row.
 */
#include "gemm_internal.h"

#ifdef KEEL_X86

#define KEEL_AVX512 __attribute__((target("avx512f,avx512vl,avx2,fma")))
#define KEEL_AVX512_INLINE static inline __attribute__((always_inline)) KEEL_AVX512

#define S512_MR 8
#define S512_NR 48
#define D512_MR 8
#define D512_NR 24

/* --------------------------------------------------------------- float */

KEEL_AVX512_INLINE void s512_tile(const int MRV, const int NV, long kc, const float *restrict a,
                                  const float *restrict b, float *c, long ldc, int n, float alpha, float beta) {
    __m512 acc[S512_MR][3];
    for (int i = 0; i < MRV; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 16 * NV - 1), _MM_HINT_T0);
        for (int v = 0; v < NV; v++) acc[i][v] = _mm512_setzero_ps();
    }
    for (long p = 0; p < kc; p++) {
        __m512 bv[3];
        for (int v = 0; v < NV; v++) bv[v] = _mm512_load_ps(b + p * S512_NR + 16 * v);
        for (int i = 0; i < MRV; i++) {
            __m512 ai = _mm512_set1_ps(a[p * S512_MR + i]);
            for (int v = 0; v < NV; v++) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
        }
    }
    int rest = n - 16 * (NV - 1);
    __mmask16 last = rest >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rest) - 1u);
    __m512 va = _mm512_set1_ps(alpha);
    if (beta == 0.0f) {
        for (int i = 0; i < MRV; i++)
            for (int v = 0; v < NV; v++)
                _mm512_mask_storeu_ps(c + i * ldc + 16 * v, v == NV - 1 ? last : (__mmask16)0xFFFF,
                                      _mm512_mul_ps(va, acc[i][v]));
    } else if (beta == 1.0f) {
        for (int i = 0; i < MRV; i++)
            for (int v = 0; v < NV; v++) {
                __mmask16 mk = v == NV - 1 ? last : (__mmask16)0xFFFF;
                float *cp = c + i * ldc + 16 * v;
                _mm512_mask_storeu_ps(cp, mk, _mm512_fmadd_ps(va, acc[i][v], _mm512_maskz_loadu_ps(mk, cp)));
            }
    } else {
        __m512 vb = _mm512_set1_ps(beta);
        for (int i = 0; i < MRV; i++)
            for (int v = 0; v < NV; v++) {
                __mmask16 mk = v == NV - 1 ? last : (__mmask16)0xFFFF;
                float *cp = c + i * ldc + 16 * v;
                __m512 cv = _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(mk, cp));
                _mm512_mask_storeu_ps(cp, mk, _mm512_fmadd_ps(va, acc[i][v], cv));
            }
    }
}

#define S512_INST(M_, NV_)                                                                          \
    static KEEL_AVX512 void s512_k_##M_##_##NV_(long kc, const float *a, const float *b, float *c,  \
                                                long ldc, int n, float alpha, float beta) {         \
        s512_tile(M_, NV_, kc, a, b, c, ldc, n, alpha, beta);                                       \
    }
#define S512_INST_M(M_) S512_INST(M_, 1) S512_INST(M_, 2) S512_INST(M_, 3)
S512_INST_M(1) S512_INST_M(2) S512_INST_M(3) S512_INST_M(4)
S512_INST_M(5) S512_INST_M(6) S512_INST_M(7) S512_INST_M(8)

typedef void (*s512_fn)(long, const float *, const float *, float *, long, int, float, float);
#define S512_ROW(M_) {s512_k_##M_##_1, s512_k_##M_##_2, s512_k_##M_##_3}
static const s512_fn s512_table[S512_MR][3] = {
    S512_ROW(1), S512_ROW(2), S512_ROW(3), S512_ROW(4), S512_ROW(5), S512_ROW(6), S512_ROW(7), S512_ROW(8),
};

static void s512_kernel(long kc, const float *a, const float *b, float *c, long ldc, int m, int n, float alpha,
                        float beta) {
    s512_table[m - 1][(n + 15) / 16 - 1](kc, a, b, c, ldc, n, alpha, beta);
}

static KEEL_AVX512 void s512_pack_a(bool trans, long kc, int count, const float *src, long ld, float *dst) {
    if (trans) {
        keel_pack_transposed_ps(S512_MR, kc, count, src, ld, dst);
        return;
    }
    if (count == 8 && S512_MR == 8) {
        /* op(A) stored transposed (the Aᵀ·B of weight gradients, K = T·batch rows): row p of the
         * panel is 8 contiguous floats. One 256-bit copy per row instead of the scalar loop, with
         * the row 16 ahead prefetched (the rows are far apart: too short for the prefetchers). */
        for (long p = 0; p < kc; p++) {
            const float *s = src + p * ld;
            _mm_prefetch((const char *)(s + 16 * ld), _MM_HINT_T0);
            _mm256_storeu_ps(dst + p * 8, _mm256_loadu_ps(s));
        }
        return;
    }
    KEEL_GEMM_PACK_GENERIC(float, S512_MR, trans, kc, count, src, ld, dst);
}

static KEEL_AVX512 void s512_pack_b(bool trans, long kc, int count, const float *src, long ld, float *dst) {
    if (trans) {
        keel_pack_transposed_ps(S512_NR, kc, count, src, ld, dst);
        return;
    }
    if (count == S512_NR) {
        /* Row p of the panel is 48 contiguous floats; the next panel's row follows it, so fetch
         * that early: the source rows are far apart and each is only 3 cache lines long, too
         * short for the hardware prefetchers. */
        for (long p = 0; p < kc; p++) {
            const float *s = src + p * ld;
            _mm_prefetch((const char *)(s + 48), _MM_HINT_T0);
            _mm_prefetch((const char *)(s + 64), _MM_HINT_T0);
            _mm_prefetch((const char *)(s + 80), _MM_HINT_T0);
            _mm_prefetch((const char *)(s + 95), _MM_HINT_T0);
            _mm512_store_ps(dst + p * S512_NR, _mm512_loadu_ps(s));
            _mm512_store_ps(dst + p * S512_NR + 16, _mm512_loadu_ps(s + 16));
            _mm512_store_ps(dst + p * S512_NR + 32, _mm512_loadu_ps(s + 32));
        }
        return;
    }
    KEEL_GEMM_PACK_GENERIC(float, S512_NR, trans, kc, count, src, ld, dst);
}

const keel_sgemm_impl keel_sgemm_avx512_impl = {
    S512_MR, S512_NR, 128, 256, 3072, s512_kernel, s512_pack_a, s512_pack_b,
};

/* -------------------------------------------------------------- double */

KEEL_AVX512_INLINE void d512_tile(const int MRV, const int NV, long kc, const double *restrict a,
                                  const double *restrict b, double *c, long ldc, int n, double alpha,
                                  double beta) {
    __m512d acc[D512_MR][3];
    for (int i = 0; i < MRV; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 8 * NV - 1), _MM_HINT_T0);
        for (int v = 0; v < NV; v++) acc[i][v] = _mm512_setzero_pd();
    }
    for (long p = 0; p < kc; p++) {
        __m512d bv[3];
        for (int v = 0; v < NV; v++) bv[v] = _mm512_load_pd(b + p * D512_NR + 8 * v);
        for (int i = 0; i < MRV; i++) {
            __m512d ai = _mm512_set1_pd(a[p * D512_MR + i]);
            for (int v = 0; v < NV; v++) acc[i][v] = _mm512_fmadd_pd(ai, bv[v], acc[i][v]);
        }
    }
    int rest = n - 8 * (NV - 1);
    __mmask8 last = rest >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << rest) - 1u);
    __m512d va = _mm512_set1_pd(alpha);
    if (beta == 0.0) {
        for (int i = 0; i < MRV; i++)
            for (int v = 0; v < NV; v++)
                _mm512_mask_storeu_pd(c + i * ldc + 8 * v, v == NV - 1 ? last : (__mmask8)0xFF,
                                      _mm512_mul_pd(va, acc[i][v]));
    } else if (beta == 1.0) {
        for (int i = 0; i < MRV; i++)
            for (int v = 0; v < NV; v++) {
                __mmask8 mk = v == NV - 1 ? last : (__mmask8)0xFF;
                double *cp = c + i * ldc + 8 * v;
                _mm512_mask_storeu_pd(cp, mk, _mm512_fmadd_pd(va, acc[i][v], _mm512_maskz_loadu_pd(mk, cp)));
            }
    } else {
        __m512d vb = _mm512_set1_pd(beta);
        for (int i = 0; i < MRV; i++)
            for (int v = 0; v < NV; v++) {
                __mmask8 mk = v == NV - 1 ? last : (__mmask8)0xFF;
                double *cp = c + i * ldc + 8 * v;
                __m512d cv = _mm512_mul_pd(vb, _mm512_maskz_loadu_pd(mk, cp));
                _mm512_mask_storeu_pd(cp, mk, _mm512_fmadd_pd(va, acc[i][v], cv));
            }
    }
}

#define D512_INST(M_, NV_)                                                                          \
    static KEEL_AVX512 void d512_k_##M_##_##NV_(long kc, const double *a, const double *b, double *c, \
                                                long ldc, int n, double alpha, double beta) {       \
        d512_tile(M_, NV_, kc, a, b, c, ldc, n, alpha, beta);                                       \
    }
#define D512_INST_M(M_) D512_INST(M_, 1) D512_INST(M_, 2) D512_INST(M_, 3)
D512_INST_M(1) D512_INST_M(2) D512_INST_M(3) D512_INST_M(4)
D512_INST_M(5) D512_INST_M(6) D512_INST_M(7) D512_INST_M(8)

typedef void (*d512_fn)(long, const double *, const double *, double *, long, int, double, double);
#define D512_ROW(M_) {d512_k_##M_##_1, d512_k_##M_##_2, d512_k_##M_##_3}
static const d512_fn d512_table[D512_MR][3] = {
    D512_ROW(1), D512_ROW(2), D512_ROW(3), D512_ROW(4), D512_ROW(5), D512_ROW(6), D512_ROW(7), D512_ROW(8),
};

static void d512_kernel(long kc, const double *a, const double *b, double *c, long ldc, int m, int n,
                        double alpha, double beta) {
    d512_table[m - 1][(n + 7) / 8 - 1](kc, a, b, c, ldc, n, alpha, beta);
}

static KEEL_AVX512 void d512_pack_a(bool trans, long kc, int count, const double *src, long ld, double *dst) {
    KEEL_GEMM_PACK_GENERIC(double, D512_MR, trans, kc, count, src, ld, dst);
}

static KEEL_AVX512 void d512_pack_b(bool trans, long kc, int count, const double *src, long ld, double *dst) {
    KEEL_GEMM_PACK_GENERIC(double, D512_NR, trans, kc, count, src, ld, dst);
}

const keel_dgemm_impl keel_dgemm_avx512_impl = {
    D512_MR, D512_NR, 128, 192, 1536, d512_kernel, d512_pack_a, d512_pack_b,
};

#else
typedef int keel_gemm_avx512_unused; /* keeps the translation unit non-empty off x86-64 */
#endif /* KEEL_X86 */
