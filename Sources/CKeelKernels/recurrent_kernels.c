/*
 * Fused pointwise gate math of the built-in LSTM and GRU cells, forward and backward: one call per
 * time step instead of a dozen tensor operations (and their allocations). The GEMMs stay outside;
 * these kernels see pre-activations and produce activations, states and pre-activation gradients.
 *
 * Layout: row-major [batch, G*H] gate blocks in PyTorch's order (LSTM i, f, g, o; GRU r, z, n).
 * sigmoid and tanh run through the vectorized activation kernels row block by row block; the
 * remaining arithmetic is memory-bound loops instantiated per dispatch path (KEEL_EW_VARIANTS).
 */
#include "internal.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define KEEL_DEFINE_RECURRENT_KERNELS(P, T)                                                        \
    KEEL_EW_VARIANTS(void, keel_##P##_add_rows_impl, (long n, const T *restrict a, const T *restrict b, T *restrict out), \
        (n, a, b, out), { for (long i = 0; i < n; i++) out[i] = a[i] + b[i]; })                   \
                                                                                                    \
    KEEL_EW_VARIANTS(void, keel_##P##_lstm_cell_impl,                                               \
        (long n, const T *restrict i_, const T *restrict f_, const T *restrict g_, const T *restrict c_prev, T *restrict c), \
        (n, i_, f_, g_, c_prev, c), { for (long k = 0; k < n; k++) c[k] = f_[k] * c_prev[k] + i_[k] * g_[k]; }) \
                                                                                                    \
    KEEL_EW_VARIANTS(void, keel_##P##_mul_impl, (long n, const T *restrict a, const T *restrict b, T *restrict out), \
        (n, a, b, out), { for (long k = 0; k < n; k++) out[k] = a[k] * b[k]; })                    \
                                                                                                    \
    void keel_##P##_lstm_forward_pointwise(long batch, long hidden, const T *zx, const T *zh, const T *c_prev, \
                                           T *gates, T *c, T *tanh_c, T *h) {                       \
        unsigned fp = keel_fp_enter();                                                              \
        const long width = 4 * hidden;                                                              \
        for (long b = 0; b < batch; b++) {                                                          \
            T *row = gates + b * width;                                                             \
            keel_##P##_add_rows_impl(width, zx + b * width, zh + b * width, row);                   \
            keel_##P##_sigmoid(2 * hidden, row, row);                                               \
            keel_##P##_tanh(hidden, row + 2 * hidden, row + 2 * hidden);                            \
            keel_##P##_sigmoid(hidden, row + 3 * hidden, row + 3 * hidden);                         \
            const long offset = b * hidden;                                                         \
            keel_##P##_lstm_cell_impl(hidden, row, row + hidden, row + 2 * hidden, c_prev + offset, c + offset); \
        }                                                                                           \
        keel_##P##_tanh(batch * hidden, c, tanh_c);                                                 \
        for (long b = 0; b < batch; b++) {                                                          \
            keel_##P##_mul_impl(hidden, gates + b * width + 3 * hidden, tanh_c + b * hidden, h + b * hidden); \
        }                                                                                           \
        keel_fp_exit(fp);                                                                           \
    }                                                                                               \
                                                                                                    \
    KEEL_EW_VARIANTS(void, keel_##P##_lstm_backward_impl,                                           \
        (long n, const T *restrict gi, const T *restrict gf, const T *restrict gg, const T *restrict go, \
         const T *restrict c_prev, const T *restrict tanh_c, const T *restrict dh, const T *restrict dc, \
         T *restrict di, T *restrict df, T *restrict dg, T *restrict d_o, T *restrict dc_prev),    \
        (n, gi, gf, gg, go, c_prev, tanh_c, dh, dc, di, df, dg, d_o, dc_prev), {                   \
        for (long k = 0; k < n; k++) {                                                              \
            T i = gi[k], f = gf[k], g = gg[k], o = go[k], t = tanh_c[k], h = dh[k];                 \
            T total = dc[k] + h * o * ((T)1 - t * t);                                               \
            di[k] = total * g * (i * ((T)1 - i));                                                   \
            df[k] = total * c_prev[k] * (f * ((T)1 - f));                                           \
            dg[k] = total * i * ((T)1 - g * g);                                                     \
            d_o[k] = h * t * (o * ((T)1 - o));                                                      \
            dc_prev[k] = total * f;                                                                 \
        }                                                                                           \
    })                                                                                              \
                                                                                                    \
    void keel_##P##_lstm_backward_pointwise(long batch, long hidden, const T *gates, const T *c_prev, \
                                            const T *tanh_c, const T *dh, const T *dc, T *dz, T *dc_prev) { \
        unsigned fp = keel_fp_enter();                                                              \
        const long width = 4 * hidden;                                                              \
        for (long b = 0; b < batch; b++) {                                                          \
            const T *row = gates + b * width;                                                       \
            T *drow = dz + b * width;                                                               \
            const long offset = b * hidden;                                                         \
            keel_##P##_lstm_backward_impl(hidden, row, row + hidden, row + 2 * hidden, row + 3 * hidden, \
                c_prev + offset, tanh_c + offset, dh + offset, dc + offset,                         \
                drow, drow + hidden, drow + 2 * hidden, drow + 3 * hidden, dc_prev + offset);       \
        }                                                                                           \
        keel_fp_exit(fp);                                                                           \
    }                                                                                               \
                                                                                                    \
    KEEL_EW_VARIANTS(void, keel_##P##_gru_candidate_impl,                                           \
        (long n, const T *restrict xn, const T *restrict r, const T *restrict hn, T *restrict out), \
        (n, xn, r, hn, out), { for (long k = 0; k < n; k++) out[k] = xn[k] + r[k] * hn[k]; })      \
                                                                                                    \
    KEEL_EW_VARIANTS(void, keel_##P##_gru_hidden_impl,                                              \
        (long n, const T *restrict z, const T *restrict cand, const T *restrict h_prev, T *restrict h), \
        (n, z, cand, h_prev, h), { for (long k = 0; k < n; k++) h[k] = cand[k] + z[k] * (h_prev[k] - cand[k]); }) \
                                                                                                    \
    void keel_##P##_gru_forward_pointwise(long batch, long hidden, const T *zx, const T *zh, const T *h_prev, \
                                          T *gates, T *h) {                                         \
        unsigned fp = keel_fp_enter();                                                              \
        const long width = 3 * hidden;                                                              \
        for (long b = 0; b < batch; b++) {                                                          \
            T *row = gates + b * width;                                                             \
            const T *x = zx + b * width, *y = zh + b * width;                                       \
            keel_##P##_add_rows_impl(2 * hidden, x, y, row);                                        \
            keel_##P##_sigmoid(2 * hidden, row, row);                                               \
            keel_##P##_gru_candidate_impl(hidden, x + 2 * hidden, row, y + 2 * hidden, row + 2 * hidden); \
            keel_##P##_tanh(hidden, row + 2 * hidden, row + 2 * hidden);                            \
            keel_##P##_gru_hidden_impl(hidden, row + hidden, row + 2 * hidden, h_prev + b * hidden, h + b * hidden); \
        }                                                                                           \
        keel_fp_exit(fp);                                                                           \
    }                                                                                               \
                                                                                                    \
    KEEL_EW_VARIANTS(void, keel_##P##_gru_backward_impl,                                            \
        (long n, const T *restrict gr, const T *restrict gz, const T *restrict gn, const T *restrict hn, \
         const T *restrict h_prev, const T *restrict dh, T *restrict dxr, T *restrict dxz, T *restrict dxn, \
         T *restrict dhr, T *restrict dhz, T *restrict dhn, T *restrict dh_prev),                  \
        (n, gr, gz, gn, hn, h_prev, dh, dxr, dxz, dxn, dhr, dhz, dhn, dh_prev), {                  \
        for (long k = 0; k < n; k++) {                                                              \
            T r = gr[k], z = gz[k], c = gn[k], d = dh[k];                                           \
            T dn = d * ((T)1 - z) * ((T)1 - c * c);                                                 \
            T dz = d * (h_prev[k] - c) * (z * ((T)1 - z));                                          \
            T dr = dn * hn[k] * (r * ((T)1 - r));                                                   \
            dxr[k] = dr;                                                                            \
            dxz[k] = dz;                                                                            \
            dxn[k] = dn;                                                                            \
            dhr[k] = dr;                                                                            \
            dhz[k] = dz;                                                                            \
            dhn[k] = dn * r;                                                                        \
            dh_prev[k] = d * z;                                                                     \
        }                                                                                           \
    })                                                                                              \
                                                                                                    \
    void keel_##P##_gru_backward_pointwise(long batch, long hidden, const T *gates, const T *zh, const T *h_prev, \
                                           const T *dh, T *dzx, T *dzh, T *dh_prev) {               \
        unsigned fp = keel_fp_enter();                                                              \
        const long width = 3 * hidden;                                                              \
        for (long b = 0; b < batch; b++) {                                                          \
            const T *row = gates + b * width;                                                       \
            T *dx = dzx + b * width, *dy = dzh + b * width;                                         \
            const long offset = b * hidden;                                                         \
            keel_##P##_gru_backward_impl(hidden, row, row + hidden, row + 2 * hidden, zh + b * width + 2 * hidden, \
                h_prev + offset, dh + offset, dx, dx + hidden, dx + 2 * hidden, dy, dy + hidden, dy + 2 * hidden, \
                dh_prev + offset);                                                                  \
        }                                                                                           \
        keel_fp_exit(fp);                                                                           \
    }

KEEL_DEFINE_RECURRENT_KERNELS(s, float)
KEEL_DEFINE_RECURRENT_KERNELS(d, double)
