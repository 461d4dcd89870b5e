/* vt/print.h - tensor values as text, laid out like numpy's repr. */
#ifndef VT_PRINT_H
#define VT_PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "vt/tensor.h"

struct vt_print_opts {
	int precision;        /* significant digits of floats (0: 8) */
	uint64_t threshold;   /* summarise above this many elements (0: 1000) */
	int edge;             /* items kept at each end when summarised (0: 3) */
};

/* Write the values of t to f: nested brackets, one innermost row a line,
 * a common column width, "..." where summarised.  Returns 0 or -1 when a
 * write fails (errno set). */
int vt_tensor_print(FILE *f, const struct vt_tensor *t,
		    const struct vt_print_opts *opts);

/* Format one value of dtype dt as printed by vt_tensor_print. */
int vt_format_value(char *buf, size_t size, enum vt_dtype dt, double v,
		    int precision);

#endif
