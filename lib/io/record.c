/* record.c - tensor records: the container and the writer. */
#include <stdlib.h>
#include <string.h>

#include "vt/outfile.h"
#include "vt/record.h"
#include "vt/size.h"
#include "vt/utf8.h"

void vt_record_init(struct vt_record *r)
{
	memset(r, 0, sizeof *r);
}

void vt_record_release(struct vt_record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_meta; i++) {
		free(r->meta[i].key);
		free(r->meta[i].value);
	}
	for (size_t i = 0; i < r->n_tensors; i++)
		vt_tensor_release(&r->tensors[i]);
	free(r->meta);
	free(r->tensors);
	free(r->block);
	vt_record_init(r);
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

int vt_record_meta_set(struct vt_record *r, const char *key, const char *value,
		       struct vt_err *err)
{
	char *k, *v;

	if (!vt_utf8_valid(key, strlen(key)) ||
	    !vt_utf8_valid(value, strlen(value)))
		return vt_err_set(err, VT_EINVAL,
				  "metadata key and value must be UTF-8");
	v = dup_str(value);
	if (!v)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->n_meta; i++)
		if (strcmp(r->meta[i].key, key) == 0) {
			free(r->meta[i].value);
			r->meta[i].value = v;
			return 0;
		}
	if (r->n_meta == r->cap_meta) {
		size_t cap = r->cap_meta ? 2 * r->cap_meta : 8;
		void *p = vt_realloc_array(r->meta, cap, sizeof *r->meta);
		if (!p) {
			free(v);
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		}
		r->meta = p;
		r->cap_meta = cap;
	}
	k = dup_str(key);
	if (!k) {
		free(v);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	r->meta[r->n_meta].key = k;
	r->meta[r->n_meta].value = v;
	r->n_meta++;
	return 0;
}

int vt_record_meta_copy(struct vt_record *dst, const struct vt_record *src,
			struct vt_err *err)
{
	size_t need = dst->n_meta + src->n_meta;

	if (dst->n_meta) { /* keys may collide: replace one by one */
		for (size_t i = 0; i < src->n_meta; i++) {
			int rc = vt_record_meta_set(dst, src->meta[i].key,
						    src->meta[i].value, err);
			if (rc)
				return rc;
		}
		return 0;
	}
	if (need > dst->cap_meta) {
		void *p = vt_realloc_array(dst->meta, need, sizeof *dst->meta);
		if (!p)
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		dst->meta = p;
		dst->cap_meta = need;
	}
	/* src has unique keys, so no search is needed */
	for (size_t i = 0; i < src->n_meta; i++) {
		struct vt_meta *e = &dst->meta[dst->n_meta];
		e->key = dup_str(src->meta[i].key);
		e->value = dup_str(src->meta[i].value);
		if (!e->key || !e->value) {
			free(e->key);
			free(e->value);
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		}
		dst->n_meta++;
	}
	return 0;
}

const char *vt_record_meta_get(const struct vt_record *r, const char *key)
{
	for (size_t i = 0; i < r->n_meta; i++)
		if (strcmp(r->meta[i].key, key) == 0)
			return r->meta[i].value;
	return NULL;
}

struct vt_tensor *vt_record_find(const struct vt_record *r, const char *name)
{
	for (size_t i = 0; i < r->n_tensors; i++)
		if (strcmp(r->tensors[i].name, name) == 0)
			return &r->tensors[i];
	return NULL;
}

int vt_record_reserve(struct vt_record *r, size_t n, struct vt_err *err)
{
	void *p;

	if (n <= r->cap_tensors)
		return 0;
	p = vt_realloc_array(r->tensors, n, sizeof *r->tensors);
	if (!p)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	r->tensors = p;
	r->cap_tensors = n;
	return 0;
}

int vt_record_add(struct vt_record *r, struct vt_tensor *t, struct vt_err *err)
{
	int rc;

	if (!t->name || !vt_tensor_name_valid(t->name, strlen(t->name)))
		return vt_err_set(err, VT_EINVAL, "tensor without a valid name");
	if (vt_record_find(r, t->name))
		return vt_err_set(err, VT_EINVAL, "tensor '%s' already in the record",
				  t->name);
	if (r->n_tensors == r->cap_tensors) {
		rc = vt_record_reserve(r, r->cap_tensors ? 2 * r->cap_tensors : 8,
				       err);
		if (rc)
			return rc;
	}
	r->tensors[r->n_tensors++] = *t;
	memset(t, 0, sizeof *t);
	return 0;
}

