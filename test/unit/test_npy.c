/* test_npy.c - NumPy .npy reading and writing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "vt/npy.h"

/* Write t with vt_npy_write into memory. */
static unsigned char *write_mem(const struct vt_tensor *t, size_t *len)
{
	struct vt_err err;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int rc;

	cr_assert(f);
	rc = vt_npy_write(f, "mem", t, &err);
	cr_assert_eq(rc, 0, "write: %s", err.msg);
	cr_assert_eq(fclose(f), 0);
	return (unsigned char *)buf;
}

/* A .npy file in memory with this header dict, padded to 64 as NumPy does
 * (or not padded at all when pad is false). */
static size_t build(unsigned char *out, size_t size, int major,
		    const char *dict, bool pad, const void *data, size_t n)
{
	size_t lb = major == 1 ? 2 : 4, dl = strlen(dict), hl = dl + 1, off;

	if (pad)
		hl += (64 - (8 + lb + hl) % 64) % 64;
	cr_assert(8 + lb + hl + n <= size);
	memcpy(out, "\x93NUMPY", 6);
	out[6] = (unsigned char)major;
	out[7] = 0;
	for (size_t i = 0; i < lb; i++)
		out[8 + i] = (unsigned char)(hl >> (8 * i));
	off = 8 + lb;
	memcpy(out + off, dict, dl);
	memset(out + off + dl, ' ', hl - dl - 1);
	out[off + hl - 1] = '\n';
	memcpy(out + off + hl, data, n);
	return off + hl + n;
}

/* Every fixture of the form <code>.npy is a [2,3] array of these values
 * (scripts/gen-npy-fixtures.py). */
static const struct {
	const char *code;
	enum vt_dtype dtype;
} codes[] = {
	{ "f2", VT_F16 }, { "f4", VT_F32 }, { "f8", VT_F64 },
	{ "i1", VT_I8 },  { "i2", VT_I16 }, { "i4", VT_I32 },
	{ "i8", VT_I64 }, { "u1", VT_U8 },  { "u2", VT_U16 },
	{ "u4", VT_U32 }, { "u8", VT_U64 }, { "b1", VT_BOOL },
};

static void check_values(const struct vt_tensor *t)
{
	static const double floats[6] = { -1.5, 0.0, 0.25, 2.0, 1000.0,
					  1.0 / 0.0 };
	static const int8_t i8[6] = { INT8_MIN, -1, 0, 1, 7, INT8_MAX };
	static const int16_t i16[6] = { INT16_MIN, -1, 0, 1, 7, INT16_MAX };
	static const int32_t i32[6] = { INT32_MIN, -1, 0, 1, 7, INT32_MAX };
	static const int64_t i64[6] = { INT64_MIN, -1, 0, 1, 7, INT64_MAX };
	static const uint8_t u8[6] = { 0, 1, 2, 7, UINT8_MAX - 1, UINT8_MAX };
	static const uint16_t u16[6] = { 0, 1, 2, 7, UINT16_MAX - 1,
					 UINT16_MAX };
	static const uint32_t u32[6] = { 0, 1, 2, 7, UINT32_MAX - 1,
					 UINT32_MAX };
	static const uint64_t u64[6] = { 0, 1, 2, 7, UINT64_MAX - 1,
					 UINT64_MAX };
	static const uint8_t b[6] = { 1, 0, 1, 1, 0, 0 };
	const void *want = NULL;

	cr_assert_eq(t->nbytes, 6 * vt_dtype_size(t->dtype));
	switch (t->dtype) {
	case VT_F16: case VT_F32: case VT_F64:
		for (size_t i = 0; i < 6; i++)
			cr_assert_eq(vt_dtype_load(t->dtype, t->data, i),
				     floats[i], "%s element %zu",
				     vt_dtype_name(t->dtype), i);
		return;
	case VT_I8: want = i8; break;
	case VT_I16: want = i16; break;
	case VT_I32: want = i32; break;
	case VT_I64: want = i64; break;
	case VT_U8: want = u8; break;
	case VT_U16: want = u16; break;
	case VT_U32: want = u32; break;
	case VT_U64: want = u64; break;
	case VT_BOOL: want = b; break;
	default: cr_assert_fail("unexpected dtype");
	}
	cr_assert(memcmp(t->data, want, t->nbytes) == 0, "%s values",
		  vt_dtype_name(t->dtype));
}

