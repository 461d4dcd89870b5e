/* test_idx.c - the IDX reader: every element type, big-endian values,
 * gzip, and each malformed form refused with a message naming the file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "vt/idx.h"

#include "helpers.h"

/* gzip of src into a malloc'd buffer */
static unsigned char *gz(const unsigned char *src, size_t n, size_t *out_len)
{
	z_stream z;
	unsigned char *out = malloc(n + 128);

	memset(&z, 0, sizeof z);
	cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
				  Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)src;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)(n + 128);
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	*out_len = n + 128 - z.avail_out;
	deflateEnd(&z);
	return out;
}

Test(idx, every_type_big_endian)
{
	/* I16 [2,2]: 1, -2, 300, -400 */
	static const unsigned char i16[] = { 0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0,
		0, 2, 0x00, 0x01, 0xff, 0xfe, 0x01, 0x2c, 0xfe, 0x70 };
	/* F32 [1]: 1.5; F64 [1]: -2.25; I32 [1]: -5; I8 [1]: -1 */
	static const unsigned char f32[] = { 0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3f,
		0xc0, 0, 0 };
	static const unsigned char f64[] = { 0, 0, 0x0E, 1, 0, 0, 0, 1, 0xc0,
		0x02, 0, 0, 0, 0, 0, 0 };
	static const unsigned char i32[] = { 0, 0, 0x0C, 1, 0, 0, 0, 1, 0xff,
		0xff, 0xff, 0xfb };
	static const unsigned char i8[] = { 0, 0, 0x09, 1, 0, 0, 0, 1, 0xff };
	struct vt_tensor t;
	struct vt_err err;

	cr_assert_eq(vt_idx_read_mem(i16, sizeof i16, "a", 0, &t, &err), 0,
		     "%s", err.msg);
	cr_assert_eq(t.dtype, VT_I16);
	cr_assert_eq(t.rank, 2);
	cr_assert_eq(((int16_t *)t.data)[0], 1);
	cr_assert_eq(((int16_t *)t.data)[1], -2);
	cr_assert_eq(((int16_t *)t.data)[2], 300);
	cr_assert_eq(((int16_t *)t.data)[3], -400);
	vt_tensor_release(&t);
	cr_assert_eq(vt_idx_read_mem(f32, sizeof f32, "b", 0, &t, &err), 0);
	cr_assert_eq(t.dtype, VT_F32);
	cr_assert_eq(((float *)t.data)[0], 1.5f);
	cr_assert_str_eq(t.dims[0], "N");
	vt_tensor_release(&t);
	cr_assert_eq(vt_idx_read_mem(f64, sizeof f64, "c", 0, &t, &err), 0);
	cr_assert_eq(((double *)t.data)[0], -2.25);
	vt_tensor_release(&t);
	cr_assert_eq(vt_idx_read_mem(i32, sizeof i32, "d", 0, &t, &err), 0);
	cr_assert_eq(((int32_t *)t.data)[0], -5);
	vt_tensor_release(&t);
	cr_assert_eq(vt_idx_read_mem(i8, sizeof i8, "e", 0, &t, &err), 0);
	cr_assert_eq(t.dtype, VT_I8);
	cr_assert_eq(((int8_t *)t.data)[0], -1);
	vt_tensor_release(&t);
}

