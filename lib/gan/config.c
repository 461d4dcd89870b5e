/* config.c - GAN training configs: "key = value" lines in [sections],
 * strict (unknown keys, duplicates and bad values are errors with the file
 * and line), one table of keys for parsing, --set overrides, checks,
 * defaults and the canonical text written into checkpoints. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/gan.h"
#include "vt/file.h"

/* ---- names ---------------------------------------------------------- */

static const char *const family_names[] = { "gan", "dcgan", "lsgan", "wgan",
					    "wgan_gp" };
_Static_assert(sizeof family_names / sizeof *family_names ==
	       VT_GAN_FAMILY_COUNT, "family names");
static const char *const arch_names[] = { "mlp", "dcgan" };
_Static_assert(sizeof arch_names / sizeof *arch_names == VT_GAN_ARCH_COUNT,
	       "arch names");
static const char *const loss_names[] = { "bce", "mse", "wasserstein" };
_Static_assert(sizeof loss_names / sizeof *loss_names == VT_GAN_LOSS_COUNT,
	       "loss names");
static const char *const optim_names[] = { "adam", "rmsprop", "sgd" };
_Static_assert(sizeof optim_names / sizeof *optim_names == VT_GAN_OPTIM_COUNT,
	       "optim names");
static const char *const init_names[] = { "default", "normal", "xavier" };
_Static_assert(sizeof init_names / sizeof *init_names == VT_GAN_INIT_COUNT,
	       "init names");
static const char *const sched_names[] = { "constant", "linear", "cosine",
					   "step" };
_Static_assert(sizeof sched_names / sizeof *sched_names == VT_GAN_SCHED_COUNT,
	       "schedule names");

#define NAME_OF(table, count, v) \
	((unsigned)(v) < (unsigned)(count) ? (table)[v] : NULL)

const char *vt_gan_family_name(enum vt_gan_family f)
{
	return NAME_OF(family_names, VT_GAN_FAMILY_COUNT, f);
}

const char *vt_gan_arch_name(enum vt_gan_arch a)
{
	return NAME_OF(arch_names, VT_GAN_ARCH_COUNT, a);
}

const char *vt_gan_loss_name(enum vt_gan_loss l)
{
	return NAME_OF(loss_names, VT_GAN_LOSS_COUNT, l);
}

const char *vt_gan_optim_name(enum vt_gan_optim o)
{
	return NAME_OF(optim_names, VT_GAN_OPTIM_COUNT, o);
}

const char *vt_gan_init_name(enum vt_gan_init i)
{
	return NAME_OF(init_names, VT_GAN_INIT_COUNT, i);
}

const char *vt_gan_sched_name(enum vt_gan_sched s)
{
	return NAME_OF(sched_names, VT_GAN_SCHED_COUNT, s);
}

static int find_name(const char *const *table, int count, const char *s)
{
	for (int i = 0; i < count; i++)
		if (strcmp(table[i], s) == 0)
			return i;
	return -1;
}

