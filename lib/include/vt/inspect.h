/* vt/inspect.h - descriptions of tensor records for people and scripts. */
#ifndef VT_INSPECT_H
#define VT_INSPECT_H

#include <stdbool.h>
#include <stdio.h>

#include "vt/err.h"
#include "vt/record.h"
#include "vt/stats.h"

struct vt_inspect_opts {
	bool stats;             /* compute statistics per tensor */
	const char *const *only;  /* NULL, or tensor names to show (n_only) */
	size_t n_only;
	int threads;            /* for statistics; 0: all cores */
	bool full_meta;         /* text: do not shorten long metadata values */
	/* called after each tensor's statistics with its byte size */
	void (*progress)(void *ctx, uint64_t bytes);
	void *progress_ctx;
};

/*
 * Describe record `index` of input `file`: its metadata, then for each tensor
 * name, dtype, shape with dimension names and byte size (and statistics).
 * Text: a block of lines for people.  JSON: one object on one line:
 *   {"file":F,"record":K,"metadata":{...},"tensors":[{"name":..,"dtype":..,
 *    "shape":[..],"dims":[..]|null,"bytes":..,"stats":{...}}]}
 * Returns 0, or VT_EIO / VT_ENOMEM.
 */
int vt_inspect_text(FILE *f, const char *file, uint64_t index,
		    const struct vt_record *r, const struct vt_inspect_opts *o,
		    struct vt_err *err);
int vt_inspect_json(FILE *f, const char *file, uint64_t index,
		    const struct vt_record *r, const struct vt_inspect_opts *o,
		    struct vt_err *err);

/* Whether tensor `name` is selected by o->only. */
bool vt_inspect_selected(const struct vt_inspect_opts *o, const char *name);

#endif
