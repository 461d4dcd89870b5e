/* checkpoint.c - training state as one safetensors record: named buffers
 * (parameters, optimiser state, generator states) plus the family, step,
 * epoch and config text as metadata; written atomically, loaded only when
 * every name, dtype and shape matches. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/gan.h"
#include "vt/record.h"

#define META_FAMILY "vt.gan.family"
#define META_CONFIG "vt.gan.config"
#define META_STEP "vt.gan.step"
#define META_EPOCH "vt.gan.epoch"

void vt_gan_ckpt_info_release(struct vt_gan_ckpt_info *info)
{
	if (!info)
		return;
	free(info->config);
	info->config = NULL;
}

void vt_gan_mismatch_release(struct vt_gan_mismatch *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->lines[i]);
	free(m->lines);
	m->lines = NULL;
	m->n = 0;
}

int vt_gan_ckpt_save(const char *path, const struct vt_gan_ckpt_info *info,
		     const struct vt_gan_entry *e, size_t n,
		     struct vt_err *err)
{
	struct vt_record r;
	const char *fam = vt_gan_family_name(info->family);
	char num[32];
	int rc;

	if (!fam)
		return vt_err_set(err, VT_EINVAL, "'%s': bad family %d", path,
				  (int)info->family);
	if (!info->config)
		return vt_err_set(err, VT_EINVAL, "'%s': no config text", path);
	vt_record_init(&r);
	rc = vt_record_reserve(&r, n, err);
	if (!rc)
		rc = vt_record_meta_set(&r, META_FAMILY, fam, err);
	if (!rc)
		rc = vt_record_meta_set(&r, META_CONFIG, info->config, err);
	snprintf(num, sizeof num, "%" PRIu64, info->step);
	if (!rc)
		rc = vt_record_meta_set(&r, META_STEP, num, err);
	snprintf(num, sizeof num, "%" PRIu64, info->epoch);
	if (!rc)
		rc = vt_record_meta_set(&r, META_EPOCH, num, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct vt_tensor t;

		rc = vt_tensor_init_view(&t, e[i].name, e[i].dtype, e[i].rank,
					 e[i].shape, e[i].data, err);
		if (!rc) {
			rc = vt_record_add(&r, &t, err);
			if (rc)
				vt_tensor_release(&t);
		}
		if (rc)
			vt_err_prefix(err, "'%s': entry '%s'", path,
				      e[i].name ? e[i].name : "(null)");
	}
	if (!rc)
		rc = vt_record_save(path, &r, err);
	vt_record_release(&r);
	return rc;
}

static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* The metadata of a loaded record into info. */
static int read_info(const char *path, const struct vt_record *r,
		     struct vt_gan_ckpt_info *info, struct vt_err *err)
{
	const char *fam = vt_record_meta_get(r, META_FAMILY);
	const char *cfg = vt_record_meta_get(r, META_CONFIG);
	const char *step = vt_record_meta_get(r, META_STEP);
	const char *epoch = vt_record_meta_get(r, META_EPOCH);
	enum vt_gan_family f;

	memset(info, 0, sizeof *info);
	if (!fam || !cfg || !step || !epoch)
		return vt_err_set(err, VT_EFORMAT,
				  "'%s': not a gan-train checkpoint (no '%s' "
				  "metadata)", path,
				  !fam ? META_FAMILY : !cfg ? META_CONFIG :
				  !step ? META_STEP : META_EPOCH);
	if (vt_gan_family_parse(fam, &f, err) != 0) {
		vt_err_prefix(err, "'%s'", path);
		err->code = VT_EFORMAT;
		return VT_EFORMAT;
	}
	if (parse_u64(step, &info->step) || parse_u64(epoch, &info->epoch))
		return vt_err_set(err, VT_EFORMAT,
				  "'%s': bad step or epoch '%.32s' / '%.32s'",
				  path, step, epoch);
	info->family = f;
	info->config = malloc(strlen(cfg) + 1);
	if (!info->config)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	strcpy(info->config, cfg);
	return 0;
}

int vt_gan_ckpt_info_read(const char *path, struct vt_gan_ckpt_info *info,
			  struct vt_err *err)
{
	struct vt_record r;
	struct vt_reader_opts opts = { 0 };
	int rc;

	opts.single = 1;
	vt_record_init(&r);
	rc = vt_record_load(path, &r, &opts, err);
	if (!rc)
		rc = read_info(path, &r, info, err);
	vt_record_release(&r);
	return rc;
}

static void shape_str(char *buf, size_t size, const char *dtype, int rank,
		      const uint64_t *shape)
{
	size_t used = 0;
	int n = snprintf(buf, size, "%s [", dtype ? dtype : "?");

	if (n > 0)
		used = (size_t)n;
	for (int d = 0; d < rank && used < size; d++) {
		n = snprintf(buf + used, size - used, "%s%" PRIu64,
			     d ? "," : "", shape[d]);
		if (n < 0)
			return;
		used += (size_t)n;
	}
	if (used < size)
		snprintf(buf + used, size - used, "]");
}

static int add_line(struct vt_gan_mismatch *m, const char *line)
{
	char **nl = realloc(m->lines, (m->n + 1) * sizeof *nl);
	char *copy;

	if (!nl)
		return -1;
	m->lines = nl;
	copy = malloc(strlen(line) + 1);
	if (!copy)
		return -1;
	strcpy(copy, line);
	m->lines[m->n++] = copy;
	return 0;
}

