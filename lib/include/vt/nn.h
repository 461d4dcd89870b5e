/* vt/nn.h - tensors with reverse-mode automatic differentiation.
 *
 * The value type.  lib/nn has its own lean value, struct vt_nn_val, rather
 * than struct vt_tensor: a training step creates thousands of values, and a
 * vt_tensor carries a heap name, dimension names and ownership flags that an
 * intermediate never needs.  A vt_nn_val is a small fixed-size struct (shape,
 * dtype, data pointer, graph links) that lives in the graph's arena.  Values
 * are F32 (training) or F64 (gradient checks); I64 values hold indices
 * (embedding, cross-entropy targets) and never take gradients.  Data is
 * contiguous, C order.  vt_nn_val_view and vt_nn_param_from bridge to struct
 * vt_tensor (records, checkpoints).
 *
 * The graph (define-by-run).  Every op computes its result eagerly.  When
 * recording is on and an input requires a gradient, the result is also
 * recorded on the graph's tape, in creation order, with its inputs and
 * parameters.  vt_nn_grad walks the tape backwards from the outputs; the
 * backward of each op is written with the same ops, so with create_graph the
 * gradients are themselves recorded and can be differentiated again (double
 * backward, as for the WGAN-GP penalty).  Without create_graph the backward
 * ops compute without recording.
 *
 * Memory.  Values, their data and the tape come from the graph's arena;
 * vt_nn_graph_reset() rewinds it.  The arena keeps its blocks, so from the
 * second training step on a step of the same shapes allocates nothing.
 * Parameters (vt_nn_param_new) are allocated outside the arena, with their
 * gradient buffer; optimiser state lives in the optimiser.
 *
 * Errors.  Ops return NULL on failure (shape mismatch, out of memory) and
 * record the first error in the graph; an op given a NULL input returns NULL
 * at once.  So a whole step can be written without checks and
 * vt_nn_graph_status() read once at the end.  After an error, reset the graph.
 */
#ifndef VT_NN_H
#define VT_NN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vt/dtype.h"
#include "vt/err.h"
#include "vt/rng.h"
#include "vt/tensor.h"

#define VT_NN_MAX_RANK 6
#define VT_NN_MAX_SRC 4

/*
 * The ops.  Each has a forward (the vt_nn_* function that creates it) and a
 * backward (in the same file), and a name in vt_nn_op_name().  New op
 * families (convolutions, pooling, ...) add their members here, a line in
 * the table of lib/nn/optable.c and a file lib/nn/op_<family>.c.
 */
