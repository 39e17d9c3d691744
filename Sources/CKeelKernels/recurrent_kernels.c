/*
 * Fused pointwise gate math of the built-in LSTM and GRU cells, forward and backward: one call per
 * time step instead of a dozen tensor operations (and their allocations). The GEMMs stay outside;
 * these kernels see pre-activations and produce activations, states and pre-activation gradients.
 *
 * Layout: row-major [batch, G*H] gate blocks in PyTorch's order (LSTM i, f, g, o; GRU r, z, n).
 * sigmoid and tanh run through the vectorized activation kernels row block by row block; the
 * remaining arithmetic is memory-bound loops instantiated per dispatch path (KEEL_EW_VARIANTS).
 */
#include "gemm_internal.h"
#include "threadpool.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

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

/* ------------------------------------------------------------ whole sequences */

/*
 * The time loop of the built-in cells, forward and backward, in one call per sequence: per step one
 * recurrent GEMM against W_hh packed once, then the gate math in place, with every state and cache
 * written into caller-provided [T, B, .] buffers (no allocation, no per-step objects).
 *
 * Batch rows never interact inside the recurrence (row b of h_t depends only on row b of h_{t-1}),
 * so the batch is cut into row chunks and each pool thread runs the whole sequence for the chunks
 * it claims: no synchronization per step. Each element is computed by the same kernels in the same
 * order whatever the chunking, so results do not depend on the thread count.
 */

/* Rows below which a chunk is not worth a thread (the per-step GEMM gets too thin). */
#define KEEL_SEQUENCE_MIN_ROWS 8

static int keel_sequence_chunks(long batch) {
    int threads = keel_num_threads();
    long by_rows = batch / KEEL_SEQUENCE_MIN_ROWS;
    if (by_rows < threads) threads = by_rows < 1 ? 1 : (int)by_rows;
    return threads;
}

/* op(B) packed into the calling thread's buffer `slot` (reused across calls), or NULL. */
static void *keel_sequence_pack_s(int slot, bool trans, long k, long n, const float *b, long ldb) {
    size_t bytes = keel_sgemm_packed_b_size(k, n);
    if (bytes == 0) return NULL;
    void *p = keel_thread_buffer(slot, bytes);
    if (p != NULL) keel_sgemm_pack_b(trans, k, n, b, ldb, p);
    return p;
}

static void *keel_sequence_pack_d(int slot, bool trans, long k, long n, const double *b, long ldb) {
    (void)slot; (void)trans; (void)k; (void)n; (void)b; (void)ldb;
    return NULL; /* double products are not pre-packed */
}

/* Gate blocks G of a cell kind: W = G * hidden columns per projection. */
static inline long keel_gate_count(int kind) { return kind == KEEL_CELL_LSTM ? 4 : kind == KEEL_CELL_GRU ? 3 : 1; }

