/* vt/outfile.h - output files written atomically.
 *
 * Data goes to a temporary file beside the target, which is renamed over it
 * only when complete; on failure the temporary file is removed, so no partial
 * output is ever left behind as if it were complete.  "-" is standard output.
 */
#ifndef VT_OUTFILE_H
#define VT_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "vt/err.h"

struct vt_outfile {
	FILE *fp;           /* write here */
	char *path;         /* target, or NULL for standard output */
	char *tmp;          /* temporary path, or NULL */
	bool is_stdout;
};

int vt_outfile_open(struct vt_outfile *o, const char *path,
		    struct vt_err *err);
/* Flush, sync and rename into place (or flush standard output). */
int vt_outfile_commit(struct vt_outfile *o, struct vt_err *err);
/* Close and remove the temporary file; NULL-safe, idempotent. */
void vt_outfile_abort(struct vt_outfile *o);

#endif
