/* test_core.c - the core module: statuses, sizes, dtypes, tensors, names,
 * RNG, statistics, slices and printing.
 *
 * Reference values marked "numpy" were computed once with Debian's NumPy
 * 1.24 (/usr/bin/python3); the RNG values with an independent Python
 * implementation of splitmix64 + xoshiro256** (and xoshiro256**'s published
 * first outputs for the state {1, 2, 3, 4}).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "vt/dtype.h"
#include "vt/err.h"
#include "vt/print.h"
#include "vt/rng.h"
#include "vt/size.h"
#include "vt/slice.h"
#include "vt/stats.h"
#include "vt/tensor.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t f32_bits(float f)
{
	uint32_t b;

	memcpy(&b, &f, 4);
	return b;
}

static float bits_f32(uint32_t b)
{
	float f;

	memcpy(&f, &b, 4);
	return f;
}

static uint64_t f64_bits(double d)
{
	uint64_t b;

	memcpy(&b, &d, 8);
	return b;
}

static double bits_f64(uint64_t b)
{
	double d;

	memcpy(&d, &b, 8);
	return d;
}

/* ---- statuses and messages ---- */

Test(err, status_names_and_exit_codes)
{
	static const struct {
		int code;
		const char *name;
		int exit;
	} table[] = {
		{ VT_OK, "ok", 0 },
		{ VT_EINVAL, "invalid-argument", EX_USAGE },
		{ VT_ENOMEM, "out-of-memory", EX_OSERR },
		{ VT_EFORMAT, "malformed-data", EX_DATAERR },
		{ VT_ELIMIT, "over-limit", EX_DATAERR },
		{ VT_EOPEN, "cannot-open", EX_NOINPUT },
		{ VT_ECREATE, "cannot-create", EX_CANTCREAT },
		{ VT_EIO, "io-error", EX_IOERR },
		{ VT_EOS, "os-error", EX_OSERR },
		{ VT_ECONFIG, "bad-config", EX_CONFIG },
		{ VT_EUNSUP, "unsupported", EX_DATAERR },
		{ VT_EBUG, "internal-error", EX_SOFTWARE },
	};

	cr_assert_eq(LEN(table), VT_STATUS_COUNT, "a status is missing here");
	for (size_t i = 0; i < LEN(table); i++) {
		cr_assert_eq(table[i].code, -(int)i);
		cr_assert_str_eq(vt_status_name(table[i].code), table[i].name);
		cr_assert_eq(vt_status_exit(table[i].code), table[i].exit,
			     "%s", table[i].name);
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(table[i].name, table[j].name);
	}
	cr_assert_str_eq(vt_status_name(1), "unknown");
	cr_assert_str_eq(vt_status_name(-VT_STATUS_COUNT), "unknown");
	cr_assert_str_eq(vt_status_name(-1000), "unknown");
	cr_assert_eq(vt_status_exit(1), EX_SOFTWARE);
	cr_assert_eq(vt_status_exit(-VT_STATUS_COUNT), EX_SOFTWARE);
}

Test(err, set_prefix_sys)
{
	struct vt_err e;
	char big[2000];

	cr_assert_eq(vt_err_set(NULL, VT_EIO, "x %d", 1), VT_EIO);
	vt_err_prefix(NULL, "p");
	vt_err_clear(NULL);
	cr_assert_eq(vt_err_set(&e, VT_EFORMAT, "shape [%d,%d]", 3, 5),
		     VT_EFORMAT);
	cr_assert_eq(e.code, VT_EFORMAT);
	cr_assert_str_eq(e.msg, "shape [3,5]");
	vt_err_prefix(&e, "'%s': record %d", "f.vts", 2);
	cr_assert_str_eq(e.msg, "'f.vts': record 2: shape [3,5]");
	vt_err_clear(&e);
	cr_assert_eq(e.code, VT_OK);
	cr_assert_str_eq(e.msg, "");

	errno = ENOENT;
	cr_assert_eq(vt_err_sys(&e, VT_EOPEN, "'%s': cannot open", "x"),
		     VT_EOPEN);
	cr_assert_eq(e.sys_errno, ENOENT);
	cr_assert_str_eq(e.msg, "'x': cannot open: No such file or directory");

	/* long messages are cut, never overflow */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	vt_err_set(&e, VT_EFORMAT, "%s", big);
	cr_assert_eq(strlen(e.msg), VT_ERR_MSG_MAX - 1);
	vt_err_prefix(&e, "%s", big);
	cr_assert_eq(strlen(e.msg), VT_ERR_MSG_MAX - 1);
}

Test(err, messages_are_one_printable_line)
{
	struct vt_err e;

	vt_err_set(&e, VT_EFORMAT, "name '%s'", "a\x1b[31mb\nc\td\x7f");
	cr_assert_str_eq(e.msg, "name 'a\\x1b[31mb\\nc\\td\\x7f'");
	vt_err_prefix(&e, "'%s'", "f\rg");
	cr_assert_str_eq(e.msg, "'f\\rg': name 'a\\x1b[31mb\\nc\\td\\x7f'");
	/* UTF-8 is kept as it is */
	vt_err_set(&e, VT_EFORMAT, "caf\xc3\xa9 \xe2\x98\x83");
	cr_assert_str_eq(e.msg, "caf\xc3\xa9 \xe2\x98\x83");
}

/* ---- overflow-checked sizes ---- */

Test(size, overflow_helpers)
{
	uint64_t u;
	size_t z;
	void *p;

	cr_assert_not(vt_mul_overflow_u64(UINT64_C(1) << 32,
					  (UINT64_C(1) << 32) - 1, &u));
	cr_assert_eq(u, UINT64_C(0xffffffff00000000));
	cr_assert(vt_mul_overflow_u64(UINT64_C(1) << 32, UINT64_C(1) << 32, &u));
	cr_assert(vt_mul_overflow_u64(UINT64_MAX, 2, &u));
	cr_assert_not(vt_mul_overflow_u64(UINT64_MAX, 1, &u));
	cr_assert_eq(u, UINT64_MAX);
	cr_assert_not(vt_mul_overflow_u64(UINT64_MAX, 0, &u));
	cr_assert_eq(u, 0);
	cr_assert_not(vt_add_overflow_u64(UINT64_MAX - 1, 1, &u));
	cr_assert_eq(u, UINT64_MAX);
	cr_assert(vt_add_overflow_u64(UINT64_MAX, 1, &u));
	cr_assert(vt_mul_overflow_size(SIZE_MAX / 2 + 1, 2, &z));
	cr_assert_not(vt_mul_overflow_size(SIZE_MAX / 2, 2, &z));
	cr_assert_eq(z, SIZE_MAX - 1);
	cr_assert(vt_add_overflow_size(SIZE_MAX, 1, &z));
	cr_assert_not(vt_add_overflow_size(SIZE_MAX - 5, 5, &z));

	cr_assert_null(vt_malloc_array(SIZE_MAX / 2 + 1, 2));
	cr_assert_null(vt_calloc_array(SIZE_MAX / 2 + 1, 2));
	p = vt_malloc_array(0, 8); /* a valid pointer for zero bytes */
	cr_assert_not_null(p);
	cr_assert_null(vt_realloc_array(p, SIZE_MAX / 4 + 1, 4));
	p = vt_realloc_array(p, 4, 4); /* p still valid after the failure */
	cr_assert_not_null(p);
	free(p);
	p = vt_calloc_array(3, 4);
	cr_assert_not_null(p);
	for (int i = 0; i < 12; i++)
		cr_assert_eq(((unsigned char *)p)[i], 0);
	free(p);
}

/* ---- dtypes ---- */

Test(dtype, names_sizes_parse)
{
	static const struct {
		enum vt_dtype dt;
		const char *name;
		size_t size;
		bool is_float, is_signed;
	} table[] = {
		{ VT_F32, "F32", 4, true, true },
		{ VT_F64, "F64", 8, true, true },
		{ VT_F16, "F16", 2, true, true },
		{ VT_BF16, "BF16", 2, true, true },
		{ VT_I64, "I64", 8, false, true },
		{ VT_I32, "I32", 4, false, true },
		{ VT_I16, "I16", 2, false, true },
		{ VT_I8, "I8", 1, false, true },
		{ VT_U8, "U8", 1, false, false },
		{ VT_BOOL, "BOOL", 1, false, false },
		{ VT_U16, "U16", 2, false, false },
		{ VT_U32, "U32", 4, false, false },
		{ VT_U64, "U64", 8, false, false },
	};
	static const char *const rejected[] = {
		"", "f32", "F", "F3", "F322", "F32 ", " F32", "bool", "Bool",
		"BF", "B16", "U128", "F128", "I4", "C64", "float32", "STR",
	};
	enum vt_dtype dt;

	cr_assert_eq(LEN(table), VT_DTYPE_COUNT);
	for (size_t i = 0; i < LEN(table); i++) {
		cr_assert_eq(table[i].dt, (enum vt_dtype)i);
		cr_assert_str_eq(vt_dtype_name(table[i].dt), table[i].name);
		cr_assert_eq(vt_dtype_size(table[i].dt), table[i].size);
		cr_assert_eq(vt_dtype_is_float(table[i].dt), table[i].is_float);
		cr_assert_eq(vt_dtype_is_signed(table[i].dt), table[i].is_signed);
		dt = VT_DTYPE_COUNT;
		cr_assert_eq(vt_dtype_parse(table[i].name, strlen(table[i].name),
					    &dt), 0);
		cr_assert_eq(dt, table[i].dt);
	}
	cr_assert_null(vt_dtype_name(VT_DTYPE_COUNT));
	cr_assert_null(vt_dtype_name((enum vt_dtype)-1));
	cr_assert_eq(vt_dtype_size(VT_DTYPE_COUNT), 0);
	for (size_t i = 0; i < LEN(rejected); i++)
		cr_assert_eq(vt_dtype_parse(rejected[i], strlen(rejected[i]), &dt),
			     VT_EFORMAT, "'%s'", rejected[i]);
	/* the length counts, not a NUL */
	cr_assert_eq(vt_dtype_parse("F32x", 3, &dt), 0);
	cr_assert_eq(dt, VT_F32);
	cr_assert_eq(vt_dtype_parse("BOOLEAN", 4, &dt), 0);
	cr_assert_eq(dt, VT_BOOL);
	cr_assert_eq(vt_dtype_parse("F3\0", 3, &dt), VT_EFORMAT);
}

