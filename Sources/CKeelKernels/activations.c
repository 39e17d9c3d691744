/* exp, tanh and sigmoid over buffers. */
#include "internal.h"

#include <math.h>

static inline float keel_sigmoidf(float x) { return x >= 0 ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x)); }
static inline double keel_sigmoid(double x) { return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x)); }

void keel_s_exp_reference(long n, const float *x, float *y) { for (long i = 0; i < n; i++) y[i] = expf(x[i]); }
void keel_s_tanh_reference(long n, const float *x, float *y) { for (long i = 0; i < n; i++) y[i] = tanhf(x[i]); }
void keel_s_sigmoid_reference(long n, const float *x, float *y) { for (long i = 0; i < n; i++) y[i] = keel_sigmoidf(x[i]); }

void keel_s_exp(long n, const float *x, float *y) {
    unsigned fp = keel_fp_enter();
    keel_s_exp_reference(n, x, y);
    keel_fp_exit(fp);
}
void keel_s_tanh(long n, const float *x, float *y) {
    unsigned fp = keel_fp_enter();
    keel_s_tanh_reference(n, x, y);
    keel_fp_exit(fp);
}
void keel_s_sigmoid(long n, const float *x, float *y) {
    unsigned fp = keel_fp_enter();
    keel_s_sigmoid_reference(n, x, y);
    keel_fp_exit(fp);
}
void keel_d_exp(long n, const double *x, double *y) {
    unsigned fp = keel_fp_enter();
    for (long i = 0; i < n; i++) y[i] = exp(x[i]);
    keel_fp_exit(fp);
}
void keel_d_tanh(long n, const double *x, double *y) {
    unsigned fp = keel_fp_enter();
    for (long i = 0; i < n; i++) y[i] = tanh(x[i]);
    keel_fp_exit(fp);
}
void keel_d_sigmoid(long n, const double *x, double *y) {
    unsigned fp = keel_fp_enter();
    for (long i = 0; i < n; i++) y[i] = keel_sigmoid(x[i]);
    keel_fp_exit(fp);
}
