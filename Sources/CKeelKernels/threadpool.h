/* A small persistent worker pool for the multithreaded kernels (internal, not public). */
#ifndef KEEL_THREADPOOL_H
#define KEEL_THREADPOOL_H

/* One task of a parallel run: fn(ctx, tid, nthreads) for tid in 0 ..< nthreads. */
typedef void (*keel_task_fn)(void *ctx, int tid, int nthreads);

/*
 * Runs fn(ctx, tid, nthreads) for every tid in 0 ..< nthreads and returns when all have finished.
 * tid 0 runs on the calling thread, the others on pool workers (created lazily, kept for the life of
 * the process). While a worker runs a task its MXCSR (x86-64) is set to `mxcsr`, so FTZ/DAZ match
 * the caller's. When the pool is busy (another thread is inside keel_parallel_run) or cannot start a
 * worker, the calling thread runs every tid itself, one after the other: the result is the same, so
 * fn must not assume the tids run at the same time (no barriers between tids).
 */
void keel_parallel_run(keel_task_fn fn, void *ctx, int nthreads, unsigned mxcsr);

#endif
