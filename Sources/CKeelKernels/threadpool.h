/* A small persistent worker pool for the multithreaded kernels (internal, not public). */
#ifndef KEEL_THREADPOOL_H
#define KEEL_THREADPOOL_H

#include <stdatomic.h>
#include <stdbool.h>

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

/*
 * fn(ctx, lo, hi) over [0, n) in chunks of `grain` elements, claimed by the pool's threads (the
 * calling thread alone when n < 2 * grain or one thread is configured). The chunks are fixed by n
 * and grain, never by the thread count, so a kernel that reduces per chunk and combines the chunks
 * in order gives the same bits on any number of threads. Workers compute on the caller's kernel
 * path and floating-point mode.
 */
typedef void (*keel_range_fn)(void *ctx, long lo, long hi);
void keel_parallel_ranges(keel_range_fn fn, void *ctx, long n, long grain);

/*
 * Phases of tiles with one barrier between phases: fn(ctx, phase, tile) runs once for every phase
 * 0 ..< phases and tile 0 ..< tiles, and every tile of phase p has returned before any tile of phase
 * p + 1 starts. Threads claim tiles (starting from a home tile, so with as many threads as tiles each
 * thread keeps its tile from phase to phase) and, when none is left, wait for the phase to end:
 * spinning for a few microseconds, then yielding, then sleeping (a futex on Linux). Whoever is
 * present does the work: the caller alone finishes every phase if no worker joins, so this is safe
 * under keel_parallel_run's best-effort participation. No allocation.
 */
#define KEEL_PHASE_MAX_TILES 256
typedef bool (*keel_phase_fn)(void *ctx, long phase, int tile);
typedef struct {
    keel_phase_fn fn;
    void *ctx;
    long phases;
    int tiles;
    _Atomic long claim[KEEL_PHASE_MAX_TILES]; /* the last phase each tile was claimed for */
    _Atomic long done;                        /* tiles finished, all phases together */
    _Atomic unsigned word;                    /* phases finished (the futex word) */
    _Atomic int sleepers;
    _Atomic int failed;
} keel_phase_loop;

/* Prepares `loop` for fn over phases x tiles (tiles <= KEEL_PHASE_MAX_TILES). */
void keel_phase_loop_init(keel_phase_loop *loop, keel_phase_fn fn, void *ctx, long phases, int tiles);
/* A thread's share of the loop (call from every participant, the caller included); returns when the
 * last phase has ended. */
void keel_phase_loop_work(keel_phase_loop *loop, int tid, int nthreads);

#endif