/* ---- writer ---- */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static void buf_json_string(struct buf *b, const char *s)
{
	buf_put(b, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			buf_put(b, esc, 2);
		} else if (*p < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			buf_put(b, esc, 6);
		} else {
			buf_put(b, (const char *)p, 1);
		}
	}
	buf_put(b, "\"", 1);
}

static void buf_u64(struct buf *b, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof s, "%llu", (unsigned long long)v);
	buf_str(b, s);
}

/* Tensor order on disk: dtype size descending, then name bytewise. */
static int cmp_tensor(const void *a, const void *b)
{
	const struct vt_tensor *x = *(const struct vt_tensor *const *)a;
	const struct vt_tensor *y = *(const struct vt_tensor *const *)b;
	size_t sx = vt_dtype_size(x->dtype), sy = vt_dtype_size(y->dtype);

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return strcmp(x->name, y->name);
}

struct kv {
	const char *key;
	const char *value;
	char *owned_key, *owned_value;
};

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

static bool is_reserved_key(const char *k)
{
	return strcmp(k, "vt.format") == 0 || strncmp(k, "vt.dims.", 8) == 0;
}

/* The tensors in disk order; caller frees. */
int vt_record_data_order(const struct vt_record *r,
			 const struct vt_tensor ***out, struct vt_err *err)
{
	const struct vt_tensor **order =
		vt_malloc_array(r->n_tensors ? r->n_tensors : 1, sizeof *order);

	if (!order)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	for (size_t i = 0; i < r->n_tensors; i++)
		order[i] = &r->tensors[i];
	qsort(order, r->n_tensors, sizeof *order, cmp_tensor);
	for (size_t i = 1; i < r->n_tensors; i++)
		if (strcmp(order[i - 1]->name, order[i]->name) == 0) {
			int rc = vt_err_set(err, VT_EINVAL,
					    "tensor name '%s' used twice",
					    order[i]->name);
			free(order);
			return rc;
		}
	*out = order;
	return 0;
}

