/* tensorfile.c - .npy files seen as records, and records exported to .npy. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vt/npy.h"
#include "vt/tensorfile.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

bool vt_path_is_npy(const char *path)
{
	unsigned char magic[6];
	struct stat st;
	bool yes = false;
	int fd;

	if (!path || strcmp(path, "-") == 0)
		return false;
	if (ends_with(path, ".npy"))
		return true;
	if (ends_with(path, ".safetensors") || ends_with(path, ".vts"))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    pread(fd, magic, sizeof magic, 0) == (ssize_t)sizeof magic)
		yes = vt_npy_magic(magic, sizeof magic);
	close(fd);
	return yes;
}

int vt_npy_tensor_name(const char *path, char *buf, size_t size,
		       struct vt_err *err)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (ends_with(base, ".npy"))
		n -= 4;
	if (n == 0 || n >= size || n > VT_TENSOR_NAME_MAX)
		return vt_err_set(err, VT_EINVAL,
				  "'%s': no tensor name in the file name", path);
	memcpy(buf, base, n);
	buf[n] = '\0';
	return 0;
}

int vt_record_add_npy(struct vt_record *rec, const char *path,
		      struct vt_err *err)
{
	char name[VT_TENSOR_NAME_MAX + 1];
	struct vt_tensor t;
	int rc = vt_npy_tensor_name(path, name, sizeof name, err);

	if (rc)
		return rc;
	rc = vt_npy_load(path, &t, err);
	if (rc)
		return rc;
	rc = vt_tensor_set_name(&t, name, err);
	if (!rc)
		rc = vt_record_add(rec, &t, err);
	if (rc) {
		vt_err_prefix(err, "'%s'", path);
		vt_tensor_release(&t);
	}
	return rc;
}

int vt_record_from_npy(const char *path, struct vt_record *rec,
		       struct vt_err *err)
{
	vt_record_release(rec);
	return vt_record_add_npy(rec, path, err);
}

int vt_record_to_npy_dir(const char *dir, const struct vt_record *rec,
			 uint64_t index,
			 bool (*select)(const void *ctx, const char *name),
			 const void *ctx, struct vt_err *err)
{
	for (size_t i = 0; i < rec->n_tensors; i++) {
		const struct vt_tensor *t = &rec->tensors[i];
		size_t n = strlen(dir) + strlen(t->name) + 40;
		char *path;
		int rc;

		if (select && !select(ctx, t->name))
			continue;
		path = malloc(n);
		if (!path)
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		if (index == 0)
			snprintf(path, n, "%s/%s.npy", dir, t->name);
		else
			snprintf(path, n, "%s/%s.%llu.npy", dir, t->name,
				 (unsigned long long)index);
		for (char *p = path + strlen(dir) + 1; *p; p++)
			if (*p == '/')
				*p = '_';
		rc = vt_npy_save(path, t, err);
		free(path);
		if (rc)
			return rc;
	}
	return 0;
}
