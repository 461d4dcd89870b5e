/* dtype.c - element types: names, sizes, conversions. */
#include <math.h>
#include <string.h>

#include "vt/dtype.h"
#include "vt/err.h"

static const struct {
	const char *name;
	size_t size;
} dtype_table[VT_DTYPE_COUNT] = {
	[VT_F32] = { "F32", 4 },  [VT_F64] = { "F64", 8 },
	[VT_F16] = { "F16", 2 },  [VT_BF16] = { "BF16", 2 },
	[VT_I64] = { "I64", 8 },  [VT_I32] = { "I32", 4 },
	[VT_I16] = { "I16", 2 },  [VT_I8] = { "I8", 1 },
	[VT_U8] = { "U8", 1 },    [VT_BOOL] = { "BOOL", 1 },
	[VT_U16] = { "U16", 2 },  [VT_U32] = { "U32", 4 },
	[VT_U64] = { "U64", 8 },
};

_Static_assert(sizeof dtype_table / sizeof dtype_table[0] == VT_DTYPE_COUNT,
	       "dtype table out of step with enum vt_dtype");

const char *vt_dtype_name(enum vt_dtype dt)
{
	if ((unsigned)dt >= VT_DTYPE_COUNT)
		return NULL;
	return dtype_table[dt].name;
}

size_t vt_dtype_size(enum vt_dtype dt)
{
	if ((unsigned)dt >= VT_DTYPE_COUNT)
		return 0;
	return dtype_table[dt].size;
}

int vt_dtype_parse(const char *s, size_t len, enum vt_dtype *out)
{
	for (int i = 0; i < VT_DTYPE_COUNT; i++) {
		const char *n = dtype_table[i].name;
		if (strlen(n) == len && memcmp(n, s, len) == 0) {
			*out = (enum vt_dtype)i;
			return 0;
		}
	}
	return VT_EFORMAT;
}

bool vt_dtype_is_float(enum vt_dtype dt)
{
	return dt == VT_F32 || dt == VT_F64 || dt == VT_F16 || dt == VT_BF16;
}

bool vt_dtype_is_signed(enum vt_dtype dt)
{
	return vt_dtype_is_float(dt) || dt == VT_I64 || dt == VT_I32 ||
	       dt == VT_I16 || dt == VT_I8;
}

float vt_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h >> 15) << 31;
	uint32_t exp = (h >> 10) & 0x1f;
	uint32_t man = h & 0x3ff;
	uint32_t bits;
	float f;

	if (exp == 0x1f) {
		bits = sign | 0x7f800000u | (man << 13);
	} else if (exp != 0) {
		bits = sign | ((exp + 112) << 23) | (man << 13);
	} else {
		/* zero or subnormal: man * 2^-24 is exact in float */
		f = (float)man * 0x1p-24f;
		memcpy(&bits, &f, 4);
		bits |= sign;
	}
	memcpy(&f, &bits, 4);
	return f;
}

uint16_t vt_f32_to_f16(float f)
{
	uint32_t x, sign, absx;

	memcpy(&x, &f, 4);
	sign = (x >> 16) & 0x8000u;
	absx = x & 0x7fffffffu;
	if (absx >= 0x7f800000u) /* Inf or NaN (keep NaN quiet) */
		return (uint16_t)(sign | 0x7c00u | (absx > 0x7f800000u ? 0x200u : 0));
	if (absx >= 0x477ff000u) /* rounds to >= 65520: overflow to Inf */
		return (uint16_t)(sign | 0x7c00u);
	if (absx < 0x38800000u) {
		/* result is subnormal or zero: round absx * 2^24 to integer */
		float a;
		memcpy(&a, &absx, 4);
		float scaled = a * 0x1p24f; /* exact: at most 2^10 with 24 bits */
		uint32_t m = (uint32_t)scaled;
		float rem = scaled - (float)m;
		if (rem > 0.5f || (rem == 0.5f && (m & 1u)))
			m++;
		return (uint16_t)(sign | m);
	}
	/* normal: rebias exponent, round 13 dropped bits to nearest even */
	uint32_t r = absx - 0x38000000u; /* exponent 127 -> 15 */
	uint32_t lsb = (r >> 13) & 1u;
	r += 0xfffu + lsb;
	return (uint16_t)(sign | (r >> 13));
}

float vt_bf16_to_f32(uint16_t h)
{
	uint32_t bits = (uint32_t)h << 16;
	float f;

	memcpy(&f, &bits, 4);
	return f;
}

uint16_t vt_f32_to_bf16(float f)
{
	uint32_t x;

	memcpy(&x, &f, 4);
	if ((x & 0x7fffffffu) > 0x7f800000u)
		return (uint16_t)((x >> 16) | 0x40u); /* quiet NaN */
	x += 0x7fffu + ((x >> 16) & 1u);
	return (uint16_t)(x >> 16);
}

