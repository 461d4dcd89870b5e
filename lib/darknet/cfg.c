/* cfg.c - darknet .cfg parser and network builder.
 *
 * One registry table lists each section type with the keys it uses and the
 * training-only keys it accepts and ignores; the parser checks every key
 * against it, and each type's build function reads its values and infers
 * the output shape.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/darknet.h"
#include "vt/size.h"
#include "vt/file.h"

struct kv {
	char *key, *val;
	int line;
};

struct sec {
	enum vt_dn_type type;
	int line;
	struct kv *kv;
	size_t nkv;
};

struct ctx {
	const char *name;
	struct sec *sec;
	struct vt_dn_net *net;
	int index;                      /* layer index, [net] excluded */
	struct vt_err *err;
};

typedef int (*build_fn)(struct ctx *c, struct vt_dn_layer *l);

static int build_net(struct ctx *c, struct vt_dn_layer *l);
static int build_conv(struct ctx *c, struct vt_dn_layer *l);
static int build_maxpool(struct ctx *c, struct vt_dn_layer *l);
static int build_upsample(struct ctx *c, struct vt_dn_layer *l);
static int build_route(struct ctx *c, struct vt_dn_layer *l);
static int build_shortcut(struct ctx *c, struct vt_dn_layer *l);
static int build_yolo(struct ctx *c, struct vt_dn_layer *l);

static const char *const net_keys[] = { "width", "height", "channels", NULL };
static const char *const net_ignored[] = {
	"batch", "subdivisions", "momentum", "decay", "angle", "saturation",
	"exposure", "hue", "learning_rate", "burn_in", "max_batches",
	"policy", "steps", "scales", "step", "gamma", "power", "mosaic",
	"letter_box", "flip", "aspect", "min_crop", "max_crop", "cutmix",
	"mixup", "blur", "gaussian_noise", "adam", "B1", "B2", "eps",
	"max_chart_loss", "track", "time_steps", "augment_speed",
	"sequential_subdivisions", "random", "label_smooth_eps", "inputs",
	NULL
};
static const char *const conv_keys[] = {
	"filters", "size", "stride", "pad", "padding", "groups",
	"batch_normalize", "activation", NULL
};
static const char *const pool_keys[] = { "size", "stride", "padding", NULL };
static const char *const up_keys[] = { "stride", "scale", NULL };
static const char *const route_keys[] = { "layers", "groups", "group_id", NULL };
static const char *const short_keys[] = { "from", "activation", NULL };
static const char *const yolo_keys[] = {
	"mask", "anchors", "classes", "num", "scale_x_y", NULL
};
static const char *const yolo_ignored[] = {
	"jitter", "ignore_thresh", "truth_thresh", "random", "iou_thresh",
	"cls_normalizer", "iou_normalizer", "obj_normalizer", "iou_loss",
	"nms_kind", "beta_nms", "max_delta", "resize", "label_smooth_eps",
	"counters_per_class", "focal_loss", "max", NULL
};
static const char *const none[] = { NULL };

static const struct layer_def {
	const char *name;
	const char *alias[3];
	const char *const *keys;
	const char *const *ignored;
	build_fn build;
} registry[] = {
	[VT_DN_NET] = { "net", { "network" }, net_keys, net_ignored, build_net },
	[VT_DN_CONV] = { "convolutional", { "conv" }, conv_keys, none, build_conv },
	[VT_DN_MAXPOOL] = { "maxpool", { "max" }, pool_keys, none, build_maxpool },
	[VT_DN_UPSAMPLE] = { "upsample", { NULL }, up_keys, none, build_upsample },
	[VT_DN_ROUTE] = { "route", { NULL }, route_keys, none, build_route },
	[VT_DN_SHORTCUT] = { "shortcut", { NULL }, short_keys, none, build_shortcut },
	[VT_DN_YOLO] = { "yolo", { NULL }, yolo_keys, yolo_ignored, build_yolo },
};
_Static_assert(sizeof registry / sizeof registry[0] == VT_DN_TYPE_COUNT,
	       "one registry entry per layer type");

