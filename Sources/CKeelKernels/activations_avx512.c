/*
 * AVX-512F path of exp, tanh and sigmoid (algorithm: activations_internal.h). Only AVX-512F
 * instructions (plus AVX2/FMA, which KEEL_PATH_AVX512 also requires): vscalef applies 2^k with a
 * single rounding (overflow to +inf, gradual underflow or FTZ), vrndscale rounds k, and the tails
 * use masked loads and stores. Bitwise float operations go through the integer forms, because
 * _mm512_and_ps and friends need AVX-512DQ.
 */
#include "activations_internal.h"

#ifdef KEEL_X86

#define KEEL_INLINE512 static inline KEEL_TARGET_AVX512

/* ------------------------------------------------------------------- float */

KEEL_INLINE512 __m512 keel_f16_expm1_reduced(__m512 r) {
    __m512 p = _mm512_set1_ps(KEEL_F_P4);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(KEEL_F_P3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(KEEL_F_P2));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(KEEL_F_P1));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(KEEL_F_P0));
    return _mm512_fmadd_ps(_mm512_mul_ps(r, r), p, r);
}

/* k = round(x / ln2) and the reduced argument r = x - k ln2. */
KEEL_INLINE512 __m512 keel_f16_reduce(__m512 x, __m512 *k) {
    __m512 kk = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(KEEL_F_LOG2E)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(kk, _mm512_set1_ps(KEEL_F_LN2_HI), x);
    *k = kk;
    return _mm512_fnmadd_ps(kk, _mm512_set1_ps(KEEL_F_LN2_LO), r);
}

KEEL_INLINE512 __m512 keel_f16_exp(__m512 x) {
    /* min/max return their second operand when one is NaN, so NaN passes through the clamp. */
    x = _mm512_min_ps(_mm512_set1_ps(KEEL_F_EXP_HI), x);
    x = _mm512_max_ps(_mm512_set1_ps(KEEL_F_EXP_LO), x);
    __m512 k;
    __m512 r = keel_f16_reduce(x, &k);
    __m512 p = _mm512_add_ps(_mm512_set1_ps(1.0f), keel_f16_expm1_reduced(r));
    return _mm512_scalef_ps(p, k);
}

KEEL_INLINE512 __m512 keel_f16_tanh(__m512 x) {
    const __m512i sign = _mm512_set1_epi32((int)0x80000000u);
    __m512i xi = _mm512_castps_si512(x);
    __m512 a = _mm512_castsi512_ps(_mm512_andnot_si512(sign, xi));
    a = _mm512_min_ps(_mm512_set1_ps(KEEL_F_TANH_CLAMP), a);
    __m512 t = _mm512_add_ps(a, a);
    __m512 k;
    __m512 r = keel_f16_reduce(t, &k);
    __m512 q = keel_f16_expm1_reduced(r);
    __m512 s = _mm512_scalef_ps(_mm512_set1_ps(1.0f), k);
    __m512 e = _mm512_fmadd_ps(s, q, _mm512_sub_ps(s, _mm512_set1_ps(1.0f)));
    __m512 th = _mm512_div_ps(e, _mm512_add_ps(e, _mm512_set1_ps(2.0f)));
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(th), _mm512_and_si512(sign, xi)));
}

KEEL_INLINE512 __m512 keel_f16_sigmoid(__m512 x) {
    const __m512i sign = _mm512_set1_epi32((int)0x80000000u);
    __m512 na = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(x), sign));
    __m512 e = keel_f16_exp(na);
    __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    __m512 num = _mm512_mask_blend_ps(negative, _mm512_set1_ps(1.0f), e);
    return _mm512_div_ps(num, _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

#define KEEL_DEFINE_F16_LOOP(NAME, FN)                                                              \
    KEEL_TARGET_AVX512 void NAME(long n, const float *x, float *y) {                                \
        long i = 0;                                                                                 \
        for (; i + 32 <= n; i += 32) {                                                              \
            __m512 a = _mm512_loadu_ps(x + i), b = _mm512_loadu_ps(x + i + 16);                     \
            _mm512_storeu_ps(y + i, FN(a));                                                         \
            _mm512_storeu_ps(y + i + 16, FN(b));                                                    \
        }                                                                                           \
        for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, FN(_mm512_loadu_ps(x + i)));           \
        if (i < n) {                                                                                \
            __mmask16 m = (__mmask16)((1u << (unsigned)(n - i)) - 1u);                              \
            _mm512_mask_storeu_ps(y + i, m, FN(_mm512_maskz_loadu_ps(m, x + i)));                   \
        }                                                                                           \
    }

KEEL_DEFINE_F16_LOOP(keel_s_exp_avx512, keel_f16_exp)
KEEL_DEFINE_F16_LOOP(keel_s_tanh_avx512, keel_f16_tanh)
KEEL_DEFINE_F16_LOOP(keel_s_sigmoid_avx512, keel_f16_sigmoid)

