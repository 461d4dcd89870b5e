/* slice.c - numpy-style basic indexing with dimension names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vt/slice.h"

static int parse_int(const char *s, size_t len, int64_t *out)
{
	char buf[32];
	char *end;
	long long v;

	while (len && *s == ' ')
		s++, len--;
	while (len && s[len - 1] == ' ')
		len--;
	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_item(const char *s, size_t len, struct vt_slice_item *it,
		      struct vt_err *err)
{
	const char *eq = memchr(s, '=', len);
	const char *c1, *c2;
	const char *parts[3];
	size_t plen[3];
	int np = 1;

	memset(it, 0, sizeof *it);
	if (eq) {
		size_t nl = (size_t)(eq - s);
		while (nl && s[nl - 1] == ' ')
			nl--;
		while (nl && *s == ' ')
			s++, nl--, len--;
		if (!vt_dim_name_valid(s, nl))
			return vt_err_set(err, VT_EINVAL,
					  "invalid dimension name '%.*s'",
					  (int)(nl > 40 ? 40 : nl), s);
		memcpy(it->dim_name, s, nl);
		it->dim_name[nl] = '\0';
		len -= (size_t)(eq + 1 - s);
		s = eq + 1;
	}
	c1 = memchr(s, ':', len);
	if (!c1) {
		it->is_index = true;
		if (parse_int(s, len, &it->start))
			return vt_err_set(err, VT_EINVAL,
					  "'%.*s' is not an index or a slice",
					  (int)(len > 40 ? 40 : len), s);
		return 0;
	}
	parts[0] = s;
	plen[0] = (size_t)(c1 - s);
	c2 = memchr(c1 + 1, ':', len - plen[0] - 1);
	parts[1] = c1 + 1;
	if (c2) {
		plen[1] = (size_t)(c2 - c1 - 1);
		parts[2] = c2 + 1;
		plen[2] = len - (size_t)(c2 + 1 - s);
		np = 3;
		if (memchr(parts[2], ':', plen[2]))
			return vt_err_set(err, VT_EINVAL, "too many ':' in '%.*s'",
					  (int)(len > 40 ? 40 : len), s);
	} else {
		plen[1] = len - plen[0] - 1;
		np = 2;
	}
	for (int i = 0; i < np; i++) {
		int64_t v;
		size_t l = plen[i];
		const char *p = parts[i];
		while (l && *p == ' ')
			p++, l--;
		if (l == 0)
			continue;
		if (parse_int(p, l, &v))
			return vt_err_set(err, VT_EINVAL,
					  "'%.*s' is not an integer in a slice",
					  (int)(l > 40 ? 40 : l), p);
		if (i == 0)
			it->has_start = true, it->start = v;
		else if (i == 1)
			it->has_stop = true, it->stop = v;
		else if (v == 0)
			return vt_err_set(err, VT_EINVAL, "slice step cannot be 0");
		else
			it->step = v;
	}
	return 0;
}

int vt_slice_parse(const char *spec, struct vt_slice *out, struct vt_err *err)
{
	const char *br = strchr(spec, '[');
	size_t nlen = br ? (size_t)(br - spec) : strlen(spec);
	const char *p, *end;

	memset(out, 0, sizeof *out);
	if (nlen == 0 || nlen > VT_TENSOR_NAME_MAX)
		return vt_err_set(err, VT_EINVAL,
				  "slice '%.60s' has no tensor name", spec);
	memcpy(out->tensor, spec, nlen);
	out->tensor[nlen] = '\0';
	if (!br)
		return 0;
	end = spec + strlen(spec);
	if (end[-1] != ']' || end - 2 == br) /* "x[" or "x[]" */
		return vt_err_set(err, VT_EINVAL,
				  "slice '%.60s' must end with ']' after items",
				  spec);
	end--;
	p = br + 1;
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;
		int rc;
		if (out->n == VT_MAX_RANK)
			return vt_err_set(err, VT_EINVAL,
					  "slice has more than %d items", VT_MAX_RANK);
		rc = parse_item(p, (size_t)(stop - p), &out->items[out->n], err);
		if (rc)
			return rc;
		out->n++;
		p = stop + 1;
	}
	return 0;
}

struct plan {
	int64_t start, step;
	uint64_t count;
	bool keep;
};

