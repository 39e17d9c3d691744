/*
 * Persistent worker pool. Workers wait for a new "generation" of work: they spin briefly (so that
 * back-to-back kernel calls, as in a recurrent network's time loop, do not pay a futex wake-up),
 * then sleep on a condition variable. One parallel run at a time: callers take `use_lock` with a
 * trylock and run everything on their own thread when someone else holds it.
 */
#include "threadpool.h"
#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#define KEEL_POOL_MAX_WORKERS 63
/* How long an idle worker (or a caller waiting for its workers) spins before it sleeps. */
#define KEEL_POOL_SPIN_NS 200000L

typedef struct {
    pthread_mutex_t use_lock;   /* held by the thread whose run owns the pool */
    pthread_mutex_t lock;       /* protects the sleeping/waking handshake */
    pthread_cond_t wake;        /* workers sleep here between runs */
    pthread_cond_t done;        /* the caller sleeps here while workers finish */
    _Atomic unsigned long generation; /* (run sequence number << 8) | the run's nthreads */
    _Atomic int sleepers;       /* workers asleep (or about to) on `wake` */
    _Atomic int pending;        /* workers of the current run that have not finished */
    _Atomic int caller_sleeping;
    int workers;                /* started so far (tid 1 ... workers) */
    /* the current run; written by the caller before `generation` is bumped */
    keel_task_fn fn;
    void *ctx;
    unsigned mxcsr;
} keel_pool;

static keel_pool pool = {
    .use_lock = PTHREAD_MUTEX_INITIALIZER,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
};

static unsigned long keel_worker_start_gen[KEEL_POOL_MAX_WORKERS + 1];

static inline void keel_cpu_relax(void) {
#ifdef KEEL_X86
    _mm_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline long keel_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static inline unsigned keel_get_csr(void) {
#ifdef KEEL_X86
    return _mm_getcsr();
#else
    return 0;
#endif
}

static inline void keel_set_csr(unsigned csr) {
#ifdef KEEL_X86
    _mm_setcsr(csr);
#else
    (void)csr;
#endif
}

static void *keel_worker_main(void *arg) {
    int tid = (int)(long)arg;
    /* The generation when this worker was created: the run that created it comes after. */
    unsigned long seen = keel_worker_start_gen[tid];
    for (;;) {
        /* Wait for a new generation: spin, then sleep. */
        unsigned long gen = atomic_load_explicit(&pool.generation, memory_order_acquire);
        if (gen == seen) {
            long deadline = keel_now_ns() + KEEL_POOL_SPIN_NS;
            for (int i = 0;; i++) {
                keel_cpu_relax();
                gen = atomic_load_explicit(&pool.generation, memory_order_acquire);
                if (gen != seen) break;
                if ((i & 63) == 63 && keel_now_ns() > deadline) break;
            }
        }
        if (gen == seen) {
            pthread_mutex_lock(&pool.lock);
            atomic_fetch_add(&pool.sleepers, 1);
            while ((gen = atomic_load(&pool.generation)) == seen) pthread_cond_wait(&pool.wake, &pool.lock);
            atomic_fetch_sub(&pool.sleepers, 1);
            pthread_mutex_unlock(&pool.lock);
        }
        seen = gen;
        /* The thread count travels in the generation word: a worker that is not part of this run
         * reads nothing else, so it cannot mix this run up with the next one. */
        int nthreads = (int)(gen & 0xff);
        if (tid >= nthreads) continue;
        unsigned old = keel_get_csr();
        keel_set_csr(pool.mxcsr);
        pool.fn(pool.ctx, tid, nthreads);
        keel_set_csr(old);
        if (atomic_fetch_sub(&pool.pending, 1) == 1 &&
            atomic_load(&pool.caller_sleeping)) {
            pthread_mutex_lock(&pool.lock);
            pthread_cond_signal(&pool.done);
            pthread_mutex_unlock(&pool.lock);
        }
    }
    return NULL;
}

/* Starts workers up to tid `count`; returns how many exist. Called with use_lock held. */
static int keel_pool_grow(int count) {
    if (count > KEEL_POOL_MAX_WORKERS) count = KEEL_POOL_MAX_WORKERS;
    while (pool.workers < count) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        keel_worker_start_gen[pool.workers + 1] = atomic_load(&pool.generation);
        int err = pthread_create(&thread, &attr, keel_worker_main, (void *)(long)(pool.workers + 1));
        pthread_attr_destroy(&attr);
        if (err != 0) break;
        pool.workers++;
    }
    return pool.workers;
}

void keel_parallel_run(keel_task_fn fn, void *ctx, int nthreads, unsigned mxcsr) {
    if (nthreads > KEEL_POOL_MAX_WORKERS + 1) nthreads = KEEL_POOL_MAX_WORKERS + 1;
    if (nthreads <= 1) {
        fn(ctx, 0, 1);
        return;
    }
    if (pthread_mutex_trylock(&pool.use_lock) != 0) {
        for (int t = 0; t < nthreads; t++) fn(ctx, t, nthreads);
        return;
    }
    if (keel_pool_grow(nthreads - 1) < nthreads - 1) {
        pthread_mutex_unlock(&pool.use_lock);
        for (int t = 0; t < nthreads; t++) fn(ctx, t, nthreads);
        return;
    }
    pool.fn = fn;
    pool.ctx = ctx;
    pool.mxcsr = mxcsr;
    atomic_store(&pool.pending, nthreads - 1);
    /* seq_cst: publishes the run, ordered before the load of `sleepers` below */
    unsigned long gen = atomic_load(&pool.generation);
    atomic_store(&pool.generation, (((gen >> 8) + 1) << 8) | (unsigned long)nthreads);
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }

    fn(ctx, 0, nthreads);

    if (atomic_load_explicit(&pool.pending, memory_order_acquire) != 0) {
        long deadline = keel_now_ns() + KEEL_POOL_SPIN_NS;
        for (int i = 0; atomic_load_explicit(&pool.pending, memory_order_acquire) != 0; i++) {
            keel_cpu_relax();
            if ((i & 63) == 63 && keel_now_ns() > deadline) {
                pthread_mutex_lock(&pool.lock);
                atomic_store(&pool.caller_sleeping, 1);
                while (atomic_load(&pool.pending) != 0) pthread_cond_wait(&pool.done, &pool.lock);
                atomic_store(&pool.caller_sleeping, 0);
                pthread_mutex_unlock(&pool.lock);
                break;
            }
        }
    }
    pthread_mutex_unlock(&pool.use_lock);
}