/* Load a fixture, and check that writing it back gives NumPy's bytes. */
static void load_and_rewrite(const char *file, struct vt_tensor *t,
			     bool same_bytes)
{
	struct vt_err err;
	const char *path = t_data_path("npy", file);
	size_t flen, wlen;
	unsigned char *fbuf, *wbuf;
	struct vt_tensor m;

	cr_assert_eq(vt_npy_load(path, t, &err), 0, "%s", err.msg);
	cr_assert(t->owns_data);
	cr_assert_null(t->name);
	cr_assert(!vt_tensor_has_dims(t));
	fbuf = t_slurp(path, &flen);
	cr_assert_eq(vt_npy_read_mem(fbuf, flen, path, &m, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(m.dtype, t->dtype);
	cr_assert_eq(m.rank, t->rank);
	cr_assert(memcmp(m.shape, t->shape, sizeof m.shape) == 0);
	cr_assert_eq(m.nbytes, t->nbytes);
	cr_assert(memcmp(m.data, t->data, t->nbytes) == 0);
	vt_tensor_release(&m);
	if (same_bytes) {
		wbuf = write_mem(t, &wlen);
		cr_assert_eq(wlen, flen, "%s: wrote %zu bytes, numpy %zu", file,
			     wlen, flen);
		cr_assert(memcmp(wbuf, fbuf, flen) == 0,
			  "%s: bytes differ from numpy's", file);
		free(wbuf);
	}
	free(fbuf);
}

Test(npy, every_dtype_from_numpy)
{
	for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++) {
		char file[32];
		struct vt_tensor t;

		snprintf(file, sizeof file, "%s.npy", codes[k].code);
		load_and_rewrite(file, &t, true);
		cr_assert_eq(t.dtype, codes[k].dtype, "%s", file);
		cr_assert_eq(t.rank, 2);
		cr_assert_eq(t.shape[0], 2);
		cr_assert_eq(t.shape[1], 3);
		check_values(&t);
		vt_tensor_release(&t);
	}
}

Test(npy, rank0_empty_vector_rank8)
{
	struct vt_tensor t;

	load_and_rewrite("scalar-f8.npy", &t, true);
	cr_assert_eq(t.rank, 0);
	cr_assert_eq(t.dtype, VT_F64);
	cr_assert_eq(t.nbytes, 8);
	cr_assert_eq(*(double *)t.data, 3.25);
	vt_tensor_release(&t);

	load_and_rewrite("empty-f4.npy", &t, true);
	cr_assert_eq(t.rank, 2);
	cr_assert_eq(t.shape[0], 0);
	cr_assert_eq(t.shape[1], 3);
	cr_assert_eq(t.nbytes, 0);
	vt_tensor_release(&t);

	load_and_rewrite("empty-i2.npy", &t, true);
	cr_assert_eq(t.rank, 3);
	cr_assert_eq(t.dtype, VT_I16);
	cr_assert_eq(t.shape[0], 2);
	cr_assert_eq(t.shape[1], 0);
	cr_assert_eq(t.shape[2], 4);
	vt_tensor_release(&t);

	load_and_rewrite("vec-u1.npy", &t, true);
	cr_assert_eq(t.rank, 1);
	cr_assert_eq(t.shape[0], 5);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(((uint8_t *)t.data)[i], i);
	vt_tensor_release(&t);

	load_and_rewrite("rank8-u1.npy", &t, true);
	cr_assert_eq(t.rank, 8);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(t.shape[i], (uint64_t)(i % 2 ? 2 : 1));
	for (int i = 0; i < 16; i++)
		cr_assert_eq(((uint8_t *)t.data)[i], i);
	vt_tensor_release(&t);
}

Test(npy, versions_2_and_3)
{
	struct vt_tensor t;

	load_and_rewrite("v2-i4.npy", &t, false);
	cr_assert_eq(t.dtype, VT_I32);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(((int32_t *)t.data)[i], i);
	vt_tensor_release(&t);

	load_and_rewrite("v3-f4.npy", &t, false);
	cr_assert_eq(t.dtype, VT_F32);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(((float *)t.data)[i], (float)i);
	vt_tensor_release(&t);
}

Test(npy, fortran_order_is_transposed)
{
	struct vt_tensor t;

	load_and_rewrite("fortran-i4.npy", &t, false);
	cr_assert_eq(t.rank, 3);
	cr_assert_eq(t.shape[0], 2);
	cr_assert_eq(t.shape[1], 3);
	cr_assert_eq(t.shape[2], 4);
	for (int i = 0; i < 24; i++)
		cr_assert_eq(((int32_t *)t.data)[i], i, "element %d", i);
	vt_tensor_release(&t);

	load_and_rewrite("fortran-f8.npy", &t, false);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(((double *)t.data)[i], i * 0.5);
	vt_tensor_release(&t);
}

/* Round trip through memory for every dtype .npy has. */
static void round_trip(enum vt_dtype dt, int rank, const uint64_t *shape)
{
	struct vt_err err;
	struct vt_tensor t, r;
	unsigned char *buf;
	size_t len;
	uint64_t n;

	cr_assert_eq(vt_tensor_init(&t, "x", dt, rank, shape, &err), 0, "%s",
		     err.msg);
	n = vt_tensor_numel(&t);
	for (uint64_t i = 0; i < n; i++)
		vt_dtype_store(dt, t.data, i, dt == VT_BOOL ? (double)(i % 3 == 0)
			       : (double)i * 3 - 7);
	if (rank > 0) {
		char csv[16] = "N,,,,,,,";

		cr_assert_eq(vt_tensor_set_dims(&t, csv, (size_t)rank, &err), 0,
			     "%s", err.msg);
	}
	buf = write_mem(&t, &len);
	cr_assert_eq(len % 64, t.nbytes % 64, "data starts at a multiple of 64");
	cr_assert(memcmp(buf, "\x93NUMPY\x01\x00", 8) == 0);
	cr_assert_eq(vt_npy_read_mem(buf, len, "mem", &r, &err), 0, "%s: %s",
		     vt_dtype_name(dt), err.msg);
	cr_assert_eq(r.dtype, dt);
	cr_assert_eq(r.rank, rank);
	for (int k = 0; k < rank; k++)
		cr_assert_eq(r.shape[k], shape[k]);
	cr_assert_eq(r.nbytes, t.nbytes);
	cr_assert(memcmp(r.data, t.data, t.nbytes) == 0);
	cr_assert(!vt_tensor_has_dims(&r), "dimension names do not survive");
	vt_tensor_release(&r);
	vt_tensor_release(&t);
	free(buf);
}

Test(npy, round_trip_every_dtype)
{
	static const uint64_t s23[] = { 2, 3 }, s5[] = { 5 },
			      s0[] = { 4, 0, 2 },
			      s8[] = { 2, 1, 2, 1, 3, 1, 1, 2 },
			      sbig[] = { 100000, 3 };

	for (int dt = 0; dt < VT_DTYPE_COUNT; dt++) {
		if (dt == VT_BF16)
			continue;
		round_trip((enum vt_dtype)dt, 2, s23);
		round_trip((enum vt_dtype)dt, 1, s5);
		round_trip((enum vt_dtype)dt, 0, NULL);
		round_trip((enum vt_dtype)dt, 3, s0);
		round_trip((enum vt_dtype)dt, 8, s8);
	}
	round_trip(VT_U8, 2, sbig);
}

Test(npy, header_text_matches_numpy)
{
	struct vt_err err;
	struct vt_tensor t;
	static const uint64_t shape[] = { 2, 3 };
	unsigned char *buf;
	size_t len;
	const char *want = "{'descr': '<f4', 'fortran_order': False, "
			   "'shape': (2, 3), }";

	cr_assert_eq(vt_tensor_init(&t, NULL, VT_F32, 2, shape, &err), 0);
	buf = write_mem(&t, &len);
	cr_assert_eq(len, 128 + 24);
	cr_assert_eq(buf[8] | buf[9] << 8, 128 - 10);
	cr_assert(memcmp(buf + 10, want, strlen(want)) == 0);
	cr_assert_eq(buf[127], '\n');
	for (size_t i = 10 + strlen(want); i < 127; i++)
		cr_assert_eq(buf[i], ' ');
	free(buf);
	vt_tensor_release(&t);
}

Test(npy, bf16_and_bad_tensors_are_refused)
{
	struct vt_err err;
	struct vt_tensor t;
	static const uint64_t shape[] = { 2 };
	FILE *f = fopen("/dev/null", "wb");

	cr_assert(f);
	cr_assert_eq(vt_tensor_init(&t, NULL, VT_BF16, 1, shape, &err), 0);
	cr_assert_eq(vt_npy_write(f, "out.npy", &t, &err), VT_EUNSUP);
	cr_assert_eq(err.code, VT_EUNSUP);
	cr_assert(strstr(err.msg, "'out.npy': BF16 has no .npy dtype"), "%s",
		  err.msg);
	t.dtype = VT_F32;   /* 4 bytes for a shape that needs 8 */
	cr_assert_eq(vt_npy_write(f, "out.npy", &t, &err), VT_EINVAL);
	vt_tensor_release(&t);
	fclose(f);
}

Test(npy, header_variants_accepted)
{
	static const struct {
		int major;
		bool pad;
		const char *dict;
		enum vt_dtype dt;
		int rank;
		uint64_t d0;
	} ok[] = {
		{ 1, true, "{'descr': '<f4', 'fortran_order': False, "
			   "'shape': (2, 3)}", VT_F32, 2, 2 },
		{ 1, false, "{\"shape\": (6,), \"descr\": \"<f4\", "
			    "\"fortran_order\": False}", VT_F32, 1, 6 },
		{ 1, true, "{'descr':'<f4','fortran_order':False,'shape':"
			   "(2,3,),}", VT_F32, 2, 2 },
		{ 1, true, "{ 'descr' : '<f4' ,\t'fortran_order' : False , "
			   "'shape' : ( 6 , ) , }", VT_F32, 1, 6 },
		{ 1, true, "{'descr': '<f4', 'fortran_order': False, "
			   "'shape': (2L, 3L), }", VT_F32, 2, 2 },
		{ 2, true, "{'descr': '<u1', 'fortran_order': False, "
			   "'shape': (24,), }", VT_U8, 1, 24 },
		{ 3, true, "{'descr': '=i1', 'fortran_order': True, "
			   "'shape': (24,), }", VT_I8, 1, 24 },
		{ 1, true, "{'descr': '>u1', 'fortran_order': False, "
			   "'shape': (4, 6), }", VT_U8, 2, 4 },
		{ 1, true, "{'descr': '|b1', 'fortran_order': False, "
			   "'shape': (1, 24), }", VT_BOOL, 2, 1 },
		{ 1, true, "{'descr': '<i2', 'fortran_order': False, "
			   "'shape': (12,), }", VT_I16, 1, 12 },
	};
	unsigned char data[24], buf[512];

	for (int i = 0; i < 24; i++)
		data[i] = (unsigned char)i;
	for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
		struct vt_err err;
		struct vt_tensor t;
		size_t len = build(buf, sizeof buf, ok[k].major, ok[k].dict,
				   ok[k].pad, data, 24);

		cr_assert_eq(vt_npy_read_mem(buf, len, "h.npy", &t, &err), 0,
			     "case %zu: %s", k, err.msg);
		cr_assert_eq(t.dtype, ok[k].dt, "case %zu", k);
		cr_assert_eq(t.rank, ok[k].rank, "case %zu", k);
		cr_assert_eq(t.shape[0], ok[k].d0, "case %zu", k);
		cr_assert(memcmp(t.data, data, 24) == 0, "case %zu", k);
		vt_tensor_release(&t);
	}
}

