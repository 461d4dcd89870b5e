/* tensor.c - tensor construction, names and dimension names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/size.h"
#include "vt/tensor.h"
#include "vt/utf8.h"

int vt_shape_size(enum vt_dtype dt, int rank, const uint64_t *shape,
		  uint64_t *numel, uint64_t *nbytes, struct vt_err *err)
{
	uint64_t n = 1;

	if ((unsigned)dt >= VT_DTYPE_COUNT)
		return vt_err_set(err, VT_EFORMAT, "unknown dtype %d", (int)dt);
	if (rank < 0 || rank > VT_MAX_RANK)
		return vt_err_set(err, VT_EFORMAT, "rank %d exceeds %d", rank,
				  VT_MAX_RANK);
	for (int i = 0; i < rank; i++) {
		if (shape[i] > VT_MAX_EXTENT)
			return vt_err_set(err, VT_EFORMAT,
					  "dimension %d is %llu, above 2^48-1", i,
					  (unsigned long long)shape[i]);
		if (vt_mul_overflow_u64(n, shape[i], &n))
			return vt_err_set(err, VT_EFORMAT,
					  "element count overflows");
	}
	if (vt_mul_overflow_u64(n, vt_dtype_size(dt), nbytes) ||
	    *nbytes > VT_MAX_EXTENT || *nbytes > SIZE_MAX / 2)
		return vt_err_set(err, VT_EFORMAT, "byte size overflows");
	*numel = n;
	return 0;
}

static int set_header(struct vt_tensor *t, const char *name, enum vt_dtype dt,
		      int rank, const uint64_t *shape, uint64_t *nbytes,
		      struct vt_err *err)
{
	uint64_t numel;
	int rc;

	memset(t, 0, sizeof *t);
	rc = vt_shape_size(dt, rank, shape, &numel, nbytes, err);
	if (rc)
		return rc;
	t->dtype = dt;
	t->rank = rank;
	for (int i = 0; i < rank; i++)
		t->shape[i] = shape[i];
	if (name) {
		rc = vt_tensor_set_name(t, name, err);
		if (rc)
			return rc;
	}
	return 0;
}

int vt_tensor_init(struct vt_tensor *t, const char *name, enum vt_dtype dt,
		   int rank, const uint64_t *shape, struct vt_err *err)
{
	uint64_t nbytes;
	int rc = set_header(t, name, dt, rank, shape, &nbytes, err);

	if (rc)
		return rc;
	t->data = calloc(1, nbytes ? (size_t)nbytes : 1);
	if (!t->data) {
		vt_tensor_release(t);
		return vt_err_set(err, VT_ENOMEM, "out of memory for %llu bytes",
				  (unsigned long long)nbytes);
	}
	t->nbytes = (size_t)nbytes;
	t->owns_data = true;
	return 0;
}

int vt_tensor_init_view(struct vt_tensor *t, const char *name,
			enum vt_dtype dt, int rank, const uint64_t *shape,
			void *data, struct vt_err *err)
{
	uint64_t nbytes;
	int rc = set_header(t, name, dt, rank, shape, &nbytes, err);

	if (rc)
		return rc;
	t->data = data;
	t->nbytes = (size_t)nbytes;
	t->owns_data = false;
	return 0;
}

void vt_tensor_release(struct vt_tensor *t)
{
	if (!t)
		return;
	free(t->name);
	if (t->owns_data)
		free(t->data);
	memset(t, 0, sizeof *t);
}

int vt_tensor_own(struct vt_tensor *t, struct vt_err *err)
{
	void *copy;

	if (t->owns_data)
		return 0;
	copy = malloc(t->nbytes ? t->nbytes : 1);
	if (!copy)
		return vt_err_set(err, VT_ENOMEM, "out of memory for %zu bytes",
				  t->nbytes);
	if (t->nbytes)
		memcpy(copy, t->data, t->nbytes);
	t->data = copy;
	t->owns_data = true;
	return 0;
}

bool vt_tensor_name_valid(const char *s, size_t len)
{
	if (len < 1 || len > VT_TENSOR_NAME_MAX)
		return false;
	if (len == 12 && memcmp(s, "__metadata__", 12) == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return vt_utf8_valid(s, len);
}

int vt_tensor_set_name(struct vt_tensor *t, const char *name,
		       struct vt_err *err)
{
	size_t len = strlen(name);
	char *copy;

	if (!vt_tensor_name_valid(name, len))
		return vt_err_set(err, VT_EINVAL,
				  "invalid tensor name '%.64s' (1-255 bytes of "
				  "UTF-8, no control characters, not "
				  "__metadata__)", name);
	copy = malloc(len + 1);
	if (!copy)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	memcpy(copy, name, len + 1);
	free(t->name);
	t->name = copy;
	return 0;
}

uint64_t vt_tensor_numel(const struct vt_tensor *t)
{
	uint64_t n = 1;

	for (int i = 0; i < t->rank; i++)
		n *= t->shape[i];
	return n;
}

bool vt_dim_name_valid(const char *s, size_t len)
{
	if (len < 1 || len > VT_DIM_NAME_MAX)
		return false;
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

bool vt_tensor_has_dims(const struct vt_tensor *t)
{
	for (int i = 0; i < t->rank; i++)
		if (t->dims[i][0])
			return true;
	return false;
}

int vt_tensor_set_dims(struct vt_tensor *t, const char *csv, size_t len,
		       struct vt_err *err)
{
	char names[VT_MAX_RANK][VT_DIM_NAME_MAX + 1];
	size_t start = 0;
	int n = 0;

	memset(names, 0, sizeof names);
	if (t->rank == 0) {
		if (len != 0)
			return vt_err_set(err, VT_EFORMAT,
					  "dimension names given for rank 0");
		return 0;
	}
	for (size_t i = 0; i < len; i++)
		n += csv[i] == ',';
	if (n + 1 != t->rank)
		return vt_err_set(err, VT_EFORMAT,
				  "%d dimension name%s for rank %d", n + 1,
				  n ? "s" : "", t->rank);
	n = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && csv[i] != ',')
			continue;
		size_t w = i - start;
		if (w && !vt_dim_name_valid(csv + start, w))
			return vt_err_set(err, VT_EFORMAT,
					  "invalid dimension name '%.*s'",
					  (int)(w > 64 ? 64 : w), csv + start);
		memcpy(names[n], csv + start, w);
		names[n][w] = '\0';
		for (int j = 0; j < n && w; j++)
			if (strcmp(names[j], names[n]) == 0)
				return vt_err_set(err, VT_EFORMAT,
						  "dimension name '%s' repeated",
						  names[n]);
		n++;
		start = i + 1;
	}
	memcpy(t->dims, names, sizeof names);
	return 0;
}

void vt_tensor_dims_csv(const struct vt_tensor *t, char *buf, size_t size)
{
	size_t pos = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < t->rank; i++) {
		int w = snprintf(buf + pos, size - pos, "%s%s", i ? "," : "",
				 t->dims[i]);
		if (w < 0 || (size_t)w >= size - pos)
			return;
		pos += (size_t)w;
	}
}

int vt_tensor_dim_index(const struct vt_tensor *t, const char *name)
{
	for (int i = 0; i < t->rank; i++)
		if (t->dims[i][0] && strcmp(t->dims[i], name) == 0)
			return i;
	return -1;
}

void vt_tensor_shape_str(const struct vt_tensor *t, char *buf, size_t size)
{
	size_t pos = 0;
	int w;

	if (size == 0)
		return;
	w = snprintf(buf, size, "[");
	pos = (size_t)w;
	for (int i = 0; i < t->rank && pos < size; i++) {
		if (t->dims[i][0])
			w = snprintf(buf + pos, size - pos, "%s%s=%llu",
				     i ? ", " : "", t->dims[i],
				     (unsigned long long)t->shape[i]);
		else
			w = snprintf(buf + pos, size - pos, "%s%llu",
				     i ? ", " : "",
				     (unsigned long long)t->shape[i]);
		if (w < 0)
			return;
		pos += (size_t)w;
	}
	if (pos < size)
		snprintf(buf + pos, size - pos, "]");
}
