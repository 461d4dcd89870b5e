/* op_shape.c - reshape, concat, narrow and indexing (embedding, pick). */
#include <string.h>

#include "nn_impl.h"

struct vt_nn_val *vt_nn_reshape(struct vt_nn_graph *g, struct vt_nn_val *x,
				int rank, const int64_t *shape)
{
	int64_t s[VT_NN_MAX_RANK];
	int64_t known = 1;
	int infer = -1;
	struct vt_nn_val *y;
	char buf[96];

	if (!x || g->status)
		return vt_nn__result(g, VT_NN_OP_RESHAPE, VT_F32, 0, NULL, 1,
				     &x);
	if (rank < 0 || rank > VT_NN_MAX_RANK)
		return vt_nn__fail(g, VT_EINVAL, "reshape: rank %d", rank);
	for (int i = 0; i < rank; i++) {
		s[i] = shape[i];
		if (s[i] == -1 && infer < 0)
			infer = i;
		else if (s[i] < 0)
			return vt_nn__fail(g, VT_EINVAL,
					   "reshape: bad extent %lld",
					   (long long)s[i]);
		else
			known *= s[i];
	}
	if (infer >= 0)
		s[infer] = known ? (int64_t)x->numel / known : 0;
	known = 1;
	for (int i = 0; i < rank; i++)
		known *= s[i];
	if ((size_t)known != x->numel)
		return vt_nn__fail(g, VT_EINVAL,
				   "reshape: %s has %zu elements, not %lld",
				   vt_nn__shape_str(x, buf, sizeof buf),
				   x->numel, (long long)known);
	y = vt_nn__result_ex(g, VT_NN_OP_RESHAPE, x->dtype, rank, s, 1, &x,
			     false);
	if (y)
		y->data = x->data;   /* a view */
	return y;
}

VT_NN_BW(reshape)
{
	(void)need;
	gx[0] = vt_nn_reshape(g, gy, y->src[0]->rank, y->src[0]->shape);
}

/* outer and inner sizes around dim (inner includes dim's extent's stride) */
static void around(const struct vt_nn_val *x, int dim, size_t *outer,
		   size_t *inner)
{
	*outer = *inner = 1;
	for (int i = 0; i < dim; i++)
		*outer *= (size_t)x->shape[i];
	for (int i = dim + 1; i < x->rank; i++)
		*inner *= (size_t)x->shape[i];
}

/* copy x into y at offset `start` along dim (y larger), or the reverse */
static void slab_copy(struct vt_nn_val *big, struct vt_nn_val *small, int dim,
		      int64_t start, bool to_big)
{
	size_t outer, inner, esz = vt_dtype_size(big->dtype);
	size_t nb, ns, chunk;

	around(big, dim, &outer, &inner);
	nb = (size_t)big->shape[dim] * inner * esz;
	ns = (size_t)small->shape[dim] * inner * esz;
	chunk = (size_t)start * inner * esz;
	for (size_t o = 0; o < outer; o++) {
		char *pb = (char *)big->data + o * nb + chunk;
		char *ps = (char *)small->data + o * ns;

		if (ns == 0)
			continue;
		if (to_big)
			memcpy(pb, ps, ns);
		else
			memcpy(ps, pb, ns);
	}
}

static bool fix_dim(struct vt_nn_graph *g, int rank, int *dim,
		    const char *what)
{
	if (*dim < 0)
		*dim += rank;
	if (*dim < 0 || *dim >= rank) {
		vt_nn__fail(g, VT_EINVAL, "%s: dim out of range for rank %d",
			    what, rank);
		return false;
	}
	return true;
}

struct vt_nn_val *vt_nn_concat(struct vt_nn_graph *g, int n,
			       struct vt_nn_val **xs, int dim)
{
	int64_t shape[VT_NN_MAX_RANK], at = 0;
	struct vt_nn_val *y;
	char s1[96], s2[96];