Test(npy, header_variants_refused)
{
	static const struct {
		int major;
		const char *dict;
		int code;
		const char *msg;
	} bad[] = {
		{ 3, "{'descr': '<f4', 'fortran_order': False, "
		     "'shape': (2L, 3L), }", VT_EFORMAT,
		  "shape entry 0 is not a non-negative integer" },
		{ 1, "{'descr': '<f4', 'fortran_order': False, "
		     "'shape': (2, L), }", VT_EFORMAT,
		  "shape entry 1 is not a non-negative integer" },
		{ 1, "{'descr': '<f4', 'fortran_order': False, "
		     "'shape': (2, 3), }\t", VT_EFORMAT, "only spaces" },
		{ 1, " {'descr': '<f4', 'fortran_order': False, "
		     "'shape': (2, 3), }", VT_EFORMAT, "start with '{'" },
		{ 1, "{'descr': '<f4', 'fortran_order': Falsey, "
		     "'shape': (2, 3), }", VT_EFORMAT, "not True or False" },
		{ 1, "{'descr': '<f4', 'fortran_order': False, "
		     "'shape': (2, 3), ", VT_EFORMAT, "expected a quoted key" },
		{ 1, "{'descr': '<f4', 'fortran_order': False, "
		     "'shape': (2, 3) 'x'}", VT_EFORMAT, "expected ',' or '}'" },
		{ 1, "{'descr': '<f4', 'fortran_order': False, "
		     "'shape': (1, 2, 3", VT_EFORMAT, "expected ',' or ')'" },
		{ 1, "{'descr': '<f4', 'fortran_order': False, "
		     "'shape': (2, 3e0), }", VT_EFORMAT, "shape entry 1" },
		{ 1, "{'descr': 'f4', 'fortran_order': False, "
		     "'shape': (6,), }", VT_EUNSUP, "dtype 'f4' is not supported" },
		{ 1, "{'descr': '|f4', 'fortran_order': False, "
		     "'shape': (6,), }", VT_EUNSUP, "not explicitly little-endian" },
		{ 1, "{'descr': '>i8', 'fortran_order': False, "
		     "'shape': (3,), }", VT_EUNSUP, "big-endian dtype '>i8'" },
		{ 1, "{'descr': '|O', 'fortran_order': False, "
		     "'shape': (3,), }", VT_EUNSUP,
		  "object arrays are not supported" },
		{ 1, "{'descr': '<c8', 'fortran_order': False, "
		     "'shape': (3,), }", VT_EUNSUP, "dtype '<c8' is not supported" },
		{ 1, "{'descr': [('a', '<f4')], 'fortran_order': False, "
		     "'shape': (6,), }", VT_EUNSUP, "structured dtypes" },
		{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': "
		     "(281474976710656,), }", VT_EUNSUP,
		  "shape entry 0 is above 2^48-1" },
		{ 1, "{'descr': '<f4', 'fortran_order': False, 'shape': "
		     "(281474976710655, 2), }", VT_EFORMAT, "overflows" },
	};
	unsigned char data[24] = { 0 }, buf[512];

	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		struct vt_err err;
		struct vt_tensor t;
		size_t len = build(buf, sizeof buf, bad[k].major, bad[k].dict,
				   true, data, 24);
		int rc = vt_npy_read_mem(buf, len, "h.npy", &t, &err);

		cr_assert_eq(rc, bad[k].code, "case %zu: %d %s", k, rc, err.msg);
		cr_assert_eq(err.code, rc);
		cr_assert(strncmp(err.msg, "'h.npy': ", 9) == 0, "%s", err.msg);
		cr_assert(strstr(err.msg, bad[k].msg), "case %zu: '%s' lacks '%s'",
			  k, err.msg, bad[k].msg);
		cr_assert_null(t.data);
	}
}