/* float32 value -> float16 bits, from numpy:
 * np.float32(x).astype(np.float16).view(np.uint16) */
static const struct {
	float f;
	uint16_t h;
} f16_numpy[] = {
	{ 0.0f, 0x0000 },
	{ -0.0f, 0x8000 },
	{ 1.0f, 0x3c00 },
	{ -2.0f, 0xc000 },
	{ 0.10000000149011612f, 0x2e66 },
	{ 0.3333333432674408f, 0x3555 },
	{ 65504.0f, 0x7bff },
	{ 65519.99609375f, 0x7bff },        /* just below the overflow point */
	{ 65520.0f, 0x7c00 },               /* halfway to 2^16: ties to Inf */
	{ -65520.0f, 0xfc00 },
	{ 1e10f, 0x7c00 },
	{ INFINITY, 0x7c00 },
	{ -INFINITY, 0xfc00 },
	{ 5.960464477539063e-08f, 0x0001 }, /* 2^-24, smallest subnormal */
	{ 2.9802322387695312e-08f, 0x0000 },/* 2^-25: a tie, to even 0 */
	{ 2.980232594040899e-08f, 0x0001 }, /* just above that tie */
	{ 8.940696716308594e-08f, 0x0002 }, /* 3 * 2^-25: tie, to even 2 */
	{ 6.103515625e-05f, 0x0400 },       /* 2^-14, smallest normal */
	{ 6.1005353927612305e-05f, 0x0400 },/* subnormal rounding up to it */
	{ 1.00048828125f, 0x3c00 },         /* 1 + 2^-11: tie, to even */
	{ 1.00146484375f, 0x3c02 },         /* 1 + 3 * 2^-11: tie, to even */
	{ 1.0004884004592896f, 0x3c01 },    /* just above the tie */
	{ -9.99999993922529e-09f, 0x8000 }, /* underflows to -0 */
	{ 5.960000137861243e-08f, 0x0001 },
	{ 1.401298464324817e-45f, 0x0000 }, /* float's smallest subnormal */
	{ 1234.5677490234375f, 0x64d3 },
};

Test(dtype, f16_matches_numpy)
{
	for (size_t i = 0; i < LEN(f16_numpy); i++) {
		uint16_t h = vt_f32_to_f16(f16_numpy[i].f);
		cr_assert_eq(h, f16_numpy[i].h, "%a: got 0x%04x, numpy 0x%04x",
			     (double)f16_numpy[i].f, h, f16_numpy[i].h);
	}
	/* numpy's NaN is 0x7e00; any NaN must stay a quiet NaN */
	cr_assert_eq(vt_f32_to_f16(NAN), 0x7e00);
	cr_assert_eq(vt_f32_to_f16(-NAN) & 0x7fff, 0x7e00);
	cr_assert_eq(vt_f32_to_f16(bits_f32(0x7f800001)) & 0x7e00, 0x7e00);
	cr_assert(isnan(vt_f16_to_f32(0x7c01)));
	cr_assert(isnan(vt_f16_to_f32(0xfe00)));
	cr_assert_eq(vt_f16_to_f32(0x7c00), INFINITY);
	cr_assert_eq(vt_f16_to_f32(0xfc00), -INFINITY);
	cr_assert_eq(vt_f16_to_f32(0x7bff), 65504.0f);
	cr_assert_eq(vt_f16_to_f32(0x0001), 0x1p-24f);
	cr_assert_eq(vt_f16_to_f32(0x03ff), 0x3ffp-24f);
	cr_assert_eq(f32_bits(vt_f16_to_f32(0x8000)), 0x80000000u);
}

/* Every F16 value, widened exactly, and back. */
Test(dtype, f16_all_values)
{
	for (uint32_t h = 0; h < 0x10000; h++) {
		uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;
		float f = vt_f16_to_f32((uint16_t)h);
		double want;

		if (e == 0x1f) {
			cr_assert(m ? isnan(f) : isinf(f));
			continue;
		}
		want = e ? ldexp(1024 + m, (int)e - 25) : ldexp(m, -24);
		if (h & 0x8000)
			want = -want;
		cr_assert_eq((double)f, want, "0x%04x", h);
		cr_assert_eq(signbit(f) != 0, (h & 0x8000) != 0);
		cr_assert_eq(vt_f32_to_f16(f), h, "0x%04x", h);
	}
}

/* The F16 nearest to x (ties to even), by search: the reference the
 * conversion is checked against. */
static uint16_t f16_reference(float x)
{
	double a = fabs((double)x);
	uint16_t sign = signbit(x) ? 0x8000 : 0;
	uint32_t lo = 0, hi = 0x7c00; /* magnitudes, in order of value */

	if (isnan(x))
		return 0x7e00;
	if (a >= 65520.0)
		return sign | 0x7c00;
	/* largest magnitude bits with value <= a */
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;
		if ((double)vt_f16_to_f32((uint16_t)mid) <= a)
			lo = mid;
		else
			hi = mid;
	}
	if (lo < 0x7bff || (double)vt_f16_to_f32(0x7bff) > a) {
		double dl = a - vt_f16_to_f32((uint16_t)lo);
		double dh = vt_f16_to_f32((uint16_t)(lo + 1)) - a;
		if (dh < dl || (dh == dl && (lo & 1)))
			lo++;
	}
	return sign | (uint16_t)lo;
}

Test(dtype, f16_rounding_sweep)
{
	/* floats spread over every exponent, with halfway and near-halfway
	 * bit patterns at each F16 rounding position */
	for (uint32_t b = 0; b < 0x7f800000u; b += 0x7ff) {
		static const uint32_t tweak[] = { 0, 0x1000, 0xfff, 0x1001, 0x3000 };
		for (size_t k = 0; k < LEN(tweak); k++) {
			uint32_t v = (b & ~0x1fffu) | tweak[k];
			for (int s = 0; s < 2; s++) {
				float x = bits_f32(v | (s ? 0x80000000u : 0));
				cr_assert_eq(vt_f32_to_f16(x), f16_reference(x),
					     "bits 0x%08x", f32_bits(x));
			}
		}
	}
}

static uint16_t bf16_reference(float x)
{
	uint32_t b = f32_bits(x), lo = b & 0xffff0000u;
	double a = (double)x, l, h;

	if (isnan(x))
		return (uint16_t)((b >> 16) | 0x40);
	if ((b & 0xffff) == 0)
		return (uint16_t)(b >> 16);
	l = bits_f32(lo);
	h = (lo & 0x7fffffffu) == 0x7f7f0000u ?
	    (signbit(x) ? -0x1p128 : 0x1p128) : (double)bits_f32(lo + 0x10000);
	if (fabs(h - a) < fabs(a - l) ||
	    (fabs(h - a) == fabs(a - l) && (lo & 0x10000)))
		return (uint16_t)((lo + 0x10000) >> 16);
	return (uint16_t)(lo >> 16);
}

Test(dtype, bf16)
{
	/* bits computed by hand: BF16 is the top half of an F32 */
	static const struct {
		float f;
		uint16_t h;
	} table[] = {
		{ 1.0f, 0x3f80 },
		{ -2.0f, 0xc000 },
		{ 0x1.01p0f, 0x3f80 },      /* 1 + 2^-8: tie, to even */
		{ 0x1.03p0f, 0x3f82 },      /* 1 + 3 * 2^-8: tie, to even */
		{ 0x1.0101p0f, 0x3f81 },    /* just above the tie */
		{ 3.3895314e38f, 0x7f7f },  /* BF16 max */
		{ FLT_MAX, 0x7f80 },        /* rounds to Inf */
		{ INFINITY, 0x7f80 },
		{ -INFINITY, 0xff80 },
		{ 0x1p-133f, 0x0001 },      /* BF16 smallest subnormal */
		{ 0x1p-134f, 0x0000 },      /* tie, to even 0 */
		{ -0.0f, 0x8000 },
	};

	for (size_t i = 0; i < LEN(table); i++)
		cr_assert_eq(vt_f32_to_bf16(table[i].f), table[i].h, "%a",
			     (double)table[i].f);
	cr_assert_eq(vt_f32_to_bf16(NAN) & 0x7fc0, 0x7fc0);
	cr_assert_eq(vt_f32_to_bf16(bits_f32(0x7f800001)), 0x7fc0); /* quiet */
	cr_assert_eq(vt_f32_to_bf16(bits_f32(0xff800001)), 0xffc0);
	for (uint32_t h = 0; h < 0x10000; h++) {
		float f = vt_bf16_to_f32((uint16_t)h);
		cr_assert_eq(f32_bits(f), h << 16);
		if (!isnan(f))
			cr_assert_eq(vt_f32_to_bf16(f), h);
	}
	for (uint32_t b = 0; b < 0xff800000u; b += 0x3ffd) {
		uint32_t v = (b & ~0xffffu) | (b % 3 == 0 ? 0x8000 : b & 0xffff);
		float x = bits_f32(v);
		cr_assert_eq(vt_f32_to_bf16(x), bf16_reference(x), "0x%08x", v);
	}
}