	if (n < 1 || n > VT_NN_MAX_SRC)
		return vt_nn__fail(g, VT_EINVAL,
				   "concat: %d inputs (1 to %d)", n,
				   VT_NN_MAX_SRC);
	for (int i = 0; i < n; i++)
		if (!xs[i] || g->status)
			return vt_nn__result(g, VT_NN_OP_CONCAT, VT_F32, 0,
					     NULL, n, xs);
	if (!vt_nn__check_float(g, xs[0], "concat") ||
	    !fix_dim(g, xs[0]->rank, &dim, "concat"))
		return NULL;
	memcpy(shape, xs[0]->shape, sizeof shape);
	shape[dim] = 0;
	for (int i = 0; i < n; i++) {
		bool ok = xs[i]->rank == xs[0]->rank &&
			  xs[i]->dtype == xs[0]->dtype;

		for (int d = 0; ok && d < xs[0]->rank; d++)
			ok = d == dim || xs[i]->shape[d] == xs[0]->shape[d];
		if (!ok)
			return vt_nn__fail(
				g, VT_EINVAL, "concat: %s and %s along dim %d",
				vt_nn__shape_str(xs[0], s1, sizeof s1),
				vt_nn__shape_str(xs[i], s2, sizeof s2), dim);
		shape[dim] += xs[i]->shape[dim];
	}
	y = vt_nn__result(g, VT_NN_OP_CONCAT, xs[0]->dtype, xs[0]->rank, shape,
			  n, xs);
	if (!y)
		return NULL;
	y->ip[0] = dim;
	for (int i = 0; i < n; i++) {
		slab_copy(y, xs[i], dim, at, true);
		at += xs[i]->shape[dim];
	}
	return y;
}

VT_NN_BW(concat)
{
	int dim = (int)y->ip[0];
	int64_t at = 0;

	for (int i = 0; i < y->nsrc; i++) {
		if (need[i])
			gx[i] = vt_nn_narrow(g, gy, dim, at,
					     y->src[i]->shape[dim]);
		at += y->src[i]->shape[dim];
	}
}

struct vt_nn_val *vt_nn_narrow(struct vt_nn_graph *g, struct vt_nn_val *x,
			       int dim, int64_t start, int64_t len)
{
	int64_t shape[VT_NN_MAX_RANK];
	struct vt_nn_val *y;

	if (!x || g->status)
		return vt_nn__result(g, VT_NN_OP_NARROW, VT_F32, 0, NULL, 1,
				     &x);
	if (!vt_nn__check_float(g, x, "narrow") ||
	    !fix_dim(g, x->rank, &dim, "narrow"))
		return NULL;
	if (start < 0 || len < 0 || start > x->shape[dim] - len)
		return vt_nn__fail(g, VT_EINVAL,
				   "narrow: [%lld, +%lld) outside extent %lld",
				   (long long)start, (long long)len,
				   (long long)x->shape[dim]);
	memcpy(shape, x->shape, sizeof shape);
	shape[dim] = len;
	y = vt_nn__result(g, VT_NN_OP_NARROW, x->dtype, x->rank, shape, 1, &x);
	if (!y)
		return NULL;
	y->ip[0] = dim;
	y->ip[1] = start;
	slab_copy(x, y, dim, start, false);
	return y;
}

VT_NN_BW(narrow)
{
	(void)need;
	gx[0] = vt_nn_unnarrow(g, gy, (int)y->ip[0], y->ip[1],
			       y->src[0]->shape[y->ip[0]]);
}

struct vt_nn_val *vt_nn_unnarrow(struct vt_nn_graph *g, struct vt_nn_val *x,
				 int dim, int64_t start, int64_t full)
{
	int64_t shape[VT_NN_MAX_RANK];
	struct vt_nn_val *y;

	if (!x || g->status)
		return vt_nn__result(g, VT_NN_OP_UNNARROW, VT_F32, 0, NULL, 1,
				     &x);
	if (!vt_nn__check_float(g, x, "unnarrow") ||
	    !fix_dim(g, x->rank, &dim, "unnarrow"))
		return NULL;
	if (start < 0 || start > full - x->shape[dim])
		return vt_nn__fail(g, VT_EINVAL, "unnarrow: bad placement");
	memcpy(shape, x->shape, sizeof shape);
	shape[dim] = full;
	y = vt_nn__result(g, VT_NN_OP_UNNARROW, x->dtype, x->rank, shape, 1,
			  &x);
	if (!y)
		return NULL;
	y->ip[0] = dim;
	y->ip[1] = start;
	memset(y->data, 0, y->numel * vt_dtype_size(y->dtype));
	slab_copy(y, x, dim, start, true);
	return y;
}

