/*
 * CKeelKernels: the only C code in Keel.
 *
 * Everything here works on contiguous row-major buffers. Every kernel has a portable path that
 * compiles everywhere; faster paths (AVX-512, AVX2+FMA on x86-64, NEON on arm64) are compiled with
 * __attribute__((target(...))) and chosen at run time from what the CPU reports.
 *
 * Denormals: while a Keel kernel runs on x86-64, the calling thread's MXCSR has flush-to-zero and
 * denormals-are-zero set (saved and restored around the call, see keel_set_flush_denormals), so
 * subnormal intermediates cannot slow a kernel down by 10x as they do PyTorch's tanh RNN.
 */
#ifndef CKEELKERNELS_H
#define CKEELKERNELS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- dispatch */

/** The instruction-set paths a kernel can run on. */
typedef enum {
    KEEL_PATH_PORTABLE = 0, /* plain C, any CPU */
    KEEL_PATH_AVX2 = 1,     /* x86-64 AVX2 + FMA */
    KEEL_PATH_AVX512 = 2,   /* x86-64 AVX-512F */
    KEEL_PATH_NEON = 3,     /* arm64 Advanced SIMD */
} keel_kernel_path;

/** Whether this CPU (and this build) can run `path`. */
bool keel_kernel_path_supported(keel_kernel_path path);
/** The fastest supported path. */
keel_kernel_path keel_best_kernel_path(void);
/** The path kernels use now (process-wide; defaults to the best supported one). */
keel_kernel_path keel_current_kernel_path(void);
/** Forces `path` for all later kernel calls. Returns false (and changes nothing) when unsupported. */
bool keel_set_kernel_path(keel_kernel_path path);
/**
 * Forces `path` (a keel_kernel_path value) for kernel calls made on the calling thread only, over
 * the process-wide path; -1 removes the override. Returns false (and changes nothing) when the path
 * is unsupported.
 */
bool keel_set_thread_kernel_path(int path);
/** The calling thread's override, or -1 when it has none. */
int keel_thread_kernel_path(void);

/** CPUs this process may run on (its affinity mask on Linux, else the online cores). */
int keel_available_cpus(void);
/** Threads used by multithreaded kernels. Default: KEEL_NUM_THREADS, else the number of cores. */
int keel_num_threads(void);
/** Sets the thread count (clamped to >= 1). */
void keel_set_num_threads(int count);

/** Whether kernels run with FTZ/DAZ set (default true). */
bool keel_flush_denormals(void);
void keel_set_flush_denormals(bool enabled);

/* -------------------------------------------------------------------- GEMM */

/**
 * C = alpha * op(A) * op(B) + beta * C, row-major.
 * op(A) is M x K (A is M x K with lda >= K when !transA, K x M with lda >= M when transA);
 * op(B) is K x N (B is K x N with ldb >= N when !transB, N x K with ldb >= K when transB);
 * C is M x N with ldc >= N. beta == 0 overwrites C without reading it (NaN in C does not leak).
 */
void keel_sgemm(bool transA, bool transB, long M, long N, long K,
                float alpha, const float *A, long lda, const float *B, long ldb,
                float beta, float *C, long ldc);
void keel_dgemm(bool transA, bool transB, long M, long N, long K,
                double alpha, const double *A, long lda, const double *B, long ldb,
                double beta, double *C, long ldc);

/**
 * Pre-packed op(B) for products that reuse one right-hand matrix many times (the recurrent
 * weight over T time steps): keel_sgemm_packed_b_size bytes (allocate them 64-byte aligned),
 * filled by keel_sgemm_pack_b for the current kernel path. keel_sgemm_prepacked computes the
 * same C as keel_sgemm (bit for bit: the same panels, kernels and order) without packing B; when
 * the pack does not match the current kernel path or shape it runs keel_sgemm on B and returns
 * false. B must stay valid either way.
 */