Test(dtype, store_rounds_doubles_once)
{
	uint16_t h;

	/* numpy: np.float64(v).astype(np.float16) rounds once; through a
	 * float first it would round twice and differ */
	vt_dtype_store(VT_F16, &h, 0, 1 + 0x1p-11 + 0x1p-40);
	cr_assert_eq(h, 0x3c01);
	vt_dtype_store(VT_F16, &h, 0, -(0x1p-25 + 0x1p-60));
	cr_assert_eq(h, 0x8001);
	vt_dtype_store(VT_F16, &h, 0, 65520 - 0x1p-30);
	cr_assert_eq(h, 0x7bff);
	vt_dtype_store(VT_F16, &h, 0, 65520);
	cr_assert_eq(h, 0x7c00);
	vt_dtype_store(VT_F16, &h, 0, 1e-300);
	cr_assert_eq(h, 0x0000);
	vt_dtype_store(VT_F16, &h, 0, -1e300);
	cr_assert_eq(h, 0xfc00);
	vt_dtype_store(VT_F16, &h, 0, 1 + 0x1p-11); /* exact tie: even */
	cr_assert_eq(h, 0x3c00);
	vt_dtype_store(VT_BF16, &h, 0, 1 + 0x1p-8 + 0x1p-30);
	cr_assert_eq(h, 0x3f81);
	vt_dtype_store(VT_BF16, &h, 0, 1 + 0x1p-8);
	cr_assert_eq(h, 0x3f80);
	vt_dtype_store(VT_BF16, &h, 0, 1e300);
	cr_assert_eq(h, 0x7f80);
	vt_dtype_store(VT_BF16, &h, 0, 0x1p-134 + 0x1p-170);
	cr_assert_eq(h, 0x0001);
	vt_dtype_store(VT_BF16, &h, 0, NAN);
	cr_assert_eq(h & 0x7fc0, 0x7fc0);
	/* the same as the F32 path wherever the double is a float */
	for (size_t i = 0; i < LEN(f16_numpy); i++) {
		vt_dtype_store(VT_F16, &h, 0, (double)f16_numpy[i].f);
		cr_assert_eq(h, f16_numpy[i].h);
	}
}

Test(dtype, store_saturates)
{
	static const struct {
		enum vt_dtype dt;
		double v;
		double want;   /* read back with vt_dtype_load */
	} table[] = {
		{ VT_I8, 127.9, 127 }, { VT_I8, 200, 127 }, { VT_I8, -200, -128 },
		{ VT_I8, -1.9, -1 }, { VT_I8, NAN, 0 }, { VT_I8, INFINITY, 127 },
		{ VT_I8, -INFINITY, -128 }, { VT_I8, -0.5, 0 },
		{ VT_U8, -1, 0 }, { VT_U8, 255.5, 255 }, { VT_U8, 300, 255 },
		{ VT_U8, 0.99, 0 }, { VT_U8, NAN, 0 }, { VT_U8, -INFINITY, 0 },
		{ VT_I16, 40000, 32767 }, { VT_I16, -40000, -32768 },
		{ VT_I16, -32768.9, -32768 },
		{ VT_U16, 70000, 65535 }, { VT_U16, -3, 0 }, { VT_U16, 65535, 65535 },
		{ VT_I32, 3e9, 2147483647 }, { VT_I32, -3e9, -2147483648.0 },
		{ VT_I32, 2147483647.9, 2147483647 }, { VT_I32, NAN, 0 },
		{ VT_U32, 5e9, 4294967295.0 }, { VT_U32, -1, 0 },
		{ VT_U32, 4294967295.0, 4294967295.0 },
		{ VT_I64, 1e19, 0x1p63 }, { VT_I64, -1e19, -0x1p63 },
		{ VT_I64, -0x1p63, -0x1p63 }, { VT_I64, 9.2e18, 9.2e18 },
		{ VT_I64, NAN, 0 }, { VT_I64, INFINITY, 0x1p63 },
		{ VT_I64, -7.5, -7 },
		{ VT_U64, 0x1p64, 0x1p64 }, { VT_U64, 1.8e19, 1.8e19 },
		{ VT_U64, -5, 0 }, { VT_U64, NAN, 0 }, { VT_U64, 0.9, 0 },
		{ VT_BOOL, 0, 0 }, { VT_BOOL, -0.0, 0 }, { VT_BOOL, 0.5, 1 },
		{ VT_BOOL, -3, 1 }, { VT_BOOL, NAN, 0 }, { VT_BOOL, INFINITY, 1 },
		{ VT_F32, 1e40, INFINITY }, { VT_F32, -1e40, -INFINITY },
		{ VT_F32, 0.1, 0.100000001490116119384765625 },
		{ VT_F64, 0.1, 0.1 }, { VT_F64, -INFINITY, -INFINITY },
	};
	unsigned char buf[16];

	for (size_t i = 0; i < LEN(table); i++) {
		double got;
		memset(buf, 0xa5, sizeof buf);
		vt_dtype_store(table[i].dt, buf, 1, table[i].v);
		got = vt_dtype_load(table[i].dt, buf, 1);
		cr_assert(got == table[i].want, "%s %.17g: got %.17g, want %.17g",
			  vt_dtype_name(table[i].dt), table[i].v, got,
			  table[i].want);
		/* element 0 untouched */
		for (size_t k = 0; k < vt_dtype_size(table[i].dt); k++)
			cr_assert_eq(buf[k], 0xa5);
	}
	/* exact extremes of the 64-bit types */
	{
		int64_t i64;
		uint64_t u64;
		vt_dtype_store(VT_I64, &i64, 0, 1e30);
		cr_assert_eq(i64, INT64_MAX);
		vt_dtype_store(VT_I64, &i64, 0, -1e30);
		cr_assert_eq(i64, INT64_MIN);
		vt_dtype_store(VT_U64, &u64, 0, 1e30);
		cr_assert_eq(u64, UINT64_MAX);
		vt_dtype_store(VT_U64, &u64, 0, 0x1p63);
		cr_assert_eq(u64, UINT64_C(1) << 63);
	}
}

Test(dtype, load_every_dtype_unaligned)
{
	unsigned char raw[1 + 8 * 3];
	unsigned char *p = raw + 1; /* deliberately misaligned */
	int64_t i64 = -5;
	uint64_t u64 = UINT64_C(1) << 53;
	double f64 = -0.25;
	float f32 = 3.5f;
	int32_t i32 = -70000;
	uint32_t u32 = 4000000000u;
	int16_t i16 = -300;
	uint16_t u16 = 60000, f16 = 0x3e00, bf16 = 0xc0a0;

	memcpy(p + 8, &i64, 8);
	cr_assert_eq(vt_dtype_load(VT_I64, p, 1), -5);
	memcpy(p + 8, &u64, 8);
	cr_assert_eq(vt_dtype_load(VT_U64, p, 1), 0x1p53);
	memcpy(p + 16, &f64, 8);
	cr_assert_eq(vt_dtype_load(VT_F64, p, 2), -0.25);
	memcpy(p + 4, &f32, 4);
	cr_assert_eq(vt_dtype_load(VT_F32, p, 1), 3.5);
	memcpy(p + 8, &i32, 4);
	cr_assert_eq(vt_dtype_load(VT_I32, p, 2), -70000);
	memcpy(p + 8, &u32, 4);
	cr_assert_eq(vt_dtype_load(VT_U32, p, 2), 4000000000.0);
	memcpy(p + 2, &i16, 2);
	cr_assert_eq(vt_dtype_load(VT_I16, p, 1), -300);
	memcpy(p + 2, &u16, 2);
	cr_assert_eq(vt_dtype_load(VT_U16, p, 1), 60000);
	memcpy(p + 2, &f16, 2);
	cr_assert_eq(vt_dtype_load(VT_F16, p, 1), 1.5);
	memcpy(p + 2, &bf16, 2);
	cr_assert_eq(vt_dtype_load(VT_BF16, p, 1), -5.0);
	p[3] = 0xff;
	cr_assert_eq(vt_dtype_load(VT_I8, p, 3), -1);
	cr_assert_eq(vt_dtype_load(VT_U8, p, 3), 255);
	cr_assert_eq(vt_dtype_load(VT_BOOL, p, 3), 1);
	p[3] = 0;
	cr_assert_eq(vt_dtype_load(VT_BOOL, p, 3), 0);
	cr_assert(isnan(vt_dtype_load(VT_DTYPE_COUNT, p, 0)));
}

/* ---- tensors and names ---- */

Test(tensor, init_view_own_release)
{
	struct vt_tensor t, v;
	struct vt_err e;
	uint64_t shape[3] = { 2, 3, 4 };
	float data[24];

	cr_assert_eq(vt_tensor_init(&t, "x", VT_F32, 3, shape, &e), 0);
	cr_assert_str_eq(t.name, "x");
	cr_assert_eq(t.rank, 3);
	cr_assert_eq(t.nbytes, 96);
	cr_assert(t.owns_data);
	cr_assert_eq(vt_tensor_numel(&t), 24);
	for (size_t i = 0; i < t.nbytes; i++)
		cr_assert_eq(((unsigned char *)t.data)[i], 0);
	cr_assert_not(vt_tensor_has_dims(&t));
	cr_assert_eq(vt_tensor_own(&t, &e), 0); /* already owned: no-op */
	vt_tensor_release(&t);
	cr_assert_null(t.name);
	cr_assert_null(t.data);
	vt_tensor_release(&t); /* twice is fine */
	vt_tensor_release(NULL);

	for (int i = 0; i < 24; i++)
		data[i] = (float)i;
	cr_assert_eq(vt_tensor_init_view(&v, NULL, VT_F32, 3, shape, data, &e), 0);
	cr_assert_null(v.name);
	cr_assert_not(v.owns_data);
	cr_assert_eq(v.data, (void *)data);
	cr_assert_eq(vt_tensor_set_name(&v, "view", &e), 0);
	cr_assert_eq(vt_tensor_set_name(&v, "renamed", &e), 0);
	cr_assert_str_eq(v.name, "renamed");
	cr_assert_eq(vt_tensor_own(&v, &e), 0);
	cr_assert(v.owns_data);
	cr_assert_neq(v.data, (void *)data);
	data[5] = -1;
	cr_assert_eq(((float *)v.data)[5], 5.0f);
	vt_tensor_release(&v);

	/* a view is never freed by release (ASan would see it) */
	cr_assert_eq(vt_tensor_init_view(&v, "v", VT_U8, 1,
					 (uint64_t[]){ 4 }, data, &e), 0);
	vt_tensor_release(&v);
}