enum vt_nn_op {
	VT_NN_OP_LEAF,          /* input, constant or parameter */
	/* elementwise, broadcasting (op_elem.c) */
	VT_NN_OP_ADD,
	VT_NN_OP_SUB,
	VT_NN_OP_MUL,
	VT_NN_OP_DIV,
	VT_NN_OP_SCALE,         /* x * c */
	VT_NN_OP_ADD_SCALAR,    /* x + c */
	VT_NN_OP_NEG,
	VT_NN_OP_EXP,
	VT_NN_OP_LOG,
	VT_NN_OP_SQRT,
	VT_NN_OP_ABS,
	VT_NN_OP_POW,           /* x ^ c */
	VT_NN_OP_CLAMP,
	VT_NN_OP_RELU,
	VT_NN_OP_LEAKY_RELU,
	VT_NN_OP_TANH,
	VT_NN_OP_SIGMOID,
	VT_NN_OP_STEP,          /* x > 0 ? a : b, no gradient */
	VT_NN_OP_INRANGE,       /* lo <= x <= hi ? 1 : 0, no gradient */
	VT_NN_OP_SIGN,          /* -1, 0, 1, no gradient */
	VT_NN_OP_TANH_BACKWARD, /* g * (1 - y^2) */
	VT_NN_OP_SIGMOID_BACKWARD, /* g * y * (1 - y) */
	VT_NN_OP_LEAKY_RELU_BACKWARD, /* x > 0 ? g : g * slope */
	VT_NN_OP_BROADCAST,     /* expand to a shape */
	VT_NN_OP_SUM_TO,        /* sum down to a broadcast-compatible shape */
	/* reductions and softmax (op_reduce.c) */
	VT_NN_OP_SOFTMAX,
	VT_NN_OP_LOG_SOFTMAX,
	/* matrix products (op_linear.c) */
	VT_NN_OP_MATMUL,
	VT_NN_OP_LINEAR,
	/* shapes and indexing (op_shape.c) */
	VT_NN_OP_RESHAPE,
	VT_NN_OP_CONCAT,
	VT_NN_OP_NARROW,
	VT_NN_OP_UNNARROW,      /* place into zeros: the adjoint of narrow */
	VT_NN_OP_EMBEDDING,
	VT_NN_OP_EMBEDDING_BACKWARD, /* scatter-add rows */
	VT_NN_OP_PICK,          /* out[n] = x[n, idx[n]] */
	VT_NN_OP_UNPICK,        /* the adjoint of pick */
	/* normalisation (op_norm.c) */
	VT_NN_OP_BATCH_NORM,
	/* losses (op_loss.c) */
	VT_NN_OP_BCE,
	VT_NN_OP_BCE_LOGITS,
	/* convolutions (op_conv.c) */
	VT_NN_OP_CONV2D,
	VT_NN_OP_CONV_TRANSPOSE2D,
	VT_NN_OP_CONV2D_WGRAD,  /* the weight gradient of conv2d */
	VT_NN_OP_UPSAMPLE2X,    /* nearest */
	VT_NN_OP_SUMPOOL2X,     /* 2x2 block sums: the adjoint of upsample2x */
	/* per-channel ops, batch_norm2d (op_norm2d.c) */
	VT_NN_OP_CHANNEL_SUM,
	VT_NN_OP_CHANNEL_BROADCAST,
	VT_NN_OP_CHANNEL_AFFINE,
	VT_NN_OP_BATCH_NORM2D,  /* train mode */
	/* upsample2x_conv2d's pieces (op_conv.c) */
	VT_NN_OP_UPCONV_FOLD,   /* 3x3 kernels to the four 2x2 phase kernels */
	VT_NN_OP_UPCONV_UNFOLD, /* its adjoint */
	VT_NN_OP_PHASE_INTERLEAVE, /* four phases to one image, plus bias */
	VT_NN_OP_PHASE_SPLIT,   /* its adjoint */
	VT_NN_OP_COUNT
};

const char *vt_nn_op_name(enum vt_nn_op op);

struct vt_nn_graph;

struct vt_nn_val {
	enum vt_nn_op op;
	enum vt_dtype dtype;        /* VT_F32, VT_F64 or VT_I64 */
	int rank;
	int64_t shape[VT_NN_MAX_RANK];
	size_t numel;
	void *data;                 /* numel elements of dtype */
	void *grad;                 /* parameters: accumulated gradient */
	bool requires_grad;
	bool is_param;              /* allocated by vt_nn_param_new */
	int nsrc;
	struct vt_nn_val *src[VT_NN_MAX_SRC];
	double fp[4];               /* op parameters */
	int64_t ip[4];
	struct vt_nn_val *adj;      /* private to vt_nn_grad */
	uint32_t mark;              /* private to vt_nn_grad */
	uint32_t need;              /* private to vt_nn_grad */
	const char *name;           /* parameters: state_dict name, or NULL */
};

/* Graph and arena. */
int vt_nn_graph_new(struct vt_nn_graph **out, struct vt_err *err);
void vt_nn_graph_free(struct vt_nn_graph *g);
/* Forget every value of the step; keeps the memory for the next one. */
void vt_nn_graph_reset(struct vt_nn_graph *g);
/* 0, or the first error since the last reset (copied to err). */
int vt_nn_graph_status(const struct vt_nn_graph *g, struct vt_err *err);
/* Recording on (default) or off (torch.no_grad); returns the old setting. */
bool vt_nn_graph_set_record(struct vt_nn_graph *g, bool on);
/* Bytes the arena holds, and the number of blocks it ever malloc'd. */
size_t vt_nn_graph_arena_bytes(const struct vt_nn_graph *g);
size_t vt_nn_graph_arena_mallocs(const struct vt_nn_graph *g);

/* Values.  Shapes are int64 extents, rank 0..VT_NN_MAX_RANK. */
struct vt_nn_val *vt_nn_new(struct vt_nn_graph *g, enum vt_dtype dt,
			    int rank, const int64_t *shape);  /* zeros */
