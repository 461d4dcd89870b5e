/* header.c - a strict JSON parser for safetensors headers.
 *
 * Only the shapes a safetensors header may take are accepted: one object of
 * tensor entries and an optional "__metadata__" object of strings.  Strings
 * are decoded into one arena no larger than the header, integers are parsed
 * exactly (never through double), and every key is checked for duplicates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "header.h"
#include "vt/size.h"
#include "vt/utf8.h"

struct cursor {
	const char *s;
	size_t len, pos;
	char *arena;
	size_t arena_pos;
	struct vt_err *err;
};

/* Short printable excerpt of a string for messages. */
#define SHOW(p, n) (int)((n) > 80 ? 80 : (n)), (p)

static int fail(struct cursor *c, const char *what)
{
	return vt_err_set(c->err, VT_EFORMAT, "header: %s at byte %zu", what,
			  c->pos);
}

static void skip_ws(struct cursor *c)
{
	while (c->pos < c->len) {
		char ch = c->s[c->pos];
		if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
			break;
		c->pos++;
	}
}

static int expect(struct cursor *c, char ch, const char *what)
{
	skip_ws(c);
	if (c->pos >= c->len || c->s[c->pos] != ch)
		return fail(c, what);
	c->pos++;
	return 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int read_hex4(struct cursor *c, unsigned *out)
{
	unsigned v = 0;

	if (c->len - c->pos < 4)
		return fail(c, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		int h = hexval(c->s[c->pos + i]);
		if (h < 0)
			return fail(c, "bad \\u escape");
		v = v << 4 | (unsigned)h;
	}
	c->pos += 4;
	*out = v;
	return 0;
}

static void put_utf8(struct cursor *c, unsigned cp)
{
	char *o = c->arena + c->arena_pos;

	if (cp < 0x80) {
		o[0] = (char)cp;
		c->arena_pos += 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		c->arena_pos += 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		c->arena_pos += 3;
	} else {
		o[0] = (char)(0xf0 | cp >> 18);
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		c->arena_pos += 4;
	}
}

/* Decode a JSON string into the arena.  The decoded form (plus its NUL) is
 * never longer than the quoted source, so the arena cannot overflow. */
static int parse_string(struct cursor *c, const char **out, size_t *out_len)
{
	size_t start;

	skip_ws(c);
	if (c->pos >= c->len || c->s[c->pos] != '"')
		return fail(c, "expected a string");
	c->pos++;
	start = c->arena_pos;
	for (;;) {
		unsigned char ch;

		if (c->pos >= c->len)
			return fail(c, "unterminated string");
		ch = (unsigned char)c->s[c->pos++];
		if (ch == '"')
			break;
		if (ch < 0x20)
			return fail(c, "control character in string");
		if (ch != '\\') {
			c->arena[c->arena_pos++] = (char)ch;
			continue;
		}
		if (c->pos >= c->len)
			return fail(c, "unterminated string");
		ch = (unsigned char)c->s[c->pos++];
		switch (ch) {
		case '"': case '\\': case '/':
			c->arena[c->arena_pos++] = (char)ch;
			break;
		case 'b': c->arena[c->arena_pos++] = '\b'; break;
		case 'f': c->arena[c->arena_pos++] = '\f'; break;
		case 'n': c->arena[c->arena_pos++] = '\n'; break;
		case 'r': c->arena[c->arena_pos++] = '\r'; break;
		case 't': c->arena[c->arena_pos++] = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			int rc = read_hex4(c, &cp);
			if (rc)
				return rc;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(c, "lone surrogate in \\u escape");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (c->len - c->pos < 2 || c->s[c->pos] != '\\' ||
				    c->s[c->pos + 1] != 'u')
					return fail(c, "lone surrogate in \\u escape");
				c->pos += 2;
				rc = read_hex4(c, &lo);
				if (rc)
					return rc;
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(c, "bad surrogate pair");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (cp == 0)
				return fail(c, "NUL character in string");
			put_utf8(c, cp);
			break;
		}
		default:
			return fail(c, "bad escape in string");
		}
	}
	*out = c->arena + start;
	*out_len = c->arena_pos - start;
	c->arena[c->arena_pos++] = '\0';
	return 0;
}

/* A non-negative integer written as plain digits, at most 2^48-1.  what
 * names it in messages: "tensor 'x': shape entry 1". */