Test(tensor, rank0_and_empty)
{
	struct vt_tensor t;
	struct vt_err e;

	cr_assert_eq(vt_tensor_init(&t, "s", VT_F64, 0, NULL, &e), 0);
	cr_assert_eq(vt_tensor_numel(&t), 1);
	cr_assert_eq(t.nbytes, 8);
	vt_tensor_release(&t);
	cr_assert_eq(vt_tensor_init(&t, "e", VT_I16, 2, (uint64_t[]){ 3, 0 }, &e),
		     0);
	cr_assert_eq(vt_tensor_numel(&t), 0);
	cr_assert_eq(t.nbytes, 0);
	cr_assert_not_null(t.data);
	cr_assert_eq(vt_tensor_own(&t, &e), 0);
	vt_tensor_release(&t);
}

Test(tensor, bad_shapes_and_names)
{
	struct vt_tensor t;
	struct vt_err e;
	uint64_t big[2] = { VT_MAX_EXTENT, VT_MAX_EXTENT };
	uint64_t n, nb;
	uint64_t nine[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 };

	cr_assert_eq(vt_tensor_init(&t, "x", VT_F32, 9, nine, &e), VT_EFORMAT);
	cr_assert_str_eq(e.msg, "rank 9 exceeds 8");
	cr_assert_eq(vt_tensor_init(&t, "x", VT_F32, -1, nine, &e), VT_EFORMAT);
	cr_assert_eq(vt_tensor_init(&t, "x", VT_U8, 1,
				    (uint64_t[]){ VT_MAX_EXTENT + 1 }, &e),
		     VT_EFORMAT);
	cr_assert_str_eq(e.msg, "dimension 0 is 281474976710656, above 2^48-1");
	cr_assert_eq(vt_tensor_init(&t, "x", VT_U8, 2, big, &e), VT_EFORMAT);
	cr_assert_str_eq(e.msg, "element count overflows");
	cr_assert_eq(vt_shape_size(VT_F32, 1, (uint64_t[]){ UINT64_C(1) << 46 },
				   &n, &nb, &e), VT_EFORMAT);
	cr_assert_str_eq(e.msg, "byte size overflows");
	cr_assert_eq(vt_shape_size(VT_U8, 1, (uint64_t[]){ VT_MAX_EXTENT },
				   &n, &nb, &e), 0);
	cr_assert_eq(nb, VT_MAX_EXTENT);
	cr_assert_eq(vt_shape_size(VT_DTYPE_COUNT, 0, NULL, &n, &nb, &e),
		     VT_EFORMAT);
	/* zero anywhere: no overflow from the zero's side */
	cr_assert_eq(vt_shape_size(VT_F64, 3, (uint64_t[]){ 0, VT_MAX_EXTENT,
				   VT_MAX_EXTENT }, &n, &nb, &e), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(nb, 0);

	cr_assert_eq(vt_tensor_init(&t, "__metadata__", VT_U8, 0, NULL, &e),
		     VT_EINVAL);
	cr_assert_null(t.name);
	cr_assert_null(t.data);
	cr_assert_eq(vt_tensor_init(&t, "", VT_U8, 0, NULL, &e), VT_EINVAL);
	cr_assert_eq(vt_tensor_init(&t, "a\nb", VT_U8, 0, NULL, &e), VT_EINVAL);
}

Test(tensor, name_valid)
{
	char n255[256], n256[257];
	static const struct {
		const char *s;
		bool ok;
	} table[] = {
		{ "x", true }, { "model.layer1.weight", true }, { "a b", true },
		{ "a/b[0]", true }, { "caf\xc3\xa9", true },
		{ "\xf0\x9f\x98\x80", true },         /* U+1F600 */
		{ "__metadata_", true }, { "__metadata__x", true },
		{ "__metadata__", false }, { "", false },
		{ "a\x01", false }, { "\t", false }, { "a\x7f", false },
		{ "\xff", false }, { "\xc3", false },  /* truncated sequence */
		{ "\xc0\xaf", false },                 /* overlong */
		{ "\xed\xa0\x80", false },             /* surrogate */
		{ "\xf4\x90\x80\x80", false },         /* above U+10FFFF */
	};

	for (size_t i = 0; i < LEN(table); i++)
		cr_assert_eq(vt_tensor_name_valid(table[i].s, strlen(table[i].s)),
			     table[i].ok, "'%s'", table[i].s);
	memset(n255, 'a', 255);
	n255[255] = '\0';
	memset(n256, 'a', 256);
	n256[256] = '\0';
	cr_assert(vt_tensor_name_valid(n255, 255));
	cr_assert_not(vt_tensor_name_valid(n256, 256));
	/* a NUL inside the length is a control character */
	cr_assert_not(vt_tensor_name_valid("a\0b", 3));
	/* 255 bytes of 2-byte characters, cut inside the last one */
	for (int i = 0; i < 254; i += 2)
		memcpy(n255 + i, "\xc3\xa9", 2);
	n255[254] = 'x';
	cr_assert(vt_tensor_name_valid(n255, 255));
	n255[254] = '\xc3';
	cr_assert_not(vt_tensor_name_valid(n255, 255));
}

Test(tensor, dim_name_valid)
{
	static const struct {
		const char *s;
		bool ok;
	} table[] = {
		{ "N", true }, { "a", true }, { "A_1", true }, { "x9", true },
		{ "batch_size", true }, { "Z_", true },
		{ "abcdefghijklmnopqrstuvwxyzABCDEF", true },   /* 32 */
		{ "abcdefghijklmnopqrstuvwxyzABCDEFG", false }, /* 33 */
		{ "", false }, { "1a", false }, { "_a", false }, { "a-b", false },
		{ "a b", false }, { "a,b", false }, { "\xc3\xa9", false },
		{ "a=", false },
	};

	for (size_t i = 0; i < LEN(table); i++)
		cr_assert_eq(vt_dim_name_valid(table[i].s, strlen(table[i].s)),
			     table[i].ok, "'%s'", table[i].s);
}

static void check_dims(const char *csv, int rank, int want_rc,
		       const char *want_msg)
{
	struct vt_tensor t;
	struct vt_err e;
	uint64_t shape[VT_MAX_RANK] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	char back[VT_MAX_RANK * (VT_DIM_NAME_MAX + 1)];
	int rc;

	cr_assert_eq(vt_tensor_init(&t, "t", VT_U8, rank, shape, &e), 0);
	strcpy(t.dims[0], "Old");
	rc = vt_tensor_set_dims(&t, csv, strlen(csv), &e);
	cr_assert_eq(rc, want_rc, "'%s' rank %d: %d %s", csv, rank, rc, e.msg);
	if (rc) {
		cr_assert_str_eq(e.msg, want_msg);
		if (rank)
			cr_assert_str_eq(t.dims[0], "Old"); /* unchanged */
	} else if (rank) {
		vt_tensor_dims_csv(&t, back, sizeof back);
		cr_assert_str_eq(back, csv);
	}
	vt_tensor_release(&t);
}

Test(tensor, set_dims)
{
	check_dims("N,C,H,W", 4, 0, NULL);
	check_dims(",C", 2, 0, NULL);
	check_dims("", 1, 0, NULL);
	check_dims(",,", 3, 0, NULL);
	check_dims("A,B,C,D,E,F,G,H", 8, 0, NULL);
	check_dims("", 0, 0, NULL);
	check_dims("N", 0, VT_EFORMAT, "dimension names given for rank 0");
	check_dims("N", 2, VT_EFORMAT, "1 dimension name for rank 2");
	check_dims("N,C,H", 2, VT_EFORMAT, "3 dimension names for rank 2");
	check_dims(",", 1, VT_EFORMAT, "2 dimension names for rank 1");
	check_dims("N,N", 2, VT_EFORMAT, "dimension name 'N' repeated");
	check_dims("N,C,N", 3, VT_EFORMAT, "dimension name 'N' repeated");
	check_dims("2x,C", 2, VT_EFORMAT, "invalid dimension name '2x'");
	check_dims("N,C-1", 2, VT_EFORMAT, "invalid dimension name 'C-1'");
	check_dims("N, C", 2, VT_EFORMAT, "invalid dimension name ' C'");
	check_dims("abcdefghijklmnopqrstuvwxyzABCDEFG", 1, VT_EFORMAT,
		   "invalid dimension name 'abcdefghijklmnopqrstuvwxyzABCDEFG'");
}

Test(tensor, dims_lookup_and_shape_str)
{
	struct vt_tensor t;
	struct vt_err e;
	char buf[128], tiny[6];

	cr_assert_eq(vt_tensor_init(&t, "images", VT_F32, 4,
				    (uint64_t[]){ 64, 1, 28, 28 }, &e), 0);
	vt_tensor_shape_str(&t, buf, sizeof buf);
	cr_assert_str_eq(buf, "[64, 1, 28, 28]");
	cr_assert_eq(vt_tensor_set_dims(&t, "N,C,H,W", 7, &e), 0);
	cr_assert(vt_tensor_has_dims(&t));
	vt_tensor_shape_str(&t, buf, sizeof buf);
	cr_assert_str_eq(buf, "[N=64, C=1, H=28, W=28]");
	cr_assert_eq(vt_tensor_dim_index(&t, "N"), 0);
	cr_assert_eq(vt_tensor_dim_index(&t, "W"), 3);
	cr_assert_eq(vt_tensor_dim_index(&t, "X"), -1);
	cr_assert_eq(vt_tensor_dim_index(&t, ""), -1);
	cr_assert_eq(vt_tensor_set_dims(&t, ",C,,W", 5, &e), 0);
	vt_tensor_shape_str(&t, buf, sizeof buf);
	cr_assert_str_eq(buf, "[64, C=1, 28, W=28]");
	cr_assert_eq(vt_tensor_dim_index(&t, "N"), -1);
	/* a short buffer is cut, always terminated */
	memset(tiny, 'z', sizeof tiny);
	vt_tensor_shape_str(&t, tiny, sizeof tiny);
	cr_assert_eq(strlen(tiny), 5);
	cr_assert_eq(strncmp(tiny, "[64, ", 5), 0);
	vt_tensor_shape_str(&t, tiny, 1);
	cr_assert_str_eq(tiny, "");
	vt_tensor_dims_csv(&t, tiny, 4);
	cr_assert_eq(strlen(tiny), 3);
	cr_assert_str_eq(tiny, ",C,");
	vt_tensor_release(&t);

	cr_assert_eq(vt_tensor_init(&t, "s", VT_F32, 0, NULL, &e), 0);
	vt_tensor_shape_str(&t, buf, sizeof buf);
	cr_assert_str_eq(buf, "[]");
	vt_tensor_dims_csv(&t, buf, sizeof buf);
	cr_assert_str_eq(buf, "");
	cr_assert_not(vt_tensor_has_dims(&t));
	vt_tensor_release(&t);
}

/* ---- RNG ---- */

Test(rng, pinned_values)
{
	static const struct {
		uint64_t seed, stream;
		uint64_t out[4];
	} table[] = {
		{ 0, 0, { 0xfb5405f7bd79c540u, 0x780c98e26cea5883u,
			  0x2a146e0980febc66u, 0x4851477db8791fcau } },
		{ 42, 7, { 0x24bfb39aeb008c15u, 0xd858489e7fc02496u,
			   0x3deebe24036964f3u, 0x532b7127a28f00a1u } },
		{ 12345, 0, { 0x3b31f8cfdff514ebu, 0x95be1538438c0d78u,
			      0xf07a354de572e315u, 0x4cbea1d1b8dc6e3au } },
		{ 12345, 1, { 0x5736e9a7d7a0c0afu, 0xf425e2eb1171d26cu,
			      0x28d9ff361188cf75u, 0xa569fdb1160a7fd6u } },
	};
	struct vt_rng r;

	for (size_t i = 0; i < LEN(table); i++) {
		vt_rng_seed(&r, table[i].seed, table[i].stream);
		for (int k = 0; k < 4; k++) {
			uint64_t x = vt_rng_u64(&r);
			cr_assert_eq(x, table[i].out[k],
				     "seed %llu stream %llu draw %d: 0x%016llx",
				     (unsigned long long)table[i].seed,
				     (unsigned long long)table[i].stream, k,
				     (unsigned long long)x);
		}
	}
	/* xoshiro256**'s published first outputs for the state {1,2,3,4} */
	memset(&r, 0, sizeof r);
	r.s[0] = 1, r.s[1] = 2, r.s[2] = 3, r.s[3] = 4;
	cr_assert_eq(vt_rng_u64(&r), 11520);
	cr_assert_eq(vt_rng_u64(&r), 0);
	cr_assert_eq(vt_rng_u64(&r), 1509978240);
	cr_assert_eq(vt_rng_u64(&r), UINT64_C(1215971899390074240));

	vt_rng_seed(&r, 42, 7);
	cr_assert_eq(vt_rng_uniform(&r), 0.14355013401200456);
	cr_assert_eq(vt_rng_uniform(&r), 0.8450971018753539);
	cr_assert_eq(vt_rng_uniform(&r), 0.24192417506438835);
	vt_rng_seed(&r, 42, 7);
	cr_assert_eq(vt_rng_u32(&r), 0x24bfb39au);
	cr_assert_eq(vt_rng_uniform_f32(&r), (float)(0xd858489e7fc02496u >> 40) *
		     0x1p-24f);
}

Test(rng, streams_independent)
{
	enum { N = 100000 };
	struct vt_rng a, b, a2;
	double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0, corr;
	int same = 0;

	vt_rng_seed(&a, 7, 0);
	vt_rng_seed(&a2, 7, 0);
	vt_rng_seed(&b, 7, 1);
	for (int i = 0; i < N; i++) {
		uint64_t x = vt_rng_u64(&a), y = vt_rng_u64(&b);
		double u = (double)(x >> 11) * 0x1p-53 - 0.5;
		double v = (double)(y >> 11) * 0x1p-53 - 0.5;
		cr_assert_eq(vt_rng_u64(&a2), x); /* reproducible */
		same += x == y;
		sa += u, sb += v, sab += u * v, saa += u * u, sbb += v * v;
	}
	cr_assert_eq(same, 0);
	corr = (sab - sa * sb / N) /
	       sqrt((saa - sa * sa / N) * (sbb - sb * sb / N));
	cr_assert_lt(fabs(corr), 0.015, "correlation %g", corr); /* ~4.7 sigma */

	/* (seed, stream) pairs do not collide in an obvious way */
	{
		uint64_t first[4][4];
		uint64_t pairs[4][2] = { { 0, 1 }, { 1, 0 }, { 1, 1 }, { 0, 0 } };
		for (int i = 0; i < 4; i++) {
			vt_rng_seed(&a, pairs[i][0], pairs[i][1]);
			first[i][0] = vt_rng_u64(&a);
			for (int j = 0; j < i; j++)
				cr_assert_neq(first[i][0], first[j][0]);
		}
	}
}

Test(rng, uniform_range)
{
	enum { N = 1000000 };
	struct vt_rng r;
	double s = 0, s2 = 0, mean, var;

	vt_rng_seed(&r, 1, 2);
	for (int i = 0; i < N; i++) {
		double u = vt_rng_uniform(&r);
		float f = vt_rng_uniform_f32(&r);
		cr_assert(u >= 0 && u < 1);
		cr_assert(f >= 0 && f < 1);
		s += u;
		s2 += u * u;
	}
	mean = s / N;
	var = s2 / N - mean * mean;
	cr_assert_lt(fabs(mean - 0.5), 0.0015, "mean %g", mean);
	cr_assert_lt(fabs(var - 1.0 / 12), 0.0008, "var %g", var);
	/* the largest values the formulas can give are below 1 */
	cr_assert_lt((double)(UINT64_MAX >> 11) * 0x1p-53, 1.0);
	cr_assert_lt((float)(UINT64_MAX >> 40) * 0x1p-24f, 1.0f);
}

static void check_range(int64_t lo, int64_t hi, int draws)
{
	struct vt_rng r;

	vt_rng_seed(&r, (uint64_t)lo ^ 99, (uint64_t)hi);
	for (int i = 0; i < draws; i++) {
		int64_t v = vt_rng_range(&r, lo, hi);
		cr_assert(v >= lo && v <= hi, "%lld not in [%lld, %lld]",
			  (long long)v, (long long)lo, (long long)hi);
	}
}

Test(rng, range_bounds)
{
	struct vt_rng r;
	bool seen_lo = false, seen_hi = false, neg = false, pos = false;

	check_range(5, 5, 100);
	check_range(-3, 3, 10000);
	check_range(0, 1, 1000);
	check_range(INT64_MIN, INT64_MIN, 10);
	check_range(INT64_MAX, INT64_MAX, 10);
	check_range(INT64_MIN, INT64_MIN + 1, 1000);
	check_range(INT64_MAX - 1, INT64_MAX, 1000);
	check_range(INT64_MIN, INT64_MAX, 1000);
	check_range(INT64_MIN, 0, 1000);
	check_range(-1, INT64_MAX, 1000);
	check_range(INT64_MIN + 1, INT64_MAX, 1000);

	vt_rng_seed(&r, 3, 3);
	for (int i = 0; i < 1000; i++) {
		int64_t v = vt_rng_range(&r, INT64_MAX - 1, INT64_MAX);
		seen_lo |= v == INT64_MAX - 1;
		seen_hi |= v == INT64_MAX;
		v = vt_rng_range(&r, INT64_MIN, INT64_MAX);
		neg |= v < 0;
		pos |= v > 0;
	}
	cr_assert(seen_lo && seen_hi && neg && pos);
	seen_lo = seen_hi = false;
	for (int i = 0; i < 1000; i++) {
		int64_t v = vt_rng_range(&r, INT64_MIN, INT64_MIN + 1);
		seen_lo |= v == INT64_MIN;
		seen_hi |= v == INT64_MIN + 1;
	}
	cr_assert(seen_lo && seen_hi);
}

/* Pearson's chi-square of counts against a uniform expectation. */
static double chi2(const long *count, int k, long n)
{
	double e = (double)n / k, x = 0;

	for (int i = 0; i < k; i++)
		x += (count[i] - e) * (count[i] - e) / e;
	return x;
}

Test(rng, range_unbiased)
{
	struct vt_rng r;
	long c7[7] = { 0 }, c3[3] = { 0 }, c6[6] = { 0 };
	const long n = 700000;
	const int64_t lo3 = INT64_MIN;
	const uint64_t third = UINT64_C(1) << 62;

	vt_rng_seed(&r, 11, 0);
	for (long i = 0; i < n; i++)
		c7[vt_rng_range(&r, -3, 3) + 3]++;
	/* 99.99th percentile of chi-square with 6 degrees of freedom: 27.9 */
	cr_assert_lt(chi2(c7, 7, n), 27.9, "chi2 %g", chi2(c7, 7, n));

	/* span 3 * 2^62: a plain modulo would give the first third of the
	 * range twice the share of the others */
	for (long i = 0; i < n; i++) {
		int64_t v = vt_rng_range(&r, lo3, (int64_t)((uint64_t)lo3 + 3 * third - 1));
		c3[((uint64_t)v - (uint64_t)lo3) / third]++;
	}
	cr_assert_lt(chi2(c3, 3, n), 18.4, "chi2 %g", chi2(c3, 3, n));

	/* and a span that is not a power-of-two fraction, within 64 bits */
	for (long i = 0; i < n; i++) {
		int64_t v = vt_rng_range(&r, -1000000000000000000, 5000000000000000000);
		c6[(v + 1000000000000000000) / 1000000000000000000]++;
	}
	/* 6 buckets of 1e18 values each (5 full, the last one value larger) */
	cr_assert_lt(chi2(c6, 6, n), 25.7, "chi2 %g", chi2(c6, 6, n));
}

Test(rng, normal_moments)
{
	enum { N = 1000000 };
	struct vt_rng r, r2;
	double s = 0, s2 = 0, s4 = 0, mean, var;

	vt_rng_seed(&r, 2024, 5);
	for (int i = 0; i < N; i++) {
		double x = vt_rng_normal(&r);
		s += x;
		s2 += x * x;
		s4 += x * x * x * x;
	}
	mean = s / N;
	var = s2 / N - mean * mean;
	cr_assert_lt(fabs(mean), 0.005, "mean %g", mean);    /* 5 sigma */
	cr_assert_lt(fabs(var - 1), 0.007, "var %g", var);   /* 5 sigma */
	cr_assert_lt(fabs(s4 / N - 3), 0.05, "4th moment %g", s4 / N);
	/* the same seed gives the same deviates, spare included */
	vt_rng_seed(&r, 9, 9);
	vt_rng_seed(&r2, 9, 9);
	for (int i = 0; i < 11; i++)
		cr_assert_eq(f64_bits(vt_rng_normal(&r)),
			     f64_bits(vt_rng_normal(&r2)));
	/* seeding clears the spare */
	vt_rng_normal(&r);
	vt_rng_seed(&r, 9, 9);
	vt_rng_seed(&r2, 9, 9);
	cr_assert_eq(f64_bits(vt_rng_normal(&r)), f64_bits(vt_rng_normal(&r2)));
}

static uint64_t ulp_diff(double a, double b)
{
	int64_t x = (int64_t)f64_bits(a), y = (int64_t)f64_bits(b);

	/* map to a monotonic integer line */
	if (x < 0)
		x = INT64_MIN - x;
	if (y < 0)
		y = INT64_MIN - y;
	return x > y ? (uint64_t)x - (uint64_t)y : (uint64_t)y - (uint64_t)x;
}

static void check_log(double x)
{
	double got = vt_det_log(x), want = log(x);

	cr_assert_leq(ulp_diff(got, want), 2, "log(%a): %a, libm %a", x, got,
		      want);
}

Test(rng, det_log)
{
	struct vt_rng r;

	cr_assert_eq(vt_det_log(1.0), 0.0);
	cr_assert_eq(vt_det_log(0.0), -INFINITY);
	cr_assert_eq(vt_det_log(-0.0), -INFINITY);
	cr_assert(isnan(vt_det_log(-1.0)));
	cr_assert(isnan(vt_det_log(NAN)));
	cr_assert(isnan(vt_det_log(-INFINITY)));
	cr_assert_eq(vt_det_log(INFINITY), INFINITY);
	check_log(DBL_MAX);
	check_log(DBL_MIN);
	check_log(DBL_TRUE_MIN);
	check_log(2.0);
	check_log(0.5);
	check_log(M_E);
	check_log(0.70710678118654752440);
	check_log(0.7071067811865475);
	check_log(1.4142135623730951);
	for (int e = -1074; e <= 1023; e++)
		check_log(ldexp(1.0, e));
	vt_rng_seed(&r, 77, 0);
	for (int i = 0; i < 200000; i++) {
		uint64_t b = vt_rng_u64(&r);
		/* any positive finite double, subnormals included */
		double x = bits_f64(b & 0x7fffffffffffffffu);
		if (isfinite(x) && x > 0)
			check_log(x);
		/* subnormals */
		check_log(bits_f64((b >> 12) | 1));
		/* near 1, where the answer is small */
		check_log(1 + ((double)(b >> 11) * 0x1p-53 - 0.5) * 0x1p-10);
		/* the values the polar method feeds it */
		check_log(vt_rng_uniform(&r));
	}
}

/* ---- statistics ---- */

struct ref_stats {
	uint64_t finite, nan, inf, zeros;
	double min, max;
	long double mean, std;
};

/* Naive two-pass statistics in long double: the reference. */
static void reference(enum vt_dtype dt, const void *data, size_t n,
		      struct ref_stats *r)
{
	long double s = 0, q = 0;

	memset(r, 0, sizeof *r);
	r->min = INFINITY;
	r->max = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		double v = vt_dtype_load(dt, data, i);
		if (isnan(v)) {
			r->nan++;
		} else if (isinf(v)) {
			r->inf++;
		} else {
			r->finite++;
			r->zeros += v == 0;
			s += v;
			r->min = v < r->min ? v : r->min;
			r->max = v > r->max ? v : r->max;
		}
	}
	if (!r->finite)
		return;
	r->mean = s / r->finite;
	for (size_t i = 0; i < n; i++) {
		double v = vt_dtype_load(dt, data, i);
		if (isfinite(v))
			q += ((long double)v - r->mean) * ((long double)v - r->mean);
	}
	r->std = sqrtl(q / r->finite);
}

