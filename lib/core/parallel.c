/* parallel.c - the worker pool of vt/parallel.h.
 *
 * One job at a time.  The job's generation, its task count and its next
 * task share one 64-bit ticket (generation << 40 | ntasks << 20 | next): a
 * worker claims a task with a compare-and-swap on the ticket alone, so a
 * worker that wakes late can never take a task of a later job, nor one past
 * the end of its own.  The caller resets `done`, writes the job's function,
 * then publishes the ticket; a worker reads the function only after its
 * claim succeeded (the job cannot end before that task is counted in
 * `done`), and the caller waits for done == ntasks before the job's
 * arguments go out of scope.
 *
 * Sleeping: a worker that has seen no new generation for SPIN_NS takes the
 * lock, counts itself in `sleepers` and waits on the condition; the caller
 * broadcasts after publishing when `sleepers` is non-zero.  Both sides use
 * sequentially consistent operations on the ticket and on `sleepers`, so one
 * of them always sees the other (no lost wake-up).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "vt/parallel.h"

#define SPIN_NS 200000   /* a worker's wait for the next job before it sleeps */
#define TASK_BITS 20
#define TASK_MASK ((UINT64_C(1) << TASK_BITS) - 1)
#define MAX_TASKS ((int)TASK_MASK)
#define GEN_SHIFT (2 * TASK_BITS)
#define GEN_MASK ((UINT64_C(1) << (64 - GEN_SHIFT)) - 1)

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int want;                    /* threads per job, the caller's included */
	int started;                 /* workers created (only grows) */
	_Atomic uint64_t ticket;     /* gen << 40 | ntasks << 20 | next */
	atomic_int done;             /* tasks finished in this job */
	atomic_int sleepers;
	atomic_int workers;          /* that take part (want - 1) */
	void (*fn)(void *, int);     /* the job, valid while it runs */
	void *arg;
} P = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 1, 0, 0, 0, 0,
	0, NULL, NULL };

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t gen_of(uint64_t ticket)
{
	return ticket >> GEN_SHIFT;
}

/* Claim and run the tasks of generation gen until none is left. */
static void take_tasks(uint64_t gen)
{
	uint64_t t = atomic_load(&P.ticket);

	for (;;) {
		uint64_t task = t & TASK_MASK;

		if (gen_of(t) != gen || task >= (t >> TASK_BITS & TASK_MASK))
			return;
		if (!atomic_compare_exchange_weak(&P.ticket, &t, t + 1))
			continue;
		P.fn(P.arg, (int)task);
		atomic_fetch_add_explicit(&P.done, 1, memory_order_release);
		t = atomic_load(&P.ticket);
	}
}

static void *worker(void *p)
{
	int index = (int)(intptr_t)p;   /* 0 .. */
	uint64_t seen = 0;

	for (;;) {
		uint64_t gen = gen_of(atomic_load(&P.ticket));

		if (gen == seen) {
			int64_t t0 = now_ns();

			for (int i = 0; gen == seen; i++) {
				relax();
				if ((i & 63) == 63 && now_ns() - t0 > SPIN_NS)
					break;
				gen = gen_of(atomic_load(&P.ticket));
			}
		}
		if (gen == seen) {
			pthread_mutex_lock(&P.mu);
			atomic_fetch_add(&P.sleepers, 1);
			while ((gen = gen_of(atomic_load(&P.ticket))) == seen)
				pthread_cond_wait(&P.cv, &P.mu);
			atomic_fetch_sub(&P.sleepers, 1);
			pthread_mutex_unlock(&P.mu);
		}
		seen = gen;
		/* a stale count only changes who helps, never the result */
		if (index < atomic_load_explicit(&P.workers,
						 memory_order_relaxed))
			take_tasks(gen);
	}
	return NULL;
}

void vt_par_set_threads(int n)
{
	P.want = n < 1 ? 1 : n > VT_PAR_MAX_THREADS ? VT_PAR_MAX_THREADS : n;
}

int vt_par_threads(void)
{
	return P.want;
}

/* Workers up to want - 1; as many as the system gives (the caller runs
 * whatever tasks no worker takes). */
static void start_workers(void)
{
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (P.started < P.want - 1) {
		pthread_t th;

		if (pthread_create(&th, &attr, worker,
				   (void *)(intptr_t)P.started) != 0)
			break;
		P.started++;
	}
	pthread_attr_destroy(&attr);
}

/* tasks base .. base + n - 1 of a job too long for one ticket */
struct slice {
	void (*fn)(void *, int);
	void *arg;
	int base;
};

static void run_slice(void *p, int task)
{
	const struct slice *s = p;

	s->fn(s->arg, s->base + task);
}

void vt_par_run(int ntasks, void (*fn)(void *arg, int task), void *arg)
{
	uint64_t gen;

	if (ntasks <= 0)
		return;
	if (P.want == 1 || ntasks == 1) {
		for (int i = 0; i < ntasks; i++)
			fn(arg, i);
		return;
	}
	if (ntasks > MAX_TASKS) {
		for (int base = 0; base < ntasks; base += MAX_TASKS) {
			struct slice s = { fn, arg, base };

			vt_par_run(ntasks - base < MAX_TASKS ? ntasks - base
							     : MAX_TASKS,
				   run_slice, &s);
		}
		return;
	}
	if (P.started < P.want - 1)
		start_workers();
	P.fn = fn;
	P.arg = arg;
	atomic_store_explicit(&P.workers, P.want - 1, memory_order_relaxed);
	atomic_store(&P.done, 0);
	gen = (gen_of(atomic_load(&P.ticket)) + 1) & GEN_MASK;
	if (gen == 0)   /* 0 is the workers' "seen nothing yet" */
		gen = 1;
	atomic_store(&P.ticket, gen << GEN_SHIFT | (uint64_t)ntasks << TASK_BITS);
	if (atomic_load(&P.sleepers) > 0) {
		pthread_mutex_lock(&P.mu);
		pthread_cond_broadcast(&P.cv);
		pthread_mutex_unlock(&P.mu);
	}
	take_tasks(gen);
	for (int i = 0; atomic_load_explicit(&P.done, memory_order_acquire) <
			ntasks; i++) {
		if (i < 4096)
			relax();
		else
			sched_yield();
	}
}
