/* vt/file.h - a whole file into memory, with a size limit. */
#ifndef VT_FILE_H
#define VT_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vt/err.h"

/*
 * All of path ("-": standard input) into a malloc'd buffer *buf of *len
 * bytes followed by a NUL (not counted).  max_bytes bounds the size (0: no
 * bound): a regular file over it is refused before anything is read, a
 * pipe once it has given more.  Errors, each naming path: VT_EOPEN
 * ("cannot open: <reason>", errno in err->sys_errno; "is a directory"),
 * VT_ELIMIT, VT_EIO (a read error), VT_ENOMEM.
 */
int vt_file_read(const char *path, uint64_t max_bytes, char **buf,
		 size_t *len, struct vt_err *err);

/* The same from the open stream f (not closed), named name in errors. */
int vt_file_read_stream(FILE *f, const char *name, uint64_t max_bytes,
			char **buf, size_t *len, struct vt_err *err);

#endif
