/* coco.c - COCO instances ground truth and results lists (strict JSON). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vt/coco.h"
#include "vt/size.h"
#include "vt/utf8.h"

#define MAX_DEPTH 256
#define UNKNOWN (-1000)   /* a key that is skipped */

struct jp {
	const char *s, *p, *e;
	const char *name;
	struct vt_err *err;
	int depth;
	const char *what;   /* "entry", "annotation", ...: for messages */
	size_t index;       /* of the entry being read */
};

static int jsyntax(struct jp *j, const char *msg)
{
	size_t line = 1, col = 1;

	for (const char *q = j->s; q < j->p && q < j->e; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)*q & 0xc0) != 0x80) {
			col++;
		}
	}
	if (j->p >= j->e)
		return vt_err_set(j->err, VT_EFORMAT, "'%s': line %zu, column "
				  "%zu: unexpected end of input (%s)", j->name,
				  line, col, msg);
	return vt_err_set(j->err, VT_EFORMAT, "'%s': line %zu, column %zu: %s",
			  j->name, line, col, msg);
}

/* A problem with the value of the current entry. */
static int jentry(struct jp *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int jentry(struct jp *j, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return vt_err_set(j->err, VT_EFORMAT, "'%s': %s %zu: %s", j->name,
			  j->what, j->index, msg);
}

static void ws(struct jp *j)
{
	while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' ||
			       *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool peek(struct jp *j, char c)
{
	ws(j);
	return j->p < j->e && *j->p == c;
}

static int expect(struct jp *j, char c, const char *msg)
{
	if (!peek(j, c))
		return jsyntax(j, msg);
	j->p++;
	return 0;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* A string at j->p: its raw content [*b, *b + *n), validated. */
static int str_span(struct jp *j, const char **b, size_t *n, bool *esc)
{
	bool high = false;
	const char *q;

	if (!peek(j, '"'))
		return jsyntax(j, "expected a string");
	q = ++j->p;
	*esc = false;
	while (q < j->e && *q != '"') {
		unsigned char c = (unsigned char)*q;

		if (c < 0x20) {
			j->p = q;
			return jsyntax(j, "control character in a string");
		}
		if (c >= 0x80)
			high = true;
		if (c == '\\') {
			*esc = true;
			if (q + 1 >= j->e)
				break;
			switch (q[1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				q += 2;
				continue;
			case 'u': {
				unsigned u, u2;

				if (j->e - q < 6 || hex4(q + 2, &u)) {
					j->p = q;
					return jsyntax(j, "bad \\u escape");
				}
				q += 6;
				if (u >= 0xdc00 && u <= 0xdfff) {
					j->p = q - 6;
					return jsyntax(j, "lone surrogate escape");
				}
				if (u >= 0xd800 && u <= 0xdbff) {
					if (j->e - q < 6 || q[0] != '\\' ||
					    q[1] != 'u' || hex4(q + 2, &u2) ||
					    u2 < 0xdc00 || u2 > 0xdfff) {
						j->p = q - 6;
						return jsyntax(j, "lone surrogate "
							       "escape");
					}
					q += 6;
				}
				continue;
			}
			default:
				j->p = q;
				return jsyntax(j, "bad escape in a string");
			}
		}
		q++;
	}
	if (q >= j->e) {
		j->p = q;
		return jsyntax(j, "unterminated string");
	}
	if (high && !vt_utf8_valid(j->p, (size_t)(q - j->p)))
		return jsyntax(j, "invalid UTF-8 in a string");
	*b = j->p;
	*n = (size_t)(q - j->p);
	j->p = q + 1;
	return 0;
}

static size_t put_utf8(char *o, unsigned u)
{
	if (u < 0x80) {
		o[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		o[0] = (char)(0xc0 | (u >> 6));
		o[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	if (u < 0x10000) {
		o[0] = (char)(0xe0 | (u >> 12));
		o[1] = (char)(0x80 | ((u >> 6) & 0x3f));
		o[2] = (char)(0x80 | (u & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (u >> 18));
	o[1] = (char)(0x80 | ((u >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((u >> 6) & 0x3f));
	o[3] = (char)(0x80 | (u & 0x3f));
	return 4;
}

/* Decode a validated span into out (room for n + 1 bytes); returns the
 * decoded length.  A decoded NUL is kept (callers refuse it). */
static size_t str_decode(const char *b, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		if (b[i] != '\\') {
			out[o++] = b[i++];
			continue;
		}
		char c = b[i + 1];

		i += 2;
		switch (c) {
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u': {
			unsigned u, u2;

			hex4(b + i, &u);
			i += 4;
			if (u >= 0xd800 && u <= 0xdbff) {
				hex4(b + i + 2, &u2);
				i += 6;
				u = 0x10000 + ((u - 0xd800) << 10) + (u2 - 0xdc00);
			}
			o += put_utf8(out + o, u);
			break;
		}
		default: out[o++] = c; break;
		}
	}
	out[o] = '\0';
	return o;
}

/* A string value as a new C string; a NUL inside is refused. */
static int str_dup(struct jp *j, char **out)
{
	const char *b;
	size_t n, m;
	bool esc;
	int rc = str_span(j, &b, &n, &esc);

	if (rc)
		return rc;
	*out = malloc(n + 1);
	if (!*out)
		return vt_err_set(j->err, VT_ENOMEM, "out of memory");
	m = str_decode(b, n, *out);
	if (strlen(*out) != m) {
		free(*out);
		*out = NULL;
		return jentry(j, "NUL character in a string");
	}
	return 0;
}

static const double pow10_tab[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A number: *d correctly rounded (Clinger's fast path, else strtod);
 * *isint for one without fraction or exponent that fits int64 (*iv). */
static int number(struct jp *j, double *d, bool *isint, int64_t *iv)
{
	const char *b, *p;
	uint64_t mant = 0;
	bool neg = false, frac = false, exp_ = false, lost = false;
	long e10 = 0, ex = 0;

	ws(j);
	b = p = j->p;
	if (p < j->e && *p == '-') {
		neg = true;
		p++;
	}
	if (p >= j->e || !is_digit(*p)) {
		j->p = p;
		return jsyntax(j, "expected a value");
	}
	if (*p == '0') {
		p++;
		if (p < j->e && is_digit(*p)) {
			j->p = p;
			return jsyntax(j, "leading zero in a number");
		}
	} else {
		while (p < j->e && is_digit(*p)) {
			if (mant < 100000000000000000ull)
				mant = mant * 10 + (uint64_t)(*p - '0');
			else {
				e10++;
				lost |= *p != '0';
				if (!lost)
					lost = true; /* digits beyond int64 */
			}
			p++;
		}
	}
	if (p < j->e && *p == '.') {
		frac = true;
		p++;
		if (p >= j->e || !is_digit(*p)) {
			j->p = p;
			return jsyntax(j, "expected a digit after '.'");
		}
		while (p < j->e && is_digit(*p)) {
			if (mant < 100000000000000000ull) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				e10--;
			} else {
				lost |= *p != '0';
			}
			p++;
		}
	}
	if (p < j->e && (*p == 'e' || *p == 'E')) {
		bool eneg = false;

		exp_ = true;
		p++;
		if (p < j->e && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p >= j->e || !is_digit(*p)) {
			j->p = p;
			return jsyntax(j, "expected a digit in an exponent");
		}
		while (p < j->e && is_digit(*p)) {
			if (ex < 100000)
				ex = ex * 10 + (*p - '0');
			p++;
		}
		e10 += eneg ? -ex : ex;
	}
	j->p = p;
	*isint = !frac && !exp_ && !lost;
	if (*isint)
		*iv = neg ? -(int64_t)mant : (int64_t)mant;
	if (!lost && mant < (1ull << 53) && e10 >= -22 && e10 <= 22) {
		double v = (double)mant;

		v = e10 >= 0 ? v * pow10_tab[e10] : v / pow10_tab[-e10];
		*d = neg ? -v : v;
		return 0;
	}
	size_t n = (size_t)(p - b);
	char buf[128], *c = n < sizeof buf ? buf : malloc(n + 1);

	if (!c)
		return vt_err_set(j->err, VT_ENOMEM, "out of memory");
	memcpy(c, b, n);
	c[n] = '\0';
	*d = strtod(c, NULL);
	if (c != buf)
		free(c);
	return 0;
}

static int skip(struct jp *j);

static int skip_container(struct jp *j, char open, char close, bool obj)
{
	if (++j->depth > MAX_DEPTH)
		return jsyntax(j, "nesting deeper than 256 levels");
	j->p++;
	if (peek(j, close)) {
		j->p++;
		j->depth--;
		return 0;
	}
	for (;;) {
		int rc;

		if (obj) {
			const char *b;
			size_t n;
			bool esc;

			if ((rc = str_span(j, &b, &n, &esc)) ||
			    (rc = expect(j, ':', "expected ':'")))
				return rc;
		}
		if ((rc = skip(j)))
			return rc;
		if (peek(j, ',')) {
			j->p++;
			continue;
		}
		if (peek(j, close)) {
			j->p++;
			j->depth--;
			(void)open;
			return 0;
		}
		return jsyntax(j, obj ? "expected ',' or '}'"
				      : "expected ',' or ']'");
	}
}

static int lit(struct jp *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->e - j->p) < n || memcmp(j->p, w, n) != 0)
		return jsyntax(j, "expected a value");
	j->p += n;
	return 0;
}

static int skip(struct jp *j)
{
	const char *b;
	size_t n;
	bool esc, isint;
	double d;
	int64_t iv;

	ws(j);
	if (j->p >= j->e)
		return jsyntax(j, "expected a value");
	switch (*j->p) {
	case '{': return skip_container(j, '{', '}', true);
	case '[': return skip_container(j, '[', ']', false);
	case '"': return str_span(j, &b, &n, &esc);
	case 't': return lit(j, "true");
	case 'f': return lit(j, "false");
	case 'n': return lit(j, "null");
	default: return number(j, &d, &isint, &iv);
	}
}

/* Object members: call with *state 0 at '{'.  Returns 1 with the key in
 * key (decoded, cut to size - 1; "" when longer), 0 at the end, or an
 * error status. */
static int member(struct jp *j, int *state, char *key, size_t size)
{
	const char *b;
	size_t n;
	bool esc;
	int rc;

	if (*state == 0) {
		if ((rc = expect(j, '{', "expected an object")))
			return rc;
		*state = 1;
		if (peek(j, '}')) {
			j->p++;
			return 0;
		}
	} else {
		if (peek(j, ',')) {
			j->p++;
		} else if (peek(j, '}')) {
			j->p++;
			return 0;
		} else {
			return jsyntax(j, "expected ',' or '}'");
		}
	}
	if ((rc = str_span(j, &b, &n, &esc)))
		return rc;
	if (n >= size) {
		key[0] = '\0';
	} else if (esc) {
		char tmp[256];

		if (n >= sizeof tmp)
			key[0] = '\0';
		else if (str_decode(b, n, tmp) < size)
			strcpy(key, tmp);
		else
			key[0] = '\0';
	} else {
		memcpy(key, b, n);
		key[n] = '\0';
	}
	if ((rc = expect(j, ':', "expected ':'")))
		return rc;
	return 1;
}

/* Array elements: *state 0 at '['.  Returns 1 before each element, 0 at
 * the end. */
static int element(struct jp *j, int *state)
{
	int rc;

	if (*state == 0) {
		if ((rc = expect(j, '[', "expected an array")))
			return rc;
		*state = 1;
		if (peek(j, ']')) {
			j->p++;
			return 0;
		}
		return 1;
	}
	if (peek(j, ',')) {
		j->p++;
		return 1;
	}
	if (peek(j, ']')) {
		j->p++;
		return 0;
	}
	return jsyntax(j, "expected ',' or ']'");
}

/* Which known key, as a bit; a repeated known key is an error. */
static int known(struct jp *j, const char *key, const char *const *keys,
		 unsigned *seen)
{
	for (int i = 0; keys[i]; i++)
		if (strcmp(key, keys[i]) == 0) {
			if (*seen & (1u << i))
				return jentry(j, "duplicate key '%s'", key);
			*seen |= 1u << i;
			return i;
		}
	return UNKNOWN;
}

static int get_int(struct jp *j, const char *key, int64_t *out)
{
	double d;
	bool isint;
	int rc;

	ws(j);
	if (j->p < j->e && (*j->p == '"' || *j->p == '[' || *j->p == '{' ||
			    *j->p == 't' || *j->p == 'f' || *j->p == 'n'))
		return jentry(j, "%s is not an integer", key);
	if ((rc = number(j, &d, &isint, out)))
		return rc;
	if (!isint)
		return jentry(j, "%s is not an integer", key);
	return 0;
}

static int get_num(struct jp *j, const char *key, double *out)
{
	bool isint;
	int64_t iv;
	int rc;

	ws(j);
	if (j->p < j->e && !(*j->p == '-' || is_digit(*j->p)))
		return jentry(j, "%s is not a number", key);
	if ((rc = number(j, out, &isint, &iv)))
		return rc;
	if (!isfinite(*out))
		return jentry(j, "%s is not a finite number", key);
	return 0;
}

static int get_bbox(struct jp *j, double v[4])
{
	int st = 0, rc, n = 0;

	ws(j);
	if (j->p < j->e && *j->p != '[')
		return jentry(j, "bbox is not a list");
	while ((rc = element(j, &st)) == 1) {
		double x;

		if ((rc = get_num(j, "bbox", &x)))
			return rc;
		if (n < 4)
			v[n] = x;
		n++;
	}
	if (rc < 0)
		return rc;
	if (n != 4)
		return jentry(j, "bbox has %d numbers, expected 4", n);
	if (v[2] < 0)
		return jentry(j, "bbox has a negative width");
	if (v[3] < 0)
		return jentry(j, "bbox has a negative height");
	return 0;
}

/* ---- ground truth ---------------------------------------------------- */

struct idpos {
	int64_t id;
	size_t pos;
};

static int cmp_idpos(const void *pa, const void *pb)
{
	const struct idpos *a = pa, *b = pb;

	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

struct gtraw {
	struct idpos *img, *cat;
	char **img_name, **cat_name;
	size_t n_img, cap_img, n_cat, cap_cat;
	int64_t *ann_img, *ann_cat;  /* raw ids, parallel to s->gt */
	size_t cap_ann;
};

static int push(void **p, size_t *cap, size_t n, size_t size,
		struct vt_err *err)
{
	void *q;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	q = vt_realloc_array(*p, c, size);
	if (!q)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	*p = q;
	*cap = c;
	return 0;
}

/* images or categories: a list of objects with an integer "id" and an
 * optional string `strkey` (file_name, name); other keys are skipped. */
static int read_id_list(struct jp *j, const char *list, const char *strkey,
			struct idpos **v, char ***names, size_t *n, size_t *cap)
{
	const char *const keys[] = { "id", strkey, NULL };
	int st = 0, rc;

	ws(j);
	if (j->p < j->e && *j->p != '[')
		return vt_err_set(j->err, VT_EFORMAT, "'%s': %s is not a list",
				  j->name, list);
	for (j->index = 0; (rc = element(j, &st)) == 1; j->index++) {
		int ms = 0, k;
		unsigned seen = 0;
		char key[32], *str = NULL, **q;
		int64_t id = 0;

		if ((rc = push((void **)v, cap, *n, sizeof **v, j->err)))
			return rc;
		q = vt_realloc_array(*names, *cap, sizeof *q);
		if (!q)
			return vt_err_set(j->err, VT_ENOMEM, "out of memory");
		*names = q;
		if (!peek(j, '{'))
			return jentry(j, "not an object");
		while ((rc = member(j, &ms, key, sizeof key)) == 1) {
			if ((k = known(j, key, keys, &seen)) == UNKNOWN)
				rc = skip(j);
			else if (k < 0)
				rc = k;
			else if (k == 0)
				rc = get_int(j, "id", &id);
			else if (!peek(j, '"'))
				rc = jentry(j, "%s is not a string", strkey);
			else
				rc = str_dup(j, &str);
			if (rc) {
				free(str);
				return rc;
			}
		}
		if (rc < 0 || !(seen & 1)) {
			free(str);
			return rc < 0 ? rc : jentry(j, "no id");
		}
		(*v)[*n].id = id;
		(*v)[*n].pos = *n;
		(*names)[(*n)++] = str;
	}
	return rc;
}

static int read_images(struct jp *j, struct gtraw *r)
{
	j->what = "image";
	return read_id_list(j, "images", "file_name", &r->img, &r->img_name,
			    &r->n_img, &r->cap_img);
}

static int read_categories(struct jp *j, struct gtraw *r)
{
	j->what = "category";
	return read_id_list(j, "categories", "name", &r->cat, &r->cat_name,
			    &r->n_cat, &r->cap_cat);
}

static int read_annotations(struct jp *j, struct vt_eval_set *s,
			    struct gtraw *r)
{
	static const char *const keys[] = { "id", "image_id", "category_id",
		"bbox", "area", "iscrowd", NULL };
	int st = 0, rc;

	j->what = "annotation";
	ws(j);
	if (j->p < j->e && *j->p != '[')
		return vt_err_set(j->err, VT_EFORMAT, "'%s': annotations is "
				  "not a list", j->name);
	for (j->index = 0; (rc = element(j, &st)) == 1; j->index++) {
		int ms = 0, k;
		unsigned seen = 0;
		char key[32];
		int64_t img = 0, cat = 0, crowd = 0;
		double bb[4] = { 0 };
		struct vt_eval_gt g = { 0 };

		if (!peek(j, '{'))
			return jentry(j, "not an object");
		while ((rc = member(j, &ms, key, sizeof key)) == 1) {
			k = known(j, key, keys, &seen);
			switch (k) {
			case 0: rc = get_int(j, "id", &g.id); break;
			case 1: rc = get_int(j, "image_id", &img); break;
			case 2: rc = get_int(j, "category_id", &cat); break;
			case 3: rc = get_bbox(j, bb); break;
			case 4:
				rc = get_num(j, "area", &g.area);
				if (!rc && g.area < 0)
					rc = jentry(j, "area is negative");
				break;
			case 5:
				ws(j);
				if (peek(j, 't')) {
					rc = lit(j, "true");
					crowd = 1;
				} else if (peek(j, 'f')) {
					rc = lit(j, "false");
					crowd = 0;
				} else {
					rc = get_int(j, "iscrowd", &crowd);
					if (!rc && crowd != 0 && crowd != 1)
						rc = jentry(j, "iscrowd is "
							    "not 0 or 1");
				}
				break;
			default:
				rc = k == UNKNOWN ? skip(j) : k;
				break;
			}
			if (rc)
				return rc;
		}
		if (rc < 0)
			return rc;
		for (int i = 0; i < 5; i++)
			if (!(seen & (1u << i)))
				return jentry(j, "no %s", keys[i]);
		g.x1 = bb[0];
		g.y1 = bb[1];
		g.w = bb[2];
		g.h = bb[3];
		g.x2 = bb[0] + bb[2];
		g.y2 = bb[1] + bb[3];
		g.crowd = (uint8_t)crowd;
		if (g.id == 0)
			s->n_gt_id0++;
		if ((rc = vt_eval_set_add_gt(s, &g, j->err)))
			return rc;
		if (s->cap_gt > r->cap_ann) {
			int64_t *a = vt_realloc_array(r->ann_img, s->cap_gt,
						      sizeof *a);

			if (a)
				r->ann_img = a;
			a = a ? vt_realloc_array(r->ann_cat, s->cap_gt,
						 sizeof *a) : NULL;
			if (!a)
				return vt_err_set(j->err, VT_ENOMEM,
						  "out of memory");
			r->ann_cat = a;
			r->cap_ann = s->cap_gt;
		}
		r->ann_img[s->n_gt - 1] = img;
		r->ann_cat[s->n_gt - 1] = cat;
	}
	return rc;
}

/* Sort ids, refuse duplicates, move them and their names into place. */
static int settle(struct jp *j, struct idpos *ids, char **names, size_t n,
		  const char *what, int64_t **out_id, char ***out_name)
{
	qsort(ids, n, sizeof *ids, cmp_idpos);
	for (size_t i = 1; i < n; i++)
		if (ids[i].id == ids[i - 1].id)
			return vt_err_set(j->err, VT_EFORMAT, "'%s': %s %zu: "
					  "duplicate id %lld (as %s %zu)",
					  j->name, what, ids[i].pos,
					  (long long)ids[i].id, what,
					  ids[i - 1].pos);
	*out_id = vt_malloc_array(n + 1, sizeof **out_id);
	*out_name = vt_calloc_array(n + 1, sizeof **out_name);
	if (!*out_id || !*out_name)
		return vt_err_set(j->err, VT_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		(*out_id)[i] = ids[i].id;
		(*out_name)[i] = names[ids[i].pos];
		names[ids[i].pos] = NULL;
	}
	return 0;
}

static int cmp_gt_id(const void *pa, const void *pb)
{
	const struct idpos *a = pa, *b = pb;

	return cmp_idpos(a, b);
}

int vt_coco_read_gt(struct vt_eval_set *s, const char *buf, size_t len,
		    const char *name, struct vt_err *err)
{
	static const char *const keys[] = { "images", "categories",
		"annotations", NULL };
	struct jp j = { buf, buf, buf + len, name, err, 0, "entry", 0 };
	struct gtraw r = { 0 };
	unsigned seen = 0;
	char key[32];
	int st = 0, rc, k;

	ws(&j);
	if (j.p == j.e) {
		rc = vt_err_set(err, VT_EFORMAT, "'%s': empty input", name);
		goto out;
	}
	if (!peek(&j, '{')) {
		rc = vt_err_set(err, VT_EFORMAT, "'%s': not COCO ground truth "
				"(expected a JSON object)", name);
		goto out;
	}
	while ((rc = member(&j, &st, key, sizeof key)) == 1) {
		j.what = "entry";
		j.index = 0;
		k = known(&j, key, keys, &seen);
		if (k == UNKNOWN) {
			rc = skip(&j);
		} else if (k < 0) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': duplicate key "
					"'%s'", name, key);
		} else if (k == 0) {
			rc = read_images(&j, &r);
		} else if (k == 1) {
			rc = read_categories(&j, &r);
		} else {
			rc = read_annotations(&j, s, &r);
		}
		if (rc)
			goto out;
	}
	if (rc < 0)
		goto out;
	ws(&j);
	if (j.p != j.e) {
		rc = jsyntax(&j, "unexpected text after the JSON value");
		goto out;
	}
	for (int i = 0; i < 3; i++)
		if (!(seen & (1u << i))) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': no '%s' list",
					name, keys[i]);
			goto out;
		}
	if (r.n_img == 0) {
		rc = vt_err_set(err, VT_EFORMAT, "'%s': no images", name);
		goto out;
	}
	if (r.n_cat == 0) {
		rc = vt_err_set(err, VT_EFORMAT, "'%s': no categories", name);
		goto out;
	}
	if ((rc = settle(&j, r.img, r.img_name, r.n_img, "image", &s->img_id,
			 &s->img_name)))
		goto out;
	s->n_img = r.n_img;
	if ((rc = settle(&j, r.cat, r.cat_name, r.n_cat, "category",
			 &s->cat_id, &s->cat_name)))
		goto out;
	s->n_cat = r.n_cat;
	for (size_t i = 0; i < s->n_cat; i++)
		if (!s->cat_name[i]) {
			char tmp[32];

			snprintf(tmp, sizeof tmp, "%lld",
				 (long long)s->cat_id[i]);
			s->cat_name[i] = strdup(tmp);
			if (!s->cat_name[i]) {
				rc = vt_err_set(err, VT_ENOMEM, "out of memory");
				goto out;
			}
		}
	for (size_t i = 0; i < s->n_gt; i++) {
		long a = vt_eval_set_img_index(s, r.ann_img[i]);
		long c = vt_eval_set_cat_index(s, r.ann_cat[i]);

		if (a < 0) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': annotation %zu: "
					"image_id %lld is not in images", name,
					i, (long long)r.ann_img[i]);
			goto out;
		}
		if (c < 0) {
			rc = vt_err_set(err, VT_EFORMAT, "'%s': annotation %zu: "
					"category_id %lld is not in categories",
					name, i, (long long)r.ann_cat[i]);
			goto out;
		}
		s->gt[i].img = (uint32_t)a;
		s->gt[i].cat = (uint32_t)c;
	}
	/* annotation ids must be unique (pycocotools would keep the last) */
	{
		struct idpos *ids = vt_malloc_array(s->n_gt + 1, sizeof *ids);

		if (!ids) {
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < s->n_gt; i++)
			ids[i] = (struct idpos){ s->gt[i].id, i };
		qsort(ids, s->n_gt, sizeof *ids, cmp_gt_id);
		for (size_t i = 1; i < s->n_gt; i++)
			if (ids[i].id == ids[i - 1].id) {
				rc = vt_err_set(err, VT_EFORMAT, "'%s': "
						"annotation %zu: duplicate id "
						"%lld (as annotation %zu)",
						name, ids[i].pos,
						(long long)ids[i].id,
						ids[i - 1].pos);
				break;
			}
		free(ids);
	}
out:
	if (r.img_name)
		for (size_t i = 0; i < r.n_img; i++)
			free(r.img_name[i]);
	if (r.cat_name)
		for (size_t i = 0; i < r.n_cat; i++)
			free(r.cat_name[i]);
	free(r.img_name);
	free(r.cat_name);
	free(r.img);
	free(r.cat);
	free(r.ann_img);
	free(r.ann_cat);
	return rc;
}

/* ---- results --------------------------------------------------------- */

int vt_coco_read_dt(struct vt_eval_set *s, const char *buf, size_t len,
		    const char *name, struct vt_err *err)
{
	static const char *const keys[] = { "image_id", "category_id",
		"bbox", "score", NULL };
	struct jp j = { buf, buf, buf + len, name, err, 0, "entry", 0 };
	int st = 0, rc;

	ws(&j);
	if (j.p == j.e)
		return vt_err_set(err, VT_EFORMAT, "'%s': empty input", name);
	if (!peek(&j, '['))
		return vt_err_set(err, VT_EFORMAT, "'%s': not a COCO results "
				  "list (expected a JSON array)", name);
	for (j.index = 0; (rc = element(&j, &st)) == 1; j.index++) {
		int ms = 0, k;
		unsigned seen = 0;
		char key[32];
		int64_t img = 0, cat = 0;
		double bb[4] = { 0 };
		struct vt_eval_dt d = { 0 };
		long ii, ci;

		if (!peek(&j, '{'))
			return jentry(&j, "not an object");
		while ((rc = member(&j, &ms, key, sizeof key)) == 1) {
			k = known(&j, key, keys, &seen);
			switch (k) {
			case 0: rc = get_int(&j, "image_id", &img); break;
			case 1: rc = get_int(&j, "category_id", &cat); break;
			case 2: rc = get_bbox(&j, bb); break;
			case 3: rc = get_num(&j, "score", &d.score); break;
			default: rc = k == UNKNOWN ? skip(&j) : k; break;
			}
			if (rc)
				return rc;
		}
		if (rc < 0)
			return rc;
		for (int i = 0; i < 4; i++)
			if (!(seen & (1u << i)))
				return jentry(&j, "no %s", keys[i]);
		ii = vt_eval_set_img_index(s, img);
		if (ii < 0)
			return jentry(&j, "image_id %lld is not in the ground "
				      "truth", (long long)img);
		ci = vt_eval_set_cat_index(s, cat);
		if (ci < 0) {
			s->n_dt_dropped++;
			continue;
		}
		d.x1 = bb[0];
		d.y1 = bb[1];
		d.w = bb[2];
		d.h = bb[3];
		d.x2 = bb[0] + bb[2];
		d.y2 = bb[1] + bb[3];
		d.img = (uint32_t)ii;
		d.cat = (uint32_t)ci;
		if ((rc = vt_eval_set_add_dt(s, &d, err)))
			return rc;
	}
	if (rc < 0)
		return rc;
	ws(&j);
	if (j.p != j.e)
		return jsyntax(&j, "unexpected text after the JSON value");
	return 0;
}