static void check_stats(enum vt_dtype dt, const void *data, size_t n,
			double rel)
{
	struct vt_stats s;
	struct ref_stats r;

	reference(dt, data, n, &r);
	vt_stats_compute(&s, dt, data, n, 1);
	cr_assert_eq(s.count, n);
	cr_assert_eq(s.finite, r.finite, "%s", vt_dtype_name(dt));
	cr_assert_eq(s.nan, r.nan);
	cr_assert_eq(s.inf, r.inf);
	cr_assert_eq(s.zeros, r.zeros);
	if (!r.finite) {
		cr_assert_eq(vt_stats_std(&s), 0);
		return;
	}
	cr_assert_eq(s.min, r.min, "%s min %.17g vs %.17g", vt_dtype_name(dt),
		     s.min, r.min);
	cr_assert_eq(s.max, r.max);
	cr_assert_leq(fabsl(s.mean - r.mean), rel * fabsl(r.mean) + 1e-300,
		      "%s mean %.17g vs %.17Lg", vt_dtype_name(dt), s.mean,
		      r.mean);
	cr_assert_leq(fabsl(vt_stats_std(&s) - r.std), rel * r.std + 1e-300,
		      "%s std %.17g vs %.17Lg", vt_dtype_name(dt),
		      vt_stats_std(&s), r.std);
}

