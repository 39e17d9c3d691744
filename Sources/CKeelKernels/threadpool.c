/*
 * Persistent worker pool (see threadpool.h for the contract).
 *
 * A run is announced through `generation` ((sequence << 8) | nthreads). Workers wait for a new
 * generation by spinning (with sched_yield, so they never keep a thread that shares their CPU from
 * running) for KEEL_POOL_SPIN_NS, then sleep on a condition variable. A worker joins the announced
 * run through `join` ((sequence << 32) | open bit | number of joined workers still running): only
 * while the run is open. The caller closes the run when its own share is done and then waits only
 * for the workers that did join. One run at a time: callers take `use_lock` with a trylock, and run
 * alone when another thread holds it.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE 1 /* sched_getcpu, CPU_SET */
#endif
#include "threadpool.h"
#include "internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#define KEEL_POOL_MAX_WORKERS 63
/* How long an idle worker spins before it sleeps: a wake-up through the kernel costs 50-400 us on
 * the virtual machines this was tuned on, so back-to-back kernel calls must find workers awake. */
#define KEEL_POOL_SPIN_NS 300000L
/* How long a caller spins for joined workers to finish before it sleeps (their work is nearly
 * done; sleeping would add a wake-up to the call). */
#define KEEL_POOL_CALLER_SPIN_NS 20000000L

#define KEEL_JOIN_OPEN 0x80000000UL
#define KEEL_JOIN_COUNT 0x7fffffffUL

typedef struct {
    pthread_mutex_t use_lock; /* held by the thread whose run owns the pool */
    pthread_mutex_t lock;     /* the sleeping/waking handshake */
    pthread_cond_t wake;      /* idle workers sleep here */
    pthread_cond_t done;      /* the caller sleeps here while joined workers finish */
    _Atomic unsigned long generation;
    _Atomic unsigned long join;
    _Atomic int sleepers;
    _Atomic int caller_sleeping;
    unsigned long sequence;   /* of the last run (caller side, under use_lock) */
    int workers;              /* started so far: tids 1 ... workers */
    /* the current run; written before it is announced, read only by workers that joined it */
    keel_task_fn fn;
    void *ctx;
    unsigned mxcsr;
    _Atomic int caller_cpu;   /* where the last caller ran, or -1 */
} keel_pool;

