/* npy.c - NumPy .npy files: a strict reader and a NumPy-compatible writer.
 *
 * Layout (NumPy's format.py, "NEP 1"): the magic "\x93NUMPY", the version
 * bytes major, minor; the header length as u16 (1.0) or u32 (2.0, 3.0),
 * little-endian; the header, a Python dict literal padded with spaces and
 * ended by '\n' (ASCII/latin-1 for 1.0 and 2.0, UTF-8 for 3.0); then the raw
 * array data up to the end of the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vt/npy.h"
#include "vt/outfile.h"
#include "vt/size.h"
#include "vt/utf8.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "npy.c reads and writes data as little-endian host memory");

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_PREFIX_LEN 8        /* magic and the two version bytes */
#define NPY_ALIGN 64            /* data offset alignment, as NumPy writes */
#define NPY_GROWTH_DIGITS 21    /* NumPy's spare room after the header */

/* The descr NumPy writes for each dtype; NULL where there is none. */
static const char *const npy_descr[] = {
	[VT_F32] = "<f4", [VT_F64] = "<f8", [VT_F16] = "<f2",
	[VT_BF16] = NULL, [VT_I64] = "<i8", [VT_I32] = "<i4",
	[VT_I16] = "<i2", [VT_I8] = "|i1", [VT_U8] = "|u1",
	[VT_BOOL] = "|b1", [VT_U16] = "<u2", [VT_U32] = "<u4",
	[VT_U64] = "<u8",
};

_Static_assert(sizeof npy_descr / sizeof npy_descr[0] == VT_DTYPE_COUNT,
	       "npy descr table out of step with enum vt_dtype");

/* What the header says. */
struct npy_hdr {
	int major;
	enum vt_dtype dtype;
	int rank;
	uint64_t shape[VT_MAX_RANK];
	bool fortran;
	uint64_t nbytes;            /* data size the shape implies */
};