Test(stats, random_f64_and_f32)
{
	enum { N = 100003 };
	double *d = malloc(N * sizeof *d);
	float *f = malloc(N * sizeof *f);
	struct vt_rng r;

	vt_rng_seed(&r, 5, 5);
	for (int i = 0; i < N; i++) {
		d[i] = vt_rng_normal(&r) * 3 - 7;
		f[i] = (float)(vt_rng_uniform(&r) * 100 - 20);
	}
	check_stats(VT_F64, d, N, 1e-13);
	check_stats(VT_F32, f, N, 1e-13);
	/* misaligned float data takes the general path: same answers */
	{
		unsigned char *u = malloc(N * 4 + 1);
		memcpy(u + 1, f, N * 4);
		check_stats(VT_F32, u + 1, N, 1e-13);
		free(u);
	}
	free(d);
	free(f);
}

Test(stats, large_offset_is_stable)
{
	enum { N = 200000 };
	double *d = malloc(N * sizeof *d);
	float *f = malloc(N * sizeof *f);
	struct vt_rng r;
	struct vt_stats s;

	vt_rng_seed(&r, 6, 0);
	for (int i = 0; i < N; i++) {
		d[i] = 1e8 + vt_rng_normal(&r);
		f[i] = (float)(1e4 + vt_rng_normal(&r) * 0.01);
	}
	check_stats(VT_F64, d, N, 1e-9);
	vt_stats_compute(&s, VT_F64, d, N, 1);
	cr_assert_lt(fabs(vt_stats_std(&s) - 1), 0.01);
	check_stats(VT_F32, f, N, 1e-7);
	/* a sum of squares (E[x^2] - E[x]^2) would lose everything here */
	vt_stats_compute(&s, VT_F32, f, N, 1);
	cr_assert_lt(fabs(vt_stats_std(&s) - 0.01), 0.001, "%g",
		     vt_stats_std(&s));
	free(d);
	free(f);
}

Test(stats, nan_inf_zero_counts)
{
	enum { N = 5000 };
	float *f = malloc(N * sizeof *f);
	struct vt_stats s;

	for (int i = 0; i < N; i++)
		f[i] = (float)(i % 10) - 4.5f;
	f[0] = NAN;         /* first block */
	f[2047] = INFINITY; /* last element of the first block */
	f[2048] = 0.0f;     /* first of the second block */
	f[2049] = -0.0f;
	f[4000] = -INFINITY;
	f[4001] = -NAN;
	f[N - 1] = 1e30f;   /* finite, in the fast path */
	check_stats(VT_F32, f, N, 1e-12);
	vt_stats_compute(&s, VT_F32, f, N, 1);
	cr_assert_eq(s.nan, 2);
	cr_assert_eq(s.inf, 2);
	cr_assert_eq(s.zeros, 2);
	cr_assert_eq(s.finite, N - 4);
	cr_assert_eq(s.max, 1e30f);
	cr_assert_eq(s.min, -4.5);

	/* nothing finite */
	for (int i = 0; i < 10; i++)
		f[i] = i % 2 ? NAN : -INFINITY;
	vt_stats_compute(&s, VT_F32, f, 10, 1);
	cr_assert_eq(s.count, 10);
	cr_assert_eq(s.finite, 0);
	cr_assert_eq(s.nan, 5);
	cr_assert_eq(s.inf, 5);
	cr_assert_eq(vt_stats_std(&s), 0);
	/* nothing at all */
	vt_stats_compute(&s, VT_F32, f, 0, 4);
	cr_assert_eq(s.count, 0);
	cr_assert_eq(s.finite, 0);
	free(f);
}

Test(stats, every_dtype)
{
	enum { N = 3001 };
	unsigned char *buf = malloc(N * 8);
	struct vt_rng r;

	for (int dt = 0; dt < VT_DTYPE_COUNT; dt++) {
		vt_rng_seed(&r, 8, (uint64_t)dt);
		for (int i = 0; i < N; i++) {
			double v = vt_rng_normal(&r) * 50;
			if (!vt_dtype_is_signed((enum vt_dtype)dt))
				v = fabs(v);
			if (i % 97 == 0)
				v = 0;
			if (vt_dtype_is_float((enum vt_dtype)dt) && i % 101 == 1)
				v = i % 2 ? NAN : -INFINITY;
			vt_dtype_store((enum vt_dtype)dt, buf, (size_t)i, v);
		}
		check_stats((enum vt_dtype)dt, buf, N, 1e-12);
	}
	free(buf);
}

