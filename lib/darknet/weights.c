/* weights.c - darknet .weights reader and writer, synthetic parameters. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vt/darknet.h"
#include "vt/outfile.h"
#include "vt/rng.h"

/* The input: a FILE or a memory buffer. */
struct src {
	FILE *f;
	const unsigned char *mem;
	size_t len, pos;
};

static size_t src_read(struct src *s, void *dst, size_t n)
{
	size_t k;

	if (s->f)
		return fread(dst, 1, n, s->f);
	k = s->len - s->pos < n ? s->len - s->pos : n;
	memcpy(dst, s->mem + s->pos, k);
	s->pos += k;
	return k;
}

static int32_t le32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

static int size_err(const struct vt_dn_net *net, const char *name,
		    uint64_t body, struct vt_err *err)
{
	if (body % 4)
		return vt_err_set(err, VT_EFORMAT, "'%s': expected %zu floats "
				  "after the header, file has %llu bytes (not "
				  "a whole number of floats)", name,
				  net->n_params, (unsigned long long)body);
	return vt_err_set(err, VT_EFORMAT, "'%s': expected %zu floats after "
			  "the header for '%s', file has %llu", name,
			  net->n_params, net->name,
			  (unsigned long long)(body / 4));
}

static int read_src(struct vt_dn_net *net, struct src *s, const char *name,
		    int64_t total, struct vt_err *err)
{
	unsigned char h[20];
	size_t hl = 12;
	uint64_t got = 0;

	for (int i = 0; i < net->n; i++)
		if (net->layers[i].folded)
			return vt_err_set(err, VT_EINVAL, "'%s': network "
					  "already has folded weights", name);
	if (src_read(s, h, 12) != 12)
		goto io;
	net->major = le32(h);
	net->minor = le32(h + 4);
	net->revision = le32(h + 8);
	if (net->major < 0 || net->minor < 0 || net->major > 1000 ||
	    net->minor > 1000)
		return vt_err_set(err, VT_EFORMAT, "'%s': version %d.%d.%d is "
				  "not a darknet weights header", name,
				  net->major, net->minor, net->revision);
	if (net->major * 10 + net->minor >= 2) {
		if (src_read(s, h + 12, 8) != 8)
			goto io;
		hl = 20;
		net->seen = (uint64_t)(uint32_t)le32(h + 12) |
			    (uint64_t)(uint32_t)le32(h + 16) << 32;
	} else {
		if (src_read(s, h + 12, 4) != 4)
			goto io;
		hl = 16;
		net->seen = (uint32_t)le32(h + 12);
	}
	if (total >= 0 && (uint64_t)total - hl != (uint64_t)net->n_params * 4)
		return size_err(net, name, (uint64_t)total - hl, err);
	for (int i = 0; i < net->n; i++) {
		struct vt_dn_layer *l = &net->layers[i];
		size_t np, k;

		if (l->type != VT_DN_CONV)
			continue;
		np = l->n_weights + (size_t)l->filters * (l->batch_norm ? 4 : 1);
		k = src_read(s, l->biases, np * sizeof(float));
		got += k;
		if (k != np * sizeof(float)) {
			if (s->f && ferror(s->f))
				return vt_err_sys(err, VT_EIO, "'%s'", name);
			return size_err(net, name, got, err);
		}
	}
	if (total < 0) {
		unsigned char extra[4096];
		size_t k;

		while ((k = src_read(s, extra, sizeof extra)) > 0)
			got += k;
		if (s->f && ferror(s->f))
			return vt_err_sys(err, VT_EIO, "'%s'", name);
		if (got != (uint64_t)net->n_params * 4)
			return size_err(net, name, got, err);
	}
	for (int i = 0; i < net->n; i++) {
		const struct vt_dn_layer *l = &net->layers[i];
		size_t np = l->n_weights +
			    (size_t)l->filters * (l->batch_norm ? 4 : 1);

		if (l->type != VT_DN_CONV)
			continue;
		for (size_t j = 0; j < np; j++)
			if (!isfinite(l->biases[j]))
				return vt_err_set(err, VT_EFORMAT, "'%s': "
						  "layer %d (line %d): a "
						  "parameter is not finite",
						  name, i, l->line);
		if (l->batch_norm)
			for (int f = 0; f < l->filters; f++)
				if (!(l->var[f] >= 0))
					return vt_err_set(err, VT_EFORMAT,
						"'%s': layer %d (line %d): "
						"negative rolling variance",
						name, i, l->line);
	}
	vt_dn_net_fold(net);
	return 0;
io:
	if (s->f && ferror(s->f))
		return vt_err_sys(err, VT_EIO, "'%s'", name);
	return vt_err_set(err, VT_EFORMAT, "'%s': truncated header", name);
}

