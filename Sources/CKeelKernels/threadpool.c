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

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

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

/*
 * With KEEL_PIN_THREADS=1, worker i stays on the i-th CPU of the process's affinity mask (Linux), so
 * a tile's weights stay in one core's cache from step to step. Off by default: the caller's thread
 * is the application's and is not pinned, and on a machine shared with other processes a pinned
 * worker cannot move away from a busy CPU. A refused request leaves the worker unpinned.
 */
static void keel_pin_worker(int tid) {
#ifdef __linux__
    const char *env = getenv("KEEL_PIN_THREADS");
    if (env == NULL || atoi(env) != 1) return;
    cpu_set_t allowed, one;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
    int count = CPU_COUNT(&allowed);
    if (count < 2) return;
    int want = tid % count, seen = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed)) continue;
        if (seen++ != want) continue;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        (void)sched_setaffinity(0, sizeof one, &one);
        return;
    }
#else
    (void)tid;
#endif
}

static void *keel_worker_main(void *arg) {
    int tid = (int)(long)arg;
    keel_pin_worker(tid);
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


/* ------------------------------------------------------------ phased tile loops */

/* A waiting thread spins this long, then yields this long, then sleeps. */
#define KEEL_PHASE_SPIN_NS 20000L
#define KEEL_PHASE_YIELD_NS 200000L

void keel_phase_loop_init(keel_phase_loop *loop, keel_phase_fn fn, void *ctx, long phases, int tiles) {
    loop->fn = fn;
    loop->ctx = ctx;
    loop->phases = phases;
    loop->tiles = tiles < 1 ? 1 : tiles > KEEL_PHASE_MAX_TILES ? KEEL_PHASE_MAX_TILES : tiles;
    for (int i = 0; i < loop->tiles; i++) atomic_init(&loop->claim[i], -1L);
    atomic_init(&loop->done, 0L);
    atomic_init(&loop->word, 0u);
    atomic_init(&loop->sleepers, 0);
    atomic_init(&loop->failed, 0);
}

static void keel_phase_sleep(keel_phase_loop *loop, unsigned seen) {
#ifdef __linux__
    struct timespec timeout = {0, 1000000L}; /* a missed wake-up costs at most a millisecond */
    (void)syscall(SYS_futex, (unsigned *)&loop->word, FUTEX_WAIT_PRIVATE, seen, &timeout, NULL, 0);
#else
    (void)loop;
    (void)seen;
    sched_yield();
#endif
}

static void keel_phase_wake(keel_phase_loop *loop) {
    atomic_fetch_add(&loop->word, 1u);
    if (atomic_load(&loop->sleepers) == 0) return;
#ifdef __linux__
    (void)syscall(SYS_futex, (unsigned *)&loop->word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
#endif
}

/* Returns once `done` reaches `target`. */
static void keel_phase_wait(keel_phase_loop *loop, long target) {
    if (atomic_load_explicit(&loop->done, memory_order_acquire) >= target) return;
    long start = keel_now_ns();
    for (int i = 1;; i++) {
        if (atomic_load_explicit(&loop->done, memory_order_acquire) >= target) return;
        if ((i & 31) != 0) {
            keel_cpu_relax();
            continue;
        }
        long waited = keel_now_ns() - start;
        if (waited < KEEL_PHASE_SPIN_NS) continue;
        if (waited < KEEL_PHASE_YIELD_NS) {
            sched_yield();
            continue;
        }
        unsigned seen = atomic_load(&loop->word);
        atomic_fetch_add(&loop->sleepers, 1);
        if (atomic_load(&loop->done) < target) keel_phase_sleep(loop, seen);
        atomic_fetch_sub(&loop->sleepers, 1);
    }
}

void keel_phase_loop_work(keel_phase_loop *loop, int tid, int nthreads) {
    const long tiles = loop->tiles;
    const long home = nthreads <= 1 ? 0 : (long)tid * tiles / nthreads;
    for (;;) {
        long phase = atomic_load_explicit(&loop->done, memory_order_acquire) / tiles;
        if (phase >= loop->phases) return;
        for (long k = 0; k < tiles; k++) {
            long i = (home + k) % tiles;
            long expected = phase - 1;
            if (atomic_load_explicit(&loop->claim[i], memory_order_relaxed) != expected) continue;
            if (!atomic_compare_exchange_strong(&loop->claim[i], &expected, phase)) continue;
            if (!loop->fn(loop->ctx, phase, (int)i)) atomic_store(&loop->failed, 1);
            long now = atomic_fetch_add_explicit(&loop->done, 1, memory_order_acq_rel) + 1;
            if (now % tiles == 0) keel_phase_wake(loop);
        }
        keel_phase_wait(loop, (phase + 1) * tiles);
    }
}

/* ------------------------------------------------------------ ranges */

typedef struct {
    keel_range_fn fn;
    void *ctx;
    long n, grain, chunks;
    int path;
    _Atomic long next;
} keel_range_job;

static void keel_range_task(void *ctx, int tid, int nthreads) {
    (void)tid;
    (void)nthreads;
    keel_range_job *job = ctx;
    int saved = keel_thread_kernel_path();
    keel_set_thread_kernel_path(job->path);
    for (;;) {
        long c = atomic_fetch_add_explicit(&job->next, 1, memory_order_relaxed);
        if (c >= job->chunks) break;
        long lo = c * job->grain, hi = lo + job->grain < job->n ? lo + job->grain : job->n;
        job->fn(job->ctx, lo, hi);
    }
    keel_set_thread_kernel_path(saved);
}

void keel_parallel_ranges(keel_range_fn fn, void *ctx, long n, long grain) {
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    int threads = keel_num_threads();
    long chunks = (n + grain - 1) / grain;
    if (threads <= 1 || chunks < 2) {
        for (long lo = 0; lo < n; lo += grain) fn(ctx, lo, lo + grain < n ? lo + grain : n);
        return;
    }
    if (chunks < threads) threads = (int)chunks;
    keel_range_job job = {.fn = fn, .ctx = ctx, .n = n, .grain = grain, .chunks = chunks,
                          .path = (int)keel_current_kernel_path()};
    atomic_init(&job.next, 0);
    keel_parallel_run(keel_range_task, &job, threads, keel_current_csr());
}
