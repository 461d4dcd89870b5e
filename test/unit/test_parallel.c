/* test_parallel.c - the worker pool (vt/parallel.h) and lib/nn's promise
 * built on it: the same bits with any thread count. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt/nn.h"
#include "vt/nn_optim.h"
#include "vt/parallel.h"
#include "vt/rng.h"

struct count_job {
	atomic_int *hits;
	int job;
};

static void count_task(void *p, int task)
{
	const struct count_job *j = p;

	/* each task once per job; the job number catches a task run with an
	 * earlier job's arguments */
	atomic_fetch_add(&j->hits[task], j->job);
}

/* Every task of every job runs exactly once, for any thread count, jobs
 * of any size following each other at once (workers still spinning) or
 * after the workers went to sleep. */
Test(parallel, every_task_once)
{
	enum { MAXT = 5000 };
	atomic_int *hits = calloc(MAXT, sizeof *hits);

	for (int threads = 1; threads <= 4; threads++) {
		vt_par_set_threads(threads);
		cr_assert_eq(vt_par_threads(), threads);
		for (int job = 1; job <= 300; job++) {
			int n = 1 + (job * 7919) % MAXT;
			struct count_job j = { hits, job };

			if (job % 100 == 0)
				usleep(2000);   /* the workers sleep */
			for (int i = 0; i < n; i++)
				atomic_store(&hits[i], 0);
			vt_par_run(n, count_task, &j);
			for (int i = 0; i < n; i++)
				cr_assert_eq(atomic_load(&hits[i]), job,
					     "threads %d job %d task %d",
					     threads, job, i);
		}
	}
	vt_par_run(0, count_task, NULL);
	vt_par_set_threads(0);
	cr_assert_eq(vt_par_threads(), 1);
	vt_par_set_threads(1000);
	cr_assert_eq(vt_par_threads(), VT_PAR_MAX_THREADS);
	vt_par_set_threads(1);
	free(hits);
}

/* More tasks than one ticket holds (2^20 - 1): still each once. */
Test(parallel, long_job)
{
	int n = (1 << 20) + 5000;
	atomic_int *hits = calloc((size_t)n, sizeof *hits);
	struct count_job j = { hits, 1 };

	vt_par_set_threads(2);
	vt_par_run(n, count_task, &j);
	for (int i = 0; i < n; i++)
		cr_assert_eq(atomic_load(&hits[i]), 1, "task %d", i);
	vt_par_set_threads(1);
	free(hits);
}

/* A small training step (linear layers of the MLP GAN's sizes, batch
 * norm 1d and 2d, a conv2d and its transpose, a fused upsample-conv, a conv to one
 * channel (the direct kernels), Adam): parameters after three steps are
 * the same bytes with 1, 2 and 3 threads. */
static void train(int threads, float *out, size_t *n_out)
{
	struct vt_nn_graph *g;
	struct vt_err err = { 0 };
	struct vt_rng rng;
	struct vt_nn_val *p[8];
	struct vt_nn_optim opt;
	struct vt_nn_optim_cfg cfg = vt_nn_optim_defaults(VT_NN_ADAM, 1e-3);
	size_t at = 0;

	vt_nn_set_threads(threads);
	vt_rng_seed(&rng, 7, 0);
	p[0] = vt_nn_param_new(VT_F32, 2, (int64_t[]){ 1024, 300 }, "w1");
	p[1] = vt_nn_param_new(VT_F32, 1, (int64_t[]){ 1024 }, "b1");
	p[2] = vt_nn_param_new(VT_F32, 2, (int64_t[]){ 784, 1024 }, "w2");
	p[3] = vt_nn_param_new(VT_F32, 1, (int64_t[]){ 784 }, "b2");
	p[4] = vt_nn_param_new(VT_F32, 4, (int64_t[]){ 64, 4, 3, 3 }, "c1");
	p[5] = vt_nn_param_new(VT_F32, 4, (int64_t[]){ 64, 4, 3, 3 }, "c2");
	p[6] = vt_nn_param_new(VT_F32, 4, (int64_t[]){ 8, 4, 3, 3 }, "up");
	p[7] = vt_nn_param_new(VT_F32, 4, (int64_t[]){ 1, 8, 3, 3 }, "c3");
	for (int i = 0; i < 8; i++)
		vt_nn_init_normal(p[i], 0, 0.05, &rng);
	cr_assert_eq(vt_nn_optim_init(&opt, &cfg, 8, p, &err), 0);
	cr_assert_eq(vt_nn_graph_new(&g, &err), 0);
	for (int step = 0; step < 3; step++) {
		struct vt_nn_val *x, *h, *y, *img, *c, *u, *loss;

		vt_nn_graph_reset(g);
		x = vt_nn_new(g, VT_F32, 2, (int64_t[]){ 64, 300 });
		img = vt_nn_new(g, VT_F32, 4, (int64_t[]){ 16, 4, 28, 28 });
		for (size_t k = 0; k < x->numel; k++)
			((float *)x->data)[k] = (float)vt_rng_normal(&rng);
		for (size_t k = 0; k < img->numel; k++)
			((float *)img->data)[k] = (float)vt_rng_normal(&rng);
		h = vt_nn_tanh(g, vt_nn_batch_norm(g, vt_nn_linear(g, x, p[0],
								    p[1]),
						   NULL, NULL, NULL, NULL, true,
						   0.1, 1e-5));
		y = vt_nn_linear(g, h, p[2], p[3]);
		c = vt_nn_conv_transpose2d(g, vt_nn_relu(g, vt_nn_batch_norm2d(
				g, vt_nn_conv2d(g, img, p[4], NULL, 1, 1), NULL,
				NULL, NULL, NULL, true, 0.1, 0.8)), p[5], NULL,
				1, 1, 0);
		u = vt_nn_conv2d(g, vt_nn_leaky_relu(g, vt_nn_upsample2x_conv2d(
				g, img, p[6], NULL, 1, 1), 0.2), p[7], NULL, 1,
				 1);
		loss = vt_nn_add(g, vt_nn_add(g, vt_nn_mean(g, vt_nn_mul(g, y, y)),
					      vt_nn_mean(g, vt_nn_mul(g, c, c))),
				 vt_nn_mean(g, vt_nn_mul(g, u, u)));
		cr_assert_not_null(loss);
		cr_assert_eq(vt_nn_backward(g, loss, 0, NULL), 0);
		vt_nn_optim_step_zero(&opt);
	}
	for (int i = 0; i < 8; i++) {
		memcpy(out + at, p[i]->data, p[i]->numel * sizeof(float));
		at += p[i]->numel;
		vt_nn_param_free(p[i]);
	}
	*n_out = at;
	vt_nn_optim_release(&opt);
	vt_nn_graph_free(g);
	vt_nn_set_threads(1);
}

Test(parallel, nn_same_bits_any_thread_count)
{
	size_t cap = 1024 * 300 + 1024 + 784 * 1024 + 784 + 2 * 64 * 36 + 8 * 36 + 72,
	       n1, n;
	float *one = malloc(cap * sizeof *one), *more = malloc(cap * sizeof *more);

	train(1, one, &n1);
	for (int threads = 2; threads <= 3; threads++) {
		train(threads, more, &n);
		cr_assert_eq(n, n1);
		cr_assert_eq(memcmp(one, more, n * sizeof *one), 0,
			     "%d threads", threads);
	}
	free(one);
	free(more);
}
