/*
 * AVX2 + FMA path of exp, tanh and sigmoid (algorithm: activations_internal.h). k = round(x / ln2)
 * comes from the "add 1.5 * 2^mantissa-bits" trick, whose result holds k in its low integer bits;
 * 2^k is built in the exponent field, split in two normal factors for exp so that overflow and
 * gradual underflow come out of a single rounding. Tails use vmaskmov loads and stores.
 */
#include "activations_internal.h"

#ifdef KEEL_X86

#define KEEL_INLINE2 static inline KEEL_TARGET_AVX2

/* ------------------------------------------------------------------- float */

#define KEEL_F_SHIFTER 0x1.8p23f /* t = x + SHIFTER rounds x to an integer held in t's low bits */

KEEL_INLINE2 __m256 keel_f8_expm1_reduced(__m256 r) {
    __m256 p = _mm256_set1_ps(KEEL_F_P4);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(KEEL_F_P3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(KEEL_F_P2));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(KEEL_F_P1));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(KEEL_F_P0));
    return _mm256_fmadd_ps(_mm256_mul_ps(r, r), p, r);
}

/* Returns r = x - k ln2 and sets *k to the integer k = round(x / ln2) (|x| <= 110). */
KEEL_INLINE2 __m256 keel_f8_reduce(__m256 x, __m256i *k) {
    const __m256 shifter = _mm256_set1_ps(KEEL_F_SHIFTER);
    __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(KEEL_F_LOG2E), shifter);
    __m256 kf = _mm256_sub_ps(t, shifter);
    __m256 r = _mm256_fnmadd_ps(kf, _mm256_set1_ps(KEEL_F_LN2_HI), x);
    *k = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(shifter));
    return _mm256_fnmadd_ps(kf, _mm256_set1_ps(KEEL_F_LN2_LO), r);
}

/* 2^k for -126 <= k <= 127. */
KEEL_INLINE2 __m256 keel_f8_pow2(__m256i k) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23));
}

KEEL_INLINE2 __m256 keel_f8_exp(__m256 x) {
    /* min/max return their second operand when one is NaN, so NaN passes through the clamp. */
    x = _mm256_min_ps(_mm256_set1_ps(KEEL_F_EXP_HI), x);
    x = _mm256_max_ps(_mm256_set1_ps(KEEL_F_EXP_LO), x);
    __m256i k;
    __m256 r = keel_f8_reduce(x, &k);
    __m256 p = _mm256_add_ps(_mm256_set1_ps(1.0f), keel_f8_expm1_reduced(r));
    __m256i k1 = _mm256_srai_epi32(k, 1);
    __m256i k2 = _mm256_sub_epi32(k, k1);
    return _mm256_mul_ps(_mm256_mul_ps(p, keel_f8_pow2(k1)), keel_f8_pow2(k2));
}

KEEL_INLINE2 __m256 keel_f8_tanh(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 a = _mm256_andnot_ps(sign, x);
    a = _mm256_min_ps(_mm256_set1_ps(KEEL_F_TANH_CLAMP), a);
    __m256 t = _mm256_add_ps(a, a);
    __m256i k;
    __m256 r = keel_f8_reduce(t, &k);
    __m256 q = keel_f8_expm1_reduced(r);
    __m256 s = keel_f8_pow2(k); /* k <= 29 */
    __m256 e = _mm256_fmadd_ps(s, q, _mm256_sub_ps(s, _mm256_set1_ps(1.0f)));
    __m256 th = _mm256_div_ps(e, _mm256_add_ps(e, _mm256_set1_ps(2.0f)));
    return _mm256_or_ps(th, _mm256_and_ps(sign, x));
}

KEEL_INLINE2 __m256 keel_f8_sigmoid(__m256 x) {
    __m256 e = keel_f8_exp(_mm256_or_ps(x, _mm256_set1_ps(-0.0f)));
    __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
    __m256 num = _mm256_blendv_ps(_mm256_set1_ps(1.0f), e, negative);
    return _mm256_div_ps(num, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

#define KEEL_DEFINE_F8_LOOP(NAME, FN)                                                               \
    KEEL_TARGET_AVX2 void NAME(long n, const float *x, float *y) {                                  \
        long i = 0;                                                                                 \
        for (; i + 16 <= n; i += 16) {                                                              \
            __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);                      \
            _mm256_storeu_ps(y + i, FN(a));                                                         \
            _mm256_storeu_ps(y + i + 8, FN(b));                                                     \
        }                                                                                           \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, FN(_mm256_loadu_ps(x + i)));             \
        if (i < n) {                                                                                \
            __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n - i)),                         \
                                           _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));              \
            _mm256_maskstore_ps(y + i, m, FN(_mm256_maskload_ps(x + i, m)));                        \
        }                                                                                           \
    }

KEEL_DEFINE_F8_LOOP(keel_s_exp_avx2, keel_f8_exp)
KEEL_DEFINE_F8_LOOP(keel_s_tanh_avx2, keel_f8_tanh)
KEEL_DEFINE_F8_LOOP(keel_s_sigmoid_avx2, keel_f8_sigmoid)

/* ------------------------------------------------------------------ double */

#define KEEL_D_SHIFTER 0x1.8p52