int vt_dn_weights_read(struct vt_dn_net *net, FILE *f, const char *name,
		       struct vt_err *err)
{
	struct src s = { .f = f };
	struct stat st;
	int64_t total = -1;

	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
		off_t pos = ftello(f);

		total = (int64_t)st.st_size - (pos > 0 ? (int64_t)pos : 0);
	}
	return read_src(net, &s, name, total, err);
}

int vt_dn_weights_read_mem(struct vt_dn_net *net, const void *buf,
			   size_t len, const char *name, struct vt_err *err)
{
	struct src s = { .mem = buf, .len = len };

	return read_src(net, &s, name, (int64_t)len, err);
}

int vt_dn_weights_load(struct vt_dn_net *net, const char *path,
		       struct vt_err *err)
{
	FILE *f = fopen(path, "rb");
	int rc;

	if (!f)
		return vt_err_sys(err, VT_EOPEN, "'%s': cannot open", path);
	rc = vt_dn_weights_read(net, f, path, err);
	fclose(f);
	return rc;
}

int vt_dn_weights_write(const struct vt_dn_net *net, FILE *f,
			const char *name, struct vt_err *err)
{
	static const unsigned char head[20] = { 0, 0, 0, 0, 2 };

	if (fwrite(head, 1, sizeof head, f) != sizeof head)
		return vt_err_sys(err, VT_EIO, "'%s'", name);
	for (int i = 0; i < net->n; i++) {
		const struct vt_dn_layer *l = &net->layers[i];
		size_t np;

		if (l->type != VT_DN_CONV)
			continue;
		if (l->folded)
			return vt_err_set(err, VT_EINVAL, "'%s': weights "
					  "already folded", name);
		np = l->n_weights + (size_t)l->filters * (l->batch_norm ? 4 : 1);
		if (fwrite(l->biases, sizeof(float), np, f) != np)
			return vt_err_sys(err, VT_EIO, "'%s'", name);
	}
	return 0;
}

static float uni(struct vt_rng *r, float lo, float hi)
{
	return lo + (hi - lo) * vt_rng_uniform_f32(r);
}

int vt_dn_net_synth(struct vt_dn_net *net, uint64_t seed, struct vt_err *err)
{
	for (int i = 0; i < net->n; i++) {
		struct vt_dn_layer *l = &net->layers[i];
		struct vt_rng r;
		float lim, gain;

		if (l->type != VT_DN_CONV)
			continue;
		if (l->folded)
			return vt_err_set(err, VT_EINVAL, "%s: weights already "
					  "folded", net->name);
		vt_rng_seed(&r, seed, (uint64_t)i);
		lim = sqrtf(6.0f / (float)(l->n_weights / (size_t)l->filters));
		gain = 1.0f;
		if (i + 1 < net->n && net->layers[i + 1].type == VT_DN_YOLO)
			gain = 0.1f;
		/* a residual branch: small, so that the sum of 23 of them
		 * (yolov3) does not grow the activations 2^23-fold */
		if (i + 1 < net->n && net->layers[i + 1].type == VT_DN_SHORTCUT)
			gain = 0.1f;
		for (int f = 0; f < l->filters; f++)
			l->biases[f] = uni(&r, -0.1f, 0.1f);
		if (l->batch_norm) {
			for (int f = 0; f < l->filters; f++)
				l->scales[f] = uni(&r, 0.5f, 1.5f);
			for (int f = 0; f < l->filters; f++)
				l->mean[f] = uni(&r, -0.1f, 0.1f);
			for (int f = 0; f < l->filters; f++)
				l->var[f] = uni(&r, 0.5f, 1.5f);
		}
		for (size_t j = 0; j < l->n_weights; j++)
			l->weights[j] = gain * uni(&r, -lim, lim);
		if (net->layers[i + 1 < net->n ? i + 1 : i].type ==
		    VT_DN_YOLO) {
			const struct vt_dn_layer *y = &net->layers[i + 1];

			/* objectness logits low, so few cells pass 0.25 */
			for (int f = 0; f < l->filters; f++)
				if (f % (y->classes + 5) == 4)
					l->biases[f] = uni(&r, -5.0f, -1.0f);
		}
	}
	return 0;
}

int vt_dn_synth_save(struct vt_dn_net *net, uint64_t seed, const char *path,
		     struct vt_err *err)
{
	struct vt_outfile of = { 0 };
	int rc = vt_dn_net_synth(net, seed, err);

	if (!rc)
		rc = vt_outfile_open(&of, path, err);
	if (!rc)
		rc = vt_dn_weights_write(net, of.fp, path, err);
	if (!rc)
		return vt_outfile_commit(&of, err);
	vt_outfile_abort(&of);
	return rc;
}