static keel_pool pool = {
    .use_lock = PTHREAD_MUTEX_INITIALIZER,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .done = PTHREAD_COND_INITIALIZER,
    .caller_cpu = -1,
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

static int keel_current_cpu(void) {
#ifdef __linux__
    return sched_getcpu();
#else
    return -1;
#endif
}

/*
 * The scheduler sometimes wakes a worker on the caller's CPU and leaves both there while another CPU
 * idles (seen on 2-vCPU virtual machines: every call then ran at single-thread speed). A worker that
 * finds itself on the caller's CPU moves away by excluding that CPU from its affinity for a moment;
 * restoring the mask right after does not move it back.
 */
static void keel_move_off_cpu(int cpu) {
#ifdef __linux__
    cpu_set_t old, away;
    if (cpu < 0 || cpu >= CPU_SETSIZE) return;
    if (sched_getaffinity(0, sizeof old, &old) != 0 || !CPU_ISSET(cpu, &old) || CPU_COUNT(&old) < 2) return;
    away = old;
    CPU_CLR(cpu, &away);
    if (sched_setaffinity(0, sizeof away, &away) == 0) (void)sched_setaffinity(0, sizeof old, &old);
#else
    (void)cpu;
#endif
}

/* Joins run `seq` if it is still open. */
static bool keel_try_join(unsigned long seq) {
    unsigned long w = atomic_load(&pool.join);
    while ((w >> 32) == (seq & 0xffffffffUL) && (w & KEEL_JOIN_OPEN)) {
        if (atomic_compare_exchange_weak(&pool.join, &w, w + 1)) return true;
    }
    return false;
}

static void *keel_worker_main(void *arg) {
    int tid = (int)(long)arg;
    /* The generation when this worker was created: the run that created it comes after. */
    unsigned long seen = keel_worker_start_gen[tid];
    for (;;) {
        unsigned long gen = atomic_load_explicit(&pool.generation, memory_order_acquire);
        if (gen == seen) {
            long deadline = keel_now_ns() + KEEL_POOL_SPIN_NS;
            for (int i = 0;; i++) {
                keel_cpu_relax();
                gen = atomic_load_explicit(&pool.generation, memory_order_acquire);
                if (gen != seen) break;
                if ((i & 63) == 63) {
                    if (keel_now_ns() > deadline) break;
                    sched_yield(); /* never keep a thread that shares this CPU from running */
                    /* sharing the caller's CPU, this worker would only ever run between calls */
                    int cpu = atomic_load_explicit(&pool.caller_cpu, memory_order_relaxed);
                    if (cpu >= 0 && (i & 4095) == 4095 && keel_current_cpu() == cpu) keel_move_off_cpu(cpu);
                }
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
        int nthreads = (int)(gen & 0xff);
        if (tid >= nthreads || !keel_try_join(gen >> 8)) continue;
        int caller_cpu = atomic_load_explicit(&pool.caller_cpu, memory_order_relaxed);
        if (caller_cpu >= 0 && keel_current_cpu() == caller_cpu) keel_move_off_cpu(caller_cpu);
        unsigned old = keel_get_csr();
        keel_set_csr(pool.mxcsr);
        pool.fn(pool.ctx, tid, nthreads);
        keel_set_csr(old);
        /* Leave the run; the last one out wakes a sleeping caller. */
        unsigned long left = atomic_fetch_sub(&pool.join, 1) - 1;
        if ((left & KEEL_JOIN_COUNT) == 0 && atomic_load(&pool.caller_sleeping)) {
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
    if (nthreads <= 1 || pthread_mutex_trylock(&pool.use_lock) != 0) {
        fn(ctx, 0, 1);
        return;
    }
    int workers = keel_pool_grow(nthreads - 1);
    if (workers < 1) {
        pthread_mutex_unlock(&pool.use_lock);
        fn(ctx, 0, 1);
        return;
    }
    if (workers < nthreads - 1) nthreads = workers + 1;

    pool.fn = fn;
    pool.ctx = ctx;
    pool.mxcsr = mxcsr;
    atomic_store_explicit(&pool.caller_cpu, keel_current_cpu(), memory_order_relaxed);
    unsigned long seq = ++pool.sequence;
    atomic_store(&pool.join, ((seq & 0xffffffffUL) << 32) | KEEL_JOIN_OPEN);
    /* seq_cst: announces the run, ordered before the load of `sleepers` below */
    atomic_store(&pool.generation, (seq << 8) | (unsigned long)nthreads);
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }

    fn(ctx, 0, nthreads);

    /* Close the run to latecomers, then wait for the workers that joined. */
    unsigned long w = atomic_fetch_and(&pool.join, ~KEEL_JOIN_OPEN);
    if ((w & KEEL_JOIN_COUNT) != 0) {
        long deadline = keel_now_ns() + KEEL_POOL_CALLER_SPIN_NS;
        for (int i = 0; (atomic_load(&pool.join) & KEEL_JOIN_COUNT) != 0; i++) {
            keel_cpu_relax();
            if ((i & 63) != 63) continue;
            sched_yield();
            if (keel_now_ns() > deadline) {
                pthread_mutex_lock(&pool.lock);
                atomic_store(&pool.caller_sleeping, 1);
                while ((atomic_load(&pool.join) & KEEL_JOIN_COUNT) != 0) pthread_cond_wait(&pool.done, &pool.lock);
                atomic_store(&pool.caller_sleeping, 0);
                pthread_mutex_unlock(&pool.lock);
                break;
            }
        }
    }
    pthread_mutex_unlock(&pool.use_lock);
}