Test(stats, threads_bit_identical)
{
	/* three chunks of 2^20 and a bit, so threads really split the work */
	const size_t n = 3 * ((size_t)1 << 20) + 17;
	float *f = malloc(n * sizeof *f);
	struct vt_stats s1, s2, s0, s16;
	struct vt_rng r;

	vt_rng_seed(&r, 10, 0);
	for (size_t i = 0; i < n; i++)
		f[i] = vt_rng_uniform_f32(&r) * 1000 - 3;
	f[12345] = NAN;
	f[2000000] = INFINITY;
	vt_stats_compute(&s1, VT_F32, f, n, 1);
	vt_stats_compute(&s2, VT_F32, f, n, 2);
	vt_stats_compute(&s0, VT_F32, f, n, 0);
	vt_stats_compute(&s16, VT_F32, f, n, 16);
	cr_assert_eq(memcmp(&s1, &s2, sizeof s1), 0);
	cr_assert_eq(memcmp(&s1, &s0, sizeof s1), 0);
	cr_assert_eq(memcmp(&s1, &s16, sizeof s1), 0);
	cr_assert_eq(s1.nan, 1);
	cr_assert_eq(s1.inf, 1);
	check_stats(VT_F32, f, n, 1e-12);
	free(f);
}

Test(stats, add_and_merge)
{
	double d[1000];
	struct vt_stats a, b, whole;

	for (int i = 0; i < 1000; i++)
		d[i] = i * 0.5 - 100;
	vt_stats_init(&a);
	vt_stats_init(&b);
	vt_stats_add(&a, VT_F64, d, 300);
	vt_stats_add(&b, VT_F64, d + 300, 700);
	vt_stats_merge(&a, &b);
	vt_stats_init(&whole);
	vt_stats_add(&whole, VT_F64, d, 1000);
	cr_assert_eq(a.count, 1000);
	cr_assert_eq(a.min, -100);
	cr_assert_eq(a.max, 399.5);
	cr_assert_float_eq(a.mean, whole.mean, 1e-12);
	cr_assert_float_eq(vt_stats_std(&a), vt_stats_std(&whole), 1e-10);
	cr_assert_float_eq(a.mean, 149.75, 1e-12);
	/* merging an empty part changes nothing */
	vt_stats_init(&b);
	vt_stats_merge(&a, &b);
	cr_assert_eq(a.count, 1000);
	cr_assert_float_eq(a.mean, 149.75, 1e-12);
}

/* ---- slices ---- */

static void make_arange(struct vt_tensor *t, const char *dims)
{
	struct vt_err e;

	cr_assert_eq(vt_tensor_init(t, "a", VT_I32, 3,
				    (uint64_t[]){ 3, 4, 5 }, &e), 0);
	for (int i = 0; i < 60; i++)
		((int32_t *)t->data)[i] = i;
	if (dims)
		cr_assert_eq(vt_tensor_set_dims(t, dims, strlen(dims), &e), 0);
}

/* numpy: a = np.arange(60).reshape(3, 4, 5); a[SPEC] */
static const struct {
	const char *spec;
	int rank;
	uint64_t shape[3];
	int32_t v[60];
} slice_numpy[] = {
	{ "a[1]", 2, { 4,5 }, { 20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39 } },
	{ "a[-1]", 2, { 4,5 }, { 40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59 } },
	{ "a[:,1:3]", 3, { 3,2,5 }, { 5,6,7,8,9,10,11,12,13,14,25,26,27,28,29,30,31,32,33,34,45,46,47,48,49,50,51,52,53,54 } },
	{ "a[::-1]", 3, { 3,4,5 }, { 40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19 } },
	{ "a[::-2,::3,1]", 2, { 2,2 }, { 41,56,1,16 } },
	{ "a[5:1:-1]", 3, { 1,4,5 }, { 40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59 } },
	{ "a[-100:100]", 3, { 3,4,5 }, { 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59 } },
	{ "a[1:1]", 3, { 0,4,5 }, { 0 } },
	{ "a[:,:,-1:-6:-2]", 3, { 3,4,3 }, { 4,2,0,9,7,5,14,12,10,19,17,15,24,22,20,29,27,25,34,32,30,39,37,35,44,42,40,49,47,45,54,52,50,59,57,55 } },
	{ "a[2,-4,-5]", 0, { 0 }, { 40 } },
	{ "a[::9223372036854775807]", 3, { 1,4,5 }, { 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19 } },
	{ "a[::-9223372036854775808]", 3, { 1,4,5 }, { 40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59 } },
	{ "a[-9223372036854775808:9223372036854775807]", 3, { 3,4,5 }, { 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59 } },
	{ "a[9223372036854775807::-1]", 3, { 3,4,5 }, { 40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19 } },
	{ "a[:,-1,::-1]", 2, { 3,5 }, { 19,18,17,16,15,39,38,37,36,35,59,58,57,56,55 } },
	{ "a[0:3:2,1::2,-2:]", 3, { 2,2,2 }, { 8,9,18,19,48,49,58,59 } },
	{ "a[-2:-1,::-1,4:0:-3]", 3, { 1,4,2 }, { 39,36,34,31,29,26,24,21 } },
	{ "a[:,:,:]", 3, { 3,4,5 }, { 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59 } },
	{ "a", 3, { 3,4,5 }, { 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59 } },
	{ "a[::-1,::-1,::-1]", 3, { 3,4,5 }, { 59,58,57,56,55,54,53,52,51,50,49,48,47,46,45,44,43,42,41,40,39,38,37,36,35,34,33,32,31,30,29,28,27,26,25,24,23,22,21,20,19,18,17,16,15,14,13,12,11,10,9,8,7,6,5,4,3,2,1,0 } },
	{ "a[ 1 , 1 : 3 ,:: 2 ]", 2, { 2,3 }, { 25,27,29,30,32,34 } },
};

Test(slice, numpy_semantics)
{
	struct vt_tensor a, out;
	struct vt_slice s;
	struct vt_err e;

	make_arange(&a, NULL);
	for (size_t i = 0; i < LEN(slice_numpy); i++) {
		uint64_t n = 1;
		int rc = vt_slice_parse(slice_numpy[i].spec, &s, &e);
		cr_assert_eq(rc, 0, "%s: %s", slice_numpy[i].spec, e.msg);
		cr_assert_str_eq(s.tensor, "a");
		rc = vt_slice_apply(&s, &a, &out, &e);
		cr_assert_eq(rc, 0, "%s: %s", slice_numpy[i].spec, e.msg);
		cr_assert_eq(out.rank, slice_numpy[i].rank, "%s",
			     slice_numpy[i].spec);
		for (int d = 0; d < out.rank; d++) {
			cr_assert_eq(out.shape[d], slice_numpy[i].shape[d], "%s dim %d",
				     slice_numpy[i].spec, d);
			n *= out.shape[d];
		}
		cr_assert_eq(out.dtype, VT_I32);
		cr_assert_str_eq(out.name, "a");
		cr_assert(out.owns_data);
		for (uint64_t k = 0; k < n; k++)
			cr_assert_eq(((int32_t *)out.data)[k], slice_numpy[i].v[k],
				     "%s element %llu", slice_numpy[i].spec,
				     (unsigned long long)k);
		vt_tensor_release(&out);
	}
	vt_tensor_release(&a);
}

static void slice_to(const struct vt_tensor *a, const char *spec,
		     struct vt_tensor *out)
{
	struct vt_slice s;
	struct vt_err e;

	cr_assert_eq(vt_slice_parse(spec, &s, &e), 0, "%s: %s", spec, e.msg);
	cr_assert_eq(vt_slice_apply(&s, a, out, &e), 0, "%s: %s", spec, e.msg);
}

static void same_slice(const struct vt_tensor *a, const char *x, const char *y)
{
	struct vt_tensor p, q;

	slice_to(a, x, &p);
	slice_to(a, y, &q);
	cr_assert_eq(p.rank, q.rank, "%s vs %s", x, y);
	cr_assert_eq(memcmp(p.shape, q.shape, sizeof p.shape), 0);
	cr_assert_eq(p.nbytes, q.nbytes);
	cr_assert_eq(memcmp(p.data, q.data, p.nbytes), 0, "%s vs %s", x, y);
	vt_tensor_release(&p);
	vt_tensor_release(&q);
}

Test(slice, by_dimension_name)
{
	struct vt_tensor a, out;
	char buf[64];

	make_arange(&a, "N,C,H");
	same_slice(&a, "a[C=1]", "a[:,1]");
	same_slice(&a, "a[H=1:4:2, N=-1]", "a[-1,:,1:4:2]");
	same_slice(&a, "a[0, H=2]", "a[0,:,2]");
	same_slice(&a, "a[H=::-1]", "a[:,:,::-1]");
	same_slice(&a, "a[ C = 2 ]", "a[:,2]");
	slice_to(&a, "a[C=1]", &out);
	vt_tensor_shape_str(&out, buf, sizeof buf);
	cr_assert_str_eq(buf, "[N=3, H=5]");
	vt_tensor_release(&out);
	slice_to(&a, "a[0,1:3]", &out);
	vt_tensor_shape_str(&out, buf, sizeof buf);
	cr_assert_str_eq(buf, "[C=2, H=5]");
	vt_tensor_release(&out);
	vt_tensor_release(&a);

	/* partly named: positions still count every dimension */
	make_arange(&a, ",C,");
	same_slice(&a, "a[C=3]", "a[:,3]");
	slice_to(&a, "a[1]", &out);
	vt_tensor_shape_str(&out, buf, sizeof buf);
	cr_assert_str_eq(buf, "[C=4, 5]");
	vt_tensor_release(&out);
	vt_tensor_release(&a);
}