size_t keel_sgemm_packed_b_size(long K, long N);
void keel_sgemm_pack_b(bool transB, long K, long N, const float *B, long ldb, void *packed);
bool keel_sgemm_prepacked(bool transA, bool transB, long M, long N, long K, float alpha, const float *A,
                          long lda, const float *B, long ldb, const void *packed, float beta, float *C,
                          long ldc);

/* ------------------------------------------------------- elementwise, unary */

typedef enum {
    KEEL_UNARY_NEG = 0,
    KEEL_UNARY_ABS,
    KEEL_UNARY_SQRT,
    KEEL_UNARY_EXP,
    KEEL_UNARY_LOG,
    KEEL_UNARY_TANH,
    KEEL_UNARY_SIGMOID,
    KEEL_UNARY_RELU,
    KEEL_UNARY_SQUARE,
    KEEL_UNARY_RELU_DERIVATIVE, /* 1 where x > 0, 0 where x <= 0, NaN where x is NaN */
} keel_unary_op;

/** y[i] = op(x[i]) for i < n. x and y may be the same buffer. */
void keel_s_unary(keel_unary_op op, long n, const float *x, float *y);
void keel_d_unary(keel_unary_op op, long n, const double *x, double *y);

/**
 * Vectorized transcendental functions (also reached through keel_*_unary).
 * Maximum error, finite inputs (bounds): float exp 2 ulp, tanh/sigmoid 2e-7 absolute and 4 ulp relative;
 * double exp 2 ulp, tanh/sigmoid 4e-16 absolute and 4 ulp relative. Measured on every path:
 * float exp 1.05 ulp, tanh 2.6 ulp, sigmoid 2.4 ulp (both 9e-8 absolute); double exp 1.0 ulp,
 * tanh 2.4 ulp, sigmoid 2.3 ulp (both 1.7e-16 absolute).
 * exp(-inf) = 0, exp(+inf) = +inf, exp(NaN) = NaN, exp(x) = +inf past the overflow threshold;
 * tanh(+-0) = +-0, tanh(+-inf) = +-1, sigmoid(-inf) = 0, sigmoid(+inf) = 1, NaN stays NaN.
 * With denormal flushing on, subnormal inputs and outputs read as zero; with it off, subnormal
 * results (exp of very negative x, sigmoid of very negative x) are within 1 ulp of the subnormal spacing.
 */
void keel_s_exp(long n, const float *x, float *y);
void keel_s_tanh(long n, const float *x, float *y);
void keel_s_sigmoid(long n, const float *x, float *y);
void keel_d_exp(long n, const double *x, double *y);
void keel_d_tanh(long n, const double *x, double *y);
void keel_d_sigmoid(long n, const double *x, double *y);

/** Scalar reference versions (libm, one element at a time): what the vector versions are tested against. */
void keel_s_exp_reference(long n, const float *x, float *y);
void keel_s_tanh_reference(long n, const float *x, float *y);
void keel_s_sigmoid_reference(long n, const float *x, float *y);

/** y[i] = min(max(x[i], lo), hi). NaN stays NaN. */
void keel_s_clamp(long n, const float *x, float lo, float hi, float *y);
void keel_d_clamp(long n, const double *x, double lo, double hi, double *y);

/** y[i] = x[i] ^ p. */
void keel_s_pow_scalar(long n, const float *x, float p, float *y);
void keel_d_pow_scalar(long n, const double *x, double p, double *y);

/* ------------------------------------------------------ elementwise, binary */

typedef enum {
    KEEL_BINARY_ADD = 0,
    KEEL_BINARY_SUB,
    KEEL_BINARY_MUL,
    KEEL_BINARY_DIV,
    KEEL_BINARY_MAX,
    KEEL_BINARY_MIN,
    KEEL_BINARY_POW,
    /* Comparisons: 1 where the relation holds, else 0 (a NaN operand compares false, so
     * KEEL_BINARY_NOT_EQUAL gives 1 there, as IEEE 754 and NumPy do). */
    KEEL_BINARY_GREATER,
    KEEL_BINARY_GREATER_EQUAL,
    KEEL_BINARY_LESS,
    KEEL_BINARY_LESS_EQUAL,
    KEEL_BINARY_EQUAL,
    KEEL_BINARY_NOT_EQUAL,
} keel_binary_op;