/* ------------------------------------------------------------------ double */

KEEL_INLINE512 __m512d keel_d8_expm1_reduced(__m512d r) {
    __m512d p = _mm512_set1_pd(KEEL_D_P10);
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(KEEL_D_P9));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(KEEL_D_P8));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(KEEL_D_P7));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(KEEL_D_P6));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(KEEL_D_P5));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(KEEL_D_P4));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(KEEL_D_P3));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(KEEL_D_P2));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(KEEL_D_P1));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(KEEL_D_P0));
    return _mm512_fmadd_pd(_mm512_mul_pd(r, r), p, r);
}

KEEL_INLINE512 __m512d keel_d8_reduce(__m512d x, __m512d *k) {
    __m512d kk = _mm512_roundscale_pd(_mm512_mul_pd(x, _mm512_set1_pd(KEEL_D_LOG2E)),
                                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512d r = _mm512_fnmadd_pd(kk, _mm512_set1_pd(KEEL_D_LN2_HI), x);
    *k = kk;
    return _mm512_fnmadd_pd(kk, _mm512_set1_pd(KEEL_D_LN2_LO), r);
}

KEEL_INLINE512 __m512d keel_d8_exp(__m512d x) {
    x = _mm512_min_pd(_mm512_set1_pd(KEEL_D_EXP_HI), x);
    x = _mm512_max_pd(_mm512_set1_pd(KEEL_D_EXP_LO), x);
    __m512d k;
    __m512d r = keel_d8_reduce(x, &k);
    __m512d p = _mm512_add_pd(_mm512_set1_pd(1.0), keel_d8_expm1_reduced(r));
    return _mm512_scalef_pd(p, k);
}

KEEL_INLINE512 __m512d keel_d8_tanh(__m512d x) {
    const __m512i sign = _mm512_set1_epi64((long long)0x8000000000000000ull);
    __m512i xi = _mm512_castpd_si512(x);
    __m512d a = _mm512_castsi512_pd(_mm512_andnot_si512(sign, xi));
    a = _mm512_min_pd(_mm512_set1_pd(KEEL_D_TANH_CLAMP), a);
    __m512d t = _mm512_add_pd(a, a);
    __m512d k;
    __m512d r = keel_d8_reduce(t, &k);
    __m512d q = keel_d8_expm1_reduced(r);
    __m512d s = _mm512_scalef_pd(_mm512_set1_pd(1.0), k);
    __m512d e = _mm512_fmadd_pd(s, q, _mm512_sub_pd(s, _mm512_set1_pd(1.0)));
    __m512d th = _mm512_div_pd(e, _mm512_add_pd(e, _mm512_set1_pd(2.0)));
    return _mm512_castsi512_pd(_mm512_or_si512(_mm512_castpd_si512(th), _mm512_and_si512(sign, xi)));
}

KEEL_INLINE512 __m512d keel_d8_sigmoid(__m512d x) {
    const __m512i sign = _mm512_set1_epi64((long long)0x8000000000000000ull);
    __m512d na = _mm512_castsi512_pd(_mm512_or_si512(_mm512_castpd_si512(x), sign));
    __m512d e = keel_d8_exp(na);
    __mmask8 negative = _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_LT_OQ);
    __m512d num = _mm512_mask_blend_pd(negative, _mm512_set1_pd(1.0), e);
    return _mm512_div_pd(num, _mm512_add_pd(_mm512_set1_pd(1.0), e));
}

#define KEEL_DEFINE_D8_LOOP(NAME, FN)                                                               \
    KEEL_TARGET_AVX512 void NAME(long n, const double *x, double *y) {                              \
        long i = 0;                                                                                 \
        for (; i + 16 <= n; i += 16) {                                                              \
            __m512d a = _mm512_loadu_pd(x + i), b = _mm512_loadu_pd(x + i + 8);                     \
            _mm512_storeu_pd(y + i, FN(a));                                                         \
            _mm512_storeu_pd(y + i + 8, FN(b));                                                     \
        }                                                                                           \
        for (; i + 8 <= n; i += 8) _mm512_storeu_pd(y + i, FN(_mm512_loadu_pd(x + i)));            \
        if (i < n) {                                                                                \
            __mmask8 m = (__mmask8)((1u << (unsigned)(n - i)) - 1u);                                \
            _mm512_mask_storeu_pd(y + i, m, FN(_mm512_maskz_loadu_pd(m, x + i)));                   \
        }                                                                                           \
    }

KEEL_DEFINE_D8_LOOP(keel_d_exp_avx512, keel_d8_exp)
KEEL_DEFINE_D8_LOOP(keel_d_tanh_avx512, keel_d8_tanh)
KEEL_DEFINE_D8_LOOP(keel_d_sigmoid_avx512, keel_d8_sigmoid)

#else
typedef int keel_activations_avx512_unused; /* keeps the translation unit non-empty */
#endif