static bool same_shape(const struct vt_tensor *t, const struct vt_gan_entry *e)
{
	if (t->dtype != e->dtype || t->rank != e->rank)
		return false;
	for (int d = 0; d < e->rank; d++)
		if (t->shape[d] != e->shape[d])
			return false;
	return true;
}

int vt_gan_ckpt_load(const char *path, enum vt_gan_family family,
		     const struct vt_gan_entry *e, size_t n, unsigned flags,
		     struct vt_gan_ckpt_info *info, struct vt_gan_mismatch *mm,
		     struct vt_err *err)
{
	struct vt_record r;
	struct vt_reader_opts opts = { 0 };
	struct vt_gan_ckpt_info got;
	struct vt_gan_mismatch local = { NULL, 0 };
	struct vt_gan_mismatch *m = mm ? mm : &local;
	bool *used = NULL;
	char msg[VT_ERR_MSG_MAX];
	size_t shown = 0, len;
	int rc;

	memset(&got, 0, sizeof got);
	if (mm)
		memset(mm, 0, sizeof *mm);
	opts.single = 1;
	vt_record_init(&r);
	rc = vt_record_load(path, &r, &opts, err);
	if (!rc)
		rc = read_info(path, &r, &got, err);
	if (!rc && got.family != family)
		rc = vt_err_set(err, VT_EFORMAT,
				"'%s': a checkpoint of family '%s', not '%s'",
				path, vt_gan_family_name(got.family),
				vt_gan_family_name(family));
	if (!rc) {
		used = calloc(r.n_tensors ? r.n_tensors : 1, sizeof *used);
		if (!used)
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	/* every expected entry, then every tensor nobody asked for */
	for (size_t i = 0; !rc && i < n; i++) {
		struct vt_tensor *t = vt_record_find(&r, e[i].name);
		char line[600], a[160], b[160];

		if (!t) {
			snprintf(line, sizeof line, "%s: missing", e[i].name);
		} else {
			used[t - r.tensors] = true;
			if (same_shape(t, &e[i]))
				continue;
			shape_str(a, sizeof a, vt_dtype_name(t->dtype),
				  t->rank, t->shape);
			shape_str(b, sizeof b, vt_dtype_name(e[i].dtype),
				  e[i].rank, e[i].shape);
			snprintf(line, sizeof line,
				 "%s: %s in the file, %s expected", e[i].name,
				 a, b);
		}
		if (add_line(m, line))
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; !rc && !(flags & VT_GAN_CKPT_PARTIAL) &&
	     i < r.n_tensors; i++) {
		char line[300];

		if (used[i])
			continue;
		snprintf(line, sizeof line, "%s: not expected",
			 r.tensors[i].name);
		if (add_line(m, line))
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	if (!rc && m->n) {
		len = (size_t)snprintf(msg, sizeof msg,
				       "'%s': %zu mismatch%s with the %s model",
				       path, m->n, m->n == 1 ? "" : "es",
				       vt_gan_family_name(family));
		for (shown = 0; shown < m->n; shown++) {
			size_t need = strlen(m->lines[shown]) + 2;
			bool last = shown + 1 == m->n;

			/* keep room for "; and 99999 more" */
			if (len + need + (last ? 0 : 20) >= sizeof msg)
				break;
			len += (size_t)snprintf(msg + len, sizeof msg - len,
						"%s %s", shown ? ";" : ":",
						m->lines[shown]);
		}
		if (shown < m->n)
			snprintf(msg + len, sizeof msg - len, "; and %zu more",
				 m->n - shown);
		rc = vt_err_set(err, VT_EFORMAT, "%s", msg);
	}
	for (size_t i = 0; !rc && i < n; i++) {
		const struct vt_tensor *t = vt_record_find(&r, e[i].name);

		if (t->nbytes)
			memcpy(e[i].data, t->data, t->nbytes);
	}
	if (!rc && info) {
		*info = got;
		got.config = NULL;
	}
	vt_gan_ckpt_info_release(&got);
	vt_gan_mismatch_release(&local);
	free(used);
	vt_record_release(&r);
	return rc;
}

void vt_gan_rng_pack(const struct vt_rng *r, uint8_t out[VT_GAN_RNG_BYTES])
{
	uint64_t spare;

	memcpy(&spare, &r->spare, sizeof spare);
	for (int w = 0; w < 5; w++) {
		uint64_t v = w < 4 ? r->s[w] : spare;

		for (int b = 0; b < 8; b++)
			out[w * 8 + b] = (uint8_t)(v >> (8 * b));
	}
	out[40] = r->has_spare ? 1 : 0;
}

void vt_gan_rng_unpack(struct vt_rng *r, const uint8_t in[VT_GAN_RNG_BYTES])
{
	uint64_t spare = 0;

	for (int w = 0; w < 5; w++) {
		uint64_t v = 0;

		for (int b = 0; b < 8; b++)
			v |= (uint64_t)in[w * 8 + b] << (8 * b);
		if (w < 4)
			r->s[w] = v;
		else
			spare = v;
	}
	memcpy(&r->spare, &spare, sizeof spare);
	r->has_spare = in[40] != 0;
}