/* The committed malformed files: every reader refuses each with its code. */
static const struct {
	const char *file;
	int code;
	const char *msg;
} bad_files[] = {
	{ "npy-empty.npy", VT_EFORMAT, "empty file" },
	{ "npy-bad-magic.npy", VT_EFORMAT, "not a .npy file" },
	{ "npy-short-magic.npy", VT_EFORMAT, "truncated in the .npy magic" },
	{ "npy-short-version.npy", VT_EFORMAT, "truncated in the .npy magic" },
	{ "npy-short-length.npy", VT_EFORMAT, "truncated in the header length" },
	{ "npy-version-4.npy", VT_EUNSUP, "format version 4.0 is not supported" },
	{ "npy-version-1-1.npy", VT_EUNSUP, "format version 1.1" },
	{ "npy-header-past-end.npy", VT_EFORMAT,
	  "header of 118 bytes runs past the end of the file (40 bytes)" },
	{ "npy-header-limit.npy", VT_ELIMIT, "header length 4294967280 is above" },
	{ "npy-data-short.npy", VT_EFORMAT,
	  "expected 24 bytes of data, file has 23" },
	{ "npy-data-long.npy", VT_EFORMAT,
	  "expected 24 bytes of data, file has 25" },
	{ "npy-no-newline.npy", VT_EFORMAT, "does not end with a newline" },
	{ "npy-no-brace.npy", VT_EFORMAT, "does not start with '{'" },
	{ "npy-garbage-after-dict.npy", VT_EFORMAT, "byte 0x78 after the dict" },
	{ "npy-object.npy", VT_EUNSUP, "object arrays are not supported" },
	{ "npy-big-endian.npy", VT_EUNSUP, "big-endian dtype '>f4'" },
	{ "npy-native-order.npy", VT_EUNSUP, "'=f4' is not explicitly" },
	{ "npy-structured.npy", VT_EUNSUP, "structured dtypes are not supported" },
	{ "npy-complex.npy", VT_EUNSUP, "dtype '<c8' is not supported" },
	{ "npy-string.npy", VT_EUNSUP, "dtype '<U2' is not supported" },
	{ "npy-datetime.npy", VT_EUNSUP, "dtype '<M8[s]' is not supported" },
	{ "npy-float128.npy", VT_EUNSUP, "dtype '<f16' is not supported" },
	{ "npy-descr-not-string.npy", VT_EFORMAT, "'descr' is not a string" },
	{ "npy-dup-key.npy", VT_EFORMAT, "key 'descr' appears twice" },
	{ "npy-missing-key.npy", VT_EFORMAT, "no 'fortran_order' key" },
	{ "npy-extra-key.npy", VT_EFORMAT, "unknown key 'x'" },
	{ "npy-double-comma.npy", VT_EFORMAT, "expected a quoted key" },
	{ "npy-unterminated-string.npy", VT_EFORMAT, "unterminated string" },
	{ "npy-escape.npy", VT_EFORMAT, "escape sequences" },
	{ "npy-fortran-int.npy", VT_EFORMAT, "not True or False" },
	{ "npy-shape-negative.npy", VT_EFORMAT,
	  "shape entry 1 is not a non-negative integer" },
	{ "npy-shape-not-tuple.npy", VT_EFORMAT, "1-tuple needs a trailing comma" },
	{ "npy-shape-list.npy", VT_EFORMAT, "'shape' is not a tuple" },
	{ "npy-shape-float.npy", VT_EFORMAT, "shape entry 0 is not" },
	{ "npy-shape-bool.npy", VT_EFORMAT, "shape entry 0 is not" },
	{ "npy-shape-leading-zero.npy", VT_EFORMAT, "shape entry 0 is not" },
	{ "npy-shape-empty-entry.npy", VT_EFORMAT, "shape entry 1 is not" },
	{ "npy-shape-rank9.npy", VT_EUNSUP, "more than 8 dimensions" },
	{ "npy-shape-huge.npy", VT_EUNSUP, "shape entry 0 is above 2^48-1" },
	{ "npy-shape-overflow.npy", VT_EFORMAT, "overflows" },
	{ "npy-v3-bad-utf8.npy", VT_EFORMAT, "not valid UTF-8" },
};

