/* Internal helpers shared by the kernel files; not part of the public header. */
#ifndef KEEL_INTERNAL_H
#define KEEL_INTERNAL_H

#include "CKeelKernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#define KEEL_X86 1
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#define KEEL_ARM64 1
#endif

/* Atomically readable process-wide settings (dispatch.c). */
extern keel_kernel_path keel_internal_path;

/* Sets FTZ/DAZ for the duration of a kernel when denormal flushing is on; returns the old state. */
static inline unsigned keel_fp_enter(void) {
#ifdef KEEL_X86
    unsigned old = _mm_getcsr();
    if (keel_flush_denormals()) _mm_setcsr(old | 0x8040u);
    return old;
#else
    return 0;
#endif
}

static inline void keel_fp_exit(unsigned old) {
#ifdef KEEL_X86
    _mm_setcsr(old);
#else
    (void)old;
#endif
}

/* The calling thread's MXCSR (x86-64; 0 elsewhere): the floating-point mode pool workers adopt. */
static inline unsigned keel_current_csr(void) {
#ifdef KEEL_X86
    return _mm_getcsr();
#else
    return 0;
#endif
}

/*
 * Memory-bound kernels are written once as plain C loops and instantiated three times: portable
 * (the target's baseline), AVX2+FMA and AVX-512F (the same source under target attributes, so the
 * vectorizer uses wider registers), chosen at run time by keel_current_kernel_path().
 * KEEL_EW_VARIANTS(RET, NAME, PARAMS, ARGS, body) defines NAME##_portable/_avx2/_avx512 and NAME.
 */
#ifdef KEEL_X86
#define KEEL_EW_AVX2 __attribute__((target("avx2,fma")))
#define KEEL_EW_AVX512 __attribute__((target("avx512f,avx2,fma")))
/* Defines NAME##_portable, NAME##_avx2 and NAME##_avx512 with the same body, and NAME, which picks one. */
#define KEEL_EW_VARIANTS(RET, NAME, PARAMS, ARGS, ...)                                              \
    static RET NAME##_portable PARAMS __VA_ARGS__                                                   \
    static KEEL_EW_AVX2 RET NAME##_avx2 PARAMS __VA_ARGS__                                          \
    static KEEL_EW_AVX512 RET NAME##_avx512 PARAMS __VA_ARGS__                                      \
    static RET NAME PARAMS {                                                                        \
        switch (keel_current_kernel_path()) {                                                       \
        case KEEL_PATH_AVX512: KEEL_EW_RETURN_##RET NAME##_avx512 ARGS; break;                      \
        case KEEL_PATH_AVX2: KEEL_EW_RETURN_##RET NAME##_avx2 ARGS; break;                          \
        default: KEEL_EW_RETURN_##RET NAME##_portable ARGS; break;                                  \
        }                                                                                           \
    }
#define KEEL_EW_RETURN_void
#define KEEL_EW_RETURN_long return
#define KEEL_EW_RETURN_double return
#else
#define KEEL_EW_VARIANTS(RET, NAME, PARAMS, ARGS, ...)                                              \
    static RET NAME PARAMS __VA_ARGS__
#endif

/* Elements per chunk of the memory-bound kernels that split over the pool (optimizer updates,
 * axpy, reductions): 128 KiB of floats, so a chunk's streams stay in L2 and a tensor needs at least
 * two chunks (64 Ki elements) before a second thread is woken. Reductions combine per-chunk
 * results in chunk order, so this constant, not the thread count, fixes their rounding. */
#define KEEL_ELEMENTWISE_GRAIN 32768L

/* exp, tanh and sigmoid without the FTZ/DAZ switch of the public entries, for kernels that already
 * set the floating-point mode around many calls (activations.c). */
void keel_s_exp_in_kernel(long n, const float *x, float *y);
void keel_s_tanh_in_kernel(long n, const float *x, float *y);
void keel_s_sigmoid_in_kernel(long n, const float *x, float *y);
void keel_d_exp_in_kernel(long n, const double *x, double *y);
void keel_d_tanh_in_kernel(long n, const double *x, double *y);
void keel_d_sigmoid_in_kernel(long n, const double *x, double *y);

#endif