/* U8 [3,2,5] plain and gzip, from memory and from files. */
Test(idx, u8_images_plain_and_gzip)
{
	unsigned char buf[20 + 30], *z;
	char path[] = "/tmp/vt-idx-XXXXXX";
	struct vt_tensor t;
	struct vt_err err;
	size_t zlen;
	int fd;

	memcpy(buf, (unsigned char[]){ 0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0,
				       0, 0, 5 }, 16);
	for (int i = 0; i < 30; i++)
		buf[16 + i] = (unsigned char)(i * 7);
	z = gz(buf, 46, &zlen);
	for (int k = 0; k < 2; k++) {
		const unsigned char *src = k ? z : buf;
		size_t len = k ? zlen : 46;

		cr_assert_eq(vt_idx_read_mem(src, len, "m", 0, &t, &err), 0,
			     "%s", err.msg);
		cr_assert_eq(t.rank, 3);
		cr_assert_eq(t.shape[0], 3);
		cr_assert_eq(t.shape[2], 5);
		cr_assert_str_eq(t.dims[0], "N");
		cr_assert_str_eq(t.dims[1], "H");
		cr_assert_eq(memcmp(t.data, buf + 16, 30), 0);
		vt_tensor_release(&t);
		fd = mkstemp(path);
		cr_assert_geq(fd, 0);
		cr_assert_eq(write(fd, src, len), (ssize_t)len);
		close(fd);
		cr_assert_eq(vt_idx_read(path, 0, &t, &err), 0, "%s", err.msg);
		cr_assert_eq(memcmp(t.data, buf + 16, 30), 0);
		vt_tensor_release(&t);
		/* one byte short: truncated, naming the file */
		cr_assert_eq(truncate(path, (off_t)len - 1), 0);
		cr_assert_eq(vt_idx_read(path, 0, &t, &err), VT_EFORMAT);
		cr_assert(strstr(err.msg, path), "%s", err.msg);
		cr_assert(strstr(err.msg, "truncated"), "%s", err.msg);
		cr_assert_null(t.data);
		unlink(path);
		strcpy(path, "/tmp/vt-idx-XXXXXX");
	}
	free(z);
}

Test(idx, malformed)
{
	static const struct {
		unsigned char b[24];
		size_t n;
		int rc;
		const char *msg;
	} cases[] = {
		{ { 0 }, 0, VT_EFORMAT, "'x': truncated: 0 of 4 header bytes" },
		{ { 1, 0, 8, 1 }, 4, VT_EFORMAT, "'x': not an IDX file (magic "
		  "01 00, expected 00 00)" },
		{ { 0, 0, 7, 1 }, 4, VT_EFORMAT, "'x': unknown IDX element "
		  "type 0x07" },
		{ { 0, 0, 8, 0 }, 4, VT_EFORMAT, "'x': IDX rank 0, expected 1 "
		  "to 8" },
		{ { 0, 0, 8, 9 }, 4, VT_EFORMAT, "'x': IDX rank 9, expected 1 "
		  "to 8" },
		{ { 0, 0, 8, 2, 0, 0, 0 }, 7, VT_EFORMAT, "'x': truncated: 3 of "
		  "8 dimension bytes" },
		{ { 0, 0, 8, 1, 0, 0, 0, 2, 5 }, 9, VT_EFORMAT, "'x': truncated: "
		  "the header gives 2 data bytes, the file holds 1" },
		{ { 0, 0, 8, 1, 0, 0, 0, 1, 5, 6 }, 10, VT_EFORMAT, "'x': "
		  "trailing bytes: the header gives 1 data bytes, the file "
		  "holds 2" },
		{ { 0, 0, 0x0E, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff, 0xff, 0xff }, 16, VT_ELIMIT, "'x': IDX data of "
		  "79228162458924105385300197375 elements" },
		{ { 0, 0, 0x0E, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2 }, 12,
		  VT_ELIMIT, "'x': IDX data of 8589934590 elements exceeds the "
		  "limit of 1000 bytes" },
		{ { 0x1f, 0x8b, 8, 0, 0, 0 }, 6, VT_EFORMAT, "'x': truncated "
		  "gzip data" },
		{ { 0x1f, 0x8b, 9, 0, 0, 0, 0, 0, 0, 0, 0 }, 11, VT_EFORMAT,
		  "'x': corrupt gzip data" },
	};
	struct vt_tensor t;
	struct vt_err err;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = vt_idx_read_mem(cases[i].b, cases[i].n, "x", 1000, &t,
					 &err);

		if (i == 8) {   /* shape overflow: only the start is fixed */
			cr_assert_eq(rc, VT_ELIMIT);
			cr_assert(strstr(err.msg, "'x': IDX shape overflows"),
				  "%s", err.msg);
			continue;
		}
		cr_assert_eq(rc, cases[i].rc, "case %zu: %d %s", i, rc,
			     err.msg);
		cr_assert(strncmp(err.msg, cases[i].msg,
				  strlen(cases[i].msg)) == 0,
			  "case %zu: %s", i, err.msg);
		cr_assert_null(t.data);
	}
}