static const char *const act_names[] = {
	[VT_DN_LINEAR] = "linear",
	[VT_DN_LEAKY] = "leaky",
	[VT_DN_RELU] = "relu",
	[VT_DN_LOGISTIC] = "logistic",
	[VT_DN_MISH] = "mish",
	[VT_DN_SWISH] = "swish",
};
_Static_assert(sizeof act_names / sizeof act_names[0] == VT_DN_ACT_COUNT,
	       "one name per activation");

const char *vt_dn_type_name(enum vt_dn_type t)
{
	return (unsigned)t < VT_DN_TYPE_COUNT ? registry[t].name : NULL;
}

int vt_dn_type_parse(const char *s, enum vt_dn_type *out)
{
	for (int t = 0; t < VT_DN_TYPE_COUNT; t++) {
		bool hit = strcmp(s, registry[t].name) == 0;

		for (int a = 0; !hit && a < 3 && registry[t].alias[a]; a++)
			hit = strcmp(s, registry[t].alias[a]) == 0;
		if (hit) {
			*out = (enum vt_dn_type)t;
			return 0;
		}
	}
	return VT_EINVAL;
}

const char *vt_dn_act_name(enum vt_dn_act a)
{
	return (unsigned)a < VT_DN_ACT_COUNT ? act_names[a] : NULL;
}

int vt_dn_act_parse(const char *s, enum vt_dn_act *out)
{
	for (int a = 0; a < VT_DN_ACT_COUNT; a++)
		if (strcmp(s, act_names[a]) == 0) {
			*out = (enum vt_dn_act)a;
			return 0;
		}
	return VT_EINVAL;
}

static bool in_list(const char *const *list, const char *key)
{
	for (; *list; list++)
		if (strcmp(*list, key) == 0)
			return true;
	return false;
}

/* ---- values ---- */

static struct kv *find(struct sec *s, const char *key)
{
	for (size_t i = 0; i < s->nkv; i++)
		if (strcmp(s->kv[i].key, key) == 0)
			return &s->kv[i];
	return NULL;
}

static int bad_value(struct ctx *c, const struct kv *kv, const char *what)
{
	return vt_err_set(c->err, VT_ECONFIG, "%s:%d: [%s] %s=%s: %s", c->name,
			  kv->line, registry[c->sec->type].name, kv->key,
			  kv->val, what);
}

static int parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	return end == s || *end || errno ? -1 : 0;
}

/* An integer in [lo, hi], or def when absent. */
static int get_int(struct ctx *c, const char *key, int def, int lo, int hi,
		   int *out)
{
	struct kv *kv = find(c->sec, key);
	long v;

	*out = def;
	if (!kv)
		return 0;
	if (parse_long(kv->val, &v))
		return bad_value(c, kv, "not an integer");
	if (v < lo || v > hi) {
		char what[64];

		snprintf(what, sizeof what, "out of range [%d, %d]", lo, hi);
		return bad_value(c, kv, what);
	}
	*out = (int)v;
	return 0;
}

static int get_float(struct ctx *c, const char *key, float def, float *out)
{
	struct kv *kv = find(c->sec, key);
	char *end;
	double v;

	*out = def;
	if (!kv)
		return 0;
	v = strtod(kv->val, &end);
	if (end == kv->val || *end || !isfinite(v) || fabs(v) > 1e30)
		return bad_value(c, kv, "not a finite number");
	*out = (float)v;
	return 0;
}

/* A comma-separated list of at most max integers. */
static int get_int_list(struct ctx *c, const char *key, int *v, int max,
			int *n)
{
	struct kv *kv = find(c->sec, key);
	const char *p;

	*n = 0;
	if (!kv)
		return 0;
	p = kv->val;
	for (;;) {
		char *end;
		long x;

		errno = 0;
		x = strtol(p, &end, 10);
		if (end == p || errno || x < INT_MIN || x > INT_MAX)
			return bad_value(c, kv, "not a list of integers");
		if (*n == max) {
			char what[64];

			snprintf(what, sizeof what, "more than %d values", max);
			return bad_value(c, kv, what);
		}
		v[(*n)++] = (int)x;
		while (*end == ' ' || *end == '\t')
			end++;
		if (!*end)
			return 0;
		if (*end != ',')
			return bad_value(c, kv, "not a list of integers");
		p = end + 1;
	}
}

