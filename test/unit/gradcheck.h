/* gradcheck.h - the finite-difference harness for lib/nn ops.
 *
 * A case names its inputs (shape and how to draw the values) and a build
 * function that applies the op(s) under test to vt_nn values.  t_gradcheck
 * runs it in F64 and checks, against central differences:
 *   first order   d <out, u> / d x         for every float input x
 *   second order  d <v, d<out,u>/dx> / d x  and  / d u  (Hessian-vector and
 *                 the forward-mode product J v), with the gradient built by
 *                 vt_nn_grad(create_graph) and differentiated again.
 * Op families in other files add their cases with the same harness.
 */
#ifndef VT_TEST_GRADCHECK_H
#define VT_TEST_GRADCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "vt/nn.h"
#include "vt/rng.h"

#define T_GC_MAX_IN 4

enum t_gc_kind {
	T_GC_NORMAL,   /* N(0,1) */
	T_GC_AWAY,     /* +-[0.2, 2]: away from the kinks at 0 */
	T_GC_POS,      /* [0.5, 2] */
	T_GC_UNIT,     /* [0.05, 0.95] (probabilities) */
	T_GC_CONST,    /* N(0,1), not differentiated */
	T_GC_INDEX,    /* I64 in [0, hi) */
};

struct t_gc {
	const char *name;
	int nin;
	int rank[T_GC_MAX_IN];
	int64_t shape[T_GC_MAX_IN][VT_NN_MAX_RANK];
	enum t_gc_kind kind[T_GC_MAX_IN];
	int64_t hi[T_GC_MAX_IN];
	int64_t iarg[4];
	double farg[4];
	bool second;       /* check second order too */
	struct vt_nn_val *(*build)(struct vt_nn_graph *g, struct vt_nn_val **x,
				   const struct t_gc *c);
};

/* Run the checks (criterion assertions); seed draws the values. */
void t_gradcheck(const struct t_gc *c, uint64_t seed);

/* Input i of c: rank, shape (rank extents) and how to draw its values. */
void t_gc_input(struct t_gc *c, int i, int rank, const int64_t *shape,
		enum t_gc_kind k);

/* For seeds 1..seeds: rng seeded (seed, stream), c's inputs cleared,
 * setup(c) (drawing shapes from rng), then t_gradcheck. */
void t_gc_run(struct t_gc *c, void (*setup)(struct t_gc *c),
	      struct vt_rng *rng, uint64_t stream, int seeds);

#endif