struct vt_nn_val *vt_nn_from(struct vt_nn_graph *g, enum vt_dtype dt,
			     int rank, const int64_t *shape,
			     const void *data);      /* a copy of data */
struct vt_nn_val *vt_nn_full(struct vt_nn_graph *g, enum vt_dtype dt,
			     int rank, const int64_t *shape, double v);
struct vt_nn_val *vt_nn_scalar(struct vt_nn_graph *g, enum vt_dtype dt,
			       double v);
/* A leaf that takes gradients (an input whose gradient is wanted). */
struct vt_nn_val *vt_nn_input(struct vt_nn_graph *g, enum vt_dtype dt,
			      int rank, const int64_t *shape,
			      const void *data);
/* The same data as x, recorded as a leaf without gradient (.detach()). */
struct vt_nn_val *vt_nn_detach(struct vt_nn_graph *g, struct vt_nn_val *x);
/* Element i as double. */
double vt_nn_get(const struct vt_nn_val *x, size_t i);
bool vt_nn_same_shape(const struct vt_nn_val *a, const struct vt_nn_val *b);

/* Parameters: outside the arena, F32 or F64, zero data and gradient. */
struct vt_nn_val *vt_nn_param_new(enum vt_dtype dt, int rank,
				  const int64_t *shape, const char *name);
void vt_nn_param_free(struct vt_nn_val *p);
/* A parameter holding a copy of t (F32 or F64, rank <= VT_NN_MAX_RANK),
 * converted to dtype dt; name is borrowed.  0 or VT_EINVAL / VT_ENOMEM. */
int vt_nn_param_from(struct vt_nn_val **out, const struct vt_tensor *t,
		     enum vt_dtype dt, const char *name, struct vt_err *err);
/* t as a view of x's data (or of its gradient when grad): x must outlive t.
 * t is initialised (vt_tensor_release it).  name may be NULL. */
int vt_nn_val_view(const struct vt_nn_val *x, bool grad, const char *name,
		   struct vt_tensor *t, struct vt_err *err);
void vt_nn_param_zero_grad(struct vt_nn_val *p);

/*
 * Gradients.  vt_nn_grad computes d(sum_k <outputs[k], seeds[k]>)/d inputs[j]
 * into grads[j] (torch.autograd.grad): seeds may be NULL (ones), and an entry
 * of seeds may be NULL (ones).  A grads[j] that does not depend on the
 * outputs is a zero value.  With create_graph the gradients are recorded
 * and may be differentiated again.
 */
int vt_nn_grad(struct vt_nn_graph *g, int n_out, struct vt_nn_val **outputs,
	       struct vt_nn_val **seeds, int n_in, struct vt_nn_val **inputs,
	       struct vt_nn_val **grads, bool create_graph);
/* loss.backward(): adds d loss/d p into p->grad for every parameter p the
 * loss depends on (only those in params if params is not NULL). */
int vt_nn_backward(struct vt_nn_graph *g, struct vt_nn_val *loss,
		   int n_params, struct vt_nn_val **params);

/* Threads of lib/nn's work (process-wide): the matrix products and the
 * optimiser updates are cut by shape alone and run on vt's worker pool
 * (vt/parallel.h), OpenBLAS on one thread inside each piece; so the results
 * are the same bits with any count.  vt_nn_default_threads: the online
 * processors, at most 64. */
void vt_nn_set_threads(int n);
int vt_nn_default_threads(void);

/* Elementwise with broadcasting (numpy rules, trailing dimensions align). */
struct vt_nn_val *vt_nn_add(struct vt_nn_graph *g, struct vt_nn_val *a,
			    struct vt_nn_val *b);
struct vt_nn_val *vt_nn_sub(struct vt_nn_graph *g, struct vt_nn_val *a,
			    struct vt_nn_val *b);
struct vt_nn_val *vt_nn_mul(struct vt_nn_graph *g, struct vt_nn_val *a,
			    struct vt_nn_val *b);
struct vt_nn_val *vt_nn_div(struct vt_nn_graph *g, struct vt_nn_val *a,
			    struct vt_nn_val *b);
struct vt_nn_val *vt_nn_scale(struct vt_nn_graph *g, struct vt_nn_val *x,
			      double c);