static int get_act(struct ctx *c, enum vt_dn_act def, enum vt_dn_act *out)
{
	struct kv *kv = find(c->sec, "activation");

	*out = def;
	if (kv && vt_dn_act_parse(kv->val, out))
		return bad_value(c, kv, "unknown activation (linear, leaky, "
				 "relu, logistic, mish, swish)");
	return 0;
}

static int shape_err(struct ctx *c, const char *fmt, int a, int b)
{
	char what[160];

	snprintf(what, sizeof what, fmt, a, b);
	return vt_err_set(c->err, VT_ECONFIG, "%s:%d: [%s] (layer %d): %s",
			  c->name, c->sec->line, registry[c->sec->type].name,
			  c->index, what);
}

/* ---- builders ---- */

#define MAX_SIDE 65536
#define MAX_C 65536

static int build_net(struct ctx *c, struct vt_dn_layer *l)
{
	struct vt_dn_net *net = c->net;
	int rc;

	(void)l;
	if ((rc = get_int(c, "width", 0, 0, MAX_SIDE, &net->w)) ||
	    (rc = get_int(c, "height", 0, 0, MAX_SIDE, &net->h)) ||
	    (rc = get_int(c, "channels", 0, 0, MAX_C, &net->c)))
		return rc;
	if (!net->w || !net->h || !net->c)
		return vt_err_set(c->err, VT_ECONFIG, "%s:%d: [net] needs "
				  "width, height and channels above 0",
				  c->name, c->sec->line);
	return 0;
}

static int out_side(struct ctx *c, int in, int pad2, int size, int stride,
		    int *out)
{
	long v = ((long)in + pad2 - size) / stride + 1;

	if ((long)in + pad2 - size < 0 || v < 1)
		return shape_err(c, "window %d does not fit input side %d",
				 size, in);
	*out = (int)v;
	return 0;
}

static int build_conv(struct ctx *c, struct vt_dn_layer *l)
{
	int rc, pad, bn;

	if ((rc = get_int(c, "filters", 1, 1, MAX_C, &l->filters)) ||
	    (rc = get_int(c, "size", 1, 1, 64, &l->size)) ||
	    (rc = get_int(c, "stride", 1, 1, 64, &l->stride)) ||
	    (rc = get_int(c, "pad", 0, 0, 1, &pad)) ||
	    (rc = get_int(c, "padding", pad ? l->size / 2 : 0, 0, 64, &l->pad)) ||
	    (rc = get_int(c, "groups", 1, 1, MAX_C, &l->groups)) ||
	    (rc = get_int(c, "batch_normalize", 0, 0, 1, &bn)) ||
	    (rc = get_act(c, VT_DN_LOGISTIC, &l->act)))
		return rc;
	l->batch_norm = bn;
	if (l->c % l->groups || l->filters % l->groups)
		return shape_err(c, "groups=%d does not divide the input "
				 "channels (%d) and filters", l->groups, l->c);
	l->out_c = l->filters;
	if ((rc = out_side(c, l->h, 2 * l->pad, l->size, l->stride, &l->out_h)) ||
	    (rc = out_side(c, l->w, 2 * l->pad, l->size, l->stride, &l->out_w)))
		return rc;
	l->n_weights = (size_t)l->filters * (size_t)(l->c / l->groups) *
		       (size_t)l->size * (size_t)l->size;
	return 0;
}