/* A gzip file whose header promises more than it holds is truncated, and
 * one with bytes after the data has trailing bytes. */
Test(idx, gzip_lies)
{
	unsigned char buf[13] = { 0, 0, 8, 1, 0, 0x10, 0, 0, 1, 2, 3, 4, 5 };
	struct vt_tensor t;
	struct vt_err err;
	size_t zlen;
	unsigned char *z = gz(buf, sizeof buf, &zlen);

	cr_assert_eq(vt_idx_read_mem(z, zlen, "g", 0, &t, &err), VT_EFORMAT);
	cr_assert_str_eq(err.msg, "'g': truncated: 5 of 1048576 data bytes");
	free(z);
	buf[5] = 0;
	buf[7] = 4;
	z = gz(buf, sizeof buf, &zlen);
	cr_assert_eq(vt_idx_read_mem(z, zlen, "g", 0, &t, &err), VT_EFORMAT);
	cr_assert_str_eq(err.msg, "'g': trailing bytes after 4 data bytes");
	free(z);
	cr_assert_eq(vt_idx_read("/nonexistent/x-idx3-ubyte", 0, &t, &err),
		     VT_EOPEN);
	cr_assert(strstr(err.msg, "'/nonexistent/x-idx3-ubyte': cannot open"));
}

Test(idx, names)
{
	cr_assert(vt_idx_is_path("/d/train-images-idx3-ubyte.gz"));
	cr_assert(vt_idx_is_path("t10k-labels-idx1-ubyte"));
	cr_assert(vt_idx_is_path("a/x.idx"));
	cr_assert(vt_idx_is_path("x.idx.gz"));
	cr_assert(!vt_idx_is_path("x-idx-y"));
	cr_assert(!vt_idx_is_path("idx3/a.png"));
	cr_assert(!vt_idx_is_path("x.safetensors"));
}

/* An IDX file of type `code` and shape [n, h, w] (element size esize),
 * elements pseudo-random; malloc'd, *len bytes. */
static unsigned char *make_idx(unsigned char code, size_t esize, uint32_t n,
			       uint32_t h, uint32_t w, size_t *len)
{
	size_t data = (size_t)n * h * w * esize;
	unsigned char *b = malloc(16 + data);
	uint32_t v = 12345;

	b[0] = b[1] = 0;
	b[2] = code;
	b[3] = 3;
	for (int i = 0; i < 3; i++) {
		uint32_t d = i == 0 ? n : i == 1 ? h : w;

		b[4 + 4 * i] = (unsigned char)(d >> 24);
		b[5 + 4 * i] = (unsigned char)(d >> 16);
		b[6 + 4 * i] = (unsigned char)(d >> 8);
		b[7 + 4 * i] = (unsigned char)d;
	}
	for (size_t i = 0; i < data; i++) {
		v = v * 1103515245u + 12345u;
		/* runs of equal bytes too, so that gzip finds matches */
		b[16 + i] = (i / 5) % 3 ? (unsigned char)(v >> 16)
					 : (unsigned char)(i / 64);
	}
	*len = 16 + data;
	return b;
}

/* Every piece in order, concatenated into *out (malloc'd); the status of
 * the last call; *n_pieces and *bytes what came before it. */