/**
 * out[i] = a[i * inca] op b[i * incb] for i < n. An increment of 0 broadcasts a single value
 * (tensor-scalar operations); 1 is a contiguous buffer. out may alias a or b when its increment is 1.
 */
void keel_s_binary(keel_binary_op op, long n, const float *a, long inca, const float *b, long incb, float *out);
void keel_d_binary(keel_binary_op op, long n, const double *a, long inca, const double *b, long incb, double *out);

/**
 * out[i] = mask[i * incm] != 0 ? a[i * inca] : b[i * incb] for i < n (a NaN mask element selects a).
 * Increments are 0 (one broadcast value) or 1; out may alias an operand whose increment is 1.
 */
void keel_s_select(long n, const float *mask, long incm, const float *a, long inca, const float *b, long incb, float *out);
void keel_d_select(long n, const double *mask, long incm, const double *a, long inca, const double *b, long incb, double *out);

/** y[i] += alpha * x[i]. */
void keel_s_axpy(long n, float alpha, const float *x, float *y);
void keel_d_axpy(long n, double alpha, const double *x, double *y);

/* --------------------------------------------------------------- reductions */

typedef enum {
    KEEL_REDUCE_SUM = 0,
    KEEL_REDUCE_SUM_SQUARES,
    KEEL_REDUCE_ABS_SUM,
    KEEL_REDUCE_MAX,
    KEEL_REDUCE_MIN,
    KEEL_REDUCE_ABS_MAX,
} keel_reduce_op;

/**
 * Reduces x[0 ..< n] (stride 1). Float input accumulates in double. MAX/MIN/ABS_MAX propagate NaN
 * (a NaN anywhere gives NaN); of an empty buffer, SUM-like reductions give 0, MAX gives -inf,
 * MIN +inf, ABS_MAX 0.
 */
double keel_s_reduce(keel_reduce_op op, long n, const float *x);
double keel_d_reduce(keel_reduce_op op, long n, const double *x);

/** Number of NaN and +-Inf values in x. */
long keel_s_count_nonfinite(long n, const float *x);
long keel_d_count_nonfinite(long n, const double *x);

/** Index (0-based, first on ties) of the largest of x[0], x[stride], ..., x[(n-1)*stride]; a NaN wins. */
long keel_s_argmax(long n, const float *x, long stride);
long keel_d_argmax(long n, const double *x, long stride);

/* --------------------------------------------------------- optimizer updates */

/*
 * Fused optimizer steps, one pass per tensor. `u` enters as the gradient and leaves as the update
 * to add to the parameters (-learning rate * direction); moment buffers are updated in place;
 * `p` (the parameters) is read only when a weight-decay term is non-zero. Optional buffers are NULL
 * when their option is off. bc1 = 1 - beta1^t, bc2 = 1 - beta2^t. Buffers must not overlap.
 */
void keel_s_sgd_step(long n, float *u, const float *p, float *momentum_buffer, float lr, float momentum,
                     float dampening, float weight_decay, bool nesterov, bool first_step);
void keel_d_sgd_step(long n, double *u, const double *p, double *momentum_buffer, double lr, double momentum,
                     double dampening, double weight_decay, bool nesterov, bool first_step);
void keel_s_adam_step(long n, float *u, const float *p, float *m, float *v, float *v_max, float lr, float beta1,
                      float beta2, float epsilon, float weight_decay, bool decoupled, float bc1, float bc2);
void keel_d_adam_step(long n, double *u, const double *p, double *m, double *v, double *v_max, double lr,
                      double beta1, double beta2, double epsilon, double weight_decay, bool decoupled, double bc1,
                      double bc2);
void keel_s_rmsprop_step(long n, float *u, const float *p, float *square_average, float *gradient_average,
                         float *momentum_buffer, float lr, float alpha, float epsilon, float weight_decay,
                         float momentum);