static int build_maxpool(struct ctx *c, struct vt_dn_layer *l)
{
	int rc;

	if ((rc = get_int(c, "size", 1, 1, 64, &l->size)) ||
	    (rc = get_int(c, "stride", 1, 1, 64, &l->stride)) ||
	    (rc = get_int(c, "padding", l->size - 1, 0, 128, &l->pad)))
		return rc;
	l->out_c = l->c;
	if ((rc = out_side(c, l->h, l->pad, l->size, l->stride, &l->out_h)) ||
	    (rc = out_side(c, l->w, l->pad, l->size, l->stride, &l->out_w)))
		return rc;
	return 0;
}

static int build_upsample(struct ctx *c, struct vt_dn_layer *l)
{
	int rc;

	if ((rc = get_int(c, "stride", 2, 1, 64, &l->stride)) ||
	    (rc = get_float(c, "scale", 1.0f, &l->scale)))
		return rc;
	if ((long)l->h * l->stride > MAX_SIDE || (long)l->w * l->stride > MAX_SIDE)
		return shape_err(c, "output side above %d (stride %d)",
				 MAX_SIDE, l->stride);
	l->out_c = l->c;
	l->out_h = l->h * l->stride;
	l->out_w = l->w * l->stride;
	return 0;
}

static int abs_index(struct ctx *c, int v, int *out)
{
	int i = v < 0 ? c->index + v : v;

	if (i < 0 || i >= c->index)
		return shape_err(c, "layer reference %d is not an earlier "
				 "layer (this is layer %d)", v, c->index);
	*out = i;
	return 0;
}

static int build_route(struct ctx *c, struct vt_dn_layer *l)
{
	int rc, v[VT_DN_MAX_ROUTE];

	if ((rc = get_int_list(c, "layers", v, VT_DN_MAX_ROUTE, &l->n_in)) ||
	    (rc = get_int(c, "groups", 1, 1, MAX_C, &l->route_groups)) ||
	    (rc = get_int(c, "group_id", 0, 0, MAX_C, &l->group_id)))
		return rc;
	if (l->n_in == 0)
		return vt_err_set(c->err, VT_ECONFIG, "%s:%d: [route] needs "
				  "layers=", c->name, c->sec->line);
	if (l->group_id >= l->route_groups)
		return shape_err(c, "group_id=%d not below groups=%d",
				 l->group_id, l->route_groups);
	l->out_c = 0;
	for (int k = 0; k < l->n_in; k++) {
		const struct vt_dn_layer *s;

		if ((rc = abs_index(c, v[k], &l->in[k])))
			return rc;
		s = &c->net->layers[l->in[k]];
		if (k == 0) {
			l->out_h = s->out_h;
			l->out_w = s->out_w;
		} else if (s->out_h != l->out_h || s->out_w != l->out_w) {
			return shape_err(c, "inputs differ in size (%d vs %d "
					 "rows)", s->out_h, l->out_h);
		}
		if (s->out_c % l->route_groups)
			return shape_err(c, "groups=%d does not divide %d "
					 "channels", l->route_groups, s->out_c);
		l->out_c += s->out_c / l->route_groups;
	}
	return 0;
}

static int build_shortcut(struct ctx *c, struct vt_dn_layer *l)
{
	int rc, from;
	const struct vt_dn_layer *s;

	if (!find(c->sec, "from"))
		return vt_err_set(c->err, VT_ECONFIG, "%s:%d: [shortcut] needs "
				  "from=", c->name, c->sec->line);
	if ((rc = get_int(c, "from", 0, INT_MIN + 1, INT_MAX, &from)) ||
	    (rc = get_act(c, VT_DN_LINEAR, &l->act)) ||
	    (rc = abs_index(c, from, &l->from)))
		return rc;
	s = &c->net->layers[l->from];
	if (s->out_c != l->c || s->out_h != l->h || s->out_w != l->w)
		return shape_err(c, "from layer %d has another shape "
				 "(%d channels)", l->from, s->out_c);
	l->out_c = l->c;
	l->out_h = l->h;
	l->out_w = l->w;
	return 0;
}

