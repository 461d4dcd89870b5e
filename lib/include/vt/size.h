/* vt/size.h - overflow-checked size arithmetic.
 *
 * Every size computed from input goes through these.  Each returns true on
 * overflow and leaves *out unspecified then.
 */
#ifndef VT_SIZE_H
#define VT_SIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline bool vt_mul_overflow_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return __builtin_mul_overflow(a, b, out);
}

static inline bool vt_add_overflow_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return __builtin_add_overflow(a, b, out);
}

static inline bool vt_mul_overflow_size(size_t a, size_t b, size_t *out)
{
	return __builtin_mul_overflow(a, b, out);
}

static inline bool vt_add_overflow_size(size_t a, size_t b, size_t *out)
{
	return __builtin_add_overflow(a, b, out);
}

/* malloc(n * size) with an overflow check; NULL on overflow or failure. */
void *vt_malloc_array(size_t n, size_t size);
void *vt_calloc_array(size_t n, size_t size);
void *vt_realloc_array(void *p, size_t n, size_t size);

#endif
