/* A small persistent worker pool for the multithreaded kernels (internal, not public). */
#ifndef KEEL_THREADPOOL_H
#define KEEL_THREADPOOL_H

/* The body of a parallel run, called once per participating thread with a distinct tid. */
typedef void (*keel_task_fn)(void *ctx, int tid, int nthreads);

/*
 * Calls fn(ctx, tid, nthreads) on the calling thread (tid 0) and on up to nthreads - 1 pool workers
 * (tids 1 ..< nthreads), and returns when every call that started has returned.
 *
 * Participation is best effort: a worker that has not picked the run up by the time the caller's
 * own call returns is left out (on a shared or oversubscribed machine a worker can be off its CPU
 * for milliseconds; the caller must not wait for it). So fn must claim its work dynamically (an
 * atomic counter in ctx) and the caller's call must loop until no work is left. The same holds when
 * the pool is busy with another thread's run: then only the caller runs.
 *
 * While a worker runs fn its MXCSR (x86-64) is `mxcsr`, so FTZ/DAZ match the caller's. Workers are
 * created lazily, kept for the life of the process, spin briefly after each run and then sleep.
 */
void keel_parallel_run(keel_task_fn fn, void *ctx, int nthreads, unsigned mxcsr);

#endif