struct vt_nn_val *vt_nn_add_scalar(struct vt_nn_graph *g, struct vt_nn_val *x,
				   double c);
struct vt_nn_val *vt_nn_neg(struct vt_nn_graph *g, struct vt_nn_val *x);
struct vt_nn_val *vt_nn_exp(struct vt_nn_graph *g, struct vt_nn_val *x);
struct vt_nn_val *vt_nn_log(struct vt_nn_graph *g, struct vt_nn_val *x);
struct vt_nn_val *vt_nn_sqrt(struct vt_nn_graph *g, struct vt_nn_val *x);
struct vt_nn_val *vt_nn_abs(struct vt_nn_graph *g, struct vt_nn_val *x);
struct vt_nn_val *vt_nn_pow(struct vt_nn_graph *g, struct vt_nn_val *x,
			    double c);
/* lo, hi may be -INFINITY / INFINITY; gradient passes where lo<=x<=hi. */
struct vt_nn_val *vt_nn_clamp(struct vt_nn_graph *g, struct vt_nn_val *x,
			      double lo, double hi);
struct vt_nn_val *vt_nn_relu(struct vt_nn_graph *g, struct vt_nn_val *x);
/* slope applies for x <= 0 in the backward, as in PyTorch */
struct vt_nn_val *vt_nn_leaky_relu(struct vt_nn_graph *g, struct vt_nn_val *x,
				   double slope);
struct vt_nn_val *vt_nn_tanh(struct vt_nn_graph *g, struct vt_nn_val *x);
struct vt_nn_val *vt_nn_sigmoid(struct vt_nn_graph *g, struct vt_nn_val *x);
struct vt_nn_val *vt_nn_step(struct vt_nn_graph *g, struct vt_nn_val *x,
			     double a, double b);
struct vt_nn_val *vt_nn_inrange(struct vt_nn_graph *g, struct vt_nn_val *x,
				double lo, double hi);
struct vt_nn_val *vt_nn_sign(struct vt_nn_graph *g, struct vt_nn_val *x);
struct vt_nn_val *vt_nn_tanh_backward(struct vt_nn_graph *g,
				      struct vt_nn_val *gy,
				      struct vt_nn_val *y);
struct vt_nn_val *vt_nn_sigmoid_backward(struct vt_nn_graph *g,
					 struct vt_nn_val *gy,
					 struct vt_nn_val *y);
struct vt_nn_val *vt_nn_leaky_relu_backward(struct vt_nn_graph *g,
					    struct vt_nn_val *gy,
					    struct vt_nn_val *x, double slope);
struct vt_nn_val *vt_nn_broadcast(struct vt_nn_graph *g, struct vt_nn_val *x,
				  int rank, const int64_t *shape);
/* Sum down to shape (x broadcasts to it); x itself when shapes are equal. */
struct vt_nn_val *vt_nn_sum_to(struct vt_nn_graph *g, struct vt_nn_val *x,
			       int rank, const int64_t *shape);

/* Reductions. */
struct vt_nn_val *vt_nn_sum(struct vt_nn_graph *g, struct vt_nn_val *x);
struct vt_nn_val *vt_nn_mean(struct vt_nn_graph *g, struct vt_nn_val *x);
struct vt_nn_val *vt_nn_sum_dim(struct vt_nn_graph *g, struct vt_nn_val *x,
				int dim, bool keepdim);
struct vt_nn_val *vt_nn_mean_dim(struct vt_nn_graph *g, struct vt_nn_val *x,
				 int dim, bool keepdim);
struct vt_nn_val *vt_nn_softmax(struct vt_nn_graph *g, struct vt_nn_val *x,
				int dim);
struct vt_nn_val *vt_nn_log_softmax(struct vt_nn_graph *g,
				    struct vt_nn_val *x, int dim);

/* Matrix products (2-D, OpenBLAS).  matmul: op(a) @ op(b), op = transpose
 * when ta/tb.  linear: x [N,in] @ w[out,in]^T + b[out] (b may be NULL). */
struct vt_nn_val *vt_nn_matmul(struct vt_nn_graph *g, struct vt_nn_val *a,
			       struct vt_nn_val *b, bool ta, bool tb);
struct vt_nn_val *vt_nn_linear(struct vt_nn_graph *g, struct vt_nn_val *x,
			       struct vt_nn_val *w, struct vt_nn_val *b);