static void slice_fails(const struct vt_tensor *a, const char *spec,
			int parse_rc, const char *msg)
{
	struct vt_slice s;
	struct vt_tensor out;
	struct vt_err e;
	int rc = vt_slice_parse(spec, &s, &e);

	cr_assert_eq(rc, parse_rc ? parse_rc : 0, "%s: parse %d %s", spec, rc,
		     e.msg);
	if (!parse_rc) {
		memset(&out, 0x5a, sizeof out);
		rc = vt_slice_apply(&s, a, &out, &e);
		cr_assert_eq(rc, VT_EINVAL, "%s: apply %d", spec, rc);
	}
	cr_assert_str_eq(e.msg, msg, "%s", spec);
}

Test(slice, errors)
{
	struct vt_tensor a, s;
	struct vt_err e;

	make_arange(&a, "N,C,H");
	slice_fails(&a, "[0]", VT_EINVAL, "slice '[0]' has no tensor name");
	slice_fails(&a, "", VT_EINVAL, "slice '' has no tensor name");
	slice_fails(&a, "a[", VT_EINVAL, "slice 'a[' must end with ']' after items");
	slice_fails(&a, "a[]", VT_EINVAL, "slice 'a[]' must end with ']' after items");
	slice_fails(&a, "a[0", VT_EINVAL, "slice 'a[0' must end with ']' after items");
	slice_fails(&a, "a[x]", VT_EINVAL, "'x' is not an index or a slice");
	slice_fails(&a, "a[1.5]", VT_EINVAL, "'1.5' is not an index or a slice");
	slice_fails(&a, "a[1:x]", VT_EINVAL, "'x' is not an integer in a slice");
	slice_fails(&a, "a[1:2:0]", VT_EINVAL, "slice step cannot be 0");
	slice_fails(&a, "a[1:2:3:4]", VT_EINVAL, "too many ':' in '1:2:3:4'");
	slice_fails(&a, "a[0,0,0,0,0,0,0,0,0]", VT_EINVAL,
		    "slice has more than 8 items");
	slice_fails(&a, "a[1N=0]", VT_EINVAL, "invalid dimension name '1N'");
	slice_fails(&a, "a[99999999999999999999]", VT_EINVAL,
		    "'99999999999999999999' is not an index or a slice");
	slice_fails(&a, "a[3]", 0,
		    "index 3 is out of range for dimension 0 of size 3");
	slice_fails(&a, "a[-4]", 0,
		    "index -4 is out of range for dimension 0 of size 3");
	slice_fails(&a, "a[0,0,0,0]", 0,
		    "too many indices for tensor 'a' of rank 3");
	slice_fails(&a, "a[W=0]", 0, "tensor 'a' has no dimension 'W'");
	slice_fails(&a, "a[0,N=1]", 0, "dimension 0 indexed twice");
	slice_fails(&a, "a[C=1,C=2]", 0, "dimension 1 indexed twice");
	slice_fails(&a, "a[-9223372036854775808]", 0,
		    "index -9223372036854775808 is out of range for dimension 0 of size 3");

	/* rank 0: the whole value, and no index */
	cr_assert_eq(vt_tensor_init(&s, "s", VT_F64, 0, NULL, &e), 0);
	*(double *)s.data = 2.5;
	{
		struct vt_tensor out;
		slice_to(&s, "s", &out);
		cr_assert_eq(out.rank, 0);
		cr_assert_eq(*(double *)out.data, 2.5);
		vt_tensor_release(&out);
	}
	slice_fails(&s, "s[0]", 0, "too many indices for tensor 's' of rank 0");
	vt_tensor_release(&s);

	/* zero-size dimension */
	cr_assert_eq(vt_tensor_init(&s, "e", VT_U8, 2, (uint64_t[]){ 0, 4 }, &e),
		     0);
	{
		struct vt_tensor out;
		slice_to(&s, "e[:,1]", &out);
		cr_assert_eq(out.rank, 1);
		cr_assert_eq(out.shape[0], 0);
		vt_tensor_release(&out);
		slice_to(&s, "e[::-1, ::-1]", &out);
		cr_assert_eq(out.shape[0], 0);
		cr_assert_eq(out.shape[1], 4);
		vt_tensor_release(&out);
	}
	slice_fails(&s, "e[0]", 0,
		    "index 0 is out of range for dimension 0 of size 0");
	vt_tensor_release(&s);
	vt_tensor_release(&a);
}

/* ---- printing ---- */

static char *print_str(const struct vt_tensor *t, const struct vt_print_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(vt_tensor_print(f, t, o), 0);
	cr_assert_eq(fclose(f), 0);
	return buf;
}

static void check_print(enum vt_dtype dt, int rank, const uint64_t *shape,
			const double *v, const struct vt_print_opts *o,
			const char *want)
{
	struct vt_tensor t;
	struct vt_err e;
	char *got;

	cr_assert_eq(vt_tensor_init(&t, "t", dt, rank, shape, &e), 0);
	for (uint64_t i = 0; i < vt_tensor_numel(&t); i++)
		vt_dtype_store(dt, t.data, i, v ? v[i] : (double)i);
	got = print_str(&t, o);
	cr_assert_str_eq(got, want, "got:\n%s\nwant:\n%s", got, want);
	free(got);
	vt_tensor_release(&t);
}

Test(print, layout)
{
	static const double neg[] = { 1, -20, 3, 400, 5, -6 };
	static const double fl[] = { 0.5, -1.25, NAN, INFINITY, -INFINITY,
				     1.0 / 3 };
	static const double bools[] = { 1, 0, 1 };

	check_print(VT_I32, 1, (uint64_t[]){ 3 }, NULL, NULL, "[0 1 2]\n");
	check_print(VT_I32, 2, (uint64_t[]){ 2, 3 }, neg, NULL,
		    "[[  1 -20   3]\n [400   5  -6]]\n");
	check_print(VT_U8, 3, (uint64_t[]){ 2, 2, 2 }, NULL, NULL,
		    "[[[0 1]\n  [2 3]]\n\n [[4 5]\n  [6 7]]]\n");
	check_print(VT_U8, 4, (uint64_t[]){ 2, 1, 1, 2 }, NULL, NULL,
		    "[[[[0 1]]]\n\n\n [[[2 3]]]]\n");
	check_print(VT_F64, 0, NULL, (double[]){ 2.5 }, NULL, "2.5\n");
	check_print(VT_F32, 1, (uint64_t[]){ 6 }, fl, NULL,
		    "[       0.5      -1.25        nan        inf       -inf "
		    "0.33333334]\n");
	check_print(VT_F64, 1, (uint64_t[]){ 1 }, (double[]){ 1.0 / 3 },
		    &(struct vt_print_opts){ .precision = 3 }, "[0.333]\n");
	check_print(VT_BOOL, 1, (uint64_t[]){ 3 }, bools, NULL,
		    "[ True False  True]\n");
	check_print(VT_F32, 2, (uint64_t[]){ 3, 0 }, NULL, NULL, "[]\n");
	check_print(VT_F32, 1, (uint64_t[]){ 0 }, NULL, NULL, "[]\n");
	/* summarised: more than threshold elements, edge items each end */
	check_print(VT_I16, 1, (uint64_t[]){ 10 }, NULL,
		    &(struct vt_print_opts){ .threshold = 5, .edge = 2 },
		    "[0 1 ... 8 9]\n");
	check_print(VT_I16, 2, (uint64_t[]){ 7, 7 }, NULL,
		    &(struct vt_print_opts){ .threshold = 10, .edge = 1 },
		    "[[ 0 ...  6]\n ...\n [42 ... 48]]\n");
	check_print(VT_I16, 1, (uint64_t[]){ 1001 }, NULL, NULL,
		    "[   0    1    2 ...  998  999 1000]\n");
	/* exactly at the threshold: everything */
	check_print(VT_U8, 1, (uint64_t[]){ 4 }, NULL,
		    &(struct vt_print_opts){ .threshold = 4, .edge = 1 },
		    "[0 1 2 3]\n");
}

Test(print, int64_exact)
{
	struct vt_tensor t;
	struct vt_err e;
	char *got;

	cr_assert_eq(vt_tensor_init(&t, "t", VT_I64, 1, (uint64_t[]){ 3 }, &e), 0);
	((int64_t *)t.data)[0] = INT64_MIN;
	((int64_t *)t.data)[1] = INT64_MAX;
	((int64_t *)t.data)[2] = (INT64_C(1) << 53) + 1;
	got = print_str(&t, NULL);
	cr_assert_str_eq(got, "[-9223372036854775808  9223372036854775807 "
			 "    9007199254740993]\n");
	free(got);
	vt_tensor_release(&t);
	cr_assert_eq(vt_tensor_init(&t, "t", VT_U64, 1, (uint64_t[]){ 2 }, &e), 0);
	((uint64_t *)t.data)[0] = UINT64_MAX;
	((uint64_t *)t.data)[1] = 7;
	got = print_str(&t, NULL);
	cr_assert_str_eq(got, "[18446744073709551615                    7]\n");
	free(got);
	vt_tensor_release(&t);
}

Test(print, format_value)
{
	char b[64];

	vt_format_value(b, sizeof b, VT_BOOL, 2, 8);
	cr_assert_str_eq(b, "True");
	vt_format_value(b, sizeof b, VT_BOOL, 0, 8);
	cr_assert_str_eq(b, "False");
	vt_format_value(b, sizeof b, VT_I8, -128, 8);
	cr_assert_str_eq(b, "-128");
	vt_format_value(b, sizeof b, VT_U32, 4294967295.0, 8);
	cr_assert_str_eq(b, "4294967295");
	vt_format_value(b, sizeof b, VT_F32, 0.1, 8);
	cr_assert_str_eq(b, "0.1");
	vt_format_value(b, sizeof b, VT_F64, 1.0 / 3, 17);
	cr_assert_str_eq(b, "0.33333333333333331");
	vt_format_value(b, sizeof b, VT_F16, -INFINITY, 8);
	cr_assert_str_eq(b, "-inf");
	vt_format_value(b, sizeof b, VT_F64, -NAN, 8);
	cr_assert_str_eq(b, "nan");
	vt_format_value(b, sizeof b, VT_F64, 1e20, 8);
	cr_assert_str_eq(b, "1e+20");
}