/* "a, b or c" into buf */
static const char *name_list(const char *const *table, int count, char *buf,
			     size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < count && used < size; i++) {
		const char *sep = i == 0 ? "" : i == count - 1 ? " or " : ", ";
		int n = snprintf(buf + used, size - used, "%s%s", sep, table[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

int vt_gan_family_parse(const char *s, enum vt_gan_family *out,
			struct vt_err *err)
{
	char list[128];
	int i = find_name(family_names, VT_GAN_FAMILY_COUNT, s);

	if (i < 0)
		return vt_err_set(err, VT_ECONFIG,
				  "unknown family '%s' (known: %s)", s,
				  name_list(family_names, VT_GAN_FAMILY_COUNT,
					    list, sizeof list));
	*out = (enum vt_gan_family)i;
	return 0;
}

/* ---- defaults ------------------------------------------------------- */

void vt_gan_config_defaults(struct vt_gan_config *c, enum vt_gan_family f)
{
	bool mlp = f == VT_GAN_GAN || f == VT_GAN_WGAN || f == VT_GAN_WGAN_GP;

	memset(c, 0, sizeof *c);
	c->family = f;
	strcpy(c->dataset, "fashion-mnist");
	c->img_size = mlp ? 28 : 32;
	c->channels = 1;
	c->latent_dim = 100;
	c->generator = mlp ? VT_GAN_ARCH_MLP : VT_GAN_ARCH_DCGAN;
	c->discriminator = c->generator;
	c->g_input_bn = f == VT_GAN_DCGAN;
	c->d_sigmoid = f == VT_GAN_GAN || f == VT_GAN_DCGAN;
	c->bn_eps = 0.8;
	c->bn_momentum = 0.1;
	c->leaky_slope = 0.2;
	c->dropout = 0.25;
	c->init = mlp ? VT_GAN_INIT_DEFAULT : VT_GAN_INIT_NORMAL;
	c->loss = f == VT_GAN_LSGAN ? VT_GAN_LOSS_MSE :
		  f == VT_GAN_WGAN || f == VT_GAN_WGAN_GP ?
		  VT_GAN_LOSS_WASSERSTEIN : VT_GAN_LOSS_BCE;
	c->n_critic = f == VT_GAN_WGAN || f == VT_GAN_WGAN_GP ? 5 : 1;
	c->clip_value = f == VT_GAN_WGAN ? 0.01 : 0;
	c->lambda_gp = f == VT_GAN_WGAN_GP ? 10 : 0;
	c->optimizer = f == VT_GAN_WGAN ? VT_GAN_OPTIM_RMSPROP :
		       VT_GAN_OPTIM_ADAM;
	c->lr = f == VT_GAN_WGAN ? 5e-5 : 2e-4;
	c->b1 = 0.5;
	c->b2 = 0.999;
	c->eps = 1e-8;
	c->rms_alpha = 0.99;
	c->momentum = 0;
	c->weight_decay = 0;
	c->lr_schedule = VT_GAN_SCHED_CONSTANT;
	c->lr_step = 1000;
	c->lr_gamma = 0.5;
	c->batch_size = 64;
	c->n_epochs = 200;
	c->iters = 0;
	c->seed = 0;
	c->sample_interval = f == VT_GAN_LSGAN ? 1000 : 400;
	c->checkpoint_interval = 1000;
}

/* ---- the key table -------------------------------------------------- */

enum section { SEC_TOP, SEC_DATA, SEC_MODEL, SEC_LOSS, SEC_OPTIM, SEC_TRAIN,
	       SEC_COUNT };
static const char *const section_names[] = { "", "data", "model", "loss",
					      "optim", "train" };
_Static_assert(sizeof section_names / sizeof *section_names == SEC_COUNT,
	       "section names");

_Static_assert(sizeof(enum vt_gan_family) == sizeof(int) &&
	       sizeof(enum vt_gan_arch) == sizeof(int) &&
	       sizeof(enum vt_gan_loss) == sizeof(int) &&
	       sizeof(enum vt_gan_optim) == sizeof(int) &&
	       sizeof(enum vt_gan_init) == sizeof(int) &&
	       sizeof(enum vt_gan_sched) == sizeof(int),
	       "enum fields are stored as int");

enum kind { K_FAMILY, K_STR, K_U32, K_U64, K_F64, K_BOOL, K_ENUM };

struct key {
	const char *name;
	enum section sec;
	enum kind kind;
	size_t off;
	double lo, hi;            /* inclusive range for numbers */
	bool lo_open;             /* lo itself not allowed */
	const char *const *names; /* K_ENUM */
	int count;
};

#define OFF(f) offsetof(struct vt_gan_config, f)
#define ENUM(t, c) 0, 0, false, t, c
#define RANGE(a, b) a, b, false, NULL, 0
#define RANGE_OPEN(a, b) a, b, true, NULL, 0

static const struct key keys[] = {
	{ "family", SEC_TOP, K_FAMILY, OFF(family),
	  ENUM(family_names, VT_GAN_FAMILY_COUNT) },
	{ "dataset", SEC_DATA, K_STR, OFF(dataset), RANGE(0, 0) },
	{ "img_size", SEC_DATA, K_U32, OFF(img_size), RANGE(4, 4096) },
	{ "channels", SEC_DATA, K_U32, OFF(channels), RANGE(1, 4) },
	{ "latent_dim", SEC_MODEL, K_U32, OFF(latent_dim), RANGE(1, 65536) },
	{ "generator", SEC_MODEL, K_ENUM, OFF(generator),
	  ENUM(arch_names, VT_GAN_ARCH_COUNT) },
	{ "discriminator", SEC_MODEL, K_ENUM, OFF(discriminator),
	  ENUM(arch_names, VT_GAN_ARCH_COUNT) },
	{ "g_input_bn", SEC_MODEL, K_BOOL, OFF(g_input_bn), RANGE(0, 0) },
	{ "d_sigmoid", SEC_MODEL, K_BOOL, OFF(d_sigmoid), RANGE(0, 0) },
	{ "bn_eps", SEC_MODEL, K_F64, OFF(bn_eps), RANGE_OPEN(0, 1e3) },
	{ "bn_momentum", SEC_MODEL, K_F64, OFF(bn_momentum), RANGE(0, 1) },
	{ "leaky_slope", SEC_MODEL, K_F64, OFF(leaky_slope), RANGE(0, 1) },
	{ "dropout", SEC_MODEL, K_F64, OFF(dropout), RANGE(0, 0.999) },
	{ "init", SEC_MODEL, K_ENUM, OFF(init),
	  ENUM(init_names, VT_GAN_INIT_COUNT) },
	{ "loss", SEC_LOSS, K_ENUM, OFF(loss),
	  ENUM(loss_names, VT_GAN_LOSS_COUNT) },
	{ "n_critic", SEC_LOSS, K_U32, OFF(n_critic), RANGE(1, 1000) },
	{ "clip_value", SEC_LOSS, K_F64, OFF(clip_value), RANGE(0, 1e6) },
	{ "lambda_gp", SEC_LOSS, K_F64, OFF(lambda_gp), RANGE(0, 1e6) },
	{ "optimizer", SEC_OPTIM, K_ENUM, OFF(optimizer),
	  ENUM(optim_names, VT_GAN_OPTIM_COUNT) },
	{ "lr", SEC_OPTIM, K_F64, OFF(lr), RANGE_OPEN(0, 10) },
	{ "b1", SEC_OPTIM, K_F64, OFF(b1), RANGE(0, 0.999999) },
	{ "b2", SEC_OPTIM, K_F64, OFF(b2), RANGE(0, 0.999999) },
	{ "eps", SEC_OPTIM, K_F64, OFF(eps), RANGE_OPEN(0, 1) },
	{ "rms_alpha", SEC_OPTIM, K_F64, OFF(rms_alpha), RANGE(0, 0.999999) },
	{ "momentum", SEC_OPTIM, K_F64, OFF(momentum), RANGE(0, 0.999999) },
	{ "weight_decay", SEC_OPTIM, K_F64, OFF(weight_decay), RANGE(0, 1) },
	{ "lr_schedule", SEC_OPTIM, K_ENUM, OFF(lr_schedule),
	  ENUM(sched_names, VT_GAN_SCHED_COUNT) },
	{ "lr_step", SEC_OPTIM, K_U64, OFF(lr_step), RANGE(1, 1e15) },
	{ "lr_gamma", SEC_OPTIM, K_F64, OFF(lr_gamma), RANGE_OPEN(0, 1) },
	{ "batch_size", SEC_TRAIN, K_U32, OFF(batch_size), RANGE(1, 65536) },
	{ "n_epochs", SEC_TRAIN, K_U32, OFF(n_epochs), RANGE(1, 1000000) },
	{ "iters", SEC_TRAIN, K_U64, OFF(iters), RANGE(0, 1e15) },
	{ "seed", SEC_TRAIN, K_U64, OFF(seed), RANGE(0, 0) },
	{ "sample_interval", SEC_TRAIN, K_U64, OFF(sample_interval),
	  RANGE(0, 1e15) },
	{ "checkpoint_interval", SEC_TRAIN, K_U64, OFF(checkpoint_interval),
	  RANGE(0, 1e15) },
};
#define N_KEYS (sizeof keys / sizeof *keys)

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* ---- values --------------------------------------------------------- */

/* Parse s into the field of k; on failure write the problem into why. */
static int set_value(struct vt_gan_config *c, const struct key *k,
		     const char *s, char *why, size_t why_size)
{
	char *p = (char *)c + k->off;
	char list[128];

	switch (k->kind) {
	case K_FAMILY:
	case K_ENUM: {
		int i = find_name(k->names, k->count, s);

		if (i < 0) {
			snprintf(why, why_size, "%s: '%s' is not one of %s",
				 k->name, s,
				 name_list(k->names, k->count, list,
					   sizeof list));
			return -1;
		}
		memcpy(p, &(int){ i }, sizeof(int));
		return 0;
	}
	case K_STR:
		if (*s == '\0' || strlen(s) >= VT_GAN_SPEC_MAX) {
			snprintf(why, why_size, "%s: %s", k->name,
				 *s ? "longer than 1023 bytes" : "empty");
			return -1;
		}
		strcpy(p, s);
		return 0;
	case K_BOOL:
		if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
			bool v = s[0] == 't';

			memcpy(p, &v, sizeof v);
		} else {
			snprintf(why, why_size,
				 "%s: '%s' is not true or false", k->name, s);
			return -1;
		}
		return 0;
	case K_U32:
	case K_U64: {
		char *end;
		unsigned long long v;

		errno = 0;
		if (*s < '0' || *s > '9')
			goto bad_int;
		v = strtoull(s, &end, 10);
		if (errno || *end)
			goto bad_int;
		if ((k->lo || k->hi) && ((double)v < k->lo || (double)v > k->hi)) {
			snprintf(why, why_size, "%s: %s is out of range %.0f..%.0f",
				 k->name, s, k->lo, k->hi);
			return -1;
		}
		if (k->kind == K_U32) {
			uint32_t u = (uint32_t)v;

			memcpy(p, &u, sizeof u);
		} else {
			uint64_t u = (uint64_t)v;

			memcpy(p, &u, sizeof u);
		}
		return 0;
bad_int:
		snprintf(why, why_size, "%s: '%s' is not a non-negative integer",
			 k->name, s);
		return -1;
	}
	case K_F64: {
		char *end;
		double v;

		errno = 0;
		v = strtod(s, &end);
		if (*s == '\0' || *end || !isfinite(v) ||
		    (errno == ERANGE && fabs(v) > 1)) {
			snprintf(why, why_size, "%s: '%s' is not a number",
				 k->name, s);
			return -1;
		}
		if (v < k->lo || v > k->hi || (k->lo_open && v == k->lo)) {
			snprintf(why, why_size, "%s: %s is out of range %s%g, %g]",
				 k->name, s, k->lo_open ? "(" : "[", k->lo,
				 k->hi);
			return -1;
		}
		memcpy(p, &v, sizeof v);
		return 0;
	}
	}
	snprintf(why, why_size, "%s: bad key kind", k->name);
	return -1;
}

/* ---- lines ---------------------------------------------------------- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * A value: a double-quoted string ("\"" and "\\" escape) or bare text up to
 * a '#' that follows a blank.  Rewrites s in place; NULL with why filled for
 * a bad quote or a control character.
 */
static char *value_text(char *s, char *why, size_t why_size)
{
	char *r, *w;

	s = trim(s);
	if (*s == '"') {
		for (r = s + 1, w = s; *r && *r != '"'; r++) {
			if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
				r++;
			*w++ = *r;
		}
		if (*r != '"') {
			snprintf(why, why_size, "unterminated quoted value");
			return NULL;
		}
		*w = '\0';
		r = trim(r + 1);
		if (*r && *r != '#') {
			snprintf(why, why_size, "text after a quoted value");
			return NULL;
		}
	} else {
		for (r = s; *r; r++)
			if (*r == '#' && (r == s || r[-1] == ' ' ||
					  r[-1] == '\t')) {
				*r = '\0';
				break;
			}
		s = trim(s);
	}
	for (r = s; *r; r++)
		if ((unsigned char)*r < 0x20 || *r == 0x7f) {
			snprintf(why, why_size, "control character in value");
			return NULL;
		}
	return s;
}

static bool name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
}

int vt_gan_config_parse(struct vt_gan_config *c, const char *text, size_t len,
			const char *name, struct vt_err *err)
{
	size_t pos = 0, lineno = 0;
	size_t seen[N_KEYS] = { 0 };
	enum section sec = SEC_TOP;
	char line[VT_GAN_SPEC_MAX + 256], why[256];
	bool have_family = false;
	struct vt_gan_config tmp;

	vt_gan_config_defaults(&tmp, VT_GAN_GAN);
	while (pos < len) {
		size_t end = pos, n;
		char *s, *eq, *key, *val;
		const struct key *k;

		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		n = end - pos;
		if (memchr(text + pos, '\0', n))
			return vt_err_set(err, VT_ECONFIG,
					  "%s:%zu: NUL byte in line", name,
					  lineno);
		if (n >= sizeof line)
			return vt_err_set(err, VT_ECONFIG,
					  "%s:%zu: line longer than %zu bytes",
					  name, lineno, sizeof line - 1);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos = end + 1;
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			char *rest;
			int i;

			if (!close)
				return vt_err_set(err, VT_ECONFIG,
						  "%s:%zu: missing ']'", name,
						  lineno);
			*close = '\0';
			rest = trim(close + 1);
			if (*rest && *rest != '#')
				return vt_err_set(err, VT_ECONFIG,
						  "%s:%zu: text after section "
						  "'[%s]'", name, lineno, s + 1);
			s = trim(s + 1);
			i = find_name(section_names + 1, SEC_COUNT - 1, s);
			if (i < 0)
				return vt_err_set(err, VT_ECONFIG,
						  "%s:%zu: unknown section "
						  "'[%.64s]' (known: data, "
						  "model, loss, optim, train)",
						  name, lineno, s);
			sec = (enum section)(i + 1);
			continue;
		}
		eq = strchr(s, '=');
		if (!eq)
			return vt_err_set(err, VT_ECONFIG,
					  "%s:%zu: expected 'key = value', "
					  "got '%.64s'", name, lineno, s);
		*eq = '\0';
		key = trim(s);
		for (const char *q = key; *q; q++)
			if (!name_char(*q) || *q == '.')
				return vt_err_set(err, VT_ECONFIG,
						  "%s:%zu: bad key '%.64s'",
						  name, lineno, key);
		if (*key == '\0')
			return vt_err_set(err, VT_ECONFIG, "%s:%zu: empty key",
					  name, lineno);
		k = find_key(key);
		if (!k)
			return vt_err_set(err, VT_ECONFIG,
					  "%s:%zu: unknown key '%.64s'%s%s%s",
					  name, lineno, key,
					  sec ? " in [" : "",
					  section_names[sec], sec ? "]" : "");
		if (k->sec != sec) {
			if (k->sec == SEC_TOP)
				return vt_err_set(err, VT_ECONFIG,
						  "%s:%zu: '%s' must come "
						  "before any section", name,
						  lineno, key);
			return vt_err_set(err, VT_ECONFIG,
					  "%s:%zu: '%s' belongs in [%s], not "
					  "%s%s%s", name, lineno, key,
					  section_names[k->sec],
					  sec ? "[" : "the top",
					  section_names[sec], sec ? "]" : "");
		}
		if (seen[k - keys])
			return vt_err_set(err, VT_ECONFIG,
					  "%s:%zu: duplicate key '%s' (first "
					  "on line %zu)", name, lineno, key,
					  seen[k - keys]);
		seen[k - keys] = lineno;
		if (!have_family && k->kind != K_FAMILY)
			return vt_err_set(err, VT_ECONFIG,
					  "%s:%zu: the first setting must be "
					  "'family = NAME'", name, lineno);
		val = value_text(eq + 1, why, sizeof why);
		if (!val)
			return vt_err_set(err, VT_ECONFIG, "%s:%zu: %s: %s",
					  name, lineno, key, why);
		if (k->kind == K_FAMILY) {
			enum vt_gan_family f;

			if (vt_gan_family_parse(val, &f, err) != 0) {
				vt_err_prefix(err, "%s:%zu", name, lineno);
				return err ? err->code : VT_ECONFIG;
			}
			vt_gan_config_defaults(&tmp, f);
			have_family = true;
			continue;
		}
		if (set_value(&tmp, k, val, why, sizeof why) != 0)
			return vt_err_set(err, VT_ECONFIG, "%s:%zu: %s", name,
					  lineno, why);
	}
	if (!have_family)
		return vt_err_set(err, VT_ECONFIG,
				  "%s: no 'family = NAME' setting", name);
	*c = tmp;
	return 0;
}