static int parse_extent(struct cursor *c, uint64_t *out, const char *what)
{
	uint64_t v = 0;
	size_t start;

	skip_ws(c);
	start = c->pos;
	while (c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
		v = v * 10 + (uint64_t)(c->s[c->pos] - '0');
		if (v > VT_MAX_EXTENT)
			return vt_err_set(c->err, VT_EFORMAT,
					  "header: %s exceeds 2^48-1", what);
		c->pos++;
	}
	if (c->pos == start || (c->pos < c->len &&
				strchr("-+.eE", c->s[c->pos]) && c->s[c->pos]))
		return vt_err_set(c->err, VT_EFORMAT,
				  "header: %s is not a non-negative integer",
				  what);
	if (c->pos - start > 1 && c->s[start] == '0')
		return vt_err_set(c->err, VT_EFORMAT,
				  "header: %s has a leading zero", what);
	*out = v;
	return 0;
}

static bool peek(struct cursor *c, char ch)
{
	skip_ws(c);
	return c->pos < c->len && c->s[c->pos] == ch;
}

static int parse_meta(struct vt_hdr *h, struct cursor *c)
{
	int rc = expect(c, '{', "__metadata__ is not an object");

	if (rc)
		return rc;
	if (peek(c, '}')) {
		c->pos++;
		return 0;
	}
	for (;;) {
		struct vt_hdr_meta m;

		rc = parse_string(c, &m.key, &m.key_len);
		if (rc)
			return rc;
		if ((rc = expect(c, ':', "expected ':'")))
			return rc;
		skip_ws(c);
		if (c->pos >= c->len || c->s[c->pos] != '"')
			return vt_err_set(c->err, VT_EFORMAT,
					  "header: __metadata__ value of '%.*s' "
					  "is not a string", SHOW(m.key, m.key_len));
		rc = parse_string(c, &m.value, &m.value_len);
		if (rc)
			return rc;
		if (h->n_meta == h->cap_meta) {
			size_t cap = h->cap_meta ? 2 * h->cap_meta : 8;
			void *p = vt_realloc_array(h->meta, cap, sizeof *h->meta);
			if (!p)
				return vt_err_set(c->err, VT_ENOMEM, "out of memory");
			h->meta = p;
			h->cap_meta = cap;
		}
		h->meta[h->n_meta++] = m;
		if (peek(c, ',')) {
			c->pos++;
			continue;
		}
		return expect(c, '}', "expected ',' or '}' in __metadata__");
	}
}

enum { K_DTYPE = 1, K_SHAPE = 2, K_OFFSETS = 4 };

static int parse_tensor(struct cursor *c, struct vt_hdr_tensor *t)
{
	char what[128];
	unsigned seen = 0;
	int rc = expect(c, '{', "tensor entry is not an object");

	if (rc)
		return vt_err_set(c->err, VT_EFORMAT,
				  "header: tensor '%.*s': entry is not an object",
				  SHOW(t->name, t->name_len));
	for (;;) {
		const char *key;
		size_t klen;
		unsigned bit;

		if (peek(c, '}') && seen == 0)
			break;
		rc = parse_string(c, &key, &klen);
		if (rc)
			return rc;
		if (klen == 5 && memcmp(key, "dtype", 5) == 0)
			bit = K_DTYPE;
		else if (klen == 5 && memcmp(key, "shape", 5) == 0)
			bit = K_SHAPE;
		else if (klen == 12 && memcmp(key, "data_offsets", 12) == 0)
			bit = K_OFFSETS;
		else
			return vt_err_set(c->err, VT_EFORMAT,
					  "header: tensor '%.*s': unknown key '%.*s'",
					  SHOW(t->name, t->name_len), SHOW(key, klen));
		if (seen & bit)
			return vt_err_set(c->err, VT_EFORMAT,
					  "header: tensor '%.*s': duplicate key '%s'",
					  SHOW(t->name, t->name_len), key);
		seen |= bit;
		if ((rc = expect(c, ':', "expected ':'")))
			return rc;
		if (bit == K_DTYPE) {
			const char *d;
			size_t dlen;
			skip_ws(c);
			if (c->pos >= c->len || c->s[c->pos] != '"')
				return vt_err_set(c->err, VT_EFORMAT,
						  "header: tensor '%.*s': dtype is not a string",
						  SHOW(t->name, t->name_len));
			if ((rc = parse_string(c, &d, &dlen)))
				return rc;
			if (vt_dtype_parse(d, dlen, &t->dtype))
				return vt_err_set(c->err, VT_EUNSUP,
						  "header: tensor '%.*s': unknown dtype '%.*s'",
						  SHOW(t->name, t->name_len), SHOW(d, dlen));
		} else if (bit == K_SHAPE) {
			if ((rc = expect(c, '[', "shape is not an array")))
				return vt_err_set(c->err, VT_EFORMAT,
						  "header: tensor '%.*s': shape is not an array",
						  SHOW(t->name, t->name_len));
			t->rank = 0;
			if (peek(c, ']')) {
				c->pos++;
			} else {
				for (;;) {
					if (t->rank == VT_MAX_RANK)
						return vt_err_set(c->err, VT_EUNSUP,
								  "header: tensor '%.*s': rank above %d",
								  SHOW(t->name, t->name_len), VT_MAX_RANK);
					snprintf(what, sizeof what,
						 "tensor '%.*s': shape entry %d",
						 SHOW(t->name, t->name_len), t->rank);
					if ((rc = parse_extent(c, &t->shape[t->rank], what)))
						return rc;
					t->rank++;
					if (peek(c, ',')) {
						c->pos++;
						continue;
					}
					if ((rc = expect(c, ']', "expected ',' or ']' in shape")))
						return rc;
					break;
				}
			}
		} else {
			uint64_t v[2];
			if ((rc = expect(c, '[', "data_offsets is not an array")))
				return vt_err_set(c->err, VT_EFORMAT,
						  "header: tensor '%.*s': data_offsets is not an array",
						  SHOW(t->name, t->name_len));
			for (int i = 0; i < 2; i++) {
				if (i && (rc = expect(c, ',', "")))
					return vt_err_set(c->err, VT_EFORMAT,
							  "header: tensor '%.*s': data_offsets needs 2 entries",
							  SHOW(t->name, t->name_len));
				snprintf(what, sizeof what,
					 "tensor '%.*s': data offset %d",
					 SHOW(t->name, t->name_len), i);
				if ((rc = parse_extent(c, &v[i], what)))
					return rc;
			}
			if ((rc = expect(c, ']', "")))
				return vt_err_set(c->err, VT_EFORMAT,
						  "header: tensor '%.*s': data_offsets needs 2 entries",
						  SHOW(t->name, t->name_len));
			t->begin = v[0];
			t->end = v[1];
		}
		if (peek(c, ',')) {
			c->pos++;
			continue;
		}
		if ((rc = expect(c, '}', "expected ',' or '}' in tensor entry")))
			return rc;
		break;
	}
	if (seen != (K_DTYPE | K_SHAPE | K_OFFSETS))
		return vt_err_set(c->err, VT_EFORMAT,
				  "header: tensor '%.*s': missing key '%s'",
				  SHOW(t->name, t->name_len),
				  !(seen & K_DTYPE) ? "dtype" :
				  !(seen & K_SHAPE) ? "shape" : "data_offsets");
	return 0;
}