/* Shapes.  reshape: one extent may be -1; it shares x's data.  concat: 1 to
 * VT_NN_MAX_SRC inputs along dim (nest concats for more).  narrow: len
 * entries from start along dim; unnarrow places x there in zeros of extent
 * full. */
struct vt_nn_val *vt_nn_reshape(struct vt_nn_graph *g, struct vt_nn_val *x,
				int rank, const int64_t *shape);
struct vt_nn_val *vt_nn_concat(struct vt_nn_graph *g, int n,
			       struct vt_nn_val **xs, int dim);
struct vt_nn_val *vt_nn_narrow(struct vt_nn_graph *g, struct vt_nn_val *x,
			       int dim, int64_t start, int64_t len);
struct vt_nn_val *vt_nn_unnarrow(struct vt_nn_graph *g, struct vt_nn_val *x,
				 int dim, int64_t start, int64_t full);
/* idx I64 of any shape, weight [V,D] -> [idx..., D] */
struct vt_nn_val *vt_nn_embedding(struct vt_nn_graph *g, struct vt_nn_val *idx,
				  struct vt_nn_val *weight);
struct vt_nn_val *vt_nn_embedding_backward(struct vt_nn_graph *g,
					   struct vt_nn_val *gy,
					   struct vt_nn_val *idx, int64_t rows);
/* x [N,C], idx I64 [N] -> [N] */
struct vt_nn_val *vt_nn_pick(struct vt_nn_graph *g, struct vt_nn_val *x,
			     struct vt_nn_val *idx);
struct vt_nn_val *vt_nn_unpick(struct vt_nn_graph *g, struct vt_nn_val *gy,
			       struct vt_nn_val *idx, int64_t classes);

/* Batch normalisation over the channel dim 1 of x [N,C] or [N,C,*] (1d, 2d,
 * ...): in train mode the batch mean and biased variance (over N and the
 * trailing dims) normalise, and running_mean/var (F32 or F64 [C], may be
 * NULL) move by momentum with the unbiased variance; in eval mode the
 * running statistics normalise.  weight/bias [C] may be NULL.  One fused op
 * (op_norm.c); its backward is a fused kernel, or ops when recording
 * (create_graph), so it differentiates twice. */
struct vt_nn_val *vt_nn_batch_norm(struct vt_nn_graph *g, struct vt_nn_val *x,
				   struct vt_nn_val *weight,
				   struct vt_nn_val *bias,
				   struct vt_nn_val *running_mean,
				   struct vt_nn_val *running_var, bool train,
				   double momentum, double eps);
/* the same, checking that x is [N,C] */
struct vt_nn_val *vt_nn_batch_norm1d(struct vt_nn_graph *g,
				     struct vt_nn_val *x,
				     struct vt_nn_val *weight,
				     struct vt_nn_val *bias,
				     struct vt_nn_val *running_mean,
				     struct vt_nn_val *running_var,
				     bool train, double momentum, double eps);
/* Zero each element with probability p and scale the rest by 1/(1-p);
 * the identity when p is 0 or not train. */
struct vt_nn_val *vt_nn_dropout(struct vt_nn_graph *g, struct vt_nn_val *x,
				double p, bool train, struct vt_rng *rng);

/* Losses, mean over all elements (scalar results). */
struct vt_nn_val *vt_nn_bce(struct vt_nn_graph *g, struct vt_nn_val *p,
			    struct vt_nn_val *target);
struct vt_nn_val *vt_nn_bce_logits(struct vt_nn_graph *g, struct vt_nn_val *x,
				   struct vt_nn_val *target);
struct vt_nn_val *vt_nn_mse(struct vt_nn_graph *g, struct vt_nn_val *x,
			    struct vt_nn_val *target);
struct vt_nn_val *vt_nn_l1(struct vt_nn_graph *g, struct vt_nn_val *x,
			   struct vt_nn_val *target);
/* logits [N,C], target I64 [N] */
struct vt_nn_val *vt_nn_cross_entropy(struct vt_nn_graph *g,
				      struct vt_nn_val *x,
				      struct vt_nn_val *target);