static int build_yolo(struct ctx *c, struct vt_dn_layer *l)
{
	int rc, num, na;
	struct kv *kv;

	if ((rc = get_int(c, "classes", 20, 1, 100000, &l->classes)) ||
	    (rc = get_int(c, "num", 1, 1, VT_DN_MAX_ANCHORS, &num)) ||
	    (rc = get_int_list(c, "mask", l->mask, VT_DN_MAX_ANCHORS,
			       &l->n_mask)) ||
	    (rc = get_float(c, "scale_x_y", 1.0f, &l->scale_x_y)))
		return rc;
	/* anchors may be written as floats in AlexeyAB's cfgs */
	kv = find(c->sec, "anchors");
	na = 0;
	if (kv) {
		const char *p = kv->val;

		for (;;) {
			char *end;
			double x = strtod(p, &end);

			if (end == p || !isfinite(x) || x < 0 || x > 1e6)
				return bad_value(c, kv, "not a list of numbers");
			if (na == 2 * VT_DN_MAX_ANCHORS)
				return bad_value(c, kv, "too many anchors");
			l->anchors[na++] = (float)x;
			while (*end == ' ' || *end == '\t')
				end++;
			if (!*end)
				break;
			if (*end != ',')
				return bad_value(c, kv, "not a list of numbers");
			p = end + 1;
		}
	}
	if (na % 2 || (na && na / 2 != num))
		return shape_err(c, "anchors give %d values, num=%d needs "
				 "twice that", na, num);
	if (!na) {
		for (int k = 0; k < num; k++)
			l->anchors[2 * k] = l->anchors[2 * k + 1] = 0.5f;
	}
	l->n_anchors = num;
	if (!l->n_mask) {
		l->n_mask = num;
		for (int k = 0; k < num; k++)
			l->mask[k] = k;
	}
	for (int k = 0; k < l->n_mask; k++)
		if (l->mask[k] < 0 || l->mask[k] >= num)
			return shape_err(c, "mask value %d outside 0..num-1 "
					 "(num=%d)", l->mask[k], num);
	if ((long)l->n_mask * (l->classes + 5) != l->c)
		return shape_err(c, "input has %d channels, mask and classes "
				 "need %d", l->c, l->n_mask * (l->classes + 5));
	l->out_c = l->c;
	l->out_h = l->h;
	l->out_w = l->w;
	return 0;
}

/* ---- parsing ---- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void free_secs(struct sec *sec, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(sec[i].kv);
	free(sec);
}

/* Split text (modified in place) into sections; keys checked. */
static int split(char *text, const char *name, unsigned flags,
		 struct sec **out, size_t *nout, struct vt_err *err)
{
	struct sec *sec = NULL;
	size_t n = 0, cap = 0;
	bool skip = false;      /* inside an unknown section (lenient) */
	int line = 0;
	char *p = text;