KEEL_INLINE2 __m256d keel_d4_expm1_reduced(__m256d r) {
    __m256d p = _mm256_set1_pd(KEEL_D_P10);
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(KEEL_D_P9));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(KEEL_D_P8));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(KEEL_D_P7));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(KEEL_D_P6));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(KEEL_D_P5));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(KEEL_D_P4));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(KEEL_D_P3));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(KEEL_D_P2));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(KEEL_D_P1));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(KEEL_D_P0));
    return _mm256_fmadd_pd(_mm256_mul_pd(r, r), p, r);
}

KEEL_INLINE2 __m256d keel_d4_reduce(__m256d x, __m256i *k) {
    const __m256d shifter = _mm256_set1_pd(KEEL_D_SHIFTER);
    __m256d t = _mm256_fmadd_pd(x, _mm256_set1_pd(KEEL_D_LOG2E), shifter);
    __m256d kf = _mm256_sub_pd(t, shifter);
    __m256d r = _mm256_fnmadd_pd(kf, _mm256_set1_pd(KEEL_D_LN2_HI), x);
    *k = _mm256_sub_epi64(_mm256_castpd_si256(t), _mm256_castpd_si256(shifter));
    return _mm256_fnmadd_pd(kf, _mm256_set1_pd(KEEL_D_LN2_LO), r);
}

/* 2^k for -1022 <= k <= 1023. */
KEEL_INLINE2 __m256d keel_d4_pow2(__m256i k) {
    return _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(k, _mm256_set1_epi64x(1023)), 52));
}

KEEL_INLINE2 __m256d keel_d4_exp(__m256d x) {
    x = _mm256_min_pd(_mm256_set1_pd(KEEL_D_EXP_HI), x);
    x = _mm256_max_pd(_mm256_set1_pd(KEEL_D_EXP_LO), x);
    __m256i k;
    __m256d r = keel_d4_reduce(x, &k);
    __m256d p = _mm256_add_pd(_mm256_set1_pd(1.0), keel_d4_expm1_reduced(r));
    /* k1 = floor(k / 2) without a 64-bit arithmetic shift (AVX2 has none): k + 2048 > 0. */
    __m256i k1 = _mm256_sub_epi64(_mm256_srli_epi64(_mm256_add_epi64(k, _mm256_set1_epi64x(2048)), 1),
                                  _mm256_set1_epi64x(1024));
    __m256i k2 = _mm256_sub_epi64(k, k1);
    return _mm256_mul_pd(_mm256_mul_pd(p, keel_d4_pow2(k1)), keel_d4_pow2(k2));
}

KEEL_INLINE2 __m256d keel_d4_tanh(__m256d x) {
    const __m256d sign = _mm256_set1_pd(-0.0);
    __m256d a = _mm256_andnot_pd(sign, x);
    a = _mm256_min_pd(_mm256_set1_pd(KEEL_D_TANH_CLAMP), a);
    __m256d t = _mm256_add_pd(a, a);
    __m256i k;
    __m256d r = keel_d4_reduce(t, &k);
    __m256d q = keel_d4_expm1_reduced(r);
    __m256d s = keel_d4_pow2(k); /* k <= 58 */
    __m256d e = _mm256_fmadd_pd(s, q, _mm256_sub_pd(s, _mm256_set1_pd(1.0)));
    __m256d th = _mm256_div_pd(e, _mm256_add_pd(e, _mm256_set1_pd(2.0)));
    return _mm256_or_pd(th, _mm256_and_pd(sign, x));
}

KEEL_INLINE2 __m256d keel_d4_sigmoid(__m256d x) {
    __m256d e = keel_d4_exp(_mm256_or_pd(x, _mm256_set1_pd(-0.0)));
    __m256d negative = _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_LT_OQ);
    __m256d num = _mm256_blendv_pd(_mm256_set1_pd(1.0), e, negative);
    return _mm256_div_pd(num, _mm256_add_pd(_mm256_set1_pd(1.0), e));
}

#define KEEL_DEFINE_D4_LOOP(NAME, FN)                                                               \
    KEEL_TARGET_AVX2 void NAME(long n, const double *x, double *y) {                                \
        long i = 0;                                                                                 \
        for (; i + 8 <= n; i += 8) {                                                                \
            __m256d a = _mm256_loadu_pd(x + i), b = _mm256_loadu_pd(x + i + 4);                     \
            _mm256_storeu_pd(y + i, FN(a));                                                         \
            _mm256_storeu_pd(y + i + 4, FN(b));                                                     \
        }                                                                                           \
        for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, FN(_mm256_loadu_pd(x + i)));             \
        if (i < n) {                                                                                \
            __m256i m = _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)(n - i)),                  \
                                           _mm256_setr_epi64x(0, 1, 2, 3));                         \
            _mm256_maskstore_pd(y + i, m, FN(_mm256_maskload_pd(x + i, m)));                        \
        }                                                                                           \
    }

KEEL_DEFINE_D4_LOOP(keel_d_exp_avx2, keel_d4_exp)
KEEL_DEFINE_D4_LOOP(keel_d_tanh_avx2, keel_d4_tanh)
KEEL_DEFINE_D4_LOOP(keel_d_sigmoid_avx2, keel_d4_sigmoid)

#else
typedef int keel_activations_avx2_unused; /* keeps the translation unit non-empty */
#endif
