/* vt/outfile.h - output files written atomically.
 *
 * Data goes to a temporary file beside the target, which is renamed over it
 * only when complete; on failure the temporary file is removed, so no partial
 * output is ever left behind as if it were complete.  "-" is standard output.
 * A path that names an existing device, FIFO or socket (/dev/null, a named
 * pipe) is written in place; a symbolic link to a file is followed, so the
 * link stays and its target is replaced.
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
	bool direct;        /* an existing device, FIFO or socket: written in
			       place, never replaced (think -o /dev/null) */
	bool sync;          /* fsync before the rename */
};

/* Flags of vt_outfile_open_flags. */
enum {
	/* Rename without fsync: still never a partial file under the final
	 * name if the process dies, but after a power loss the file may be
	 * empty.  For batches of many small outputs (augmented images), where
	 * one fsync per file costs more than the work; never for checkpoints. */
	VT_OUTFILE_NOSYNC = 1u << 0,
};

int vt_outfile_open(struct vt_outfile *o, const char *path,
		    struct vt_err *err);
int vt_outfile_open_flags(struct vt_outfile *o, const char *path,
			  unsigned flags, struct vt_err *err);
/* Flush, sync and rename into place (or flush standard output). */
int vt_outfile_commit(struct vt_outfile *o, struct vt_err *err);
/* Close and remove the temporary file; NULL-safe, idempotent. */
void vt_outfile_abort(struct vt_outfile *o);

/* Create the directories above path that are missing ("a/b/c.png": a and
 * a/b).  Errors: VT_ECREATE, VT_ENOMEM. */
int vt_mkdirs_for(const char *path, struct vt_err *err);

#endif