int vt_record_header(const struct vt_record *r, char **json, size_t *len,
		     uint64_t *data_len, struct vt_err *err)
{
	const struct vt_tensor **order = NULL;
	struct kv *kvs = NULL;
	size_t n_kv = 0;
	struct buf b = { 0 };
	uint64_t off = 0;
	int rc;

	for (size_t i = 0; i < r->n_tensors; i++) {
		const struct vt_tensor *t = &r->tensors[i];
		uint64_t numel, nbytes;
		if (!t->name || !vt_tensor_name_valid(t->name, strlen(t->name)))
			return vt_err_set(err, VT_EINVAL,
					  "tensor %zu has no valid name", i);
		rc = vt_shape_size(t->dtype, t->rank, t->shape, &numel, &nbytes,
				   err);
		if (rc) {
			vt_err_prefix(err, "tensor '%s'", t->name);
			return VT_EINVAL;
		}
		if (nbytes != t->nbytes)
			return vt_err_set(err, VT_EBUG,
					  "tensor '%s': %zu bytes of data for a "
					  "shape of %llu", t->name, t->nbytes,
					  (unsigned long long)nbytes);
	}
	if ((rc = vt_record_data_order(r, &order, err)))
		return rc;

	kvs = vt_calloc_array(r->n_meta + r->n_tensors + 1, sizeof *kvs);
	if (!kvs) {
		free(order);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	kvs[n_kv++] = (struct kv){ "vt.format", "1", NULL, NULL };
	for (size_t i = 0; i < r->n_meta; i++)
		if (!is_reserved_key(r->meta[i].key))
			kvs[n_kv++] = (struct kv){ r->meta[i].key, r->meta[i].value,
						   NULL, NULL };
	for (size_t i = 0; i < r->n_tensors; i++) {
		const struct vt_tensor *t = order[i];
		char csv[VT_MAX_RANK * (VT_DIM_NAME_MAX + 1) + 1];
		size_t klen;
		struct kv *kv;
		if (!vt_tensor_has_dims(t))
			continue;
		vt_tensor_dims_csv(t, csv, sizeof csv);
		kv = &kvs[n_kv++];
		klen = strlen(t->name) + 9;
		kv->owned_key = malloc(klen);
		kv->owned_value = dup_str(csv);
		if (!kv->owned_key || !kv->owned_value) {
			b.oom = true;
			break;
		}
		snprintf(kv->owned_key, klen, "vt.dims.%s", t->name);
		kv->key = kv->owned_key;
		kv->value = kv->owned_value;
	}
	if (!b.oom)
		qsort(kvs, n_kv, sizeof *kvs, cmp_kv);

	buf_str(&b, "{\"__metadata__\":{");
	for (size_t i = 0; i < n_kv && !b.oom; i++) {
		if (i)
			buf_str(&b, ",");
		buf_json_string(&b, kvs[i].key);
		buf_str(&b, ":");
		buf_json_string(&b, kvs[i].value);
	}
	buf_str(&b, "}");
	for (size_t i = 0; i < r->n_tensors; i++) {
		const struct vt_tensor *t = order[i];
		buf_str(&b, ",");
		buf_json_string(&b, t->name);
		buf_str(&b, ":{\"dtype\":\"");
		buf_str(&b, vt_dtype_name(t->dtype));
		buf_str(&b, "\",\"shape\":[");
		for (int d = 0; d < t->rank; d++) {
			if (d)
				buf_str(&b, ",");
			buf_u64(&b, t->shape[d]);
		}
		buf_str(&b, "],\"data_offsets\":[");
		buf_u64(&b, off);
		buf_str(&b, ",");
		off += t->nbytes;
		buf_u64(&b, off);
		buf_str(&b, "]}");
	}
	buf_str(&b, "}");
	while (!b.oom && (8 + b.len) % 64 != 0)
		buf_put(&b, " ", 1);

	for (size_t i = 0; i < n_kv; i++) {
		free(kvs[i].owned_key);
		free(kvs[i].owned_value);
	}
	free(kvs);
	free(order);
	if (b.oom) {
		free(b.p);
		return vt_err_set(err, VT_ENOMEM, "out of memory for the header");
	}
	*json = b.p;
	*len = b.len;
	*data_len = off;
	return 0;
}

int vt_record_write_header(FILE *f, const char *name, const struct vt_record *r,
			   struct vt_err *err)
{
	unsigned char lenbuf[8];
	char *json;
	size_t len;
	uint64_t data_len;
	int rc;

	if (!name || strcmp(name, "-") == 0)
		name = "<stdout>";
	rc = vt_record_header(r, &json, &len, &data_len, err);
	if (rc)
		return rc;
	for (int i = 0; i < 8; i++)
		lenbuf[i] = (unsigned char)((uint64_t)len >> (8 * i));
	if (fwrite(lenbuf, 1, 8, f) != 8 || fwrite(json, 1, len, f) != len)
		rc = vt_err_sys(err, VT_EIO, "'%s': write error", name);
	free(json);
	return rc;
}

int vt_record_write(FILE *f, const char *name, const struct vt_record *r,
		    struct vt_err *err)
{
	const struct vt_tensor **order = NULL;
	int rc;

	if (!name || strcmp(name, "-") == 0)
		name = "<stdout>";
	rc = vt_record_write_header(f, name, r, err);
	if (rc)
		return rc;
	rc = vt_record_data_order(r, &order, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < r->n_tensors; i++)
		if (order[i]->nbytes &&
		    fwrite(order[i]->data, 1, order[i]->nbytes, f) != order[i]->nbytes) {
			rc = vt_err_sys(err, VT_EIO, "'%s': write error", name);
			break;
		}
	free(order);
	return rc;
}

int vt_record_save(const char *path, const struct vt_record *r,
		   struct vt_err *err)
{
	struct vt_outfile o;
	int rc = vt_outfile_open(&o, path, err);

	if (rc)
		return rc;
	rc = vt_record_write(o.fp, path, r, err);
	if (rc) {
		vt_outfile_abort(&o);
		return rc;
	}
	return vt_outfile_commit(&o, err);
}
