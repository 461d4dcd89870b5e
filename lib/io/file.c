/* file.c - whole files into memory: one reader for every text and image
 * file the tools take whole, with one set of limits and messages. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vt/file.h"

/* The first allocation when the size is not known in advance. */
#define FIRST_CAP ((size_t)64 << 10)

static int too_large(struct vt_err *err, const char *name, uint64_t size,
		     uint64_t max)
{
	if (size == UINT64_MAX)
		return vt_err_set(err, VT_ELIMIT, "'%s': more than the limit "
				  "of %llu bytes", name,
				  (unsigned long long)max);
	return vt_err_set(err, VT_ELIMIT, "'%s': file of %llu bytes exceeds "
			  "the limit of %llu bytes", name,
			  (unsigned long long)size, (unsigned long long)max);
}

int vt_file_read_stream(FILE *f, const char *name, uint64_t max_bytes,
			char **buf, size_t *len, struct vt_err *err)
{
	struct stat st;
	size_t cap = FIRST_CAP, n = 0;
	bool known = false;
	char *b;

	*buf = NULL;
	*len = 0;
	if (!max_bytes || max_bytes > SIZE_MAX - 1)
		max_bytes = SIZE_MAX - 1;
	if (fstat(fileno(f), &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return vt_err_set(err, VT_EOPEN, "'%s': is a directory",
					  name);
		if (S_ISREG(st.st_mode)) {
			if ((uint64_t)st.st_size > max_bytes)
				return too_large(err, name,
						 (uint64_t)st.st_size,
						 max_bytes);
			/* one more byte, to see the end at once */
			cap = (size_t)st.st_size + 1;
			known = true;
		}
	}
	if (!known && cap > max_bytes + 1)
		cap = (size_t)max_bytes + 1;
	b = malloc(cap + 1);
	if (!b)
		return vt_err_set(err, VT_ENOMEM, "'%s': out of memory for "
				  "%zu bytes", name, cap);
	for (;;) {
		size_t got = fread(b + n, 1, cap - n, f);

		n += got;
		if (n > max_bytes) {
			free(b);
			return too_large(err, name, UINT64_MAX, max_bytes);
		}
		if (n < cap)
			break;
		/* full (a pipe, or a file that grew): grow */
		{
			size_t ncap = cap > (SIZE_MAX - 1) / 2 ? SIZE_MAX - 1
							      : cap * 2;
			char *nb;

			if (ncap > max_bytes + 1)
				ncap = (size_t)max_bytes + 1;
			nb = realloc(b, ncap + 1);
			if (!nb) {
				free(b);
				return vt_err_set(err, VT_ENOMEM, "'%s': out "
						  "of memory for %zu bytes",
						  name, ncap);
			}
			b = nb;
			cap = ncap;
		}
	}
	if (ferror(f)) {
		free(b);
		return vt_err_sys(err, VT_EIO, "'%s': read error", name);
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int vt_file_read(const char *path, uint64_t max_bytes, char **buf,
		 size_t *len, struct vt_err *err)
{
	bool in = strcmp(path, "-") == 0;
	FILE *f = in ? stdin : fopen(path, "rb");
	int rc;

	*buf = NULL;
	*len = 0;
	if (!f)
		return vt_err_sys(err, VT_EOPEN, "'%s': cannot open", path);
	rc = vt_file_read_stream(f, path, max_bytes, buf, len, err);
	if (!in)
		fclose(f);
	return rc;
}