	while (p) {
		char *nl = strchr(p, '\n'), *s;

		if (nl)
			*nl = '\0';
		line++;
		s = trim(p);
		p = nl ? nl + 1 : NULL;
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');
			enum vt_dn_type t;

			if (!e || e[1]) {
				free_secs(sec, n);
				return vt_err_set(err, VT_ECONFIG, "%s:%d: "
						  "malformed section header",
						  name, line);
			}
			*e = '\0';
			if (vt_dn_type_parse(s + 1, &t)) {
				if (flags & VT_DN_LENIENT) {
					skip = true;
					continue;
				}
				free_secs(sec, n);
				return vt_err_set(err, VT_ECONFIG, "%s:%d: unknown "
						  "section [%.64s]", name, line,
						  s + 1);
			}
			skip = false;
			if (n == cap) {
				size_t nc = cap ? 2 * cap : 32;
				struct sec *ns = vt_realloc_array(sec, nc,
								  sizeof *ns);

				if (!ns) {
					free_secs(sec, n);
					return vt_err_set(err, VT_ENOMEM,
							  "%s: out of memory",
							  name);
				}
				sec = ns;
				cap = nc;
			}
			sec[n++] = (struct sec){ .type = t, .line = line };
			continue;
		}
		if (skip)
			continue;
		{
			char *eq = strchr(s, '=');
			char *key, *val;
			struct sec *cur;
			struct kv *nkv;

			if (!eq || !n) {
				free_secs(sec, n);
				return vt_err_set(err, VT_ECONFIG, "%s:%d: %s",
						  name, line, n ? "expected "
						  "key=value" : "expected a "
						  "[section] first");
			}
			*eq = '\0';
			key = trim(s);
			val = trim(eq + 1);
			cur = &sec[n - 1];
			if (!in_list(registry[cur->type].keys, key)) {
				if (in_list(registry[cur->type].ignored, key) ||
				    (flags & VT_DN_LENIENT))
					continue;
				vt_err_set(err, VT_ECONFIG, "%s:%d: unknown "
					   "key '%.64s' in [%s]", name, line,
					   key, registry[cur->type].name);
				free_secs(sec, n);
				return VT_ECONFIG;
			}
			for (size_t i = 0; i < cur->nkv; i++)
				if (strcmp(cur->kv[i].key, key) == 0) {
					vt_err_set(err, VT_ECONFIG, "%s:%d: "
						   "key '%.64s' repeated "
						   "(first on line %d)", name,
						   line, key, cur->kv[i].line);
					free_secs(sec, n);
					return VT_ECONFIG;
				}
			nkv = vt_realloc_array(cur->kv, cur->nkv + 1,
					       sizeof *nkv);
			if (!nkv) {
				free_secs(sec, n);
				return vt_err_set(err, VT_ENOMEM,
						  "%s: out of memory", name);
			}
			cur->kv = nkv;
			nkv[cur->nkv++] = (struct kv){ key, val, line };
		}
	}
	*out = sec;
	*nout = n;
	return 0;
}

void vt_dn_net_free(struct vt_dn_net *net)
{
	if (!net)
		return;
	if (net->layers && !net->shared)
		for (int i = 0; i < net->n; i++) {
			free(net->layers[i].biases);
			free(net->layers[i].wino);
		}
	free(net->layers);
	free(net->arena);
	free(net->work);
	free(net->name);
	free(net);
}

/* Floats of one layer's parameter block (biases, batch norm, weights), and
 * of its packed Winograd weights (0 when it has none). */
static size_t param_n(const struct vt_dn_layer *l)
{
	return l->n_weights + (size_t)l->filters * (l->batch_norm ? 4 : 1);
}

static size_t wino_n(const struct vt_dn_layer *l)
{
	return vt_dn_conv_wino(l) ? 16 * vt_dn_pgemm_a_n(l->filters, l->c) : 0;
}

/* What allocate() will take, in floats: the outputs (with the input) in
 * one arena, the largest work buffer, the parameters.  1 on overflow. */
static int sizes(struct vt_dn_net *net, size_t *total, size_t *work,
		 size_t *params)
{
	*work = 0;
	*params = 0;
	if (vt_mul_overflow_size((size_t)net->c * (size_t)net->h,
				 (size_t)net->w, total))
		return 1;
	for (int i = 0; i < net->n; i++) {
		struct vt_dn_layer *l = &net->layers[i];
		size_t cw = 0;

		if (vt_mul_overflow_size((size_t)l->out_c * (size_t)l->out_h,
					 (size_t)l->out_w, &l->out_n) ||
		    vt_add_overflow_size(*total, l->out_n, total))
			return 1;
		if (l->type != VT_DN_CONV)
			continue;
		if (vt_dn_conv_wino(l)) {
			int t = ((l->out_h + 1) / 2) * ((l->out_w + 1) / 2);

			/* 16 packed (c, tiles) inputs and 16 (tiles, filters)
			 * products, filters rounded up to a panel */
			if (vt_add_overflow_size(vt_dn_pgemm_b_n(l->c, t),
						 vt_dn_pgemm_a_n(l->filters, t),
						 &cw) ||
			    vt_mul_overflow_size(16, cw, &cw))
				return 1;
		} else if (vt_dn_conv_direct(l)) {
			cw = vt_dn_direct_work_n(l->c, l->h, l->w, l->filters,
						 l->stride);
		} else if (!(l->size == 1 && l->stride == 1 && l->pad == 0) &&
			   vt_mul_overflow_size(l->n_weights /
						(size_t)l->filters,
						l->out_n / (size_t)l->out_c,
						&cw)) {
			return 1;
		}
		if (cw > *work)
			*work = cw;
		if (vt_add_overflow_size(*params, param_n(l), params) ||
		    vt_add_overflow_size(*params, wino_n(l), params))
			return 1;
	}
	return 0;
}

