/* alloc.c - overflow-checked allocation. */
#include <stdlib.h>

#include "vt/size.h"

void *vt_malloc_array(size_t n, size_t size)
{
	size_t total;

	if (vt_mul_overflow_size(n, size, &total))
		return NULL;
	return malloc(total ? total : 1);
}

void *vt_calloc_array(size_t n, size_t size)
{
	size_t total;

	/* checked here, not left to calloc: sanitizers abort on it */
	if (vt_mul_overflow_size(n, size, &total))
		return NULL;
	if (total == 0)
		return calloc(1, 1);
	return calloc(n, size);
}

void *vt_realloc_array(void *p, size_t n, size_t size)
{
	size_t total;

	if (vt_mul_overflow_size(n, size, &total))
		return NULL;
	return realloc(p, total ? total : 1);
}