static void check_refusal(size_t k, int rc, const struct vt_err *err,
			  const struct vt_tensor *t, const char *path,
			  const char *how)
{
	char prefix[600];

	snprintf(prefix, sizeof prefix, "'%s': ", path);
	cr_assert_eq(rc, bad_files[k].code, "%s %s: %d %s", how,
		     bad_files[k].file, rc, err->msg);
	cr_assert(strncmp(err->msg, prefix, strlen(prefix)) == 0, "%s: %s",
		  how, err->msg);
	cr_assert(strstr(err->msg, bad_files[k].msg), "%s: '%s' lacks '%s'",
		  how, err->msg, bad_files[k].msg);
	cr_assert_null(t->data);
}

Test(npy, bad_files_refused)
{
	for (size_t k = 0; k < sizeof bad_files / sizeof bad_files[0]; k++) {
		const char *path = t_data_path("bad", bad_files[k].file);
		struct vt_err err;
		struct vt_tensor t;
		unsigned char *buf;
		size_t len;
		int rc;

		rc = vt_npy_load(path, &t, &err);
		check_refusal(k, rc, &err, &t, path, "load");
		buf = t_slurp(path, &len);
		rc = vt_npy_read_mem(buf, len, path, &t, &err);
		check_refusal(k, rc, &err, &t, path, "read_mem");
		free(buf);
	}
}