int vt_gan_config_load(struct vt_gan_config *c, const char *path,
		       struct vt_err *err)
{
	char *buf;
	size_t len;
	int rc = vt_file_read(path, UINT64_C(1) << 20, &buf, &len, err);

	if (rc)
		return rc;
	rc = vt_gan_config_parse(c, buf, len, path, err);
	free(buf);
	return rc;
}

int vt_gan_config_set(struct vt_gan_config *c, const char *arg,
		      struct vt_err *err)
{
	char buf[VT_GAN_SPEC_MAX + 128], why[256];
	char *eq, *key, *val, *dot;
	const struct key *k;

	if (strlen(arg) >= sizeof buf)
		return vt_err_set(err, VT_ECONFIG, "--set: argument too long");
	strcpy(buf, arg);
	eq = strchr(buf, '=');
	if (!eq)
		return vt_err_set(err, VT_ECONFIG,
				  "--set '%s': expected key=value", arg);
	*eq = '\0';
	key = trim(buf);
	val = trim(eq + 1);
	dot = strchr(key, '.');
	if (dot) {
		int i;

		*dot = '\0';
		i = find_name(section_names + 1, SEC_COUNT - 1, key);
		if (i < 0)
			return vt_err_set(err, VT_ECONFIG,
					  "--set '%s': unknown section '%s'",
					  arg, key);
		k = find_key(dot + 1);
		if (k && k->sec != (enum section)(i + 1))
			return vt_err_set(err, VT_ECONFIG,
					  "--set '%s': '%s' belongs in [%s]",
					  arg, dot + 1, section_names[k->sec]);
		key = dot + 1;
	} else {
		k = find_key(key);
	}
	if (!k)
		return vt_err_set(err, VT_ECONFIG, "--set '%s': unknown key '%s'",
				  arg, key);
	if (k->kind == K_FAMILY)
		return vt_err_set(err, VT_ECONFIG,
				  "--set '%s': the family cannot be changed "
				  "(choose the model instead)", arg);
	for (const char *q = val; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return vt_err_set(err, VT_ECONFIG,
					  "--set '%s': control character in "
					  "value", arg);
	if (set_value(c, k, val, why, sizeof why) != 0)
		return vt_err_set(err, VT_ECONFIG, "--set '%s': %s", arg, why);
	return 0;
}

int vt_gan_config_check(const struct vt_gan_config *c, const char *name,
			struct vt_err *err)
{
	if (c->discriminator == VT_GAN_ARCH_DCGAN && c->img_size % 16)
		return vt_err_set(err, VT_ECONFIG,
				  "%s: img_size %u: the dcgan discriminator "
				  "needs a multiple of 16 (four stride-2 "
				  "convolutions)", name, c->img_size);
	if (c->generator == VT_GAN_ARCH_DCGAN && c->img_size % 4)
		return vt_err_set(err, VT_ECONFIG,
				  "%s: img_size %u: the dcgan generator needs "
				  "a multiple of 4 (two 2x upsamplings)", name,
				  c->img_size);
	if (c->g_input_bn && c->generator != VT_GAN_ARCH_DCGAN)
		return vt_err_set(err, VT_ECONFIG,
				  "%s: g_input_bn needs generator = dcgan",
				  name);
	if (c->loss == VT_GAN_LOSS_BCE && !c->d_sigmoid)
		return vt_err_set(err, VT_ECONFIG,
				  "%s: loss bce needs d_sigmoid = true", name);
	if (c->loss == VT_GAN_LOSS_WASSERSTEIN && c->d_sigmoid)
		return vt_err_set(err, VT_ECONFIG,
				  "%s: loss wasserstein needs a critic without "
				  "sigmoid (d_sigmoid = false)", name);
	if (c->lambda_gp > 0 && c->loss != VT_GAN_LOSS_WASSERSTEIN)
		return vt_err_set(err, VT_ECONFIG,
				  "%s: lambda_gp needs loss = wasserstein", name);
	if (c->img_size > 4096 || (uint64_t)c->img_size * c->img_size *
	    c->channels * c->batch_size > (UINT64_C(1) << 31))
		return vt_err_set(err, VT_ECONFIG,
				  "%s: batch_size x channels x img_size^2 "
				  "over 2^31", name);
	return 0;
}

/* ---- text out ------------------------------------------------------- */

struct sbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void put(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = b->cap * 2 + (size_t)n + 64;
			char *np = realloc(b->p, cap);

			if (!np) {
				b->failed = true;
				return;
			}
			b->p = np;
			b->cap = cap;
		}
	}
}