void keel_d_rmsprop_step(long n, double *u, const double *p, double *square_average, double *gradient_average,
                         double *momentum_buffer, double lr, double alpha, double epsilon, double weight_decay,
                         double momentum);
void keel_s_adagrad_step(long n, float *u, const float *p, float *sum, float lr, float epsilon, float weight_decay);
void keel_d_adagrad_step(long n, double *u, const double *p, double *sum, double lr, double epsilon,
                         double weight_decay);
void keel_s_lion_step(long n, float *u, const float *p, float *m, float lr, float beta1, float beta2,
                      float weight_decay);
void keel_d_lion_step(long n, double *u, const double *p, double *m, double lr, double beta1, double beta2,
                      double weight_decay);
/** u[i] += alpha * sign(p[i]), sign(0) = 0. */
void keel_s_add_scaled_sign(long n, float *u, const float *p, float alpha);
void keel_d_add_scaled_sign(long n, double *u, const double *p, double alpha);

/* ------------------------------------------------------ recurrent cell gates */

/*
 * LSTM step, pointwise part (PyTorch gate order i, f, g, o; rows of width 4H):
 * gates = [sigmoid, sigmoid, tanh, sigmoid](zx + zh); c = f*c_prev + i*g; tanh_c = tanh(c);
 * h = o*tanh_c. zx and zh hold x*W_ih^T + b_ih and h*W_hh^T + b_hh.
 */
void keel_s_lstm_forward_pointwise(long batch, long hidden, const float *zx, const float *zh, const float *c_prev,
                                   float *gates, float *c, float *tanh_c, float *h);
void keel_d_lstm_forward_pointwise(long batch, long hidden, const double *zx, const double *zh, const double *c_prev,
                                   double *gates, double *c, double *tanh_c, double *h);
/*
 * Its backward: from dh and dc (the gradients reaching h and c of this step), the pre-activation
 * gradient dz [batch, 4H] (the same for zx and zh) and dc_prev = (dc + dh*o*(1 - tanh_c^2))*f.
 */
void keel_s_lstm_backward_pointwise(long batch, long hidden, const float *gates, const float *c_prev,
                                    const float *tanh_c, const float *dh, const float *dc, float *dz, float *dc_prev);
void keel_d_lstm_backward_pointwise(long batch, long hidden, const double *gates, const double *c_prev,
                                    const double *tanh_c, const double *dh, const double *dc, double *dz,
                                    double *dc_prev);
/*
 * GRU step, pointwise part (PyTorch gate order r, z, n; rows of width 3H; reset after the hidden
 * product): r, z = sigmoid(zx + zh) on the first 2H; n = tanh(zx_n + r*zh_n); h = n + z*(h_prev - n).
 * gates receives [r, z, n].
 */
void keel_s_gru_forward_pointwise(long batch, long hidden, const float *zx, const float *zh, const float *h_prev,
                                  float *gates, float *h);
void keel_d_gru_forward_pointwise(long batch, long hidden, const double *zx, const double *zh, const double *h_prev,
                                  double *gates, double *h);
/* Its backward: dzx, dzh [batch, 3H] and the direct part of dh_prev (dh*z; the caller adds dzh*W_hh). */
void keel_s_gru_backward_pointwise(long batch, long hidden, const float *gates, const float *zh, const float *h_prev,
                                   const float *dh, float *dzx, float *dzh, float *dh_prev);
void keel_d_gru_backward_pointwise(long batch, long hidden, const double *gates, const double *zh,
                                   const double *h_prev, const double *dh, double *dzx, double *dzh, double *dh_prev);


/* ------------------------------------------------------ whole recurrent sequences */

/**
 * Softmax cross-entropy of `rows` rows of `classes` logits (row-major), fused and threaded:
 * grad[r, :] = scale · (softmax(logits[r, :]) − onehot(targets[r])), and the return value is
 * Σ_r (log Σ_j exp(logits[r, j] − m_r) − (logits[r, targets[r]] − m_r)) with m_r the row max, in
 * double. A target of −1 ignores its row (zero gradient, no loss term); other targets must lie in
 * [0, classes). A NaN logit makes its row's loss and gradient NaN. The result does not depend on
 * the thread count. grad may not alias logits.
 */