/* Outputs in one arena, parameters one block per layer, work buffer; all
 * sized first and held to max_bytes. */
static int allocate(struct vt_dn_net *net, uint64_t max_bytes,
		    struct vt_err *err)
{
	size_t total, work, params, all;

	if (sizes(net, &total, &work, &params) ||
	    vt_add_overflow_size(total, work, &all) ||
	    vt_add_overflow_size(all, params, &all) || all > SIZE_MAX / 4)
		return vt_err_set(err, VT_ECONFIG, "%s: network too large",
				  net->name);
	if ((uint64_t)all * sizeof(float) > max_bytes)
		return vt_err_set(err, VT_ELIMIT, "%s: the network takes %.1f "
				  "MiB (outputs %.1f, parameters %.1f), above "
				  "the limit of %.1f MiB", net->name,
				  (double)all / (1 << 18),
				  (double)total / (1 << 18),
				  (double)params / (1 << 18),
				  (double)max_bytes / (1 << 20));
	net->n_params = 0;
	for (int i = 0; i < net->n; i++) {
		struct vt_dn_layer *l = &net->layers[i];

		if (l->type != VT_DN_CONV)
			continue;
		net->n_params += param_n(l);   /* what the weights file holds */
		l->biases = vt_calloc_array(param_n(l), sizeof(float));
		if (wino_n(l))
			l->wino = vt_calloc_array(wino_n(l), sizeof(float));
		if (!l->biases || (wino_n(l) && !l->wino))
			return vt_err_set(err, VT_ENOMEM, "%s: out of memory "
					  "for %zu parameters", net->name,
					  param_n(l) + wino_n(l));
		if (l->batch_norm) {
			l->scales = l->biases + l->filters;
			l->mean = l->scales + l->filters;
			l->var = l->mean + l->filters;
			l->weights = l->var + l->filters;
		} else {
			l->weights = l->biases + l->filters;
		}
	}
	net->arena = vt_calloc_array(total, sizeof(float));
	net->work_n = work;
	net->work = vt_calloc_array(work ? work : 1, sizeof(float));
	if (!net->arena || !net->work)
		return vt_err_set(err, VT_ENOMEM, "%s: out of memory for "
				  "%zu activations", net->name, total);
	net->input = net->arena;
	total = (size_t)net->c * net->h * net->w;
	for (int i = 0; i < net->n; i++) {
		net->layers[i].out = net->arena + total;
		total += net->layers[i].out_n;
	}
	return 0;
}

int vt_dn_net_clone(const struct vt_dn_net *net, struct vt_dn_net **out,
		    struct vt_err *err)
{
	struct vt_dn_net *c = calloc(1, sizeof *c);
	size_t total = (size_t)net->c * net->h * net->w;

	*out = NULL;
	if (!c)
		goto oom;
	*c = *net;
	c->shared = true;
	c->name = NULL;
	c->arena = NULL;
	c->work = NULL;
	c->layers = vt_calloc_array((size_t)net->n, sizeof *c->layers);
	c->name = strdup(net->name);
	if (!c->layers || !c->name)
		goto oom;
	memcpy(c->layers, net->layers, sizeof *c->layers * (size_t)net->n);
	for (int i = 0; i < net->n; i++)
		total += net->layers[i].out_n;
	c->arena = vt_calloc_array(total, sizeof(float));
	c->work = vt_calloc_array(net->work_n ? net->work_n : 1, sizeof(float));
	if (!c->arena || !c->work)
		goto oom;
	c->input = c->arena;
	total = (size_t)net->c * net->h * net->w;
	for (int i = 0; i < net->n; i++) {
		c->layers[i].out = c->arena + total;
		total += net->layers[i].out_n;
	}
	*out = c;
	return 0;
oom:
	vt_dn_net_free(c);
	return vt_err_set(err, VT_ENOMEM, "%s: out of memory", net->name);
}

