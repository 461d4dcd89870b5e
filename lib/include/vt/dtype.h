/* vt/dtype.h - element types of tensors (safetensors names). */
#ifndef VT_DTYPE_H
#define VT_DTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vt_dtype {
	VT_F32,
	VT_F64,
	VT_F16,
	VT_BF16,
	VT_I64,
	VT_I32,
	VT_I16,
	VT_I8,
	VT_U8,
	VT_BOOL,
	VT_U16,
	VT_U32,
	VT_U64,
	VT_DTYPE_COUNT
};

/* "F32", "BF16", ...; NULL for an out-of-range value. */
const char *vt_dtype_name(enum vt_dtype dt);

/* Bytes per element; 0 for an out-of-range value. */
size_t vt_dtype_size(enum vt_dtype dt);

/* Parse a safetensors dtype name of len bytes; 0 or VT_EFORMAT. */
int vt_dtype_parse(const char *s, size_t len, enum vt_dtype *out);

bool vt_dtype_is_float(enum vt_dtype dt);
bool vt_dtype_is_signed(enum vt_dtype dt);

/* Element i of an array of dtype dt, converted to double (exact for every
 * dtype but I64/U64 beyond 2^53). */
double vt_dtype_load(enum vt_dtype dt, const void *base, size_t i);

/* Store v as element i, converting as C does (floats round to nearest even,
 * integers truncate toward zero and saturate; NaN stores as 0). */
void vt_dtype_store(enum vt_dtype dt, void *base, size_t i, double v);

float vt_f16_to_f32(uint16_t h);
uint16_t vt_f32_to_f16(float f);
float vt_bf16_to_f32(uint16_t h);
uint16_t vt_f32_to_bf16(float f);

#endif