double keel_s_softmax_cross_entropy(long rows, long classes, const float *logits, const long *targets, float scale,
                                    float *grad);
double keel_d_softmax_cross_entropy(long rows, long classes, const double *logits, const long *targets, double scale,
                                    double *grad);

/** The built-in cells of the whole-sequence kernels. */
enum { KEEL_CELL_RNN_TANH = 0, KEEL_CELL_RNN_RELU = 1, KEEL_CELL_LSTM = 2, KEEL_CELL_GRU = 3 };

/*
 * The whole-sequence kernels: the time loop of one layer, or of a stack of layers, in one call.
 *
 * keel_*_recurrent_stack_forward runs `layers` layers (1 to 8) over `steps` time steps of a batch
 * of `batch` rows. Per layer (G gate blocks: RNN 1, LSTM 4, GRU 3; W = G * hidden; K = hidden +
 * input + 1), row-major buffers, time-major (row t * batch + b):
 *   x       [steps * batch, input]     the inputs (first layer; NULL above it, see below)
 *   w_ih    [W, input], w_hh [W, hidden], b_ih, b_hh [W]: the cell's parameters (PyTorch layout)
 *   h0      [batch, hidden]            the initial hidden state
 *   xh      [steps * batch, K]         out: [h_{t-1} | x_t | 1] per row, the operand of the weight
 *                                      gradient: RNN/LSTM dW = dz^T xh gives [dW_hh | dW_ih | db]
 *   gates   [steps * batch, W]         LSTM: out, the activations [i, f, g, o]; GRU: [r, z, n];
 *                                      RNN: not used (may be NULL)
 *   zh      [steps * batch, W]         GRU only, out: h_{t-1} W_hh^T + b_hh
 *   h       [steps, batch, hidden]     out: h_1 ... h_steps (the outputs)
 *   c       [steps + 1, batch, hidden] LSTM only: block 0 in (c_0), the rest out
 *   tanh_c  [steps, batch, hidden]     LSTM only, out
 *   tokens  [steps * batch] or NULL    first layer only: with tokens, x (may be NULL) and w_ih are
 *                                      not read; the input projection of row r (biases included)
 *                                      is row tokens[r] of `table`, and K = hidden (xh holds h_{t-1})
 *   table   [vocabulary, W]            with tokens: E W_ih^T + b_ih + b_hh (RNN/LSTM) or
 *                                      E W_ih^T + b_ih (GRU), for the embedding table E
 *   mask    [steps, batch, hidden]     or NULL: the dropout mask on h as the next layer reads it
 * Layer l > 0 reads layer l - 1's h * mask, written by the kernel into its xh: its x and tokens are
 * NULL and its input is layer l - 1's hidden.
 *
 * Several layers run as one wavefront: layer l at step t needs only layer l - 1's h_t and its own
 * h_{t-1}, so phase p runs step p - l of every layer (backward, the mirror image), with one barrier
 * per phase for all layers, each layer on a share of the threads in proportion to its work. Where
 * that does not pay (keel_*_recurrent_stack_prefers_wavefront says no), a caller runs the layers as
 * single-layer calls instead. Either way every element is computed the same way: the results are
 * the same bits whatever the thread count or the schedule. Returns false for more than 8 layers or
 * mismatched sizes, and when memory for packed weights or scratch cannot be allocated.
 */
typedef struct {
    int kind;
    long input, hidden;
    const float *x, *w_ih, *w_hh, *b_ih, *b_hh, *h0;
    float *xh, *gates, *zh, *h, *c, *tanh_c;
    const long *tokens;
    const float *table;
    const float *mask;
} keel_s_recurrent_layer;
typedef struct {
    int kind;
    long input, hidden;
    const double *x, *w_ih, *w_hh, *b_ih, *b_hh, *h0;
    double *xh, *gates, *zh, *h, *c, *tanh_c;
    const long *tokens;
    const double *table;
    const double *mask;
} keel_d_recurrent_layer;
bool keel_s_recurrent_stack_forward(int layers, long steps, long batch, const keel_s_recurrent_layer *layer);
bool keel_d_recurrent_stack_forward(int layers, long steps, long batch, const keel_d_recurrent_layer *layer);