#define KEEL_DEFINE_SEQUENCE_KERNELS(P, T)                                                          \
    KEEL_EW_VARIANTS(void, keel_##P##_seq_add_impl, (long n, T *restrict a, const T *restrict b),  \
        (n, a, b), { for (long k = 0; k < n; k++) a[k] += b[k]; })                                  \
    KEEL_EW_VARIANTS(void, keel_##P##_seq_add_product_impl,                                         \
        (long n, T *restrict a, const T *restrict r, const T *restrict y), (n, a, r, y),            \
        { for (long k = 0; k < n; k++) a[k] += r[k] * y[k]; })                                      \
    KEEL_EW_VARIANTS(void, keel_##P##_seq_relu_impl, (long n, const T *restrict z, T *restrict h), \
        (n, z, h), { for (long k = 0; k < n; k++) h[k] = z[k] > (T)0 ? z[k] : (T)0; })              \
    KEEL_EW_VARIANTS(void, keel_##P##_seq_tanh_backward_impl,                                       \
        (long n, const T *restrict h, const T *restrict dh, T *restrict dz), (n, h, dh, dz),        \
        { for (long k = 0; k < n; k++) dz[k] = dh[k] * ((T)1 - h[k] * h[k]); })                     \
    KEEL_EW_VARIANTS(void, keel_##P##_seq_relu_backward_impl,                                       \
        (long n, const T *restrict h, const T *restrict dh, T *restrict dz), (n, h, dh, dz),        \
        { for (long k = 0; k < n; k++) dz[k] = h[k] > (T)0 ? dh[k] : (T)0; })                       \
    KEEL_EW_VARIANTS(double, keel_##P##_seq_sum_squares_impl, (long n, const T *restrict x), (n, x), \
        { double s = 0; for (long k = 0; k < n; k++) s += (double)x[k] * (double)x[k]; return s; }) \
                                                                                                    \
    typedef struct {                                                                                \
        int kind;                                                                                   \
        long steps, first, batch, input, hidden, rows, chunks;                                      \
        int path;                                                                                   \
        const T *whh, *bias_hh, *dy, *h0, *x, *w_all, *table;                                       \
        const long *tokens;                                                                         \
        const void *packed, *packed_hh;                                                             \
        T *z, *zh, *h, *c, *tanh_c, *dh, *dc, *dz, *dzh, *xh;                                       \
        double *profile;                                                                            \
        _Atomic long next;                                                                          \
        _Atomic int failed;                                                                         \
    } keel_##P##_sequence_job;                                                                      \
                                                                                                    \
    /* Step t of rows r0 ..< r0 + nb: gather [h_{t-1} | x_t | 1] into xh, one GEMM for the
     * projections (RNN/LSTM: against [W_hh | W_ih | b_ih + b_hh]; GRU: [W_ih | b_ih] on [x_t | 1]
     * and b_hh + h W_hh^T), then the gate math in place. With tokens, xh is [h_{t-1}] and the
     * input projection (with its biases) is the table row of the step's token: copied into the
     * pre-activations, onto which the recurrent GEMM accumulates (GRU: it is the whole of z). */  \
    static bool keel_##P##_sequence_forward_rows(const keel_##P##_sequence_job *job, long r0, long nb) { \
        const long B = job->batch, H = job->hidden, I = job->input;                                 \
        const bool tokens = job->tokens != NULL;                                                    \
        const long K = tokens ? H : H + I + 1;                                                      \
        const long G = keel_gate_count(job->kind);                                                  \
        const long W = G * H;                                                                       \
        T *scratch = NULL; /* RNN pre-activations of one step (not cached) */                       \
        if (job->z == NULL) {                                                                       \
            scratch = keel_thread_buffer(KEEL_BUFFER_SEQ_ROWS, (size_t)(nb * W) * sizeof(T));       \
            if (scratch == NULL) return false;                                                      \
        }                                                                                           \
        for (long t = 0; t < job->steps; t++) {                                                     \
            const long row = t * B + r0;                                                            \
            const T *hp = t == 0 ? job->h0 + r0 * H : job->h + (row - B) * H;                       \
            T *hn = job->h + row * H, *xh = job->xh + row * K;                                      \
            T *z = scratch != NULL ? scratch : job->z + row * W;                                    \
            for (long b = 0; b < nb; b++) {                                                         \
                T *r = xh + b * K;                                                                  \
                memcpy(r, hp + b * H, (size_t)H * sizeof(T));                                       \
                if (tokens) {                                                                       \
                    memcpy(z + b * W, job->table + job->tokens[row + b] * W, (size_t)W * sizeof(T)); \
                } else {                                                                            \
                    memcpy(r + H, job->x + (row + b) * I, (size_t)I * sizeof(T));                   \
                    r[H + I] = (T)1;                                                                \
                }                                                                                   \
            }                                                                                       \
            const T beta = tokens ? (T)1 : (T)0; /* onto the table rows */                         \
            switch (job->kind) {                                                                    \
            case KEEL_CELL_RNN_TANH:                                                                \
            case KEEL_CELL_RNN_RELU:                                                                \
                keel_##P##_gemm_serial(false, true, nb, W, K, (T)1, xh, K, job->w_all, K, job->packed, beta, z, W); \
                if (job->kind == KEEL_CELL_RNN_TANH) keel_##P##_tanh_in_kernel(nb * H, z, hn);      \
                else keel_##P##_seq_relu_impl(nb * H, z, hn);                                       \
                break;                                                                              \
            case KEEL_CELL_LSTM: {                                                                  \
                keel_##P##_gemm_serial(false, true, nb, W, K, (T)1, xh, K, job->w_all, K, job->packed, beta, z, W); \
                const T *cp = job->c + row * H;                                                     \
                T *cn = job->c + (row + B) * H, *tc = job->tanh_c + row * H;                        \
                for (long b = 0; b < nb; b++) {                                                     \
                    T *g = z + b * W;                                                               \
                    keel_##P##_sigmoid_in_kernel(2 * H, g, g);                                      \
                    keel_##P##_tanh_in_kernel(H, g + 2 * H, g + 2 * H);                             \
                    keel_##P##_sigmoid_in_kernel(H, g + 3 * H, g + 3 * H);                          \
                    keel_##P##_lstm_cell_impl(H, g, g + H, g + 2 * H, cp + b * H, cn + b * H);      \
                }                                                                                   \
                keel_##P##_tanh_in_kernel(nb * H, cn, tc);                                          \
                for (long b = 0; b < nb; b++)                                                       \
                    keel_##P##_mul_impl(H, z + b * W + 3 * H, tc + b * H, hn + b * H);              \
                break;                                                                              \
            }                                                                                       \
            case KEEL_CELL_GRU: {                                                                   \
                if (!tokens)                                                                        \
                    keel_##P##_gemm_serial(false, true, nb, W, I + 1, (T)1, xh + H, K, job->w_all, I + 1, job->packed, (T)0, z, W); \
                T *zh = job->zh + row * W;                                                          \
                for (long b = 0; b < nb; b++) memcpy(zh + b * W, job->bias_hh, (size_t)W * sizeof(T)); \
                keel_##P##_gemm_serial(false, true, nb, W, H, (T)1, xh, K, job->whh, H, job->packed_hh, (T)1, zh, W); \
                for (long b = 0; b < nb; b++) {                                                     \
                    T *g = z + b * W;                                                               \
                    const T *y = zh + b * W;                                                        \
                    keel_##P##_seq_add_impl(2 * H, g, y);                                           \
                    keel_##P##_sigmoid_in_kernel(2 * H, g, g);                                      \
                    keel_##P##_seq_add_product_impl(H, g + 2 * H, g, y + 2 * H);                    \
                    keel_##P##_tanh_in_kernel(H, g + 2 * H, g + 2 * H);                             \
                    keel_##P##_gru_hidden_impl(H, g + H, g + 2 * H, hp + b * H, hn + b * H);        \
                }                                                                                   \
                break;                                                                              \
            }                                                                                       \
            }                                                                                       \
        }                                                                                           \
        return true; /* scratch stays with the thread */                                            \
    }                                                                                               \
                                                                                                    \
    /* dh (and dc) hold this chunk's carry: in, dL/d(state T); out, dL/d(state first). */          \
    static bool keel_##P##_sequence_backward_rows(const keel_##P##_sequence_job *job, long r0, long nb) { \
        const long B = job->batch, H = job->hidden;                                                 \
        const long G = keel_gate_count(job->kind);                                                  \
        const long W = G * H;                                                                       \
        T *dh = job->dh + r0 * H, *dc = job->kind == KEEL_CELL_LSTM ? job->dc + r0 * H : NULL;     \
        T *spare = NULL;                                                                            \
        if (job->kind == KEEL_CELL_LSTM || job->kind == KEEL_CELL_GRU) {                            \
            spare = keel_thread_buffer(KEEL_BUFFER_SEQ_ROWS, (size_t)(nb * H) * sizeof(T));         \
            if (spare == NULL) return false;                                                        \
        }                                                                                           \
        T *carry = job->kind == KEEL_CELL_LSTM ? dc : dh; /* the buffer that alternates with spare */ \
        for (long t = job->steps - 1; t >= job->first; t--) {                                      \
            const long row = t * B + r0;                                                            \
            if (job->dy != NULL) keel_##P##_seq_add_impl(nb * H, dh, job->dy + row * H);            \
            if (job->profile != NULL) /* per row, so the sums do not depend on the chunking */     \
                for (long b = 0; b < nb; b++)                                                       \
                    job->profile[row + b] = keel_##P##_seq_sum_squares_impl(H, dh + b * H);         \
            const T *hn = job->h + row * H, *hp = t == 0 ? job->h0 + r0 * H : job->h + (row - B) * H; \
            T *dz = job->dz + row * W;                                                              \
            switch (job->kind) {                                                                    \
            case KEEL_CELL_RNN_TANH:                                                                \
                keel_##P##_seq_tanh_backward_impl(nb * H, hn, dh, dz);                              \
                keel_##P##_gemm_serial(false, false, nb, H, W, (T)1, dz, W, job->whh, H, job->packed, (T)0, dh, H); \
                break;                                                                              \
            case KEEL_CELL_RNN_RELU:                                                                \
                keel_##P##_seq_relu_backward_impl(nb * H, hn, dh, dz);                              \
                keel_##P##_gemm_serial(false, false, nb, H, W, (T)1, dz, W, job->whh, H, job->packed, (T)0, dh, H); \
                break;                                                                              \
            case KEEL_CELL_LSTM: {                                                                  \
                const T *gates = job->z + row * W, *cp = job->c + row * H, *tc = job->tanh_c + row * H; \
                for (long b = 0; b < nb; b++) {                                                     \
                    const T *g = gates + b * W;                                                     \
                    T *d = dz + b * W;                                                              \
                    keel_##P##_lstm_backward_impl(H, g, g + H, g + 2 * H, g + 3 * H, cp + b * H, tc + b * H, \
                        dh + b * H, carry + b * H, d, d + H, d + 2 * H, d + 3 * H, spare + b * H);  \
                }                                                                                   \
                T *swap = carry; carry = spare; spare = swap;                                       \
                keel_##P##_gemm_serial(false, false, nb, H, W, (T)1, dz, W, job->whh, H, job->packed, (T)0, dh, H); \
                break;                                                                              \
            }                                                                                       \
            case KEEL_CELL_GRU: {                                                                   \
                const T *gates = job->z + row * W, *zh = job->zh + row * W;                         \
                T *dzh = job->dzh + row * W;                                                        \
                for (long b = 0; b < nb; b++) {                                                     \
                    const T *g = gates + b * W;                                                     \
                    T *dx = dz + b * W, *dy = dzh + b * W;                                          \
                    keel_##P##_gru_backward_impl(H, g, g + H, g + 2 * H, zh + b * W + 2 * H, hp + b * H, \
                        carry + b * H, dx, dx + H, dx + 2 * H, dy, dy + H, dy + 2 * H, spare + b * H); \
                }                                                                                   \
                T *swap = carry; carry = spare; spare = swap;                                       \
                keel_##P##_gemm_serial(false, false, nb, H, W, (T)1, dzh, W, job->whh, H, job->packed, (T)1, carry, H); \
                dh = carry;                                                                         \
                break;                                                                              \
            }                                                                                       \
            }                                                                                       \
        }                                                                                           \
        /* the carry may have ended in the spare buffer: bring it home */                          \
        if (job->kind == KEEL_CELL_LSTM && carry != job->dc + r0 * H) {                            \
            memcpy(job->dc + r0 * H, carry, (size_t)(nb * H) * sizeof(T));                          \
            spare = carry;                                                                          \
        }                                                                                           \
        if (job->kind == KEEL_CELL_GRU && carry != job->dh + r0 * H) {                             \
            memcpy(job->dh + r0 * H, carry, (size_t)(nb * H) * sizeof(T));                          \
            spare = carry;                                                                          \
        }                                                                                           \
        return true; /* spare stays with the thread */                                              \
    }                                                                                               \
                                                                                                    \
    static void keel_##P##_sequence_task(void *ctx, int tid, int nthreads) {                        \
        (void)tid; (void)nthreads;                                                                  \
        keel_##P##_sequence_job *job = ctx;                                                         \
        int saved = keel_thread_kernel_path();                                                      \
        keel_set_thread_kernel_path(job->path); /* a worker computes on the caller's path */        \
        for (;;) {                                                                                  \
            long chunk = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);            \
            if (chunk >= job->chunks) break;                                                        \
            long r0 = chunk * job->rows, nb = job->batch - r0 < job->rows ? job->batch - r0 : job->rows; \
            if (job->dz == NULL) {                                                                  \
                if (!keel_##P##_sequence_forward_rows(job, r0, nb)) atomic_store(&job->failed, 1);  \
            } else if (!keel_##P##_sequence_backward_rows(job, r0, nb)) atomic_store(&job->failed, 1); \
        }                                                                                           \
        keel_set_thread_kernel_path(saved);                                                         \
    }                                                                                               \
                                                                                                    \
    static bool keel_##P##_sequence_run(keel_##P##_sequence_job *job) {                            \
        int chunks = keel_sequence_chunks(job->batch);                                              \
        /* chunks start on register-tile boundaries: the same tiles, so the same bits, as 1 thread */ \
        long tile = keel_##P##_gemm_row_tile();                                                     \
        job->rows = ((job->batch + chunks - 1) / chunks + tile - 1) / tile * tile;                  \
        job->chunks = (job->batch + job->rows - 1) / job->rows;                                     \
        job->path = (int)keel_current_kernel_path();                                                \
        atomic_init(&job->next, 0);                                                                 \
        atomic_init(&job->failed, 0);                                                               \
        unsigned fp = keel_fp_enter();                                                              \
        if (job->chunks <= 1) keel_##P##_sequence_task(job, 0, 1);                                  \
        else keel_parallel_run(keel_##P##_sequence_task, job, (int)job->chunks, keel_current_csr()); \
        keel_fp_exit(fp);                                                                           \
        return atomic_load(&job->failed) == 0;                                                      \
    }                                                                                               \
                                                                                                    \
    bool keel_##P##_recurrent_sequence_forward(int kind, long steps, long batch, long input, long hidden, \
                                               const T *x, const T *w_ih, const T *w_hh, const T *b_ih, \
                                               const T *b_hh, const T *h0, T *xh, T *gates, T *zh, T *h, \
                                               T *c, T *tanh_c, const long *tokens, const T *table) { \
        if (steps <= 0 || batch <= 0 || hidden <= 0) return true;                                   \
        const long G = keel_gate_count(kind);                                                       \
        const long H = hidden, I = input, W = G * H;                                                \
        const bool gru = kind == KEEL_CELL_GRU;                                                     \
        /* the projection weight, row j: RNN/LSTM [W_hh | W_ih | b_ih + b_hh], GRU [W_ih | b_ih];
         * with tokens the table holds the input part: RNN/LSTM W_hh as it is, GRU none */          \
        const long KW = tokens != NULL ? (gru ? 0 : H) : gru ? I + 1 : H + I + 1;                   \
        T *w_all = tokens != NULL ? (T *)w_hh                                                       \
                                  : keel_thread_buffer(KEEL_BUFFER_SEQ_WEIGHTS, (size_t)(W * KW) * sizeof(T)); \
        if (w_all == NULL) return false;                                                            \
        for (long j = 0; tokens == NULL && j < W; j++) {                                            \
            T *r = w_all + j * KW;                                                                  \
            if (gru) {                                                                              \
                memcpy(r, w_ih + j * I, (size_t)I * sizeof(T));                                     \
                r[I] = b_ih[j];                                                                     \
            } else {                                                                                \
                memcpy(r, w_hh + j * H, (size_t)H * sizeof(T));                                     \
                memcpy(r + H, w_ih + j * I, (size_t)I * sizeof(T));                                 \
                r[H + I] = b_ih[j] + b_hh[j];                                                       \
            }                                                                                       \
        }                                                                                           \
        keel_##P##_sequence_job job = {                                                             \
            .kind = kind, .steps = steps, .first = 0, .batch = batch, .input = input, .hidden = hidden, \
            .whh = w_hh, .bias_hh = b_hh, .h0 = h0, .x = x, .w_all = w_all, .xh = xh,               \
            .z = kind == KEEL_CELL_RNN_TANH || kind == KEEL_CELL_RNN_RELU ? NULL : gates,           \
            .zh = zh, .h = h, .c = c, .tanh_c = tanh_c, .tokens = tokens, .table = table,           \
        };                                                                                          \
        void *packed = KW == 0 ? NULL : keel_sequence_pack_##P(KEEL_BUFFER_SEQ_PACKED, true, KW, W, w_all, KW); \
        void *packed_hh = gru ? keel_sequence_pack_##P(KEEL_BUFFER_SEQ_PACKED_HH, true, H, W, w_hh, H) : NULL; \
        job.packed = packed;                                                                        \
        job.packed_hh = packed_hh;                                                                  \
        return keel_##P##_sequence_run(&job); /* the buffers stay with the thread for the next call */ \
    }                                                                                               \
                                                                                                    \
    bool keel_##P##_recurrent_sequence_backward(int kind, long steps, long first, long batch, long hidden, \
                                                const T *whh, const T *gates, const T *zh, const T *h0, const T *h, \
                                                const T *c, const T *tanh_c, const T *dy, T *dh, T *dc, \
                                                T *dz, T *dzh, double *profile) {                   \
        if (steps <= 0 || batch <= 0 || hidden <= 0 || first >= steps) return true;                 \
        const long G = keel_gate_count(kind);                                                       \
        keel_##P##_sequence_job job = {                                                             \
            .kind = kind, .steps = steps, .first = first < 0 ? 0 : first, .batch = batch, .hidden = hidden, \
            .whh = whh, .dy = dy, .h0 = h0, .z = (T *)gates, .zh = (T *)zh, .h = (T *)h, .c = (T *)c, \
            .tanh_c = (T *)tanh_c, .dh = dh, .dc = dc, .dz = dz, .dzh = dzh,                        \
        };                                                                                          \
        double *partial = NULL;                                                                     \
        if (profile != NULL) {                                                                      \
            partial = calloc((size_t)(batch * steps), sizeof(double));                              \
            if (partial == NULL) return false;                                                      \
            job.profile = partial;                                                                  \
        }                                                                                           \
        job.packed = keel_sequence_pack_##P(KEEL_BUFFER_SEQ_PACKED, false, G * hidden, hidden, whh, hidden); \
        bool ok = keel_##P##_sequence_run(&job);                                                    \
        if (partial != NULL) {                                                                      \
            /* row order, not thread order: the same sums whoever ran which chunk */                \
            for (long t = 0; t < steps; t++) {                                                      \
                double s = 0;                                                                       \
                for (long b = 0; b < batch; b++) s += partial[t * batch + b];                       \
                profile[t] = s;                                                                     \
            }                                                                                       \
            free(partial);                                                                          \
        }                                                                                           \
        return ok;                                                                                  \
    }

KEEL_DEFINE_SEQUENCE_KERNELS(s, float)
KEEL_DEFINE_SEQUENCE_KERNELS(d, double)