int vt_slice_apply(const struct vt_slice *s, const struct vt_tensor *t,
		   struct vt_tensor *out, struct vt_err *err)
{
	struct plan pl[VT_MAX_RANK];
	bool used[VT_MAX_RANK] = { false };
	uint64_t oshape[VT_MAX_RANK], idx[VT_MAX_RANK] = { 0 };
	int64_t stride[VT_MAX_RANK];
	int orank = 0, rc, pos = 0;
	size_t esz = vt_dtype_size(t->dtype);
	uint64_t n;

	for (int d = 0; d < t->rank; d++)
		pl[d] = (struct plan){ 0, 1, t->shape[d], true };
	for (int i = 0; i < s->n; i++) {
		const struct vt_slice_item *it = &s->items[i];
		int64_t size, start, stop, step;
		int d;
		if (it->dim_name[0]) {
			d = vt_tensor_dim_index(t, it->dim_name);
			if (d < 0)
				return vt_err_set(err, VT_EINVAL,
						  "tensor '%s' has no dimension '%s'",
						  t->name ? t->name : "", it->dim_name);
		} else {
			d = pos++;
			if (d >= t->rank)
				return vt_err_set(err, VT_EINVAL,
						  "too many indices for tensor '%s' "
						  "of rank %d", t->name ? t->name : "",
						  t->rank);
		}
		if (used[d])
			return vt_err_set(err, VT_EINVAL,
					  "dimension %d indexed twice", d);
		used[d] = true;
		size = (int64_t)t->shape[d];
		if (it->is_index) {
			int64_t k = it->start < 0 ? it->start + size : it->start;
			if (k < 0 || k >= size)
				return vt_err_set(err, VT_EINVAL,
						  "index %lld is out of range for "
						  "dimension %d of size %lld",
						  (long long)it->start, d,
						  (long long)size);
			pl[d] = (struct plan){ k, 1, 1, false };
			continue;
		}
		/* Python's slice.indices() */
		step = it->step ? it->step : 1;
		if (step > 0) {
			start = !it->has_start ? 0 : it->start < 0 ?
				it->start + size : it->start;
			stop = !it->has_stop ? size : it->stop < 0 ?
			       it->stop + size : it->stop;
			start = start < 0 ? 0 : start > size ? size : start;
			stop = stop < 0 ? 0 : stop > size ? size : stop;
			/* stop - start <= size: no overflow for any step */
			pl[d].count = stop > start ?
				      (uint64_t)((stop - start - 1) / step) + 1 : 0;
		} else {
			start = !it->has_start ? size - 1 : it->start < 0 ?
				it->start + size : it->start;
			stop = !it->has_stop ? -1 : it->stop < 0 ?
			       (it->stop + size < -1 ? -1 : it->stop + size) :
			       it->stop;
			start = start < -1 ? -1 : start > size - 1 ? size - 1 : start;
			stop = stop > size - 1 ? size - 1 : stop;
			/* -step as unsigned: step may be INT64_MIN; never 0 */
			uint64_t mag = 0 - (uint64_t)step;
			pl[d].count = 0;
			if (start > stop && mag)
				pl[d].count = (uint64_t)(start - stop - 1) / mag + 1;
		}
		pl[d].start = start;
		pl[d].step = step;
	}
	for (int d = 0; d < t->rank; d++)
		if (pl[d].keep)
			oshape[orank++] = pl[d].count;
	rc = vt_tensor_init(out, t->name, t->dtype, orank, oshape, err);
	if (rc)
		return rc;
	for (int d = 0, k = 0; d < t->rank; d++)
		if (pl[d].keep)
			memcpy(out->dims[k++], t->dims[d], sizeof t->dims[d]);
	stride[t->rank ? t->rank - 1 : 0] = 1;
	for (int d = t->rank - 2; d >= 0; d--)
		stride[d] = stride[d + 1] * (int64_t)t->shape[d + 1];
	n = vt_tensor_numel(out);
	for (uint64_t e = 0; e < n; e++) {
		int64_t src = 0;
		for (int d = 0; d < t->rank; d++)
			src += (pl[d].start + (int64_t)idx[d] * pl[d].step) * stride[d];
		memcpy((char *)out->data + e * esz,
		       (const char *)t->data + (uint64_t)src * esz, esz);
		for (int d = t->rank - 1; d >= 0; d--) {
			if (++idx[d] < pl[d].count)
				break;
			idx[d] = 0;
		}
	}
	return 0;
}