VT_NN_BW(unnarrow)
{
	(void)need;
	gx[0] = vt_nn_narrow(g, gy, (int)y->ip[0], y->ip[1],
			     y->src[0]->shape[y->ip[0]]);
}

/* ---- indexing ---- */

static bool check_index(struct vt_nn_graph *g, const struct vt_nn_val *idx,
			int64_t bound, const char *what)
{
	if (idx->dtype != VT_I64) {
		vt_nn__fail(g, VT_EINVAL, "%s: indices are %s, expected I64",
			    what, vt_dtype_name(idx->dtype));
		return false;
	}
	for (size_t i = 0; i < idx->numel; i++) {
		int64_t k = VT_NN_I64(idx)[i];

		if (k < 0 || k >= bound) {
			vt_nn__fail(g, VT_EINVAL,
				    "%s: index %lld outside [0, %lld)", what,
				    (long long)k, (long long)bound);
			return false;
		}
	}
	return true;
}

struct vt_nn_val *vt_nn_embedding(struct vt_nn_graph *g, struct vt_nn_val *idx,
				  struct vt_nn_val *weight)
{
	struct vt_nn_val *src[2] = { weight, idx }, *y;
	int64_t shape[VT_NN_MAX_RANK];
	size_t row, esz;

	if (!idx || !weight || g->status)
		return vt_nn__result(g, VT_NN_OP_EMBEDDING, VT_F32, 0, NULL,
				     2, src);
	if (!vt_nn__check_float(g, weight, "embedding"))
		return NULL;
	if (weight->rank != 2 || idx->rank >= VT_NN_MAX_RANK)
		return vt_nn__fail(g, VT_EINVAL,
				   "embedding: weight must be [V,D]");
	if (!check_index(g, idx, weight->shape[0], "embedding"))
		return NULL;
	memcpy(shape, idx->shape, sizeof(int64_t) * (size_t)idx->rank);
	shape[idx->rank] = weight->shape[1];
	y = vt_nn__result(g, VT_NN_OP_EMBEDDING, weight->dtype, idx->rank + 1,
			  shape, 2, src);
	if (!y)
		return NULL;
	esz = vt_dtype_size(weight->dtype);
	row = (size_t)weight->shape[1] * esz;
	for (size_t i = 0; i < idx->numel; i++)
		memcpy((char *)y->data + i * row,
		       (char *)weight->data + (size_t)VT_NN_I64(idx)[i] * row,
		       row);
	return y;
}

VT_NN_BW(embedding)
{
	if (need[0])
		gx[0] = vt_nn_embedding_backward(g, gy, y->src[1],
						 y->src[0]->shape[0]);
}

struct vt_nn_val *vt_nn_embedding_backward(struct vt_nn_graph *g,
					   struct vt_nn_val *gy,
					   struct vt_nn_val *idx, int64_t rows)
{
	struct vt_nn_val *src[2] = { gy, idx }, *y;
	int64_t shape[2];
	size_t d;