/* Feed bytes to vt_npy_load("-") through a pipe on standard input. */
static int load_from_pipe(const void *bytes, size_t len, struct vt_tensor *t,
			  struct vt_err *err)
{
	int fds[2];
	pid_t pid;
	int rc, status;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		const char *p = bytes;

		close(fds[0]);
		while (len) {
			ssize_t w = write(fds[1], p, len);
			if (w <= 0)
				_exit(1);
			p += w;
			len -= (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	cr_assert(dup2(fds[0], STDIN_FILENO) >= 0);
	close(fds[0]);
	rc = vt_npy_load("-", t, err);
	close(STDIN_FILENO);
	waitpid(pid, &status, 0);
	return rc;
}

Test(npy, load_from_a_pipe)
{
	struct vt_err err;
	struct vt_tensor t;
	unsigned char *buf;
	size_t len;

	buf = t_slurp(t_data_path("npy", "fortran-i4.npy"), &len);
	cr_assert_eq(load_from_pipe(buf, len, &t, &err), 0, "%s", err.msg);
	for (int i = 0; i < 24; i++)
		cr_assert_eq(((int32_t *)t.data)[i], i);
	vt_tensor_release(&t);
	free(buf);
}

Test(npy, pipe_with_a_large_array)
{
	static const uint64_t shape[] = { 3, 1000, 1001 };
	struct vt_err err;
	struct vt_tensor t, r;
	unsigned char *buf;
	size_t len;

	cr_assert_eq(vt_tensor_init(&t, NULL, VT_I16, 3, shape, &err), 0);
	for (size_t i = 0; i < 3003000; i++)
		((int16_t *)t.data)[i] = (int16_t)(i * 7);
	buf = write_mem(&t, &len);
	cr_assert_eq(load_from_pipe(buf, len, &r, &err), 0, "%s", err.msg);
	cr_assert_eq(r.nbytes, t.nbytes);
	cr_assert(memcmp(r.data, t.data, t.nbytes) == 0);
	vt_tensor_release(&r);
	vt_tensor_release(&t);
	free(buf);
}

Test(npy, pipe_data_too_long)
{
	struct vt_err err;
	struct vt_tensor t;
	unsigned char *buf;
	size_t len;

	buf = t_slurp(t_data_path("bad", "npy-data-long.npy"), &len);
	cr_assert_eq(load_from_pipe(buf, len, &t, &err), VT_EFORMAT);
	cr_assert_str_eq(err.msg,
			 "'-': expected 24 bytes of data, file has 25");
	free(buf);
}

Test(npy, pipe_data_too_short)
{
	struct vt_err err;
	struct vt_tensor t;
	unsigned char *buf;
	size_t len;

	buf = t_slurp(t_data_path("bad", "npy-data-short.npy"), &len);
	cr_assert_eq(load_from_pipe(buf, len, &t, &err), VT_EFORMAT);
	cr_assert_str_eq(err.msg,
			 "'-': expected 24 bytes of data, file has 23");
	free(buf);
}

Test(npy, pipe_huge_claim_with_little_data)
{
	/* A header claiming 2^40 bytes must not make the reader allocate them. */
	struct vt_err err;
	struct vt_tensor t;
	unsigned char buf[512], data[8] = { 0 };
	size_t len = build(buf, sizeof buf, 1,
			   "{'descr': '<f8', 'fortran_order': False, "
			   "'shape': (1024, 1024, 1024, 128), }", true, data, 8);

	cr_assert_eq(load_from_pipe(buf, len, &t, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "expected 1099511627776 bytes of data, "
			 "file has 8"), "%s", err.msg);
	cr_assert_eq(vt_npy_read_mem(buf, len, "m", &t, &err), VT_EFORMAT);
}

Test(npy, save_and_load)
{
	static const uint64_t shape[] = { 4, 5 };
	char dir[] = "/tmp/vt-npy-XXXXXX", path[64];
	struct vt_err err;
	struct vt_tensor t, r;

	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/a.npy", dir);
	cr_assert_eq(vt_tensor_init(&t, "a", VT_F64, 2, shape, &err), 0);
	for (int i = 0; i < 20; i++)
		((double *)t.data)[i] = i / 8.0;
	cr_assert_eq(vt_npy_save(path, &t, &err), 0, "%s", err.msg);
	cr_assert_eq(vt_npy_load(path, &r, &err), 0, "%s", err.msg);
	cr_assert_eq(r.dtype, VT_F64);
	cr_assert(memcmp(r.data, t.data, t.nbytes) == 0);
	vt_tensor_release(&r);
	t.dtype = VT_BF16;
	t.nbytes = 40;
	cr_assert_eq(vt_npy_save(path, &t, &err), VT_EUNSUP);
	/* The refused write left the earlier file alone. */
	cr_assert_eq(vt_npy_load(path, &r, &err), 0, "%s", err.msg);
	vt_tensor_release(&r);
	vt_tensor_release(&t);
	remove(path);
	rmdir(dir);
}

Test(npy, load_missing_file)
{
	struct vt_err err;
	struct vt_tensor t;

	cr_assert_eq(vt_npy_load("/nonexistent/x.npy", &t, &err), VT_EOPEN);
	cr_assert(strstr(err.msg, "'/nonexistent/x.npy': cannot open"), "%s",
		  err.msg);
	cr_assert_eq(vt_npy_load(t_data_dir(), &t, &err), VT_EOPEN);
	cr_assert(strstr(err.msg, "is a directory"), "%s", err.msg);
}

Test(npy, magic)
{
	cr_assert(vt_npy_magic("\x93NUMPY\x01\x00", 8));
	cr_assert(vt_npy_magic("\x93NUMPY", 6));
	cr_assert(!vt_npy_magic("\x93NUMP", 5));
	cr_assert(!vt_npy_magic("\x93NUMPZ", 6));
	cr_assert(!vt_npy_magic(NULL, 0));
}
