/* nnfix.h - reading the PyTorch GAN fixtures (../shared/fixtures/gan) and
 * comparing vt values with them, including the README's compact tensors
 * (X@rows / X@index / X@stats with fmix32 signs) and @noise indices.
 * Tolerances are in doc/nn-tolerances.md.
 */
#ifndef VT_TEST_NNFIX_H
#define VT_TEST_NNFIX_H

#include <stdbool.h>
#include <stdint.h>

#include "vt/nn.h"
#include "vt/record.h"

/* The fixture directory ($VT_GAN_FIXTURES, ../../shared/fixtures/gan or
 * ../shared/fixtures/gan), or NULL when absent: the caller skips. */
const char *t_nnfix_dir(void);

/* FILE from test/data/nn (the small fixtures copied there) or the fixture
 * directory; NULL when in neither. */
const char *t_nnfix_path(const char *file);

/* ops_f64.safetensors into rec and a new graph into *g, for a suite's
 * init (the test is skipped when the file is in neither place); and their
 * release, for its fini. */
void t_nnfix_ops_f64_open(struct vt_record *rec, struct vt_nn_graph **g);
void t_nnfix_ops_f64_close(struct vt_record *rec, struct vt_nn_graph **g);

/* "op.a.b" ("op.a" when b is NULL), in one of 4 rotating buffers. */
const char *t_nnfix_name(const char *op, const char *a, const char *b);

/* Load FILE (t_nnfix_path) (the test fails if unreadable). */
void t_nnfix_load(struct vt_record *rec, const char *file);

/* The tensor called name (the test fails if missing); _opt: NULL. */
const struct vt_tensor *t_nnfix_get(const struct vt_record *rec,
				    const char *name);
const struct vt_tensor *t_nnfix_opt(const struct vt_record *rec,
				    const char *name);

/* A value with the tensor's data: a plain one, or an input leaf. */
struct vt_nn_val *t_nnfix_val(struct vt_nn_graph *g, const struct vt_tensor *t,
			      enum vt_dtype as, bool input);
/* A parameter (vt_nn_param_new) holding the tensor, cast to dtype as. */
struct vt_nn_val *t_nnfix_param(const struct vt_tensor *t, enum vt_dtype as,
				const char *name);

/* Element i of x (any float dtype) as double. */
double t_nnfix_at(const struct vt_nn_val *x, size_t i);

/*
 * Compare buffer (got, dtype dt, numel n, row length rowlen = n / shape[0])
 * with reference `name` in rec, stored whole or compact.  Passes if
 *   max|got - ref| <= tol * max(max|ref|, floor)
 * over the stored elements, and for a compact one also
 *   |dstats[0]| <= stol * stats[0], |dstats[1..3]| <= stol * stats[1].
 * Returns the worst max|d| / max(max|ref|, floor) seen.
 */
double t_nnfix_cmp(const struct vt_record *rec, const char *name,
		   enum vt_dtype dt, const void *got, size_t n, size_t rowlen,
		   double tol, double floor, double stol);
double t_nnfix_cmp_val(const struct vt_record *rec, const char *name,
		       const struct vt_nn_val *x, double tol, double floor);

/* The F64 scalar rec[name] (the test fails if missing). */
double t_nnfix_scalar(const struct vt_record *rec, const char *name);

/* Whether flat index i is listed in rec[name@noise]. */
bool t_nnfix_noise(const struct vt_record *rec, const char *name, size_t i);

/* The README's fmix32 sign s_j(i). */
double t_nnfix_sign(uint64_t i, int j);

#endif
