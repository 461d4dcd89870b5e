/* vt/parallel.h - one process-wide pool of worker threads for fine-grained
 * data-parallel loops (a training step's matrix products and optimiser
 * updates: a hundred jobs of 20 us to 2 ms each).
 *
 * A job is `ntasks` calls fn(arg, task), task = 0 .. ntasks-1, which must
 * write disjoint memory.  The caller's thread takes tasks too, and
 * vt_par_run returns when all are done.  How a job is cut into tasks must not
 * depend on the thread count: then the results are the same bits with any
 * number of threads (with one, the tasks simply run in order on the caller's
 * thread and no thread is created).
 *
 * Workers spin for a short while after a job (the next one usually follows
 * within microseconds) and then sleep.  vt_par_run is not reentrant: call it
 * from one thread at a time, never from inside a task.
 */
#ifndef VT_PARALLEL_H
#define VT_PARALLEL_H

#define VT_PAR_MAX_THREADS 64

/* Threads that run a job, the caller's included (1 to VT_PAR_MAX_THREADS;
 * clamped).  Workers start on the first job that needs them. */
void vt_par_set_threads(int n);
int vt_par_threads(void);

void vt_par_run(int ntasks, void (*fn)(void *arg, int task), void *arg);

#endif