static int drain(struct vt_idx_stream *s, unsigned char **out, size_t *bytes,
		 size_t *n_pieces, uint64_t expect_items, struct vt_err *err)
{
	const struct vt_tensor *info = vt_idx_stream_info(s);
	size_t item = info->shape[0] ? info->nbytes / info->shape[0] : 0;
	uint64_t items = 0, k;
	void *data;
	int rc;

	*out = malloc(info->nbytes + 1);
	*bytes = 0;
	*n_pieces = 0;
	while ((rc = vt_idx_stream_next(s, &data, &k, err)) == 1) {
		cr_assert_gt(k, 0);
		cr_assert(k == expect_items || items + k == info->shape[0],
			  "piece of %llu items", (unsigned long long)k);
		memcpy(*out + *bytes, data, k * item);
		*bytes += k * item;
		items += k;
		(*n_pieces)++;
	}
	return rc;
}

static const size_t piece_sizes[] = { 1, 37, 700, 5000, 0 };
static const int slot_counts[] = { 0, 1, 2, 3, 16 };

/* The pieces of buf (read with piece size pi and slot count si) against
 * vt_idx_read_mem's result: the same data, or the same error after the
 * same pieces whatever the slots (*prefix: bytes before the error, the
 * same for every slot count of a piece size). */
static void check_stream(const unsigned char *buf, size_t len, size_t pi,
			 size_t si, size_t *prefix)
{
	/* every other time zlib inflating as it goes, against the whole
	 * read's libdeflate */
	struct vt_idx_stream_opts o = { .piece_bytes = piece_sizes[pi],
					.slots = slot_counts[si],
					.stream_inflate = si % 2 == 1 };
	struct vt_idx_stream *s;
	struct vt_tensor t;
	struct vt_err err, want;
	unsigned char *got;
	size_t bytes, n_pieces, item;
	uint64_t per, k;
	void *d;
	int rc, want_rc = vt_idx_read_mem(buf, len, "r", 0, &t, &want);

	rc = vt_idx_stream_open_mem(&s, buf, len, "r", &o, &err);
	if (rc) {
		/* a header problem: the same as the whole read's */
		cr_assert_eq(rc, want_rc);
		cr_assert_str_eq(err.msg, want.msg);
		return;
	}
	item = 5 * 7 * vt_dtype_size(vt_idx_stream_info(s)->dtype);
	per = piece_sizes[pi] ? piece_sizes[pi] / item : 301;
	per = per < 1 ? 1 : per > 301 ? 301 : per;
	rc = drain(s, &got, &bytes, &n_pieces, per, &err);
	cr_assert_eq(rc, want_rc, "piece %zu slots %d: %s", piece_sizes[pi],
		     slot_counts[si], err.msg);
	if (rc) {
		cr_assert_str_eq(err.msg, want.msg);
		if (si == 0)
			*prefix = bytes;
		cr_assert_eq(bytes, *prefix, "piece %zu slots %d",
			     piece_sizes[pi], slot_counts[si]);
		/* the failure stays */
		cr_assert_eq(vt_idx_stream_next(s, &d, &k, &err), rc);
		cr_assert_str_eq(err.msg, want.msg);
	} else {
		cr_assert_eq(n_pieces, (301 + per - 1) / per);
		cr_assert_eq(bytes, t.nbytes);
		cr_assert_eq(memcmp(got, t.data, bytes), 0, "piece %zu slots "
			     "%d", piece_sizes[pi], slot_counts[si]);
		/* the end stays the end */
		cr_assert_eq(vt_idx_stream_next(s, &d, &k, &err), 0);
		vt_tensor_release(&t);
	}
	free(got);
	vt_idx_stream_close(s);
}

static void check_all_pieces(const unsigned char *buf, size_t len)
{
	for (size_t pi = 0; pi < 5; pi++) {
		size_t prefix = 0;

		for (size_t si = 0; si < 5; si++)
			check_stream(buf, len, pi, si, &prefix);
	}
}

/* Pieces of any size, read on this thread or ahead by a second one, give
 * exactly the data of vt_idx_read, plain and gzip, for each element size. */