struct key_ref {
	const char *s;
	size_t len;
};

static int cmp_key(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Report the first duplicate among n keys. */
static int check_dups(struct key_ref *k, size_t n, const char *where,
		      struct vt_err *err)
{
	qsort(k, n, sizeof *k, cmp_key);
	for (size_t i = 1; i < n; i++)
		if (cmp_key(&k[i - 1], &k[i]) == 0)
			return vt_err_set(err, VT_EFORMAT,
					  "header: duplicate %s '%.*s'", where,
					  SHOW(k[i].s, k[i].len));
	return 0;
}

static int cmp_begin(const void *a, const void *b)
{
	const struct vt_hdr_tensor *x = *(const struct vt_hdr_tensor *const *)a;
	const struct vt_hdr_tensor *y = *(const struct vt_hdr_tensor *const *)b;

	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

static int validate(struct vt_hdr *h, struct vt_err *err)
{
	size_t n = h->n_tensors > h->n_meta ? h->n_tensors : h->n_meta;
	struct key_ref *keys = vt_malloc_array(n ? n : 1, sizeof *keys);
	struct vt_hdr_tensor **order;
	uint64_t expect_begin = 0;
	int rc = 0;

	if (!keys)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	for (size_t i = 0; i < h->n_meta; i++)
		keys[i] = (struct key_ref){ h->meta[i].key, h->meta[i].key_len };
	rc = check_dups(keys, h->n_meta, "__metadata__ key", err);
	for (size_t i = 0; !rc && i < h->n_tensors; i++)
		keys[i] = (struct key_ref){ h->tensors[i].name, h->tensors[i].name_len };
	if (!rc)
		rc = check_dups(keys, h->n_tensors, "tensor name", err);
	free(keys);
	if (rc)
		return rc;

	for (size_t i = 0; i < h->n_tensors; i++) {
		struct vt_hdr_tensor *t = &h->tensors[i];
		uint64_t numel, nbytes;
		struct vt_err sub;

		if (!vt_tensor_name_valid(t->name, t->name_len))
			return vt_err_set(err, VT_EFORMAT,
					  "header: invalid tensor name '%.*s' "
					  "(1-255 bytes, no control characters)",
					  SHOW(t->name, t->name_len));
		if (vt_shape_size(t->dtype, t->rank, t->shape, &numel, &nbytes, &sub))
			return vt_err_set(err, VT_EFORMAT,
					  "header: tensor '%.*s': %s",
					  SHOW(t->name, t->name_len), sub.msg);
		if (t->end < t->begin)
			return vt_err_set(err, VT_EFORMAT,
					  "header: tensor '%.*s': data_offsets [%llu, %llu] "
					  "end before they begin",
					  SHOW(t->name, t->name_len),
					  (unsigned long long)t->begin,
					  (unsigned long long)t->end);
		if (t->end - t->begin != nbytes)
			return vt_err_set(err, VT_EFORMAT,
					  "header: tensor '%.*s': data_offsets [%llu, %llu] "
					  "span %llu bytes, %s %s needs %llu",
					  SHOW(t->name, t->name_len),
					  (unsigned long long)t->begin,
					  (unsigned long long)t->end,
					  (unsigned long long)(t->end - t->begin),
					  vt_dtype_name(t->dtype),
					  t->rank ? "shape" : "scalar",
					  (unsigned long long)nbytes);
	}

	order = vt_malloc_array(h->n_tensors ? h->n_tensors : 1, sizeof *order);
	if (!order)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	for (size_t i = 0; i < h->n_tensors; i++)
		order[i] = &h->tensors[i];
	qsort(order, h->n_tensors, sizeof *order, cmp_begin);
	for (size_t i = 0; i < h->n_tensors; i++) {
		const struct vt_hdr_tensor *t = order[i];
		if (t->begin != expect_begin) {
			rc = vt_err_set(err, VT_EFORMAT,
					"header: tensor '%.*s' starts at byte %llu, "
					"expected %llu (%s)", SHOW(t->name, t->name_len),
					(unsigned long long)t->begin,
					(unsigned long long)expect_begin,
					t->begin > expect_begin ? "a hole in the data" :
					"overlaps another tensor");
			break;
		}
		expect_begin = t->end;
	}
	free(order);
	h->data_len = expect_begin;
	return rc;
}

int vt_hdr_parse(struct vt_hdr *h, const char *buf, size_t len,
		 struct vt_err *err)
{
	struct cursor c = { .s = buf, .len = len, .err = err };
	bool seen_meta = false;
	int rc;

	memset(h, 0, sizeof *h);
	if (!vt_utf8_valid(buf, len))
		return vt_err_set(err, VT_EFORMAT, "header: not valid UTF-8");
	if (len == 0 || buf[0] != '{')
		return vt_err_set(err, VT_EFORMAT,
				  "header: does not start with '{'");
	h->arena = malloc(len + 1);
	if (!h->arena)
		return vt_err_set(err, VT_ENOMEM, "out of memory for the header");
	c.arena = h->arena;
	c.pos = 1;
	if (peek(&c, '}')) {
		c.pos++;
		goto tail;
	}
	for (;;) {
		const char *key;
		size_t klen;

		if ((rc = parse_string(&c, &key, &klen)))
			goto fail;
		if ((rc = expect(&c, ':', "expected ':'")))
			goto fail;
		if (klen == 12 && memcmp(key, "__metadata__", 12) == 0) {
			if (seen_meta) {
				rc = vt_err_set(err, VT_EFORMAT,
						"header: duplicate key '__metadata__'");
				goto fail;
			}
			seen_meta = true;
			if ((rc = parse_meta(h, &c)))
				goto fail;
		} else {
			struct vt_hdr_tensor t;
			memset(&t, 0, sizeof t);
			t.name = key;
			t.name_len = klen;
			if ((rc = parse_tensor(&c, &t)))
				goto fail;
			if (h->n_tensors == h->cap_tensors) {
				size_t cap = h->cap_tensors ? 2 * h->cap_tensors : 8;
				void *p = vt_realloc_array(h->tensors, cap,
							   sizeof *h->tensors);
				if (!p) {
					rc = vt_err_set(err, VT_ENOMEM, "out of memory");
					goto fail;
				}
				h->tensors = p;
				h->cap_tensors = cap;
			}
			h->tensors[h->n_tensors++] = t;
		}
		if (peek(&c, ',')) {
			c.pos++;
			continue;
		}
		if ((rc = expect(&c, '}', "expected ',' or '}'")))
			goto fail;
		break;
	}
tail:
	for (; c.pos < len; c.pos++)
		if (buf[c.pos] != ' ') {
			rc = vt_err_set(err, VT_EFORMAT,
					"header: unexpected byte 0x%02x after the "
					"JSON object at byte %zu (only spaces may "
					"pad it)", (unsigned char)buf[c.pos], c.pos);
			goto fail;
		}
	if ((rc = validate(h, err)))
		goto fail;
	return 0;
fail:
	vt_hdr_release(h);
	return rc;
}

void vt_hdr_release(struct vt_hdr *h)
{
	if (!h)
		return;
	free(h->arena);
	free(h->tensors);
	free(h->meta);
	memset(h, 0, sizeof *h);
}
