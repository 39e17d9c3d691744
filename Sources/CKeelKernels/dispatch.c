/* Run-time CPU dispatch and process-wide kernel settings. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1 /* sched_getaffinity, CPU_COUNT */
#endif
#include "internal.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

keel_kernel_path keel_internal_path = (keel_kernel_path)-1;
static _Atomic int keel_threads = 0;
static _Atomic int keel_flush = 1;

bool keel_kernel_path_supported(keel_kernel_path path) {
    switch (path) {
    case KEEL_PATH_PORTABLE:
        return true;
#ifdef KEEL_X86
    case KEEL_PATH_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case KEEL_PATH_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
#ifdef KEEL_ARM64
    case KEEL_PATH_NEON:
        return true;
#endif
    default:
        return false;
    }
}

keel_kernel_path keel_best_kernel_path(void) {
    if (keel_kernel_path_supported(KEEL_PATH_AVX512)) return KEEL_PATH_AVX512;
    if (keel_kernel_path_supported(KEEL_PATH_AVX2)) return KEEL_PATH_AVX2;
    if (keel_kernel_path_supported(KEEL_PATH_NEON)) return KEEL_PATH_NEON;
    return KEEL_PATH_PORTABLE;
}

/* A per-thread override (keel_set_thread_kernel_path), so tests can force a path on one thread
   while others keep the process-wide one. GEMM picks its kernels on the calling thread and hands
   them to its workers, so the override covers the whole product. */
static _Thread_local int keel_thread_path = -1;

bool keel_set_thread_kernel_path(int path) {
    if (path < 0) {
        keel_thread_path = -1;
        return true;
    }
    if (!keel_kernel_path_supported((keel_kernel_path)path)) return false;
    keel_thread_path = path;
    return true;
}

int keel_thread_kernel_path(void) { return keel_thread_path; }

keel_kernel_path keel_current_kernel_path(void) {
    if (keel_thread_path >= 0) return (keel_kernel_path)keel_thread_path;
    keel_kernel_path path = __atomic_load_n(&keel_internal_path, __ATOMIC_RELAXED);
    if ((int)path < 0) {
        path = keel_best_kernel_path();
        __atomic_store_n(&keel_internal_path, path, __ATOMIC_RELAXED);
    }
    return path;
}

bool keel_set_kernel_path(keel_kernel_path path) {
    if (!keel_kernel_path_supported(path)) return false;
    __atomic_store_n(&keel_internal_path, path, __ATOMIC_RELAXED);
    return true;
}

int keel_num_threads(void) {
    int count = atomic_load_explicit(&keel_threads, memory_order_relaxed);
    if (count > 0) return count;
    const char *env = getenv("KEEL_NUM_THREADS");
    if (env != NULL) count = atoi(env);
    if (count <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        count = cores > 0 ? (int)cores : 1;
    }
    atomic_store_explicit(&keel_threads, count, memory_order_relaxed);
    return count;
}

int keel_available_cpus(void) {
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
#endif
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (int)cores : 1;
}

void keel_set_num_threads(int count) {
    atomic_store_explicit(&keel_threads, count < 1 ? 1 : count, memory_order_relaxed);
}

bool keel_flush_denormals(void) { return atomic_load_explicit(&keel_flush, memory_order_relaxed) != 0; }

void keel_set_flush_denormals(bool enabled) {
    atomic_store_explicit(&keel_flush, enabled ? 1 : 0, memory_order_relaxed);
}