/*
 * The backward pass of keel_*_recurrent_stack_forward through steps first ... steps - 1 of every
 * layer (gates, zh, h0, h, c, tanh_c as the forward left them; the RNN reads h instead of gates,
 * which may be NULL). Per layer:
 *   dy      [steps, batch, hidden]     top layer: dL/dh_t from outside, or NULL (read only); below
 *                                      the top: out, dL/dh_t from the layer above, (dz_above
 *                                      W_ih_above) * mask, for the rows of steps >= first
 *   dh      [batch, hidden]            (and dc for LSTM) dL/d(state at `steps`) on entry,
 *                                      dL/d(state at `first`) on return
 *   dz      [steps, batch, W]          out: the pre-activation gradients (rows of steps >= first;
 *                                      for GRU those of the input projection)
 *   dzh     [steps, batch, W]          GRU only, out: those of the hidden projection
 *   profile [steps] or NULL            out: ||dL/dh_t||^2 over the batch (0 below `first`)
 * The first layer's input gradient is left to the caller (dz W_ih).
 */
typedef struct {
    int kind;
    long input, hidden;
    const float *w_ih, *w_hh, *gates, *zh, *h0, *h, *c, *tanh_c, *mask;
    float *dy, *dh, *dc, *dz, *dzh;
    double *profile;
} keel_s_recurrent_layer_gradients;
typedef struct {
    int kind;
    long input, hidden;
    const double *w_ih, *w_hh, *gates, *zh, *h0, *h, *c, *tanh_c, *mask;
    double *dy, *dh, *dc, *dz, *dzh;
    double *profile;
} keel_d_recurrent_layer_gradients;
bool keel_s_recurrent_stack_backward(int layers, long steps, long first, long batch,
                                     const keel_s_recurrent_layer_gradients *layer);
bool keel_d_recurrent_stack_backward(int layers, long steps, long first, long batch,
                                     const keel_d_recurrent_layer_gradients *layer);

/*
 * Whether running these layers (kinds, inputs, hiddens; `tokens`: the first reads token rows) as
 * one wavefront (backward: from step `first`, with or without profiles) is modelled faster on the
 * current thread count than running them one after another as single-layer calls (each of which
 * holds only its own buffers). Always false for one layer; forced by keel_set_recurrent_stack_schedule.
 */
bool keel_s_recurrent_stack_prefers_wavefront(int layers, const int *kinds, const long *inputs, const long *hiddens,
                                              bool tokens, long batch, long steps, long first, bool backward, bool profile);
bool keel_d_recurrent_stack_prefers_wavefront(int layers, const int *kinds, const long *inputs, const long *hiddens,
                                              bool tokens, long batch, long steps, long first, bool backward, bool profile);

/*
 * What keel_*_recurrent_stack_prefers_wavefront answers: 0 (the default) lets the kernels' cost
 * model choose, 1 always the wavefront, 2 always the layers one after another. Results never
 * depend on it. Process-wide; without a call, the
 * environment variable KEEL_STACK_SCHEDULE (wavefront or layers) is read once.
 */
void keel_set_recurrent_stack_schedule(int schedule);
int keel_recurrent_stack_schedule(void);

/*
 * How the float whole-sequence kernels split a sequence of `kind` over `threads` threads on the
 * current kernel path: `row_chunks` chunks of batch rows times `column_blocks` blocks of hidden
 * units (one block: no synchronization per step; more: one barrier per step). The plan minimizes a
 * modelled per-step time (recurrent_kernels.c); results never depend on it.
 */
void keel_recurrent_sequence_partition(int kind, long batch, long input, long hidden, bool tokens, int threads,
                                       long *row_chunks, long *column_blocks);

#ifdef __cplusplus
}
#endif

#endif