	if (!gy || !idx || g->status)
		return vt_nn__result(g, VT_NN_OP_EMBEDDING_BACKWARD, VT_F32, 0,
				     NULL, 2, src);
	if (!vt_nn__check_float(g, gy, "embedding_backward") ||
	    !check_index(g, idx, rows, "embedding_backward"))
		return NULL;
	if (gy->rank != idx->rank + 1 ||
	    gy->numel != idx->numel * (size_t)gy->shape[gy->rank - 1])
		return vt_nn__fail(g, VT_EINVAL,
				   "embedding_backward: shapes do not fit");
	d = (size_t)gy->shape[gy->rank - 1];
	shape[0] = rows;
	shape[1] = (int64_t)d;
	y = vt_nn__result(g, VT_NN_OP_EMBEDDING_BACKWARD, gy->dtype, 2, shape,
			  2, src);
	if (!y)
		return NULL;
	memset(y->data, 0, y->numel * vt_dtype_size(y->dtype));
	for (size_t i = 0; i < idx->numel; i++) {
		size_t r = (size_t)VT_NN_I64(idx)[i];

		for (size_t j = 0; j < d; j++) {
			if (y->dtype == VT_F32)
				VT_NN_F32(y)[r * d + j] +=
					VT_NN_F32(gy)[i * d + j];
			else
				VT_NN_F64(y)[r * d + j] +=
					VT_NN_F64(gy)[i * d + j];
		}
	}
	return y;
}

VT_NN_BW(embedding_backward)
{
	if (need[0])
		gx[0] = vt_nn_embedding(g, y->src[1], gy);
}

struct vt_nn_val *vt_nn_pick(struct vt_nn_graph *g, struct vt_nn_val *x,
			     struct vt_nn_val *idx)
{
	struct vt_nn_val *src[2] = { x, idx }, *y;
	size_t c;

	if (!x || !idx || g->status)
		return vt_nn__result(g, VT_NN_OP_PICK, VT_F32, 0, NULL, 2, src);
	if (!vt_nn__check_float(g, x, "pick"))
		return NULL;
	if (x->rank != 2 || idx->rank != 1 || idx->shape[0] != x->shape[0])
		return vt_nn__fail(g, VT_EINVAL,
				   "pick: expected x [N,C] and indices [N]");
	if (!check_index(g, idx, x->shape[1], "pick"))
		return NULL;
	y = vt_nn__result(g, VT_NN_OP_PICK, x->dtype, 1, idx->shape, 2, src);
	if (!y)
		return NULL;
	c = (size_t)x->shape[1];
	for (size_t i = 0; i < y->numel; i++) {
		size_t k = i * c + (size_t)VT_NN_I64(idx)[i];

		if (x->dtype == VT_F32)
			VT_NN_F32(y)[i] = VT_NN_F32(x)[k];
		else
			VT_NN_F64(y)[i] = VT_NN_F64(x)[k];
	}
	return y;
}

VT_NN_BW(pick)
{
	if (need[0])
		gx[0] = vt_nn_unpick(g, gy, y->src[1], y->src[0]->shape[1]);
}

struct vt_nn_val *vt_nn_unpick(struct vt_nn_graph *g, struct vt_nn_val *gy,
			       struct vt_nn_val *idx, int64_t classes)
{
	struct vt_nn_val *src[2] = { gy, idx }, *y;
	int64_t shape[2];

	if (!gy || !idx || g->status)
		return vt_nn__result(g, VT_NN_OP_UNPICK, VT_F32, 0, NULL, 2,
				     src);
	if (!vt_nn__check_float(g, gy, "unpick") ||
	    !check_index(g, idx, classes, "unpick"))
		return NULL;
	if (gy->rank != 1 || idx->rank != 1 || gy->shape[0] != idx->shape[0])
		return vt_nn__fail(g, VT_EINVAL,
				   "unpick: expected [N] and indices [N]");
	shape[0] = gy->shape[0];
	shape[1] = classes;
	y = vt_nn__result(g, VT_NN_OP_UNPICK, gy->dtype, 2, shape, 2, src);
	if (!y)
		return NULL;
	memset(y->data, 0, y->numel * vt_dtype_size(y->dtype));
	for (size_t i = 0; i < gy->numel; i++) {
		size_t k = i * (size_t)classes + (size_t)VT_NN_I64(idx)[i];

		if (y->dtype == VT_F32)
			VT_NN_F32(y)[k] = VT_NN_F32(gy)[i];
		else
			VT_NN_F64(y)[k] = VT_NN_F64(gy)[i];
	}
	return y;
}

VT_NN_BW(unpick)
{
	if (need[0])
		gx[0] = vt_nn_pick(g, gy, y->src[1]);
}