/* At most 40 bytes of s for a message, non-printable bytes shown as '?'. */
static const char *shown(char *buf, size_t size, const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 4 < size && i < 40; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (len > 40 && n + 4 < size) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

bool vt_npy_magic(const void *buf, size_t len)
{
	return buf && len >= NPY_MAGIC_LEN &&
	       memcmp(buf, NPY_MAGIC, NPY_MAGIC_LEN) == 0;
}

/* The first len (< 8 allowed) bytes of a file: magic and version.  Sets the
 * major version and the width of the header length field. */
static int check_prefix(const unsigned char *p, size_t len, int *major,
			size_t *len_bytes, struct vt_err *err)
{
	size_t m = len < NPY_MAGIC_LEN ? len : NPY_MAGIC_LEN;

	if (len == 0)
		return vt_err_set(err, VT_EFORMAT, "empty file, not a .npy file");
	if (memcmp(p, NPY_MAGIC, m) != 0)
		return vt_err_set(err, VT_EFORMAT,
				  "not a .npy file (no \\x93NUMPY magic)");
	if (len < NPY_PREFIX_LEN)
		return vt_err_set(err, VT_EFORMAT,
				  "truncated in the .npy magic and version "
				  "(%zu bytes)", len);
	if (p[7] != 0 || p[6] < 1 || p[6] > 3)
		return vt_err_set(err, VT_EUNSUP,
				  ".npy format version %u.%u is not supported "
				  "(only 1.0, 2.0, 3.0)", p[6], p[7]);
	*major = p[6];
	*len_bytes = *major == 1 ? 2 : 4;
	return 0;
}

static int check_header_len(const unsigned char *p, size_t len_bytes,
			    size_t *hlen, struct vt_err *err)
{
	uint32_t n = (uint32_t)p[0] | (uint32_t)p[1] << 8;

	if (len_bytes == 4)
		n |= (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	if (n > VT_NPY_HEADER_MAX)
		return vt_err_set(err, VT_ELIMIT,
				  "header length %lu is above the limit of %u "
				  "bytes", (unsigned long)n, VT_NPY_HEADER_MAX);
	*hlen = n;
	return 0;
}

/* Header dict parsing. */

struct cursor {
	const char *s;
	size_t n, i;
	int major;
};

static void skip_ws(struct cursor *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
		c->i++;
}

static bool eat(struct cursor *c, char ch)
{
	if (c->i < c->n && c->s[c->i] == ch) {
		c->i++;
		return true;
	}
	return false;
}

static bool is_ident(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
	       (unsigned char)ch >= 0x80;
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* A Python string literal in single or double quotes, without escapes. */
static int parse_str(struct cursor *c, const char *what, const char **s,
		     size_t *len, struct vt_err *err)
{
	char q;
	size_t start;

	if (c->i >= c->n || (c->s[c->i] != '\'' && c->s[c->i] != '"'))
		return vt_err_set(err, VT_EFORMAT,
				  "header: expected a quoted %s at byte %zu",
				  what, c->i);
	q = c->s[c->i++];
	start = c->i;
	while (c->i < c->n && c->s[c->i] != q) {
		if (c->s[c->i] == '\\')
			return vt_err_set(err, VT_EFORMAT,
					  "header: escape sequences in strings "
					  "are not supported (byte %zu)", c->i);
		if (c->s[c->i] == '\n')
			break;
		c->i++;
	}
	if (c->i >= c->n || c->s[c->i] != q)
		return vt_err_set(err, VT_EFORMAT,
				  "header: unterminated string at byte %zu",
				  start - 1);
	*s = c->s + start;
	*len = c->i - start;
	c->i++;
	return 0;
}

static int parse_descr(struct cursor *c, struct npy_hdr *h, struct vt_err *err)
{
	char buf[48];
	const char *s;
	size_t len;
	int rc;

	if (c->i < c->n && c->s[c->i] == '[')
		return vt_err_set(err, VT_EUNSUP,
				  "structured dtypes are not supported");
	if (c->i >= c->n || (c->s[c->i] != '\'' && c->s[c->i] != '"'))
		return vt_err_set(err, VT_EFORMAT,
				  "header: 'descr' is not a string");
	rc = parse_str(c, "descr", &s, &len, err);
	if (rc)
		return rc;
	if ((len >= 1 && s[0] == 'O') ||
	    (len >= 2 && s[0] && strchr("<>|=", s[0]) && s[1] == 'O'))
		return vt_err_set(err, VT_EUNSUP,
				  "object arrays are not supported");
	for (int dt = 0; dt < VT_DTYPE_COUNT; dt++) {
		const char *d = npy_descr[dt];

		/* Compare kind and size; the byte order is checked below. */
		if (!d || len != strlen(d) || memcmp(s + 1, d + 1, len - 1))
			continue;
		if (s[0] == '<' || (vt_dtype_size((enum vt_dtype)dt) == 1 &&
				    s[0] && strchr("|=>", s[0]))) {
			h->dtype = (enum vt_dtype)dt;
			return 0;
		}
		if (s[0] == '>')
			return vt_err_set(err, VT_EUNSUP,
					  "big-endian dtype '%s' is not "
					  "supported", shown(buf, sizeof buf,
							     s, len));
		return vt_err_set(err, VT_EUNSUP,
				  "dtype '%s' is not explicitly little-endian",
				  shown(buf, sizeof buf, s, len));
	}
	return vt_err_set(err, VT_EUNSUP,
			  "dtype '%s' is not supported (only little-endian "
			  "bool, integer and float types)",
			  shown(buf, sizeof buf, s, len));
}

static int parse_bool(struct cursor *c, bool *out, struct vt_err *err)
{
	static const struct { const char *word; bool value; } words[] = {
		{ "True", true }, { "False", false },
	};

	for (size_t k = 0; k < 2; k++) {
		size_t w = strlen(words[k].word);

		if (c->n - c->i >= w && memcmp(c->s + c->i, words[k].word, w) == 0 &&
		    (c->i + w == c->n || !is_ident(c->s[c->i + w]))) {
			c->i += w;
			*out = words[k].value;
			return 0;
		}
	}
	return vt_err_set(err, VT_EFORMAT,
			  "header: 'fortran_order' is not True or False");
}

/* One shape entry: decimal digits without a sign or a leading zero (and the
 * Python 2 'L' suffix in format 1.0 and 2.0 files). */
static int parse_dim(struct cursor *c, int k, uint64_t *out,
		     struct vt_err *err)
{
	uint64_t v = 0;
	bool big = false;
	size_t start = c->i;

	while (c->i < c->n && is_digit(c->s[c->i])) {
		if (v > VT_MAX_EXTENT)
			big = true;
		else
			v = v * 10 + (uint64_t)(c->s[c->i] - '0');
		c->i++;
	}
	if (c->major < 3 && eat(c, 'L') && c->i - start == 1)
		c->i = start;   /* a lone 'L' is no number */
	if (c->i == start || (c->s[start] == '0' && c->i - start > 1 &&
			      is_digit(c->s[start + 1])) ||
	    (c->i < c->n && is_ident(c->s[c->i])))
		return vt_err_set(err, VT_EFORMAT,
				  "shape entry %d is not a non-negative "
				  "integer", k);
	if (big || v > VT_MAX_EXTENT)
		return vt_err_set(err, VT_EUNSUP,
				  "shape entry %d is above 2^48-1", k);
	*out = v;
	return 0;
}

static int parse_shape(struct cursor *c, struct npy_hdr *h, struct vt_err *err)
{
	int n = 0;
	int rc;

	if (!eat(c, '('))
		return vt_err_set(err, VT_EFORMAT,
				  "header: 'shape' is not a tuple");
	skip_ws(c);
	if (eat(c, ')')) {
		h->rank = 0;
		return 0;
	}
	for (;;) {
		uint64_t v = 0;

		rc = parse_dim(c, n, &v, err);
		if (rc)
			return rc;
		if (n == VT_MAX_RANK)
			return vt_err_set(err, VT_EUNSUP,
					  "shape has more than %d dimensions",
					  VT_MAX_RANK);
		h->shape[n++] = v;
		skip_ws(c);
		if (eat(c, ',')) {
			skip_ws(c);
			if (eat(c, ')'))
				break;
			continue;
		}
		if (eat(c, ')')) {
			if (n == 1)
				return vt_err_set(err, VT_EFORMAT,
						  "header: 'shape' (%llu) is "
						  "not a tuple (a 1-tuple needs "
						  "a trailing comma)",
						  (unsigned long long)v);
			break;
		}
		return vt_err_set(err, VT_EFORMAT,
				  "header: expected ',' or ')' after shape "
				  "entry %d", n - 1);
	}
	h->rank = n;
	return 0;
}

enum { KEY_DESCR, KEY_FORTRAN, KEY_SHAPE, KEY_COUNT };

static const char *const key_names[KEY_COUNT] = {
	[KEY_DESCR] = "descr",
	[KEY_FORTRAN] = "fortran_order",
	[KEY_SHAPE] = "shape",
};

static int parse_dict(const char *s, size_t len, struct npy_hdr *h,
		      struct vt_err *err)
{
	struct cursor c = { s, len, 0, h->major };
	bool seen[KEY_COUNT] = { false };
	char buf[48];
	int rc;

	if (h->major == 3 && !vt_utf8_valid(s, len))
		return vt_err_set(err, VT_EFORMAT,
				  "header is not valid UTF-8");
	if (len == 0 || s[len - 1] != '\n')
		return vt_err_set(err, VT_EFORMAT,
				  "header does not end with a newline");
	c.n = len - 1;
	if (!eat(&c, '{'))
		return vt_err_set(err, VT_EFORMAT,
				  "header does not start with '{'");
	for (;;) {
		const char *key;
		size_t klen;
		int k;

		skip_ws(&c);
		if (eat(&c, '}'))
			break;
		rc = parse_str(&c, "key", &key, &klen, err);
		if (rc)
			return rc;
		for (k = 0; k < KEY_COUNT; k++)
			if (strlen(key_names[k]) == klen &&
			    memcmp(key_names[k], key, klen) == 0)
				break;
		if (k == KEY_COUNT)
			return vt_err_set(err, VT_EFORMAT,
					  "header: unknown key '%s'",
					  shown(buf, sizeof buf, key, klen));
		if (seen[k])
			return vt_err_set(err, VT_EFORMAT,
					  "header: key '%s' appears twice",
					  key_names[k]);
		skip_ws(&c);
		if (!eat(&c, ':'))
			return vt_err_set(err, VT_EFORMAT,
					  "header: expected ':' after '%s'",
					  key_names[k]);
		skip_ws(&c);
		switch (k) {
		case KEY_DESCR:
			rc = parse_descr(&c, h, err);
			break;
		case KEY_FORTRAN:
			rc = parse_bool(&c, &h->fortran, err);
			break;
		default:
			rc = parse_shape(&c, h, err);
			break;
		}
		if (rc)
			return rc;
		seen[k] = true;
		skip_ws(&c);
		if (eat(&c, ','))
			continue;
		if (eat(&c, '}'))
			break;
		return vt_err_set(err, VT_EFORMAT,
				  "header: expected ',' or '}' after the value "
				  "of '%s'", key_names[k]);
	}
	for (; c.i < c.n; c.i++)
		if (s[c.i] != ' ')
			return vt_err_set(err, VT_EFORMAT,
					  "header: unexpected byte 0x%02x after "
					  "the dict (only spaces may pad it)",
					  (unsigned char)s[c.i]);
	for (int k = 0; k < KEY_COUNT; k++)
		if (!seen[k])
			return vt_err_set(err, VT_EFORMAT,
					  "header has no '%s' key", key_names[k]);
	{
		uint64_t numel;

		return vt_shape_size(h->dtype, h->rank, h->shape, &numel,
				     &h->nbytes, err);
	}
}

/* Data and tensors. */

/* dst: the array in C order; src: the same array in Fortran order. */
static void fortran_to_c(void *dst, const void *src, const struct npy_hdr *h)
{
	size_t es = vt_dtype_size(h->dtype);
	uint64_t stride[VT_MAX_RANK], idx[VT_MAX_RANK] = { 0 };
	uint64_t numel = 1, off = 0;
	unsigned char *d = dst;
	const unsigned char *s = src;

	for (int k = 0; k < h->rank; k++) {
		stride[k] = numel;
		numel *= h->shape[k];
	}
	for (uint64_t i = 0; i < numel; i++) {
		memcpy(d + i * es, s + off * es, es);
		for (int k = h->rank - 1; k >= 0; k--) {
			off += stride[k];
			if (++idx[k] < h->shape[k])
				break;
			off -= stride[k] * h->shape[k];
			idx[k] = 0;
		}
	}
}

/* Make out own data (a malloc'd C-order array of h's shape). */
static int adopt(const struct npy_hdr *h, void *data, struct vt_tensor *out,
		 struct vt_err *err)
{
	int rc = vt_tensor_init_view(out, NULL, h->dtype, h->rank, h->shape,
				     data, err);

	if (rc) {
		free(data);
		return rc;
	}
	out->owns_data = true;
	return 0;
}

static int data_size_error(struct vt_err *err, uint64_t want, uint64_t have)
{
	return vt_err_set(err, VT_EFORMAT,
			  "expected %llu bytes of data, file has %llu",
			  (unsigned long long)want, (unsigned long long)have);
}

static int read_mem(const unsigned char *p, size_t len, struct vt_tensor *out,
		    struct vt_err *err)
{
	struct npy_hdr h = { 0 };
	size_t lb = 0, hlen = 0, off;
	void *data;
	int rc;

	rc = check_prefix(p, len, &h.major, &lb, err);
	if (rc)
		return rc;
	if (len < NPY_PREFIX_LEN + lb)
		return vt_err_set(err, VT_EFORMAT,
				  "truncated in the header length");
	rc = check_header_len(p + NPY_PREFIX_LEN, lb, &hlen, err);
	if (rc)
		return rc;
	off = NPY_PREFIX_LEN + lb;
	if (hlen > len - off)
		return vt_err_set(err, VT_EFORMAT,
				  "header of %zu bytes runs past the end of the "
				  "file (%zu bytes)", hlen, len);
	rc = parse_dict((const char *)p + off, hlen, &h, err);
	if (rc)
		return rc;
	off += hlen;
	if (h.nbytes != len - off)
		return data_size_error(err, h.nbytes, len - off);
	data = malloc(h.nbytes ? (size_t)h.nbytes : 1);
	if (!data)
		return vt_err_set(err, VT_ENOMEM, "out of memory for %llu bytes",
				  (unsigned long long)h.nbytes);
	if (h.fortran)
		fortran_to_c(data, p + off, &h);
	else if (h.nbytes)
		memcpy(data, p + off, (size_t)h.nbytes);
	return adopt(&h, data, out, err);
}

int vt_npy_read_mem(const void *buf, size_t len, const char *name,
		    struct vt_tensor *out, struct vt_err *err)
{
	int rc;

	memset(out, 0, sizeof *out);
	if (!buf && len)
		return vt_err_set(err, VT_EINVAL, "'%s': no buffer",
				  name ? name : "-");
	rc = read_mem(buf ? buf : "", len, out, err);
	if (rc)
		vt_err_prefix(err, "'%s'", name ? name : "-");
	return rc;
}

/* Read up to n bytes; *got < n only at the end of the input. */
static int read_full(int fd, void *buf, size_t n, size_t *got,
		     struct vt_err *err)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, (char *)buf + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return vt_err_sys(err, VT_EIO, "read error");
		if (r == 0)
			break;
		done += (size_t)r;
	}
	*got = done;
	return 0;
}

/* Count the bytes left in the input (for the message about them). */
static int count_rest(int fd, uint64_t *rest, struct vt_err *err)
{
	char buf[4096];
	size_t got;
	int rc;

	*rest = 0;
	do {
		rc = read_full(fd, buf, sizeof buf, &got, err);
		if (rc)
			return rc;
		*rest += got;
	} while (got == sizeof buf);
	return 0;
}

/* Read exactly h->nbytes of data and the end of the input into *out. */
static int read_data(int fd, const struct npy_hdr *h, bool regular,
		     uint64_t file_rest, void **out, struct vt_err *err)
{
	size_t want = (size_t)h->nbytes, cap, have = 0, got;
	uint64_t extra;
	unsigned char *buf = NULL;
	int rc;

	if (regular && file_rest != h->nbytes)
		return data_size_error(err, h->nbytes, file_rest);
	/* From a pipe, memory grows only as data arrives. */
	cap = regular || want < (1u << 20) ? want : (1u << 20);
	buf = malloc(cap ? cap : 1);
	if (!buf)
		goto nomem;
	for (;;) {
		rc = read_full(fd, buf + have, cap - have, &got, err);
		if (rc)
			goto fail;
		have += got;
		if (have < cap)
			break;
		if (cap == want)
			break;
		cap = cap > want / 2 ? want : cap * 2;
		{
			unsigned char *p = realloc(buf, cap);

			if (!p)
				goto nomem;
			buf = p;
		}
	}
	rc = count_rest(fd, &extra, err);
	if (rc)
		goto fail;
	if (have != want || extra) {
		rc = data_size_error(err, h->nbytes, (uint64_t)have + extra);
		goto fail;
	}
	*out = buf;
	return 0;
nomem:
	rc = vt_err_set(err, VT_ENOMEM, "out of memory for %llu bytes",
			(unsigned long long)h->nbytes);
fail:
	free(buf);
	return rc;
}

static int load_fd(int fd, struct vt_tensor *out, struct vt_err *err)
{
	struct npy_hdr h = { 0 };
	unsigned char pre[NPY_PREFIX_LEN + 4];
	struct stat st;
	bool regular;
	size_t lb = 0, hlen = 0, got;
	uint64_t off, size = 0;
	char *hdr = NULL;
	void *data = NULL;
	int rc;

	if (fstat(fd, &st) != 0)
		return vt_err_sys(err, VT_EIO, "cannot stat");
	if (S_ISDIR(st.st_mode))
		return vt_err_set(err, VT_EOPEN, "is a directory");
	regular = S_ISREG(st.st_mode);
	if (regular) {
		off_t pos = lseek(fd, 0, SEEK_CUR);

		size = pos >= 0 && pos <= st.st_size ?
			(uint64_t)(st.st_size - pos) : 0;
		regular = pos >= 0;
	}
	rc = read_full(fd, pre, NPY_PREFIX_LEN, &got, err);
	if (!rc)
		rc = check_prefix(pre, got, &h.major, &lb, err);
	if (rc)
		return rc;
	rc = read_full(fd, pre + NPY_PREFIX_LEN, lb, &got, err);
	if (rc)
		return rc;
	if (got < lb)
		return vt_err_set(err, VT_EFORMAT,
				  "truncated in the header length");
	rc = check_header_len(pre + NPY_PREFIX_LEN, lb, &hlen, err);
	if (rc)
		return rc;
	off = NPY_PREFIX_LEN + lb;
	if (regular && hlen > size - off)
		return vt_err_set(err, VT_EFORMAT,
				  "header of %zu bytes runs past the end of the "
				  "file (%llu bytes)", hlen,
				  (unsigned long long)size);
	hdr = malloc(hlen ? hlen : 1);
	if (!hdr)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	rc = read_full(fd, hdr, hlen, &got, err);
	if (!rc && got < hlen)
		rc = vt_err_set(err, VT_EFORMAT,
				"header of %zu bytes runs past the end of the "
				"file (%llu bytes)", hlen,
				(unsigned long long)(off + got));
	if (!rc)
		rc = parse_dict(hdr, hlen, &h, err);
	free(hdr);
	if (rc)
		return rc;
	off += hlen;
	rc = read_data(fd, &h, regular, regular ? size - off : 0, &data, err);
	if (rc)
		return rc;
	if (h.fortran) {
		void *c = malloc(h.nbytes ? (size_t)h.nbytes : 1);

		if (!c) {
			free(data);
			return vt_err_set(err, VT_ENOMEM,
					  "out of memory for %llu bytes",
					  (unsigned long long)h.nbytes);
		}
		fortran_to_c(c, data, &h);
		free(data);
		data = c;
	}
	return adopt(&h, data, out, err);
}

int vt_npy_load(const char *path, struct vt_tensor *out, struct vt_err *err)
{
	bool is_stdin = !path || strcmp(path, "-") == 0;
	const char *name = is_stdin ? "-" : path;
	int fd, rc;

	memset(out, 0, sizeof *out);
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vt_err_sys(err, VT_EOPEN, "'%s': cannot open", name);
	rc = load_fd(fd, out, err);
	if (!is_stdin)
		close(fd);
	if (rc)
		vt_err_prefix(err, "'%s'", name);
	return rc;
}

/* Writing. */

/* Magic, header length, header, padding and newline, as NumPy 1.24 writes
 * them for a C-order array (format.py _write_array_header): buf must hold
 * 1024 bytes. */
static size_t build_header(const struct vt_tensor *t, unsigned char *buf)
{
	char dict[512];
	size_t n, len_bytes = 2, total, hlen, pad;
	int w;

	n = (size_t)snprintf(dict, sizeof dict,
			     "{'descr': '%s', 'fortran_order': False, "
			     "'shape': (", npy_descr[t->dtype]);
	for (int k = 0; k < t->rank; k++)
		n += (size_t)snprintf(dict + n, sizeof dict - n, "%s%llu",
				      k ? ", " : "",
				      (unsigned long long)t->shape[k]);
	n += (size_t)snprintf(dict + n, sizeof dict - n, "%s), }",
			      t->rank == 1 ? "," : "");
	if (t->rank > 0) {
		w = snprintf(NULL, 0, "%llu", (unsigned long long)t->shape[0]);
		for (int k = w; k < NPY_GROWTH_DIGITS; k++)
			dict[n++] = ' ';
	}
	VT_BUG(n + 1 >= sizeof dict);
	hlen = n + 1;   /* with the newline */
	pad = NPY_ALIGN - (NPY_PREFIX_LEN + len_bytes + hlen) % NPY_ALIGN;
	if (hlen + pad > 0xffff) {
		len_bytes = 4;
		pad = NPY_ALIGN - (NPY_PREFIX_LEN + len_bytes + hlen) % NPY_ALIGN;
	}
	memcpy(buf, NPY_MAGIC, NPY_MAGIC_LEN);
	buf[6] = len_bytes == 2 ? 1 : 2;
	buf[7] = 0;
	for (size_t i = 0; i < len_bytes; i++)
		buf[NPY_PREFIX_LEN + i] = (unsigned char)((hlen + pad) >> (8 * i));
	total = NPY_PREFIX_LEN + len_bytes;
	memcpy(buf + total, dict, n);
	total += n;
	memset(buf + total, ' ', pad);
	total += pad;
	buf[total++] = '\n';
	VT_BUG(total > 1024 || total % NPY_ALIGN);
	return total;
}

int vt_npy_write(FILE *f, const char *name, const struct vt_tensor *t,
		 struct vt_err *err)
{
	unsigned char head[1024];
	uint64_t numel, nbytes;
	size_t n;
	int rc;

	if (!name)
		name = "-";
	if ((unsigned)t->dtype >= VT_DTYPE_COUNT)
		return vt_err_set(err, VT_EINVAL, "'%s': unknown dtype %d",
				  name, (int)t->dtype);
	if (!npy_descr[t->dtype])
		return vt_err_set(err, VT_EUNSUP,
				  "'%s': %s has no .npy dtype (convert it, "
				  "e.g. to F32, first)", name,
				  vt_dtype_name(t->dtype));
	rc = vt_shape_size(t->dtype, t->rank, t->shape, &numel, &nbytes, err);
	if (rc) {
		vt_err_prefix(err, "'%s'", name);
		if (err)
			err->code = VT_EINVAL;
		return VT_EINVAL;
	}
	if (nbytes != t->nbytes || (nbytes && !t->data))
		return vt_err_set(err, VT_EINVAL,
				  "'%s': tensor holds %zu bytes, its shape "
				  "needs %llu", name, t->data ? t->nbytes : 0,
				  (unsigned long long)nbytes);
	n = build_header(t, head);
	if (fwrite(head, 1, n, f) != n ||
	    (nbytes && fwrite(t->data, 1, t->nbytes, f) != t->nbytes) ||
	    fflush(f) != 0)
		return vt_err_sys(err, VT_EIO, "'%s': write error", name);
	return 0;
}

int vt_npy_save(const char *path, const struct vt_tensor *t,
		struct vt_err *err)
{
	struct vt_outfile o;
	int rc;

	if (!path)
		path = "-";
	rc = vt_outfile_open(&o, path, err);
	if (rc)
		return rc;
	rc = vt_npy_write(o.fp, path, t, err);
	if (!rc)
		rc = vt_outfile_commit(&o, err);
	if (rc)
		vt_outfile_abort(&o);
	return rc;
}
