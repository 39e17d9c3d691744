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
#include <stdio.h>
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
 * recurrent GEMM against W_hh packed once, then the gate math, with every state and cache written
 * into caller-provided [T, B, .] buffers (no allocation, no per-step objects).
 *
 * Work is cut into tiles of batch rows x hidden units (a plan per call, keel_sequence_plan).
 * Batch rows never interact inside the recurrence (row b of h_t depends only on row b of h_{t-1}),
 * so with one column block each pool thread runs the whole sequence for the row chunks it claims,
 * with no synchronization per step. When the batch has too few rows for the threads (batch 32 on
 * 16 threads would give 2 rows a thread, too thin for the GEMM micro-kernel), the hidden units are
 * cut into column blocks as well; a tile (rows, units j0 ..< j1) computes the pre-activations of its
 * units for all G gates (the gate columns g*H + j0 ..< g*H + j1), so its gate math needs nothing
 * from other tiles, and the steps are phases of a keel_phase_loop: one barrier per step, because
 * the next step's GEMM reads the whole h_t (backward: the whole dz_t) of its rows.
 *
 * The projection weight's rows are stored in the plan's order (block by block, each block's G gate
 * runs side by side), so a tile's gate columns are one contiguous, panel-aligned range of the
 * packed weight. Row chunks start at multiples of the register tile's rows and column blocks at
 * multiples of its columns, so every output element is computed with the same micro-kernel tile and
 * k order as on one thread, and the gate math is elementwise: results do not depend on the thread
 * count or the plan.
 */

/* Rows below which a chunk is not worth a thread on its own (the per-step GEMM gets too thin). */
#define KEEL_SEQUENCE_MIN_ROWS 8
/* Most column blocks a plan uses. */
#define KEEL_SEQUENCE_MAX_BLOCKS 64
/* The cost model of a tile, in FLOP-equivalents of the GEMM micro-kernel: packing op(A) costs
 * about 4 per element, the gate math about 30 per gate element, and a barrier between phases
 * about 40k plus 8k per thread (0.4 us + 0.08 us per thread at 100 GFLOP/s, what a spinning
 * barrier costs on a many-core x86 machine). */
#define KEEL_SEQUENCE_PACK_COST 4.0
#define KEEL_SEQUENCE_POINTWISE_COST 30.0
#define KEEL_SEQUENCE_BARRIER_COST 40000.0
#define KEEL_SEQUENCE_BARRIER_COST_PER_THREAD 8000.0

typedef struct {
    long rows, chunks; /* row chunks of `rows` rows (the last may be shorter) */
    int blocks;        /* column blocks of hidden units: bounds[i] ..< bounds[i + 1] */
    long bounds[KEEL_SEQUENCE_MAX_BLOCKS + 1];
} keel_sequence_plan;

/* Column blocks of whole `nr`-wide panels of the H hidden units, as even as panels allow. */
static long keel_sequence_bounds(long H, long nr, int blocks, long *bounds) {
    long panels = (H + nr - 1) / nr, widest = 0;
    for (int i = 0; i <= blocks; i++) {
        long j = (panels * i / blocks) * nr;
        bounds[i] = j < H ? j : H;
        if (i > 0 && bounds[i] - bounds[i - 1] > widest) widest = bounds[i] - bounds[i - 1];
    }
    return widest;
}

/*
 * The plan with the lowest modelled time per step for `threads` threads: over row chunk counts and
 * column block counts whose tiles all run at once (chunks x blocks <= threads), the time of the
 * widest tile (GEMM 2 nb K G hc, packing nb K, gate math nb G hc) plus, with more than one column
 * block, a barrier. One column block keeps the step loop free of barriers; on 1-2 threads and for
 * the 2-core machine's configurations that is what wins, as before column blocks existed.
 * `k` is the GEMM depth per step, `gates` G. Returns the plan's modelled cost per step (0 when
 * KEEL_SEQUENCE_PLAN forced it).
 */
static double keel_sequence_make_plan(keel_sequence_plan *plan, long batch, long H, long gates, long k, long mr,
                                      long nr, bool allow_blocks, int threads) {
    long by_rows = batch / KEEL_SEQUENCE_MIN_ROWS;
    if (by_rows < 1) by_rows = 1;
    /* KEEL_SEQUENCE_PLAN=RxC forces R row chunks x C column blocks where the shape allows them (for
     * measuring other plans on a machine without rebuilding; results do not change). */
    const char *forced = getenv("KEEL_SEQUENCE_PLAN");
    long want_rows = 0, want_blocks = 0;
    if (forced != NULL && sscanf(forced, "%ldx%ld", &want_rows, &want_blocks) == 2 && want_rows >= 1 && want_blocks >= 1) {
        long panels = (H + nr - 1) / nr;
        if (want_rows > by_rows) want_rows = by_rows;
        if (!allow_blocks) want_blocks = 1;
        if (want_blocks > panels) want_blocks = panels;
        if (want_blocks > KEEL_SEQUENCE_MAX_BLOCKS) want_blocks = KEEL_SEQUENCE_MAX_BLOCKS;
        plan->rows = ((batch + want_rows - 1) / want_rows + mr - 1) / mr * mr;
        plan->chunks = (batch + plan->rows - 1) / plan->rows;
        if (plan->chunks * want_blocks > KEEL_PHASE_MAX_TILES) want_blocks = KEEL_PHASE_MAX_TILES / plan->chunks;
        plan->blocks = (int)(want_blocks < 1 ? 1 : want_blocks);
        keel_sequence_bounds(H, nr, plan->blocks, plan->bounds);
        return 0; /* forced: not modelled */
    }
    long max_chunks = by_rows < threads ? by_rows : threads;
    long panels = (H + nr - 1) / nr;
    double best = -1;
    long bounds[KEEL_SEQUENCE_MAX_BLOCKS + 1];
    for (long want = 1; want <= max_chunks; want++) {
        long rows = ((batch + want - 1) / want + mr - 1) / mr * mr;
        long chunks = (batch + rows - 1) / rows;
        long nb = rows < batch ? rows : batch;
        long max_blocks = allow_blocks ? threads / chunks : 1;
        if (max_blocks > panels) max_blocks = panels;
        if (max_blocks > KEEL_SEQUENCE_MAX_BLOCKS) max_blocks = KEEL_SEQUENCE_MAX_BLOCKS;
        if (max_blocks < 1) max_blocks = 1;
        for (long blocks = 1; blocks <= max_blocks; blocks++) {
            if (chunks * blocks > KEEL_PHASE_MAX_TILES) break;
            long hc = keel_sequence_bounds(H, nr, (int)blocks, bounds);
            double cost = 2.0 * (double)nb * (double)k * (double)(gates * hc) +
                          KEEL_SEQUENCE_PACK_COST * (double)nb * (double)k +
                          KEEL_SEQUENCE_POINTWISE_COST * (double)nb * (double)(gates * hc);
            if (blocks > 1)
                cost += KEEL_SEQUENCE_BARRIER_COST + KEEL_SEQUENCE_BARRIER_COST_PER_THREAD * (double)(chunks * blocks);
            if (best < 0 || cost < best * 0.999) { /* ties: the fewer tiles, found first */
                best = cost;
                plan->rows = rows;
                plan->chunks = chunks;
                plan->blocks = (int)blocks;
                keel_sequence_bounds(H, nr, (int)blocks, plan->bounds);
            }
        }
    }
    return best;
}