/* The shortest %g form that reads back as the same double. */
static void put_double(struct sbuf *b, double v)
{
	char tmp[64];

	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	put(b, "%s", tmp);
}

static bool needs_quotes(const char *s)
{
	if (*s == '"' || *s == ' ' || *s == '\t' || *s == '#')
		return true;
	for (const char *p = s; *p; p++)
		if (*p == '#' && (p[-1] == ' ' || p[-1] == '\t'))
			return true;
	return s[strlen(s) - 1] == ' ' || s[strlen(s) - 1] == '\t';
}

int vt_gan_config_format(const struct vt_gan_config *c, char **out,
			 struct vt_err *err)
{
	struct sbuf b = { NULL, 0, 0, false };
	enum section sec = SEC_TOP;

	b.p = malloc(2048);
	if (!b.p)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	b.cap = 2048;
	b.p[0] = '\0';
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key *k = &keys[i];
		const char *p = (const char *)c + k->off;

		if (k->sec != sec) {
			sec = k->sec;
			put(&b, "\n[%s]\n", section_names[sec]);
		}
		put(&b, "%s = ", k->name);
		switch (k->kind) {
		case K_FAMILY:
		case K_ENUM: {
			int v;
			const char *nm;

			memcpy(&v, p, sizeof v);
			nm = v >= 0 && v < k->count ? k->names[v] : NULL;
			if (!nm) {
				free(b.p);
				return vt_err_set(err, VT_EINVAL,
						  "config: %s: bad value %d",
						  k->name, v);
			}
			put(&b, "%s", nm);
			break;
		}
		case K_STR:
			if (needs_quotes(p)) {
				put(&b, "\"");
				for (; *p; p++)
					put(&b, "%s%c",
					    *p == '"' || *p == '\\' ? "\\" : "",
					    *p);
				put(&b, "\"");
			} else {
				put(&b, "%s", p);
			}
			break;
		case K_U32: {
			uint32_t u;

			memcpy(&u, p, sizeof u);
			put(&b, "%u", u);
			break;
		}
		case K_U64: {
			uint64_t u;

			memcpy(&u, p, sizeof u);
			put(&b, "%llu", (unsigned long long)u);
			break;
		}
		case K_F64:
			{
				double v;

				memcpy(&v, p, sizeof v);
				put_double(&b, v);
			}
			break;
		case K_BOOL: {
			bool v;

			memcpy(&v, p, sizeof v);
			put(&b, "%s", v ? "true" : "false");
			break;
		}
		}
		put(&b, "\n");
	}
	if (b.failed) {
		free(b.p);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	*out = b.p;
	return 0;
}

bool vt_gan_config_equal(const struct vt_gan_config *a,
			 const struct vt_gan_config *b)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const char *pa = (const char *)a + keys[i].off;
		const char *pb = (const char *)b + keys[i].off;
		size_t n;

		switch (keys[i].kind) {
		case K_STR:
			if (strcmp(pa, pb) != 0)
				return false;
			continue;
		case K_FAMILY:
		case K_ENUM:
			n = sizeof(int);
			break;
		case K_U32:
			n = sizeof(uint32_t);
			break;
		case K_U64:
			n = sizeof(uint64_t);
			break;
		case K_F64:
			n = sizeof(double);
			break;
		default:
			n = sizeof(bool);
			break;
		}
		if (memcmp(pa, pb, n) != 0)
			return false;
	}
	return true;
}
