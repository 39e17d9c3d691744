/*
 * NEON (arm64) GEMM micro-kernels. float: 4 x 16 register tile (16 q-register accumulators, the 4
 * A values of a k step in one register, used by lane); double: 4 x 8. Edge tiles are computed whole
 * (the packed panels are zero-padded) and only the valid part is written back.
 */
#include "gemm_internal.h"

#ifdef KEEL_ARM64
#include <arm_neon.h>

#define SNEON_MR 4
#define SNEON_NR 16
#define DNEON_MR 4
#define DNEON_NR 8

static void sneon_kernel(long kc, const float *a, const float *b, float *c, long ldc, int m, int n, float alpha,
                         float beta) {
    float32x4_t acc[SNEON_MR][4];
    for (int i = 0; i < SNEON_MR; i++)
        for (int v = 0; v < 4; v++) acc[i][v] = vdupq_n_f32(0.0f);
    for (long p = 0; p < kc; p++) {
        float32x4_t av = vld1q_f32(a + p * SNEON_MR);
        float32x4_t b0 = vld1q_f32(b + p * SNEON_NR), b1 = vld1q_f32(b + p * SNEON_NR + 4);
        float32x4_t b2 = vld1q_f32(b + p * SNEON_NR + 8), b3 = vld1q_f32(b + p * SNEON_NR + 12);
#define SNEON_ROW(I)                                                                                \
    acc[I][0] = vfmaq_laneq_f32(acc[I][0], b0, av, I);                                              \
    acc[I][1] = vfmaq_laneq_f32(acc[I][1], b1, av, I);                                              \
    acc[I][2] = vfmaq_laneq_f32(acc[I][2], b2, av, I);                                              \
    acc[I][3] = vfmaq_laneq_f32(acc[I][3], b3, av, I);
        SNEON_ROW(0) SNEON_ROW(1) SNEON_ROW(2) SNEON_ROW(3)
#undef SNEON_ROW
    }
    float tile[SNEON_MR][SNEON_NR];
    for (int i = 0; i < SNEON_MR; i++)
        for (int v = 0; v < 4; v++) vst1q_f32(&tile[i][4 * v], acc[i][v]);
    for (int i = 0; i < m; i++) {
        float *ci = c + i * ldc;
        if (beta == 0.0f) {
            for (int j = 0; j < n; j++) ci[j] = alpha * tile[i][j];
        } else {
            for (int j = 0; j < n; j++) ci[j] = alpha * tile[i][j] + beta * ci[j];
        }
    }
}

static void dneon_kernel(long kc, const double *a, const double *b, double *c, long ldc, int m, int n,
                         double alpha, double beta) {
    float64x2_t acc[DNEON_MR][4];
    for (int i = 0; i < DNEON_MR; i++)
        for (int v = 0; v < 4; v++) acc[i][v] = vdupq_n_f64(0.0);
    for (long p = 0; p < kc; p++) {
        float64x2_t a01 = vld1q_f64(a + p * DNEON_MR), a23 = vld1q_f64(a + p * DNEON_MR + 2);
        float64x2_t b0 = vld1q_f64(b + p * DNEON_NR), b1 = vld1q_f64(b + p * DNEON_NR + 2);
        float64x2_t b2 = vld1q_f64(b + p * DNEON_NR + 4), b3 = vld1q_f64(b + p * DNEON_NR + 6);
#define DNEON_ROW(I, AV, L)                                                                         \
    acc[I][0] = vfmaq_laneq_f64(acc[I][0], b0, AV, L);                                              \
    acc[I][1] = vfmaq_laneq_f64(acc[I][1], b1, AV, L);                                              \
    acc[I][2] = vfmaq_laneq_f64(acc[I][2], b2, AV, L);                                              \
    acc[I][3] = vfmaq_laneq_f64(acc[I][3], b3, AV, L);
        DNEON_ROW(0, a01, 0) DNEON_ROW(1, a01, 1) DNEON_ROW(2, a23, 0) DNEON_ROW(3, a23, 1)
#undef DNEON_ROW
    }
    double tile[DNEON_MR][DNEON_NR];
    for (int i = 0; i < DNEON_MR; i++)
        for (int v = 0; v < 4; v++) vst1q_f64(&tile[i][2 * v], acc[i][v]);
    for (int i = 0; i < m; i++) {
        double *ci = c + i * ldc;
        if (beta == 0.0) {
            for (int j = 0; j < n; j++) ci[j] = alpha * tile[i][j];
        } else {
            for (int j = 0; j < n; j++) ci[j] = alpha * tile[i][j] + beta * ci[j];
        }
    }
}

static void sneon_pack_a(bool trans, long kc, int count, const float *src, long ld, float *dst) {
    KEEL_GEMM_PACK_GENERIC(float, SNEON_MR, trans, kc, count, src, ld, dst);
}
static void sneon_pack_b(bool trans, long kc, int count, const float *src, long ld, float *dst) {
    KEEL_GEMM_PACK_GENERIC(float, SNEON_NR, trans, kc, count, src, ld, dst);
}
static void dneon_pack_a(bool trans, long kc, int count, const double *src, long ld, double *dst) {
    KEEL_GEMM_PACK_GENERIC(double, DNEON_MR, trans, kc, count, src, ld, dst);
}
static void dneon_pack_b(bool trans, long kc, int count, const double *src, long ld, double *dst) {
    KEEL_GEMM_PACK_GENERIC(double, DNEON_NR, trans, kc, count, src, ld, dst);
}

const keel_sgemm_impl keel_sgemm_neon_impl = {
    SNEON_MR, SNEON_NR, 128, 256, 2048, sneon_kernel, sneon_pack_a, sneon_pack_b,
};
const keel_dgemm_impl keel_dgemm_neon_impl = {
    DNEON_MR, DNEON_NR, 128, 256, 1024, dneon_kernel, dneon_pack_a, dneon_pack_b,
};

#else
typedef int keel_gemm_neon_unused; /* keeps the translation unit non-empty off arm64 */
#endif /* KEEL_ARM64 */