int vt_dn_net_parse(const char *buf, size_t len, const char *name,
		    unsigned flags, uint64_t max_bytes, struct vt_dn_net **out,
		    struct vt_err *err)
{
	struct vt_dn_net *net = NULL;
	struct sec *sec = NULL;
	size_t nsec = 0;
	char *text = malloc(len + 1);
	int rc;

	*out = NULL;
	if (!text)
		return vt_err_set(err, VT_ENOMEM, "%s: out of memory", name);
	memcpy(text, buf, len);
	text[len] = '\0';
	if (memchr(buf, '\0', len)) {
		free(text);
		return vt_err_set(err, VT_ECONFIG, "%s: a NUL byte in the "
				  "config", name);
	}
	rc = split(text, name, flags, &sec, &nsec, err);
	if (rc)
		goto done;
	if (!nsec || sec[0].type != VT_DN_NET) {
		rc = vt_err_set(err, VT_ECONFIG, "%s:%d: the first section "
				"must be [net]", name, nsec ? sec[0].line : 1);
		goto done;
	}
	for (size_t i = 1; i < nsec; i++)
		if (sec[i].type == VT_DN_NET) {
			rc = vt_err_set(err, VT_ECONFIG, "%s:%d: a second "
					"[net]", name, sec[i].line);
			goto done;
		}
	if (nsec < 2) {
		rc = vt_err_set(err, VT_ECONFIG, "%s: no layers after [net]",
				name);
		goto done;
	}
	net = calloc(1, sizeof *net);
	if (net) {
		net->name = strdup(name);
		net->layers = vt_calloc_array(nsec - 1, sizeof *net->layers);
	}
	if (!net || !net->name || !net->layers) {
		rc = vt_err_set(err, VT_ENOMEM, "%s: out of memory", name);
		goto done;
	}
	{
		struct ctx c = { .name = name, .net = net, .err = err };

		c.sec = &sec[0];
		c.index = -1;
		if ((rc = build_net(&c, NULL)))
			goto done;
		for (size_t i = 1; i < nsec; i++) {
			struct vt_dn_layer *l = &net->layers[i - 1];

			c.sec = &sec[i];
			c.index = (int)i - 1;
			l->type = sec[i].type;
			l->line = sec[i].line;
			if (i == 1) {
				l->c = net->c;
				l->h = net->h;
				l->w = net->w;
			} else {
				l->c = l[-1].out_c;
				l->h = l[-1].out_h;
				l->w = l[-1].out_w;
			}
			if ((rc = registry[l->type].build(&c, l)))
				goto done;
			net->n = (int)i;
		}
	}
	rc = allocate(net, max_bytes ? max_bytes : VT_DN_MAX_BYTES_DEFAULT,
		      err);
	for (int i = 0; !rc && i < net->n; i++)
		net->flops += vt_dn_layer_flops(net, i);
done:
	free_secs(sec, nsec);
	free(text);
	if (rc)
		vt_dn_net_free(net);
	else
		*out = net;
	return rc;
}

int vt_dn_net_load_cfg(const char *path, unsigned flags, uint64_t max_bytes,
		       struct vt_dn_net **out, struct vt_err *err)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	rc = vt_file_read(path, UINT64_C(16) << 20, &buf, &len, err);
	if (rc)
		return rc;
	rc = vt_dn_net_parse(buf, len, path, flags, max_bytes, out, err);
	free(buf);
	return rc;
}