Test(idx, stream_pieces_equal_whole_read)
{
	static const struct {
		unsigned char code;
		size_t esize;
	} types[] = { { 0x08, 1 }, { 0x0B, 2 }, { 0x0E, 8 } };

	for (size_t ti = 0; ti < 3; ti++) {
		size_t len, zlen;
		unsigned char *raw = make_idx(types[ti].code, types[ti].esize,
					      301, 5, 7, &len);
		unsigned char *z = gz(raw, len, &zlen);

		check_all_pieces(raw, len);
		check_all_pieces(z, zlen);
		free(z);
		free(raw);
	}
}

/* Truncated, corrupt and over-long gzip data: the whole read's message,
 * after the same pieces whether or not a thread reads ahead. */
Test(idx, stream_bad_gzip_same_errors)
{
	size_t len, zlen;
	unsigned char *raw = make_idx(0x08, 1, 301, 5, 7, &len);
	unsigned char *z = gz(raw, len, &zlen), *bad, *longer;
	const size_t cuts[] = { zlen - 1, zlen - 8, zlen - 9, zlen / 2, 40,
				12 };
	size_t longer_len;

	for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++)
		check_all_pieces(z, cuts[c]);
	/* a flipped bit mid-stream: zlib's own complaint, or a bad check */
	bad = malloc(zlen);
	memcpy(bad, z, zlen);
	bad[zlen / 2] ^= 0x10;
	check_all_pieces(bad, zlen);
	/* the header promises less than the data holds, or more */
	raw[6] = 0;
	raw[7] = 200;
	free(z);
	z = gz(raw, len, &zlen);
	check_all_pieces(z, zlen);
	longer = malloc(len + 100);
	memcpy(longer, raw, len);
	memset(longer + len, 0, 100);
	raw[6] = 1;
	raw[7] = 0x2d + 1;   /* 302 images, 301 there */
	free(z);
	z = gz(raw, len, &zlen);
	check_all_pieces(z, zlen);
	longer_len = len + 100;
	free(bad);
	bad = gz(longer, longer_len, &zlen);
	check_all_pieces(bad, zlen);
	free(longer);
	free(bad);
	free(z);
	free(raw);
}

/* A bad code in the last input bytes, reached only after the output asked
 * for is full: named as zlib names it, not as truncated data, whatever the
 * size of the pieces (found by fuzz_idx). */
Test(idx, stream_bad_code_at_end_of_input)
{
	static const unsigned char z[] = {
		0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03,
		0x63, 0x60, 0xe0, 0x64, 0x64, 0x60, 0x5b, 0x60, 0xb5, 0xfd,
		0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd,
		0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0x31, 0xfd, 0xfd,
		0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0x0c, 0xfd, 0xfd, 0xfd, 0xfd,
		0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd,
		0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0xfd,
		0xfd, 0xfd, 0xfd, 0xfd, 0xfd, 0x3f, 0xc0, 0xc0, 0x00, 0x4c,
		0x0c, 0x0e, 0x0e, 0x0c, 0xf0, 0x00, 0x81, 0x80, 0x60, 0x77,
		0xe0, 0x35, 0x03, 0x62, 0x06, 0x00, 0x00
	};
	struct vt_tensor t;
	struct vt_err want;

	cr_assert_eq(vt_idx_read_mem(z, sizeof z, "r", 0, &t, &want),
		     VT_EFORMAT);
	cr_assert_str_eq(want.msg, "'r': corrupt gzip data (invalid distance "
			 "too far back)");
	for (size_t piece = 1; piece <= 64; piece++) {
		struct vt_idx_stream_opts o = { .piece_bytes = piece };
		struct vt_idx_stream *s;
		struct vt_err err;
		uint64_t k;
		void *d;
		int rc;

		cr_assert_eq(vt_idx_stream_open_mem(&s, z, sizeof z, "r", &o,
						    &err), 0);
		while ((rc = vt_idx_stream_next(s, &d, &k, &err)) == 1)
			;
		cr_assert_eq(rc, VT_EFORMAT, "piece %zu", piece);
		cr_assert_str_eq(err.msg, want.msg, "piece %zu", piece);
		vt_idx_stream_close(s);
	}
}

