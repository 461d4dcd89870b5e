/* outfile.c - output files written to a temporary name, renamed when done. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vt/outfile.h"

/* The mode open(2) would give a new file, read once: umask(2) can only be
 * read by setting it, which is racy if done per file in threads. */
static pthread_once_t mode_once = PTHREAD_ONCE_INIT;
static mode_t file_mode;

static void read_umask(void)
{
	mode_t mask = umask(0);

	umask(mask);
	file_mode = 0666 & ~mask;
}

int vt_outfile_open(struct vt_outfile *o, const char *path,
		    struct vt_err *err)
{
	return vt_outfile_open_flags(o, path, 0, err);
}

int vt_outfile_open_flags(struct vt_outfile *o, const char *path,
			  unsigned flags, struct vt_err *err)
{
	const char *orig = path;
	struct stat st;
	char *resolved = NULL;
	size_t len;
	int fd, rc;

	memset(o, 0, sizeof *o);
	o->sync = !(flags & VT_OUTFILE_NOSYNC);
	if (!path || strcmp(path, "-") == 0) {
		o->fp = stdout;
		o->is_stdout = true;
		return 0;
	}
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return vt_err_set(err, VT_ECREATE, "'%s': is a directory",
					  path);
		if (!S_ISREG(st.st_mode)) {
			/* a device or pipe: renaming over it would replace
			 * it with a file */
			o->fp = fopen(path, "wb");
			if (!o->fp)
				return vt_err_sys(err, VT_ECREATE,
						  "'%s': cannot open", path);
			o->direct = true;
			o->path = malloc(strlen(path) + 1);
			if (o->path)
				strcpy(o->path, path);
			return 0;
		}
		/* a link to a file: replace the file, keep the link */
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			path = resolved = realpath(path, NULL);
		if (!path)
			return vt_err_sys(err, VT_ECREATE, "'%s': cannot resolve",
					  orig);
	}
	rc = 0;
	len = strlen(path);
	o->path = malloc(len + 1);
	o->tmp = malloc(len + 16);
	if (!o->path || !o->tmp) {
		vt_outfile_abort(o);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	memcpy(o->path, path, len + 1);
	free(resolved);
	path = o->path;
	snprintf(o->tmp, len + 16, "%s.tmp-XXXXXX", path);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		rc = vt_err_sys(err, VT_ECREATE, "'%s': cannot create", path);
		free(o->tmp);
		o->tmp = NULL;
		vt_outfile_abort(o);
		return rc;
	}
	/* mkstemp makes 0600; give the file the mode open(2) would */
	pthread_once(&mode_once, read_umask);
	if (fchmod(fd, file_mode) != 0) {
		/* not fatal: the data is still right */
	}
	o->fp = fdopen(fd, "wb");
	if (!o->fp) {
		rc = vt_err_sys(err, VT_EOS, "'%s': fdopen", path);
		close(fd);
		vt_outfile_abort(o);
		return rc;
	}
	return 0;
}

int vt_outfile_commit(struct vt_outfile *o, struct vt_err *err)
{
	int rc;

	if (o->is_stdout) {
		if (fflush(stdout) != 0 || ferror(stdout))
			return vt_err_sys(err, VT_EIO,
					  "standard output: write error");
		o->fp = NULL;
		return 0;
	}
	if (!o->fp)
		return vt_err_set(err, VT_EBUG, "outfile committed twice");
	if (fflush(o->fp) != 0 || ferror(o->fp) ||
	    (o->sync && !o->direct && fsync(fileno(o->fp)) != 0)) {
		rc = vt_err_sys(err, VT_EIO, "'%s': write error", o->path);
		vt_outfile_abort(o);
		return rc;
	}
	if (fclose(o->fp) != 0) {
		o->fp = NULL;
		rc = vt_err_sys(err, VT_EIO, "'%s': write error", o->path);
		vt_outfile_abort(o);
		return rc;
	}
	o->fp = NULL;
	if (o->direct) {
		free(o->path);
		o->path = NULL;
		return 0;
	}
	if (rename(o->tmp, o->path) != 0) {
		rc = vt_err_sys(err, VT_ECREATE, "'%s': cannot rename into place",
				o->path);
		vt_outfile_abort(o);
		return rc;
	}
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return 0;
}

void vt_outfile_abort(struct vt_outfile *o)
{
	if (!o)
		return;
	if (o->fp && !o->is_stdout)
		fclose(o->fp);
	o->fp = NULL;
	if (o->tmp)
		unlink(o->tmp);  /* a direct output has none: nothing to remove */
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
}

int vt_mkdirs_for(const char *path, struct vt_err *err)
{
	char *p = strdup(path);
	int rc = p ? 0 : vt_err_set(err, VT_ENOMEM, "out of memory");

	for (char *s = p ? strchr(p + 1, '/') : NULL; !rc && s;
	     s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			rc = vt_err_sys(err, VT_ECREATE, "'%s': cannot create "
					"directory", p);
		*s = '/';
	}
	free(p);
	return rc;
}
