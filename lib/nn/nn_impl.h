/* nn_impl.h - what the files of lib/nn share: the graph, the arena, the op
 * table and helpers for writing ops.  Not a public header.
 *
 * Writing an op (see op_elem.c for many):
 *   y = vt_nn__result(g, OP, dtype, rank, shape, nsrc, srcs);  // NULL: fail
 *   compute y->data from the sources (F32 and F64 both);
 *   set y->fp / y->ip parameters;
 *   return y;
 * and a backward  void bw_op(g, y, gy, need, gx)  that sets gx[k] (same shape
 * and dtype as y->src[k]) for each k with need[k], using only vt_nn_* ops so
 * that the backward can itself be recorded.  Register both in optable.c.
 */
#ifndef VT_NN_IMPL_H
#define VT_NN_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "vt/nn.h"

struct vt_nn_block;

struct vt_nn_graph {
	struct vt_nn_block *head, *cur;
	size_t arena_bytes, arena_mallocs;
	struct vt_nn_val **tape;
	size_t ntape, cap_tape;
	bool record;
	bool accum;          /* inside vt_nn_backward: see vt_nn__into_grad */
	uint32_t epoch;
	int status;
	struct vt_err err;
	void *scratch;             /* vt_nn__scratch: kept across steps */
	size_t scratch_bytes;
};

typedef void (*vt_nn_backward_fn)(struct vt_nn_graph *g, struct vt_nn_val *y,
				  struct vt_nn_val *gy, const bool *need,
				  struct vt_nn_val **gx);

struct vt_nn_op_info {
	const char *name;
	vt_nn_backward_fn backward;  /* NULL: no gradient flows */
};

extern const struct vt_nn_op_info vt_nn__ops[];

/* Arena memory, 64-byte aligned; NULL (and the graph's error set) when out
 * of memory. */
void *vt_nn__alloc(struct vt_nn_graph *g, size_t bytes);

/* A scratch buffer of at least bytes, 64-byte aligned, owned by the graph
 * and reused by every op (im2col columns): valid until the next call.  NULL
 * (and the graph's error set) when out of memory. */
void *vt_nn__scratch(struct vt_nn_graph *g, size_t bytes);

/* Record the first error; returns NULL for `return vt_nn__fail(...)`. */
struct vt_nn_val *vt_nn__fail(struct vt_nn_graph *g, int code,
			      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A new value for op with sources: data allocated (uninitialised), recorded
 * on the tape when recording is on and a source requires a gradient.  NULL
 * if a source is NULL or on error. */
struct vt_nn_val *vt_nn__result(struct vt_nn_graph *g, enum vt_nn_op op,
				enum vt_dtype dt, int rank,
				const int64_t *shape, int nsrc,
				struct vt_nn_val *const *src);

/* The same without data when !data (views set y->data themselves). */
struct vt_nn_val *vt_nn__result_ex(struct vt_nn_graph *g, enum vt_nn_op op,
				   enum vt_dtype dt, int rank,
				   const int64_t *shape, int nsrc,
				   struct vt_nn_val *const *src, bool data);

/* Whether a backward may add its contribution for parameter v straight into
 * v->grad (and leave gx NULL) instead of returning it: inside
 * vt_nn_backward, not recording, for a parameter it was asked for.  Saves a
 * temporary and a pass per weight matrix. */
static inline bool vt_nn__into_grad(const struct vt_nn_graph *g,
				    const struct vt_nn_val *v)
{
	return g->accum && !g->record && v->is_param && v->need == g->epoch;
}

/* Whether dt is F32 or F64 (an error naming `what` otherwise). */
bool vt_nn__check_float(struct vt_nn_graph *g, const struct vt_nn_val *x,
			const char *what);
bool vt_nn__check_same(struct vt_nn_graph *g, const struct vt_nn_val *a,
		       const struct vt_nn_val *b, const char *what);
/* "[2,3]" into buf */
const char *vt_nn__shape_str(const struct vt_nn_val *x, char *buf, size_t n);

/* c [m,n] = op(a) [m,k] op(b) [k,n] + beta c, row-major with leading
 * dimensions, F32 or F64, on the worker pool (gemm.c: the same bits with
 * any thread count). */
void vt_nn__gemm(enum vt_dtype dt, bool ta, bool tb, int64_t m, int64_t n,
		 int64_t k, const void *a, int64_t lda, const void *b,
		 int64_t ldb, double beta, void *c, int64_t ldc);

/* Elementwise work runs on the worker pool in blocks of VT_NN_PAR_ELEMS
 * elements (a fixed cut: the same bits with any thread count); fewer than
 * two blocks' worth stays on the caller's thread.  vt_nn__par_elems calls
 * fn(arg, first, count) once per block of [0, n). */
#define VT_NN_PAR_ELEMS 16384
void vt_nn__par_elems(size_t n, void (*fn)(void *arg, size_t at, size_t count),
		      void *arg);

/* For the hottest loops: an AVX2 copy chosen at load time on x86-64 (GCC's
 * function multi-versioning), plain SSE2 elsewhere.  AVX2 alone brings no
 * FMA, so results are the same bits in both copies. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define VT_NN_SIMD __attribute__((target_clones("avx2", "default")))
#else
#define VT_NN_SIMD
#endif

#define VT_NN_F32(v) ((float *)(v)->data)
#define VT_NN_F64(v) ((double *)(v)->data)
#define VT_NN_I64(v) ((int64_t *)(v)->data)

/* Backward functions, one per differentiable op, in the op's file. */
#define VT_NN_BW(name) \
	void vt_nn__bw_##name(struct vt_nn_graph *g, struct vt_nn_val *y, \
			      struct vt_nn_val *gy, const bool *need, \
			      struct vt_nn_val **gx)
VT_NN_BW(add);
VT_NN_BW(sub);
VT_NN_BW(mul);
VT_NN_BW(div);
VT_NN_BW(scale);
VT_NN_BW(add_scalar);
VT_NN_BW(neg);
VT_NN_BW(exp);
VT_NN_BW(log);
VT_NN_BW(sqrt);
VT_NN_BW(abs);
VT_NN_BW(pow);
VT_NN_BW(clamp);
VT_NN_BW(relu);
VT_NN_BW(leaky_relu);
VT_NN_BW(tanh);
VT_NN_BW(sigmoid);
VT_NN_BW(tanh_backward);
VT_NN_BW(sigmoid_backward);
VT_NN_BW(leaky_relu_backward);
VT_NN_BW(broadcast);
VT_NN_BW(sum_to);
VT_NN_BW(softmax);
VT_NN_BW(log_softmax);
VT_NN_BW(matmul);
VT_NN_BW(linear);
VT_NN_BW(reshape);
VT_NN_BW(concat);
VT_NN_BW(narrow);
VT_NN_BW(unnarrow);
VT_NN_BW(embedding);
VT_NN_BW(embedding_backward);
VT_NN_BW(pick);
VT_NN_BW(unpick);
VT_NN_BW(batch_norm);
VT_NN_BW(bce);
VT_NN_BW(bce_logits);
VT_NN_BW(conv2d);
VT_NN_BW(conv_transpose2d);
VT_NN_BW(conv2d_wgrad);
VT_NN_BW(upsample2x);
VT_NN_BW(sumpool2x);
VT_NN_BW(channel_sum);
VT_NN_BW(channel_broadcast);
VT_NN_BW(channel_affine);
VT_NN_BW(batch_norm2d);
VT_NN_BW(upconv_fold);
VT_NN_BW(upconv_unfold);
VT_NN_BW(phase_interleave);
VT_NN_BW(phase_split);

#endif