/* Closing in the middle stops the reading thread (no hang, no leak). */
Test(idx, stream_close_early)
{
	size_t len, zlen;
	unsigned char *raw = make_idx(0x08, 1, 301, 5, 7, &len);
	unsigned char *z = gz(raw, len, &zlen);

	for (int taken = 0; taken < 4; taken++) {
		struct vt_idx_stream_opts o = { .piece_bytes = 1, .slots = 3 };
		struct vt_idx_stream *s;
		struct vt_err err;
		void *d;
		uint64_t k;

		cr_assert_eq(vt_idx_stream_open_mem(&s, z, zlen, "z", &o, &err),
			     0);
		for (int i = 0; i < taken; i++)
			cr_assert_eq(vt_idx_stream_next(s, &d, &k, &err), 1);
		vt_idx_stream_close(s);
	}
	vt_idx_stream_close(NULL);
	free(z);
	free(raw);
}

/* What the reader said before it checked the gzip trailer itself (zlib's
 * gzip mode with its checks, reading the 16 header bytes, the data and one
 * byte more): the message for an IDX file of `nbytes` data bytes, or "" when
 * it reads.  NULL when the header would not come out as `head`. */
static const char *zlib_verdict(const unsigned char *z, size_t zlen,
				const unsigned char *head, size_t nbytes,
				char *msg, size_t size)
{
	size_t cap = 16 + nbytes + 1, out;
	unsigned char *o = malloc(cap);
	z_stream s;
	int r;

	memset(&s, 0, sizeof s);
	cr_assert_eq(inflateInit2(&s, 16 + MAX_WBITS), Z_OK);
	s.next_in = (unsigned char *)z;
	s.avail_in = (uInt)zlen;
	s.next_out = o;
	s.avail_out = (uInt)cap;
	r = inflate(&s, Z_NO_FLUSH);
	out = cap - s.avail_out;
	if (out < 16 || memcmp(o, head, 16) != 0)
		msg = NULL;
	else if (r == Z_DATA_ERROR)
		snprintf(msg, size, "'v': corrupt gzip data (%s)", s.msg);
	else if (out == cap)
		snprintf(msg, size, "'v': trailing bytes after %zu data bytes",
			 nbytes);
	else if (r == Z_STREAM_END && out < cap - 1)
		snprintf(msg, size, "'v': truncated: %zu of %zu data bytes",
			 out - 16, nbytes);
	else if (r == Z_STREAM_END)
		snprintf(msg, size, "%s", "");
	else
		snprintf(msg, size, "'v': truncated gzip data");
	inflateEnd(&s);
	free(o);
	return msg;
}

/* vt_idx_read_mem (and the pieces) say what zlib's checks said. */
static void check_verdict(const unsigned char *z, size_t zlen,
			  const unsigned char *head, size_t nbytes)
{
	char want[300];
	struct vt_tensor t;
	struct vt_err err;
	int rc = vt_idx_read_mem(z, zlen, "v", 0, &t, &err);

	if (!zlib_verdict(z, zlen, head, nbytes, want, sizeof want)) {
		cr_assert_neq(rc, 0);
		return;
	}
	if (want[0]) {
		cr_assert_eq(rc, VT_EFORMAT, "expected %s", want);
		cr_assert_str_eq(err.msg, want);
	} else {
		cr_assert_eq(rc, 0, "%s", err.msg);
		vt_tensor_release(&t);
	}
}

/* The gzip trailer checked by vt (CRC-32 then length, over every byte
 * inflated) gives zlib's verdicts: a bad CRC, a bad length, both; bit flips
 * anywhere; cuts; a header CRC; and the trailer split between two reads. */