double vt_dtype_load(enum vt_dtype dt, const void *base, size_t i)
{
	const unsigned char *p = (const unsigned char *)base;

	switch (dt) {
	case VT_F32: { float v; memcpy(&v, p + 4 * i, 4); return v; }
	case VT_F64: { double v; memcpy(&v, p + 8 * i, 8); return v; }
	case VT_F16: { uint16_t v; memcpy(&v, p + 2 * i, 2); return vt_f16_to_f32(v); }
	case VT_BF16: { uint16_t v; memcpy(&v, p + 2 * i, 2); return vt_bf16_to_f32(v); }
	case VT_I64: { int64_t v; memcpy(&v, p + 8 * i, 8); return (double)v; }
	case VT_I32: { int32_t v; memcpy(&v, p + 4 * i, 4); return v; }
	case VT_I16: { int16_t v; memcpy(&v, p + 2 * i, 2); return v; }
	case VT_I8: return (int8_t)p[i];
	case VT_U8: return p[i];
	case VT_BOOL: return p[i] != 0;
	case VT_U16: { uint16_t v; memcpy(&v, p + 2 * i, 2); return v; }
	case VT_U32: { uint32_t v; memcpy(&v, p + 4 * i, 4); return v; }
	case VT_U64: { uint64_t v; memcpy(&v, p + 8 * i, 8); return (double)v; }
	case VT_DTYPE_COUNT: break;
	}
	return NAN;
}

/* v rounded to float with round-to-odd: a float whose last bit records
 * whether anything was dropped.  With 24 bits it rounds on correctly to any
 * format of at most 22 bits (F16, BF16), where (float)v followed by a
 * second round-to-nearest-even would round twice: 1 + 2^-11 + 2^-40 must
 * become the F16 1 + 2^-10, not 1. */
static float f32_round_odd(double v)
{
	float f = (float)v;
	uint32_t b;

	if (!isfinite(f) || (double)f == v)
		return f;
	memcpy(&b, &f, 4);
	if (!(b & 1u)) {
		/* f is even: step one ulp toward v (bits are sign-magnitude) */
		if (fabs((double)f) > fabs(v))
			b--;
		else
			b++;
		memcpy(&f, &b, 4);
	}
	return f;
}

/* Truncate toward zero and saturate to [lo, hi]; NaN gives 0. */
static double sat(double v, double lo, double hi)
{
	if (isnan(v))
		return 0;
	v = trunc(v);
	return v < lo ? lo : v > hi ? hi : v;
}

void vt_dtype_store(enum vt_dtype dt, void *base, size_t i, double v)
{
	unsigned char *p = (unsigned char *)base;

	switch (dt) {
	case VT_F32: { float x = (float)v; memcpy(p + 4 * i, &x, 4); return; }
	case VT_F64: memcpy(p + 8 * i, &v, 8); return;
	case VT_F16: { uint16_t x = vt_f32_to_f16(f32_round_odd(v)); memcpy(p + 2 * i, &x, 2); return; }
	case VT_BF16: { uint16_t x = vt_f32_to_bf16(f32_round_odd(v)); memcpy(p + 2 * i, &x, 2); return; }
	case VT_I64: {
		/* 2^63 is exactly representable; anything >= it saturates */
		int64_t x = isnan(v) ? 0 : v >= 0x1p63 ? INT64_MAX :
			    v < -0x1p63 ? INT64_MIN : (int64_t)v;
		memcpy(p + 8 * i, &x, 8);
		return;
	}
	case VT_I32: { int32_t x = (int32_t)sat(v, INT32_MIN, INT32_MAX); memcpy(p + 4 * i, &x, 4); return; }
	case VT_I16: { int16_t x = (int16_t)sat(v, INT16_MIN, INT16_MAX); memcpy(p + 2 * i, &x, 2); return; }
	case VT_I8: p[i] = (unsigned char)(int8_t)sat(v, INT8_MIN, INT8_MAX); return;
	case VT_U8: p[i] = (unsigned char)sat(v, 0, UINT8_MAX); return;
	case VT_BOOL: p[i] = v != 0 && !isnan(v); return;
	case VT_U16: { uint16_t x = (uint16_t)sat(v, 0, UINT16_MAX); memcpy(p + 2 * i, &x, 2); return; }
	case VT_U32: { uint32_t x = (uint32_t)sat(v, 0, UINT32_MAX); memcpy(p + 4 * i, &x, 4); return; }
	case VT_U64: {
		uint64_t x = isnan(v) || v <= 0 ? 0 : v >= 0x1p64 ? UINT64_MAX : (uint64_t)v;
		memcpy(p + 8 * i, &x, 8);
		return;
	}
	case VT_DTYPE_COUNT: break;
	}
}