/*
 * Convolutions (op_conv.c), NCHW, groups 1, dilation 1, the same stride and
 * padding in both directions.
 * conv2d: x [N,I,H,W], w [O,I,kh,kw], b [O] or NULL -> [N,O,Ho,Wo] with
 *   Ho = (H + 2 padding - kh) / stride + 1.
 * conv_transpose2d: x [N,I,H,W], w [I,O,kh,kw], b [O] or NULL ->
 *   [N,O,Ho,Wo] with Ho = (H-1) stride - 2 padding + kh + output_padding,
 *   0 <= output_padding < stride (PyTorch's ConvTranspose2d).
 * conv2d_wgrad: the weight gradient of conv2d, gy [N,O,Ho,Wo] and
 *   x [N,I,H,W] -> [O,I,kh,kw].
 * upsample2x: nearest, [N,C,H,W] -> [N,C,2H,2W] (nn.Upsample(scale_factor=2));
 * sumpool2x: 2x2 block sums, its adjoint.
 */
struct vt_nn_val *vt_nn_conv2d(struct vt_nn_graph *g, struct vt_nn_val *x,
			       struct vt_nn_val *w, struct vt_nn_val *b,
			       int stride, int padding);
struct vt_nn_val *vt_nn_conv_transpose2d(struct vt_nn_graph *g,
					 struct vt_nn_val *x,
					 struct vt_nn_val *w,
					 struct vt_nn_val *b, int stride,
					 int padding, int output_padding);
struct vt_nn_val *vt_nn_conv2d_wgrad(struct vt_nn_graph *g,
				     struct vt_nn_val *gy, struct vt_nn_val *x,
				     int kh, int kw, int stride, int padding);
struct vt_nn_val *vt_nn_upsample2x(struct vt_nn_graph *g, struct vt_nn_val *x);
struct vt_nn_val *vt_nn_sumpool2x(struct vt_nn_graph *g, struct vt_nn_val *x);
/* conv2d(upsample2x(x), w, b, stride, padding); for a 3x3 kernel at stride
 * 1, padding 1 (the collection's Upsample + Conv2d(c, o, 3, 1, 1)) computed
 * as four 2x2 convolutions of x: 16/36 of the work, the same values up to
 * rounding. */
struct vt_nn_val *vt_nn_upsample2x_conv2d(struct vt_nn_graph *g,
					  struct vt_nn_val *x,
					  struct vt_nn_val *w,
					  struct vt_nn_val *b, int stride,
					  int padding);

/* Per-channel ops on x [N,C,...] (op_norm2d.c): the sum over every
 * dimension but C -> [C]; its adjoint, v [C] broadcast to shape; and
 * x * a[c] + b[c] (a or b may be NULL). */
struct vt_nn_val *vt_nn_channel_sum(struct vt_nn_graph *g,
				    struct vt_nn_val *x);
struct vt_nn_val *vt_nn_channel_broadcast(struct vt_nn_graph *g,
					  struct vt_nn_val *v, int rank,
					  const int64_t *shape);
struct vt_nn_val *vt_nn_channel_affine(struct vt_nn_graph *g,
				       struct vt_nn_val *x,
				       struct vt_nn_val *a,
				       struct vt_nn_val *b);
/* batch_norm2d on x [N,C,H,W] (any [N,C,...]): as batch_norm1d, with the
 * statistics over N, H and W.  num_batches_tracked is the caller's. */
struct vt_nn_val *vt_nn_batch_norm2d(struct vt_nn_graph *g,
				     struct vt_nn_val *x,
				     struct vt_nn_val *weight,
				     struct vt_nn_val *bias,
				     struct vt_nn_val *running_mean,
				     struct vt_nn_val *running_var,
				     bool train, double momentum, double eps);
/* dropout2d on x [N,C,...]: each (sample, channel) plane zeroed with
 * probability p (one draw of rng per plane, sample-major), the rest scaled
 * by 1/(1-p) rounded to x's dtype; the identity when p is 0 or not train.
 * _mask: the planes kept given as keep [N,C] (nonzero: kept). */
struct vt_nn_val *vt_nn_dropout2d(struct vt_nn_graph *g, struct vt_nn_val *x,
				  double p, bool train, struct vt_rng *rng);
struct vt_nn_val *vt_nn_dropout2d_mask(struct vt_nn_graph *g,
				       struct vt_nn_val *x,
				       const struct vt_nn_val *keep, double p);

#endif