/* 0: the cost model picks a stack's schedule; 1: wavefront; 2: layer by layer. Set by
 * keel_set_recurrent_stack_schedule, else read once from KEEL_STACK_SCHEDULE. */
static _Atomic int keel_stack_schedule_choice = -1;

void keel_set_recurrent_stack_schedule(int schedule) {
    atomic_store(&keel_stack_schedule_choice, schedule == 1 || schedule == 2 ? schedule : 0);
}

int keel_recurrent_stack_schedule(void) {
    int choice = atomic_load(&keel_stack_schedule_choice);
    if (choice >= 0) return choice;
    const char *forced = getenv("KEEL_STACK_SCHEDULE");
    choice = forced == NULL ? 0 : strcmp(forced, "wavefront") == 0 ? 1 : strcmp(forced, "layers") == 0 ? 2 : 0;
    int unset = -1;
    atomic_compare_exchange_strong(&keel_stack_schedule_choice, &unset, choice);
    return atomic_load(&keel_stack_schedule_choice);
}

void keel_recurrent_sequence_partition(int kind, long batch, long input, long hidden, bool tokens, int threads,
                                       long *row_chunks, long *column_blocks) {
    long gates = kind == 2 ? 4 : kind == 3 ? 3 : 1, mr = keel_s_gemm_row_tile(), nr = keel_s_gemm_col_tile();
    long k = tokens ? hidden : hidden + input + 1;
    keel_sequence_plan plan;
    keel_sequence_make_plan(&plan, batch < 1 ? 1 : batch, hidden < 1 ? 1 : hidden, gates, k, mr, nr, true,
                            threads < 1 ? 1 : threads);
    if (row_chunks != NULL) *row_chunks = plan.chunks;
    if (column_blocks != NULL) *column_blocks = plan.blocks;
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
    KEEL_EW_VARIANTS(void, keel_##P##_seq_scale_impl, (long n, T *restrict a, const T *restrict m), \
        (n, a, m), { for (long k = 0; k < n; k++) a[k] *= m[k]; })                                  \
                                                                                                    \
    typedef struct {                                                                                \
        int kind;                                                                                   \
        long steps, first, batch, input, hidden;                                                    \
        keel_sequence_plan plan;                                                                    \
        const T *whh, *bias_hh, *dy, *h0, *x, *w_all, *table;                                       \
        const long *tokens;                                                                         \
        const void *packed, *packed_hh;                                                             \
        T *z, *zh, *h, *c, *tanh_c, *dh, *dc, *dz, *dzh, *xh;                                       \
        T *carry2; /* backward: the carry's second buffer [batch, hidden] */                       \
        double *profile;                                                                            \
        long phases; /* of this layer alone: steps + 1 forward, steps - first + 1 backward */      \
        /* below the top of a stack, forward: the layer above's xh (ld k_up; its x part from column \
         * h_up), into which each step writes its h * mask_up */                                    \
        T *xh_up;                                                                                   \
        long k_up, h_up;                                                                            \
        const T *mask_up; /* dropout on h as the layer above reads it, [steps, batch, hidden] or NULL */ \
        /* below the top, backward: dy_fill = (dz_up W_ih_up) * mask_up, step by step */          \
        const T *dz_up, *wih_up;                                                                    \
        const void *packed_ih_up;                                                                   \
        long w_up;                                                                                  \
        T *dy_fill;                                                                                 \
    } keel_##P##_sequence_job;                                                                      \
                                                                                                    \
    /* Rows r0 ..< r0 + nb and hidden units j0 ..< j1 of tile `tile`. */                           \
    static void keel_##P##_sequence_tile(const keel_##P##_sequence_job *job, int tile, long *r0, long *nb, \
                                         long *j0, long *j1) {                                      \
        const keel_sequence_plan *plan = &job->plan;                                                \
        long chunk = tile / plan->blocks, block = tile % plan->blocks;                              \
        *r0 = chunk * plan->rows;                                                                   \
        *nb = job->batch - *r0 < plan->rows ? job->batch - *r0 : plan->rows;                        \
        *j0 = plan->bounds[block];                                                                  \
        *j1 = plan->bounds[block + 1];                                                              \
    }                                                                                               \
                                                                                                    \
    /* Copies gate runs between a tile's block-ordered rows (src, ld G*hc) and PyTorch-ordered rows \
     * (dst at unit j0 of gate 0, ld W). */                                                         \
    static void keel_##P##_sequence_scatter(long nb, long G, long H, long hc, const T *src, long lds, T *dst, long ldd) { \
        for (long b = 0; b < nb; b++)                                                               \
            for (long g = 0; g < G; g++)                                                            \
                memcpy(dst + b * ldd + g * H, src + b * lds + g * hc, (size_t)hc * sizeof(T));      \
    }                                                                                               \
    /* The reverse: G runs of hc from a PyTorch-ordered row (at unit j0) into a block-ordered one. */ \
    static void keel_##P##_sequence_gather(long G, long H, long hc, const T *src, T *dst) {        \
        for (long g = 0; g < G; g++) memcpy(dst + g * hc, src + g * H, (size_t)hc * sizeof(T));    \
    }                                                                                               \
                                                                                                    \
    /* Forward phase 0: xh_0's h part for the tile's units, and the [x_t | 1] parts of the steps  \
     * t = block (mod blocks) for its rows. Phase t + 1: step t of the tile. */                   \
    static bool keel_##P##_sequence_forward_phase(void *ctx, long phase, int tile) {               \
        const keel_##P##_sequence_job *job = ctx;                                                   \
        long r0, nb, j0, j1;                                                                        \
        keel_##P##_sequence_tile(job, tile, &r0, &nb, &j0, &j1);                                    \
        const long B = job->batch, H = job->hidden, I = job->input, hc = j1 - j0;                   \
        const bool tokens = job->tokens != NULL, whole = hc == H;                                   \
        const long K = tokens ? H : H + I + 1;                                                      \
        const long G = keel_gate_count(job->kind);                                                  \
        const long W = G * H;                                                                       \
        if (phase == 0) {                                                                           \
            for (long b = 0; b < nb; b++)                                                           \
                memcpy(job->xh + (r0 + b) * K + j0, job->h0 + (r0 + b) * H + j0, (size_t)hc * sizeof(T)); \
            const int blocks = job->plan.blocks, block = tile % blocks;                             \
            for (long t = block; !tokens && t < job->steps; t += blocks)                            \
                for (long b = 0; b < nb; b++) {                                                     \
                    const long row = t * B + r0 + b;                                                \
                    T *r = job->xh + row * K;                                                       \
                    if (job->x != NULL) /* else the layer below writes x_t */                      \
                        memcpy(r + H, job->x + row * I, (size_t)I * sizeof(T));                     \
                    r[H + I] = (T)1;                                                                \
                }                                                                                   \
            return true;                                                                            \
        }                                                                                           \
        const long t = phase - 1, row = t * B + r0;                                                 \
        const T *hp = t == 0 ? job->h0 + r0 * H : job->h + (row - B) * H;                           \
        T *hn = job->h + row * H;                                                                   \
        const T *xh = job->xh + row * K;                                                            \
        /* the tile's pre-activations: in place in the cache with one block, else block-ordered   \
         * scratch (ld G*hc) copied out before the gate math */                                     \
        T *scratch = NULL;                                                                          \
        const long lds = G * hc;                                                                    \
        if (job->z == NULL || !whole) {                                                             \
            scratch = keel_thread_buffer(KEEL_BUFFER_SEQ_ROWS, (size_t)(2 * nb * lds) * sizeof(T)); \
            if (scratch == NULL) return false;                                                      \
        }                                                                                           \
        const long n0 = G * j0, n1 = G * j1; /* the tile's columns of the block-ordered weight */  \
        switch (job->kind) {                                                                        \
        case KEEL_CELL_RNN_TANH:                                                                    \
        case KEEL_CELL_RNN_RELU: {                                                                  \
            T *z = scratch;                                                                         \
            for (long b = 0; tokens && b < nb; b++)                                                 \
                memcpy(z + b * hc, job->table + job->tokens[row + b] * W + j0, (size_t)hc * sizeof(T)); \
            keel_##P##_gemm_serial_columns(false, true, nb, W, K, (T)1, xh, K, job->w_all, K, job->packed, \
                tokens ? (T)1 : (T)0, z, hc, n0, n1);                                               \
            /* one call over the rows when they are contiguous (one block), else one per row */   \
            const long runs = whole ? 1 : nb, n = whole ? nb * H : hc;                              \
            for (long b = 0; b < runs; b++) {                                                       \
                if (job->kind == KEEL_CELL_RNN_TANH) keel_##P##_tanh_in_kernel(n, z + b * hc, hn + b * H + j0); \
                else keel_##P##_seq_relu_impl(n, z + b * hc, hn + b * H + j0);                      \
            }                                                                                       \
            break;                                                                                  \
        }                                                                                           \
        case KEEL_CELL_LSTM: {                                                                      \
            T *zr = job->z + row * W;                                                               \
            T *z = whole ? zr : scratch;                                                            \
            const long ldz = whole ? W : lds;                                                       \
            for (long b = 0; tokens && b < nb; b++)                                                 \
                keel_##P##_sequence_gather(G, H, hc, job->table + job->tokens[row + b] * W + j0, z + b * ldz); \
            keel_##P##_gemm_serial_columns(false, true, nb, W, K, (T)1, xh, K, job->w_all, K, job->packed, \
                tokens ? (T)1 : (T)0, z, ldz, n0, n1);                                              \
            if (!whole) keel_##P##_sequence_scatter(nb, G, H, hc, z, lds, zr + j0, W);              \
            const T *cp = job->c + row * H;                                                         \
            T *cn = job->c + (row + B) * H, *tc = job->tanh_c + row * H;                            \
            for (long b = 0; b < nb; b++) {                                                         \
                T *g = zr + b * W + j0;                                                             \
                if (whole) keel_##P##_sigmoid_in_kernel(2 * H, g, g);                               \
                else {                                                                              \
                    keel_##P##_sigmoid_in_kernel(hc, g, g);                                         \
                    keel_##P##_sigmoid_in_kernel(hc, g + H, g + H);                                 \
                }                                                                                   \
                keel_##P##_tanh_in_kernel(hc, g + 2 * H, g + 2 * H);                                \
                keel_##P##_sigmoid_in_kernel(hc, g + 3 * H, g + 3 * H);                             \
                keel_##P##_lstm_cell_impl(hc, g, g + H, g + 2 * H, cp + b * H + j0, cn + b * H + j0); \
            }                                                                                       \
            if (whole) keel_##P##_tanh_in_kernel(nb * H, cn, tc);                                   \
            else for (long b = 0; b < nb; b++) keel_##P##_tanh_in_kernel(hc, cn + b * H + j0, tc + b * H + j0); \
            for (long b = 0; b < nb; b++)                                                           \
                keel_##P##_mul_impl(hc, zr + b * W + 3 * H + j0, tc + b * H + j0, hn + b * H + j0); \
            break;                                                                                  \
        }                                                                                           \
        case KEEL_CELL_GRU: {                                                                       \
            T *zr = job->z + row * W, *zhr = job->zh + row * W;                                     \
            T *z = whole ? zr : scratch, *y = whole ? zhr : scratch + nb * lds;                     \
            const long ldz = whole ? W : lds;                                                       \
            if (tokens) {                                                                           \
                for (long b = 0; b < nb; b++)                                                       \
                    keel_##P##_sequence_gather(G, H, hc, job->table + job->tokens[row + b] * W + j0, z + b * ldz); \
            } else {                                                                                \
                keel_##P##_gemm_serial_columns(false, true, nb, W, I + 1, (T)1, xh + H, K, job->w_all, I + 1, \
                    job->packed, (T)0, z, ldz, n0, n1);                                             \
            }                                                                                       \
            for (long b = 0; b < nb; b++) keel_##P##_sequence_gather(G, H, hc, job->bias_hh + j0, y + b * ldz); \
            keel_##P##_gemm_serial_columns(false, true, nb, W, H, (T)1, xh, K, job->whh, H, job->packed_hh, \
                (T)1, y, ldz, n0, n1);                                                              \
            if (!whole) {                                                                           \
                keel_##P##_sequence_scatter(nb, G, H, hc, z, lds, zr + j0, W);                      \
                keel_##P##_sequence_scatter(nb, G, H, hc, y, lds, zhr + j0, W);                     \
            }                                                                                       \
            for (long b = 0; b < nb; b++) {                                                         \
                T *g = zr + b * W + j0;                                                             \
                const T *v = zhr + b * W + j0;                                                      \
                if (whole) {                                                                        \
                    keel_##P##_seq_add_impl(2 * H, g, v);                                           \
                    keel_##P##_sigmoid_in_kernel(2 * H, g, g);                                      \
                } else {                                                                            \
                    keel_##P##_seq_add_impl(hc, g, v);                                              \
                    keel_##P##_seq_add_impl(hc, g + H, v + H);                                      \
                    keel_##P##_sigmoid_in_kernel(hc, g, g);                                         \
                    keel_##P##_sigmoid_in_kernel(hc, g + H, g + H);                                 \
                }                                                                                   \
                keel_##P##_seq_add_product_impl(hc, g + 2 * H, g, v + 2 * H);                       \
                keel_##P##_tanh_in_kernel(hc, g + 2 * H, g + 2 * H);                                \
                keel_##P##_gru_hidden_impl(hc, g + H, g + 2 * H, hp + b * H + j0, hn + b * H + j0); \
            }                                                                                       \
            break;                                                                                  \
        }                                                                                           \
        }                                                                                           \
        if (job->xh_up != NULL) /* h_t (dropped out) into the layer above's operand, as its x_t */ \
            for (long b = 0; b < nb; b++) {                                                         \
                T *up = job->xh_up + (row + b) * job->k_up + job->h_up + j0;                        \
                if (job->mask_up != NULL) keel_##P##_mul_impl(hc, hn + b * H + j0, job->mask_up + (row + b) * H + j0, up); \
                else memcpy(up, hn + b * H + j0, (size_t)hc * sizeof(T));                           \
            }                                                                                       \
        if (t + 1 < job->steps) /* h_t into the next step's GEMM operand */                        \
            for (long b = 0; b < nb; b++)                                                           \
                memcpy(job->xh + (row + B + b) * K + j0, hn + b * H + j0, (size_t)hc * sizeof(T));  \
        return true;                                                                                \
    }                                                                                               \
                                                                                                    \
    /* Backward, with n = steps - first pointwise steps: phase p runs the GEMM of step steps - p  \
     * (p >= 1: dh_{t-1} of the tile's units from the whole dz_t of its rows) and then the gate     \
     * math of step steps - 1 - p (p < n). The LSTM cell carry (GRU: the hidden carry) alternates   \
     * between the caller's buffer and carry2: step t reads buffer (steps - 1 - t) mod 2. */        \
    static bool keel_##P##_sequence_backward_phase(void *ctx, long phase, int tile) {              \
        const keel_##P##_sequence_job *job = ctx;                                                   \
        long r0, nb, j0, j1;                                                                        \
        keel_##P##_sequence_tile(job, tile, &r0, &nb, &j0, &j1);                                    \
        const long B = job->batch, H = job->hidden, hc = j1 - j0, steps = job->steps;               \
        const long G = keel_gate_count(job->kind);                                                  \
        const long W = G * H, n = steps - job->first;                                               \
        const bool whole = hc == H, gru = job->kind == KEEL_CELL_GRU;                               \
        T *home = job->kind == KEEL_CELL_LSTM ? job->dc : job->dh;                                  \
        if (phase >= 1) {                                                                           \
            const long t = steps - phase, row = t * B + r0, k = steps - 1 - t;                      \
            T *out = gru ? (k % 2 == 0 ? job->carry2 : home) : job->dh;                             \
            keel_##P##_gemm_serial_columns(false, false, nb, H, W, (T)1, (gru ? job->dzh : job->dz) + row * W, W, \
                job->whh, H, job->packed, gru ? (T)1 : (T)0, out + r0 * H + j0, H, j0, j1);         \
        }                                                                                           \
        if (phase >= n) return true;                                                                \
        const long t = steps - 1 - phase, row = t * B + r0, k = phase;                              \
        T *cur = k % 2 == 0 ? home : job->carry2, *next = k % 2 == 0 ? job->carry2 : home;          \
        T *dh = (gru ? cur : job->dh) + r0 * H;                                                     \
        const long runs = whole ? 1 : nb, len = whole ? nb * H : hc;                                \
        if (job->dz_up != NULL) { /* dL/dh_t from the layer above: its whole dz_t rows, last phase */ \
            T *d = job->dy_fill + row * H;                                                          \
            keel_##P##_gemm_serial_columns(false, false, nb, H, job->w_up, (T)1, job->dz_up + row * job->w_up, job->w_up, \
                job->wih_up, H, job->packed_ih_up, (T)0, d + j0, H, j0, j1);                        \
            for (long b = 0; job->mask_up != NULL && b < nb; b++)                                   \
                keel_##P##_seq_scale_impl(hc, d + b * H + j0, job->mask_up + (row + b) * H + j0);   \
        }                                                                                           \
        if (job->dy != NULL)                                                                        \
            for (long b = 0; b < runs; b++) keel_##P##_seq_add_impl(len, dh + b * H + j0, job->dy + (row + b) * H + j0); \
        if (job->profile != NULL) /* per row (one block only), so sums do not depend on the plan */ \
            for (long b = 0; b < nb; b++)                                                           \
                job->profile[row + b] = keel_##P##_seq_sum_squares_impl(H, dh + b * H);            \
        const T *hn = job->h + row * H, *hp = t == 0 ? job->h0 + r0 * H : job->h + (row - B) * H;   \
        T *dz = job->dz + row * W;                                                                  \
        switch (job->kind) {                                                                        \
        case KEEL_CELL_RNN_TANH:                                                                    \
            for (long b = 0; b < runs; b++)                                                         \
                keel_##P##_seq_tanh_backward_impl(len, hn + b * H + j0, dh + b * H + j0, dz + b * W + j0); \
            break;                                                                                  \
        case KEEL_CELL_RNN_RELU:                                                                    \
            for (long b = 0; b < runs; b++)                                                         \
                keel_##P##_seq_relu_backward_impl(len, hn + b * H + j0, dh + b * H + j0, dz + b * W + j0); \
            break;                                                                                  \
        case KEEL_CELL_LSTM: {                                                                      \
            const T *gates = job->z + row * W, *cp = job->c + row * H, *tc = job->tanh_c + row * H; \
            for (long b = 0; b < nb; b++) {                                                         \
                const T *g = gates + b * W + j0;                                                    \
                T *d = dz + b * W + j0;                                                             \
                const long o = b * H + j0;                                                          \
                keel_##P##_lstm_backward_impl(hc, g, g + H, g + 2 * H, g + 3 * H, cp + o, tc + o, dh + o, \
                    cur + r0 * H + o, d, d + H, d + 2 * H, d + 3 * H, next + r0 * H + o);           \
            }                                                                                       \
            break;                                                                                  \
        }                                                                                           \
        case KEEL_CELL_GRU: {                                                                       \
            const T *gates = job->z + row * W, *zh = job->zh + row * W;                             \
            T *dzh = job->dzh + row * W;                                                            \
            for (long b = 0; b < nb; b++) {                                                         \
                const T *g = gates + b * W + j0;                                                    \
                T *dx = dz + b * W + j0, *dy = dzh + b * W + j0;                                    \
                const long o = b * H + j0;                                                          \
                keel_##P##_gru_backward_impl(hc, g, g + H, g + 2 * H, zh + b * W + 2 * H + j0, hp + o, dh + o, \
                    dx, dx + H, dx + 2 * H, dy, dy + H, dy + 2 * H, next + r0 * H + o);             \
            }                                                                                       \
            break;                                                                                  \
        }                                                                                           \
        }                                                                                           \
        return true;                                                                                \
    }                                                                                               \
                                                                                                    \
    /* The stack's layers in one loop: a global phase runs local phase (phase - offset) of each   \
     * layer (offset l forward, layers - 1 - l backward), on the tiles numbered from first_tile[l]. */ \
    typedef struct {                                                                                \
        int layers;                                                                                 \
        bool chunked; /* one layer of one column block: row chunks without barriers */             \
        long chunks, phases;                                                                        \
        keel_##P##_sequence_job *jobs;                                                              \
        long offset[KEEL_STACK_MAX_LAYERS];                                                         \
        int first_tile[KEEL_STACK_MAX_LAYERS + 1];                                                  \
        keel_phase_fn fn;                                                                           \
        int path; /* the caller's kernel path */                                                   \
        _Atomic long next;                                                                          \
        _Atomic int failed;                                                                         \
        keel_phase_loop loop;                                                                       \
    } keel_##P##_stack_run;                                                                         \
                                                                                                    \
    static bool keel_##P##_stack_phase(void *ctx, long phase, int tile) {                           \
        keel_##P##_stack_run *run = ctx;                                                            \
        int l = 0;                                                                                  \
        while (tile >= run->first_tile[l + 1]) l++;                                                 \
        const long local = phase - run->offset[l];                                                  \
        if (local < 0 || local >= run->jobs[l].phases) return true;                                 \
        return run->fn(&run->jobs[l], local, tile - run->first_tile[l]);                            \
    }                                                                                               \
                                                                                                    \
    static void keel_##P##_stack_task(void *ctx, int tid, int nthreads) {                           \
        keel_##P##_stack_run *run = ctx;                                                            \
        int saved = keel_thread_kernel_path();                                                      \
        keel_set_thread_kernel_path(run->path); /* a worker computes on the caller's path */        \
        if (!run->chunked) {                                                                        \
            keel_phase_loop_work(&run->loop, tid, nthreads);                                        \
        } else {                                                                                    \
            /* one layer, one block: each row chunk runs all its phases on one thread, no barriers */ \
            for (;;) {                                                                              \
                long chunk = atomic_fetch_add_explicit(&run->next, 1, memory_order_relaxed);        \
                if (chunk >= run->chunks) break;                                                    \
                for (long phase = 0; phase < run->jobs[0].phases; phase++)                          \
                    if (!run->fn(&run->jobs[0], phase, (int)chunk)) atomic_store(&run->failed, 1);  \
            }                                                                                       \
        }                                                                                           \
        keel_set_thread_kernel_path(saved);                                                         \
    }                                                                                               \
                                                                                                    \
    /* Each layer's own plan on all `threads` (the plan a single-layer call makes); returns the      \
     * layers' modelled cost per step, one after another, and whether every plan is row chunks only. \
     * k: each layer's GEMM depth per step; allow: whether column blocks may be used. */           \
    static double keel_##P##_plan_alone(int layers, keel_##P##_sequence_job *jobs, const long *k, const bool *allow, \
                                        int threads, bool *rows_only) {                             \
        double cost = 0;                                                                            \
        *rows_only = true;                                                                          \
        for (int l = 0; l < layers; l++) {                                                          \
            cost += keel_sequence_make_plan(&jobs[l].plan, jobs[l].batch, jobs[l].hidden, keel_gate_count(jobs[l].kind), \
                                            k[l], keel_##P##_gemm_row_tile(), keel_##P##_gemm_col_tile(), allow[l], threads); \
            if (jobs[l].plan.blocks > 1) *rows_only = false;                                        \
        }                                                                                           \
        return cost;                                                                                \
    }                                                                                               \
                                                                                                    \
    /* The wavefront's plans: each layer gets threads in proportion to its GEMM work per step       \
     * (G H k; a char model's first layer reads tokens, k = H, the second k = 2H + 1), all of them  \
     * at most KEEL_PHASE_MAX_TILES tiles together. Returns the modelled cost per step: the slowest \
     * layer's widest tile and one barrier per phase, over steps + layers - 1 phases. */           \
    static double keel_##P##_plan_wavefront(int layers, keel_##P##_sequence_job *jobs, const long *k, const bool *allow, \
                                            int threads) {                                          \
        if (threads > KEEL_PHASE_MAX_TILES) threads = KEEL_PHASE_MAX_TILES;                         \
        double work = 0, widest = 0;                                                                \
        long tiles = 0;                                                                             \
        for (int l = 0; l < layers; l++) work += (double)(keel_gate_count(jobs[l].kind) * jobs[l].hidden) * (double)k[l]; \
        for (int l = 0; l < layers; l++) {                                                          \
            const double mine = (double)(keel_gate_count(jobs[l].kind) * jobs[l].hidden) * (double)k[l]; \
            const int share = (int)((double)threads * mine / work);                                 \
            double cost = keel_sequence_make_plan(&jobs[l].plan, jobs[l].batch, jobs[l].hidden, keel_gate_count(jobs[l].kind), \
                                                  k[l], keel_##P##_gemm_row_tile(), keel_##P##_gemm_col_tile(), allow[l], \
                                                  share < 1 ? 1 : share);                           \
            if (jobs[l].plan.blocks > 1) /* the plan counted its own barrier; the phase's is below */ \
                cost -= KEEL_SEQUENCE_BARRIER_COST + KEEL_SEQUENCE_BARRIER_COST_PER_THREAD * (double)(jobs[l].plan.chunks * jobs[l].plan.blocks); \
            if (cost > widest) widest = cost;                                                       \
            tiles += jobs[l].plan.chunks * jobs[l].plan.blocks;                                     \
        }                                                                                           \
        const double steps = (double)(jobs[0].phases - 1);                                          \
        return (widest + KEEL_SEQUENCE_BARRIER_COST + KEEL_SEQUENCE_BARRIER_COST_PER_THREAD * (double)tiles) * \
               (steps + layers - 1) / steps;                                                        \
    }                                                                                               \
                                                                                                    \
    /* The plans of one kernel call: a single layer's own, or the wavefront's. */                  \
    static void keel_##P##_plan(int layers, keel_##P##_sequence_job *jobs, const long *k, const bool *allow) { \
        bool rows_only;                                                                             \
        if (layers == 1) keel_##P##_plan_alone(1, jobs, k, allow, keel_num_threads(), &rows_only);  \
        else keel_##P##_plan_wavefront(layers, jobs, k, allow, keel_num_threads());                 \
    }                                                                                               \
                                                                                                    \
    /* One kernel call's loop: a single layer with one column block as row chunks without        \
     * barriers, anything else (one layer's tiles, or a wavefront's) as one phase loop. */         \
    static bool keel_##P##_stack_execute(int layers, keel_##P##_sequence_job *jobs, bool backward, keel_phase_fn fn) { \
        const bool chunked = layers == 1 && jobs[0].plan.blocks == 1;                               \
        keel_##P##_stack_run run = {.layers = layers, .chunked = chunked, .chunks = jobs[0].plan.chunks, \
                                    .jobs = jobs, .fn = fn, .path = (int)keel_current_kernel_path()}; \
        int first = 0;                                                                              \
        for (int l = 0; l < layers; l++) {                                                          \
            run.first_tile[l] = first;                                                              \
            first += (int)(jobs[l].plan.chunks * jobs[l].plan.blocks);                              \
            run.offset[l] = backward ? layers - 1 - l : l;                                          \
            if (run.offset[l] + jobs[l].phases > run.phases) run.phases = run.offset[l] + jobs[l].phases; \
        }                                                                                           \
        run.first_tile[layers] = first;                                                             \
        atomic_init(&run.next, 0);                                                                  \
        atomic_init(&run.failed, 0);                                                                \
        keel_phase_loop_init(&run.loop, keel_##P##_stack_phase, &run, run.phases, chunked ? 1 : first); \
        int threads = keel_num_threads();                                                           \
        const long work = chunked ? run.chunks : first;                                             \
        if (threads > work) threads = (int)work;                                                    \
        unsigned fp = keel_fp_enter();                                                              \
        if (threads <= 1) keel_##P##_stack_task(&run, 0, 1);                                        \
        else keel_parallel_run(keel_##P##_stack_task, &run, threads, keel_current_csr());           \
        keel_fp_exit(fp);                                                                           \
        return atomic_load(&run.failed) == 0 && atomic_load(&run.loop.failed) == 0;                 \
    }                                                                                               \
                                                                                                    \
    /* Rows of the [W, width] matrix src (PyTorch gate order) into dst in the plan's order. */      \
    static void keel_##P##_sequence_order_rows(const keel_sequence_plan *plan, long G, long H, const T *src, \
                                               long width, T *dst) {                                \
        for (int i = 0; i < plan->blocks; i++) {                                                    \
            const long a = plan->bounds[i], hc = plan->bounds[i + 1] - a;                           \
            for (long g = 0; g < G; g++)                                                            \
                memcpy(dst + (G * a + g * hc) * width, src + (g * H + a) * width, (size_t)(hc * width) * sizeof(T)); \
        }                                                                                           \
    }                                                                                               \
                                                                                                    \
    /* The forward's weights for layer `layer`'s planned job: the projection weight's rows (in the \
     * plan's order) packed once, in that layer's thread buffers. */                               \
    static bool keel_##P##_forward_prepare(keel_##P##_sequence_job *job, const keel_##P##_recurrent_layer *L, int layer) { \
        const long G = keel_gate_count(L->kind);                                                    \
        const long H = L->hidden, I = L->input, W = G * H;                                          \
        const bool gru = L->kind == KEEL_CELL_GRU, tokens = L->tokens != NULL;                      \
        const bool ordered = job->plan.blocks > 1 && G > 1; /* weight rows not in PyTorch's order */ \
        /* the projection weight, row j: RNN/LSTM [W_hh | W_ih | b_ih + b_hh], GRU [W_ih | b_ih];   \
         * with tokens the table holds the input part: RNN/LSTM W_hh as it is, GRU none */          \
        const long KW = tokens ? (gru ? 0 : H) : gru ? I + 1 : H + I + 1;                           \
        T *w_all = NULL;                                                                            \
        if (KW > 0 && (!tokens || ordered)) {                                                       \
            w_all = keel_thread_buffer(keel_seq_slot(layer, KEEL_SEQ_WEIGHTS), (size_t)(W * KW) * sizeof(T) * (ordered ? 2 : 1)); \
            if (w_all == NULL) return false;                                                        \
        }                                                                                           \
        T *rows = ordered && !tokens ? w_all + W * KW : w_all; /* PyTorch order first */           \
        for (long j = 0; !tokens && j < W; j++) {                                                   \
            T *r = rows + j * KW;                                                                   \
            if (gru) {                                                                              \
                memcpy(r, L->w_ih + j * I, (size_t)I * sizeof(T));                                  \
                r[I] = L->b_ih[j];                                                                  \
            } else {                                                                                \
                memcpy(r, L->w_hh + j * H, (size_t)H * sizeof(T));                                  \
                memcpy(r + H, L->w_ih + j * I, (size_t)I * sizeof(T));                              \
                r[H + I] = L->b_ih[j] + L->b_hh[j];                                                 \
            }                                                                                       \
        }                                                                                           \
        if (ordered && KW > 0) keel_##P##_sequence_order_rows(&job->plan, G, H, tokens ? L->w_hh : rows, KW, w_all); \
        if (tokens && !ordered) w_all = (T *)L->w_hh;                                               \
        const T *whh_rows = L->w_hh; /* GRU's recurrent weight, in the plan's order */              \
        if (gru && ordered) {                                                                       \
            T *o = keel_thread_buffer(keel_seq_slot(layer, KEEL_SEQ_WEIGHTS_HH), (size_t)(W * H) * sizeof(T)); \
            if (o == NULL) return false;                                                            \
            keel_##P##_sequence_order_rows(&job->plan, G, H, L->w_hh, H, o);                        \
            whh_rows = o;                                                                           \
        }                                                                                           \
        job->w_all = w_all;                                                                         \
        job->whh = gru ? whh_rows : L->w_hh;                                                        \
        job->packed = KW == 0 ? NULL : keel_sequence_pack_##P(keel_seq_slot(layer, KEEL_SEQ_PACKED), true, KW, W, w_all, KW); \
        job->packed_hh = gru ? keel_sequence_pack_##P(keel_seq_slot(layer, KEEL_SEQ_PACKED_HH), true, H, W, whh_rows, H) : NULL; \
        return true; /* the buffers stay with the thread for the next call */                       \
    }                                                                                               \
                                                                                                    \
    bool keel_##P##_recurrent_stack_forward(int layers, long steps, long batch, const keel_##P##_recurrent_layer *layer) { \
        if (layers < 1 || layers > KEEL_STACK_MAX_LAYERS) return false;                             \
        if (steps <= 0 || batch <= 0) return true;                                                  \
        for (int l = 0; l < layers; l++) {                                                          \
            if (layer[l].hidden <= 0) return layers == 1;                                           \
            if (l > 0 && (layer[l].x != NULL || layer[l].tokens != NULL || layer[l].input != layer[l - 1].hidden)) \
                return false;                                                                       \
        }                                                                                           \
        keel_##P##_sequence_job jobs[KEEL_STACK_MAX_LAYERS];                                        \
        long k[KEEL_STACK_MAX_LAYERS];                                                              \
        bool allow[KEEL_STACK_MAX_LAYERS];                                                          \
        for (int l = 0; l < layers; l++) {                                                          \
            const keel_##P##_recurrent_layer *L = &layer[l];                                        \
            const bool rnn = L->kind == KEEL_CELL_RNN_TANH || L->kind == KEEL_CELL_RNN_RELU;         \
            jobs[l] = (keel_##P##_sequence_job){                                                    \
                .kind = L->kind, .steps = steps, .first = 0, .batch = batch, .input = L->input, .hidden = L->hidden, \
                .phases = steps + 1, .whh = L->w_hh, .bias_hh = L->b_hh, .h0 = L->h0, .x = L->x, .xh = L->xh, \
                .z = rnn ? NULL : L->gates, .zh = L->zh, .h = L->h, .c = L->c, .tanh_c = L->tanh_c, \
                .tokens = L->tokens, .table = L->table,                                             \
            };                                                                                      \
            if (l + 1 < layers) {                                                                   \
                jobs[l].xh_up = layer[l + 1].xh;                                                    \
                jobs[l].k_up = layer[l + 1].hidden + layer[l + 1].input + 1;                        \
                jobs[l].h_up = layer[l + 1].hidden;                                                 \
                jobs[l].mask_up = L->mask;                                                          \
            }                                                                                       \
            k[l] = L->tokens != NULL ? L->hidden : L->hidden + L->input + 1;                        \
            allow[l] = true;                                                                        \
        }                                                                                           \
        keel_##P##_plan(layers, jobs, k, allow);                                                    \
        for (int l = 0; l < layers; l++) /* every layer's weights at once: a buffer set each */     \
            if (!keel_##P##_forward_prepare(&jobs[l], &layer[l], l)) return false;                  \
        return keel_##P##_stack_execute(layers, jobs, false, keel_##P##_sequence_forward_phase);     \
    }                                                                                               \
                                                                                                    \
    bool keel_##P##_recurrent_stack_prefers_wavefront(int layers, const int *kinds, const long *inputs, \
                                                      const long *hiddens, bool tokens, long batch, long steps, \
                                                      long first, bool backward, bool profile) {    \
        if (layers < 2 || layers > KEEL_STACK_MAX_LAYERS || batch <= 0 || steps <= 0) return false; \
        if (first < 0) first = 0;                                                                   \
        if (backward && first >= steps) return false;                                               \
        keel_##P##_sequence_job jobs[KEEL_STACK_MAX_LAYERS];                                        \
        long k[KEEL_STACK_MAX_LAYERS];                                                              \
        bool allow[KEEL_STACK_MAX_LAYERS];                                                          \
        for (int l = 0; l < layers; l++) {                                                          \
            if (hiddens[l] <= 0) return false;                                                      \
            jobs[l] = (keel_##P##_sequence_job){.kind = kinds[l], .steps = steps, .batch = batch, .hidden = hiddens[l], \
                                                .phases = backward ? steps - first + 1 : steps + 1}; \
            k[l] = backward || (l == 0 && tokens) ? hiddens[l] : hiddens[l] + inputs[l] + 1;         \
            allow[l] = !(backward && profile);                                                      \
        }                                                                                           \
        const int forced = keel_recurrent_stack_schedule();                                         \
        if (forced != 0) return forced == 1;                                                        \
        bool rows_only;                                                                             \
        const double alone = keel_##P##_plan_alone(layers, jobs, k, allow, keel_num_threads(), &rows_only); \
        /* row chunks alone need no barrier at all: the wavefront could only add some */            \
        return !rows_only && keel_##P##_plan_wavefront(layers, jobs, k, allow, keel_num_threads()) < alone; \
    }                                                                                               \
                                                                                                    \
    /* A planned backward job's buffers in buffer set `group`: the carry's second buffer, the     \
     * profile's per-row sums (*partial, freed by the caller), packed W_hh and, below the top, the  \
     * layer above's packed W_ih. */                                                                \
    static bool keel_##P##_backward_prepare(keel_##P##_sequence_job *job, const keel_##P##_recurrent_layer_gradients *L, \
                                            int group, double **partial) {                          \
        const long H = job->hidden, W = keel_gate_count(job->kind) * H;                             \
        if (job->kind == KEEL_CELL_LSTM || job->kind == KEEL_CELL_GRU) {                            \
            job->carry2 = keel_thread_buffer(keel_seq_slot(group, KEEL_SEQ_CARRY), (size_t)(job->batch * H) * sizeof(T)); \
            if (job->carry2 == NULL) return false;                                                  \
        }                                                                                           \
        if (L->profile != NULL) {                                                                   \
            *partial = calloc((size_t)(job->batch * job->steps), sizeof(double));                   \
            if (*partial == NULL) return false;                                                     \
            job->profile = *partial;                                                                \
        }                                                                                           \
        job->packed = keel_sequence_pack_##P(keel_seq_slot(group, KEEL_SEQ_PACKED), false, W, H, job->whh, H); \
        if (job->dz_up != NULL)                                                                     \
            job->packed_ih_up = keel_sequence_pack_##P(keel_seq_slot(group, KEEL_SEQ_PACKED_UP), false, job->w_up, H, \
                                                       job->wih_up, H);                             \
        return true;                                                                                \
    }                                                                                               \
                                                                                                    \
    /* After a backward job has run: its carry home and its profile summed. */                     \
    static void keel_##P##_backward_finish(const keel_##P##_sequence_job *job, const keel_##P##_recurrent_layer_gradients *L, \
                                           const double *partial) {                                 \
        const long H = job->hidden, B = job->batch, n = job->steps - job->first;                    \
        /* after an odd number of steps the carry ended in the second buffer: bring it home */      \
        if (job->carry2 != NULL && n % 2 == 1)                                                      \
            memcpy(job->kind == KEEL_CELL_LSTM ? job->dc : job->dh, job->carry2, (size_t)(B * H) * sizeof(T)); \
        if (partial != NULL) /* row order, not thread order: the same sums whoever ran which chunk */ \
            for (long t = 0; t < job->steps; t++) {                                                 \
                double s = 0;                                                                       \
                for (long b = 0; b < B; b++) s += partial[t * B + b];                               \
                L->profile[t] = s;                                                                  \
            }                                                                                       \
    }                                                                                               \
                                                                                                    \
    bool keel_##P##_recurrent_stack_backward(int layers, long steps, long first, long batch,        \
                                             const keel_##P##_recurrent_layer_gradients *layer) {   \
        if (layers < 1 || layers > KEEL_STACK_MAX_LAYERS) return false;                             \
        if (steps <= 0 || batch <= 0 || first >= steps) return true;                                \
        if (first < 0) first = 0;                                                                   \
        for (int l = 0; l < layers; l++) {                                                          \
            if (layer[l].hidden <= 0) return layers == 1;                                           \
            if (l > 0 && layer[l].input != layer[l - 1].hidden) return false;                       \
        }                                                                                           \
        keel_##P##_sequence_job jobs[KEEL_STACK_MAX_LAYERS];                                        \
        long k[KEEL_STACK_MAX_LAYERS];                                                              \
        bool allow[KEEL_STACK_MAX_LAYERS];                                                          \
        double *partial[KEEL_STACK_MAX_LAYERS] = {NULL};                                            \
        for (int l = 0; l < layers; l++) {                                                          \
            const keel_##P##_recurrent_layer_gradients *L = &layer[l];                              \
            jobs[l] = (keel_##P##_sequence_job){                                                    \
                .kind = L->kind, .steps = steps, .first = first, .batch = batch, .hidden = L->hidden, \
                .phases = steps - first + 1, .whh = L->w_hh, .dy = L->dy, .h0 = L->h0, .z = (T *)L->gates, \
                .zh = (T *)L->zh, .h = (T *)L->h, .c = (T *)L->c, .tanh_c = (T *)L->tanh_c, .dh = L->dh, \
                .dc = L->dc, .dz = L->dz, .dzh = L->dzh,                                            \
            };                                                                                      \
            if (l + 1 < layers) { /* dL/dh_t from the layer above, computed step by step into dy */ \
                jobs[l].dz_up = layer[l + 1].dz;                                                    \
                jobs[l].w_up = keel_gate_count(layer[l + 1].kind) * layer[l + 1].hidden;            \
                jobs[l].wih_up = layer[l + 1].w_ih;                                                 \
                jobs[l].mask_up = L->mask;                                                          \
                jobs[l].dy_fill = L->dy;                                                            \
            }                                                                                       \
            k[l] = L->hidden;                                                                       \
            allow[l] = L->profile == NULL; /* the profile's per-row sums need whole rows of dh */   \
        }                                                                                           \
        keel_##P##_plan(layers, jobs, k, allow);                                                    \
        bool ok = true;                                                                             \
        for (int l = 0; ok && l < layers; l++) /* every layer's buffers at once: a set each */      \
            ok = keel_##P##_backward_prepare(&jobs[l], &layer[l], l, &partial[l]);                  \
        if (ok) ok = keel_##P##_stack_execute(layers, jobs, true, keel_##P##_sequence_backward_phase); \
        for (int l = 0; ok && l < layers; l++) keel_##P##_backward_finish(&jobs[l], &layer[l], partial[l]); \
        for (int l = 0; l < layers; l++) free(partial[l]);                                          \
        return ok;                                                                                  \
    }

KEEL_DEFINE_SEQUENCE_KERNELS(s, float)
KEEL_DEFINE_SEQUENCE_KERNELS(d, double)