Test(idx, gzip_checks_as_zlib)
{
	size_t len, zlen;
	unsigned char *raw = make_idx(0x0B, 2, 301, 5, 7, &len);
	unsigned char *z = gz(raw, len, &zlen), *b = malloc(zlen);
	size_t nbytes = len - 16;

	check_verdict(z, zlen, raw, nbytes);
	for (size_t i = 0; i < 8; i++)
		for (int bit = 0; bit < 8; bit += 3) {
			memcpy(b, z, zlen);
			b[zlen - 8 + i] ^= (unsigned char)(1 << bit);
			check_verdict(b, zlen, raw, nbytes);
			check_all_pieces(b, zlen);
		}
	memcpy(b, z, zlen);
	b[zlen - 8] ^= 1;
	b[zlen - 1] ^= 1;
	check_verdict(b, zlen, raw, nbytes);
	for (size_t i = 10; i < zlen - 8; i += 37) {
		memcpy(b, z, zlen);
		b[i] ^= (unsigned char)(1 << (i % 8));
		check_verdict(b, zlen, raw, nbytes);
	}
	for (size_t cut = 0; cut < zlen; cut += zlen / 50 + 1)
		check_verdict(z, cut, raw, nbytes);
	free(b);
	free(z);
	/* the header promises 300 or 302 images; with a bad CRC too */
	for (int d = -1; d <= 1; d += 2) {
		unsigned char head[16];

		raw[7] = (unsigned char)(0x2d + d);
		memcpy(head, raw, 16);
		z = gz(raw, len, &zlen);
		check_verdict(z, zlen, head, nbytes + (size_t)(d * 70));
		z[zlen - 5] ^= 4;
		check_verdict(z, zlen, head, nbytes + (size_t)(d * 70));
		check_all_pieces(z, zlen);
		free(z);
	}
	free(raw);
}

/* gzip by hand: header with FLG (FEXTRA of xlen bytes, FHCRC), raw deflate
 * of src, trailer. */
