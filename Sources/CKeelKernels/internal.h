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

#endif
