/* iouwrite.c - matrices of the IoU family written band by band. */
#include <stdbool.h>
#include <stdlib.h>

#include "vt/box.h"
#include "vt/size.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "vt writes F32 data in host order as little-endian: port the byte swap"
#endif

#define BAND_VALUES (1u << 22)   /* values computed and written at a time */

static int put_rows(FILE *f, const float *v, size_t rows, size_t cols,
		    bool text)
{
	if (!text)
		return fwrite(v, sizeof *v, rows * cols, f) == rows * cols;
	for (size_t i = 0; i < rows * cols; i++)
		if (fprintf(f, "%.9g%c", (double)v[i],
			    (i + 1) % cols ? ' ' : '\n') < 0)
			return 0;
	return 1;
}

int vt_box_iou_write(FILE *f, const char *name, const float *a, size_t n,
		     const float *b, size_t m, enum vt_box_metric metric,
		     unsigned flags, struct vt_err *err)
{
	bool pairwise = flags & VT_BOX_WRITE_PAIRWISE;
	bool text = flags & VT_BOX_WRITE_TEXT;
	unsigned mflags = flags & ~(VT_BOX_WRITE_PAIRWISE | VT_BOX_WRITE_TEXT);
	size_t cols = pairwise ? 1 : m, band, total;
	float *buf;
	int rc = 0;

	if ((unsigned)metric >= VT_BOX_METRIC_COUNT ||
	    (mflags & ~VT_BOX_FLAGS_ALL) || (pairwise && m != n) ||
	    vt_mul_overflow_size(n, cols, &total))
		return vt_err_set(err, VT_EINVAL, "'%s': bad arguments", name);
	if (total == 0)
		return 0;
	band = BAND_VALUES / cols ? BAND_VALUES / cols : 1;
	if (band > n)
		band = n;
	buf = vt_malloc_array(band, cols * sizeof *buf);
	if (!buf)
		return vt_err_set(err, VT_ENOMEM,
				  "'%s': out of memory for %zu x %zu values",
				  name, band, cols);
	for (size_t i = 0; !rc && i < n; i += band) {
		size_t rows = n - i < band ? n - i : band;

		if (pairwise)
			rc = vt_box_iou_pairwise(buf, a + 4 * i, b + 4 * i,
						 rows, metric, mflags);
		else
			rc = vt_box_iou_matrix(buf, a + 4 * i, rows, b, m,
					       metric, mflags);
		if (rc)
			rc = vt_err_set(err, VT_EBUG, "'%s': %s", name,
					vt_status_name(rc));
		else if (!put_rows(f, buf, rows, cols, text) || ferror(f))
			rc = vt_err_sys(err, VT_EIO, "'%s': write error", name);
	}
	free(buf);
	return rc;
}
