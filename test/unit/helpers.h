/* helpers.h - what the unit tests share: fixture paths and file contents. */
#ifndef VT_TEST_HELPERS_H
#define VT_TEST_HELPERS_H

#include <stddef.h>

/* $VT_TEST_DATA, or "data". */
const char *t_data_dir(void);

/* "$VT_TEST_DATA/sub/file" (VT_TEST_DATA defaults to "data"); the result
 * stays valid for the next 7 calls. */
const char *t_data_path(const char *sub, const char *file);

/* The whole file, malloc'd (the test fails if it cannot be read). */
unsigned char *t_slurp(const char *path, size_t *len);

#endif