static unsigned char *gz_by_hand(const unsigned char *src, size_t n,
				 size_t xlen, bool hcrc, size_t *out_len)
{
	size_t cap = n + n / 100 + 1024 + xlen, hl = 10;
	unsigned char *o = malloc(cap);
	uLong crc = crc32(0, src, (uInt)n);
	z_stream z;

	memcpy(o, (unsigned char[]){ 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 },
	       10);
	if (xlen) {
		o[3] |= 4;
		o[hl++] = (unsigned char)xlen;
		o[hl++] = (unsigned char)(xlen >> 8);
		memset(o + hl, 'x', xlen);
		hl += xlen;
	}
	if (hcrc) {
		uLong h;

		o[3] |= 2;
		h = crc32(0, o, (uInt)hl);
		o[hl++] = (unsigned char)h;
		o[hl++] = (unsigned char)(h >> 8);
	}
	memset(&z, 0, sizeof z);
	cr_assert_eq(deflateInit2(&z, 1, Z_DEFLATED, -MAX_WBITS, 8,
				  Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)src;
	z.avail_in = (uInt)n;
	z.next_out = o + hl;
	z.avail_out = (uInt)(cap - hl - 8);
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	hl += z.total_out;
	deflateEnd(&z);
	for (int i = 0; i < 4; i++) {
		o[hl + (size_t)i] = (unsigned char)(crc >> (8 * i));
		o[hl + 4 + (size_t)i] = (unsigned char)(n >> (8 * i));
	}
	*out_len = hl + 8;
	return o;
}

/* The trailer read 256 KiB at a time may straddle two reads: at every
 * split it is found, and a bad one is still refused. */
Test(idx, gzip_trailer_across_reads)
{
	const size_t chunk = 256 * 1024;   /* idx.c's input buffer */
	size_t len, zlen, base;
	/* pseudo-random data compresses barely: about 240 KB of deflate */
	unsigned char *raw = make_idx(0x08, 1, 4000, 8, 8, &len), *z;

	for (size_t i = 16; i < len; i++)
		raw[i] = (unsigned char)(raw[i] * 31 + i * 7);
	z = gz_by_hand(raw, len, 0, false, &base);
	free(z);
	cr_assert_lt(base + 16, chunk);
	for (size_t end = chunk - 9; end <= chunk + 9; end++) {
		bool hcrc = end % 2 == 0;
		size_t xlen = end - base - 2 - (hcrc ? 2 : 0);

		z = gz_by_hand(raw, len, xlen, hcrc, &zlen);
		cr_assert_eq(zlen, end);
		check_verdict(z, zlen, raw, len - 16);
		z[zlen - 1 - end % 8] ^= 0x40;
		check_verdict(z, zlen, raw, len - 16);
		free(z);
	}
	/* a bad header CRC is zlib's to find */
	z = gz_by_hand(raw, len, 5, true, &zlen);
	z[15]++;
	check_verdict(z, zlen, raw, len - 16);
	free(z);
	free(raw);
}

/* The two gzip decoders (libdeflate whole, zlib as it goes) on what only
 * one of them might take: a header CRC right and wrong, two members, bytes
 * after the member, a trailer whose length lies. */
Test(idx, gzip_whole_and_streamed_agree)
{
	size_t len, zlen, zlen2;
	unsigned char *raw = make_idx(0x08, 1, 301, 5, 7, &len);
	unsigned char *z = gz_by_hand(raw, len, 3, true, &zlen);
	unsigned char *z2 = gz(raw, len, &zlen2);
	unsigned char *cat = malloc(2 * zlen2);

	check_all_pieces(z, zlen);
	check_verdict(z, zlen, raw, len - 16);
	z[13] ^= 1;                       /* a bad header CRC */
	check_all_pieces(z, zlen);
	memcpy(cat, z2, zlen2);
	memcpy(cat + zlen2, z2, zlen2);   /* two members */
	check_all_pieces(cat, 2 * zlen2);
	cat[zlen2] = 0;                   /* a member, then junk */
	check_all_pieces(cat, 2 * zlen2);
	z2[zlen2 - 4] ^= 0x10;            /* the length mod 2^32 lies */
	check_all_pieces(z2, zlen2);
	check_verdict(z2, zlen2, raw, len - 16);
	free(cat);
	free(z2);
	free(z);
	free(raw);
}

/* Several gzip members are one stream, as gzip -dc reads them (the data
 * may be cut anywhere between them); bytes after the last member that do
 * not start another are refused. */
Test(idx, gzip_members)
{
	size_t len, za, zb, cut = 16 + 3 * 35 + 11;
	unsigned char *raw = make_idx(0x08, 1, 301, 5, 7, &len);
	unsigned char *a = gz(raw, cut, &za), *b = gz(raw + cut, len - cut, &zb);
	unsigned char *cat = malloc(2 * len + 256);   /* room for any of them */
	struct vt_tensor t;
	struct vt_err err;

	memcpy(cat, a, za);
	memcpy(cat + za, b, zb);
	cr_assert_eq(vt_idx_read_mem(cat, za + zb, "v", 0, &t, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(t.nbytes, len - 16);
	cr_assert_eq(memcmp(t.data, raw + 16, len - 16), 0);
	vt_tensor_release(&t);
	check_all_pieces(cat, za + zb);
	/* an empty member between them changes nothing */
	free(a);
	a = gz(raw, 0, &za);
	free(b);
	b = gz(raw, len, &zb);
	memcpy(cat, b, zb);
	memcpy(cat + zb, a, za);
	cr_assert_eq(vt_idx_read_mem(cat, zb + za, "v", 0, &t, &err), 0, "%s",
		     err.msg);
	vt_tensor_release(&t);
	/* zero padding after the member, one stray byte */
	for (size_t extra = 1; extra <= 3; extra += 2) {
		memcpy(cat, b, zb);
		memset(cat + zb, extra == 1 ? 0x1f : 0, extra);
		cr_assert_eq(vt_idx_read_mem(cat, zb + extra, "v", 0, &t, &err),
			     VT_EFORMAT);
		cr_assert_str_eq(err.msg, "'v': bytes after the gzip data that "
				 "do not start another member");
		check_all_pieces(cat, zb + extra);
	}
	free(cat);
	free(b);
	free(a);
	free(raw);
}
