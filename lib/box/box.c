/* box.c - box format names, conversions and validity checks. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "vt/box.h"

static const char *const format_names[] = {
	[VT_BOX_XYXY] = "xyxy",
	[VT_BOX_XYWH] = "xywh",
	[VT_BOX_CXCYWH] = "cxcywh",
};
_Static_assert(sizeof format_names / sizeof format_names[0] ==
		       VT_BOX_FORMAT_COUNT,
	       "format name table out of step with enum vt_box_format");

static const char *const metric_names[] = {
	[VT_BOX_IOU] = "iou",
	[VT_BOX_GIOU] = "giou",
	[VT_BOX_DIOU] = "diou",
	[VT_BOX_CIOU] = "ciou",
};
_Static_assert(sizeof metric_names / sizeof metric_names[0] ==
		       VT_BOX_METRIC_COUNT,
	       "metric name table out of step with enum vt_box_metric");

const char *vt_box_format_name(enum vt_box_format fmt)
{
	return (unsigned)fmt < VT_BOX_FORMAT_COUNT ? format_names[fmt] : NULL;
}

int vt_box_format_parse(const char *s, enum vt_box_format *out)
{
	for (int i = 0; i < VT_BOX_FORMAT_COUNT; i++) {
		if (s && strcmp(s, format_names[i]) == 0) {
			*out = (enum vt_box_format)i;
			return 0;
		}
	}
	return VT_EINVAL;
}

const char *vt_box_metric_name(enum vt_box_metric metric)
{
	return (unsigned)metric < VT_BOX_METRIC_COUNT ? metric_names[metric]
						      : NULL;
}

int vt_box_metric_parse(const char *s, enum vt_box_metric *out)
{
	for (int i = 0; i < VT_BOX_METRIC_COUNT; i++) {
		if (s && strcmp(s, metric_names[i]) == 0) {
			*out = (enum vt_box_metric)i;
			return 0;
		}
	}
	return VT_EINVAL;
}

/* Corners of one box in double: exact for xyxy and xywh sums of floats up
 * to rounding once to float afterwards. */
static void to_xyxy(double c[4], const float *b, enum vt_box_format fmt)
{
	switch (fmt) {
	case VT_BOX_XYWH:
		c[0] = b[0];
		c[1] = b[1];
		c[2] = (double)b[0] + b[2];
		c[3] = (double)b[1] + b[3];
		break;
	case VT_BOX_CXCYWH:
		c[0] = (double)b[0] - 0.5 * b[2];
		c[1] = (double)b[1] - 0.5 * b[3];
		c[2] = (double)b[0] + 0.5 * b[2];
		c[3] = (double)b[1] + 0.5 * b[3];
		break;
	default:
		for (int k = 0; k < 4; k++)
			c[k] = b[k];
		break;
	}
}

static void from_xyxy(float *out, const double c[4], enum vt_box_format fmt)
{
	switch (fmt) {
	case VT_BOX_XYWH:
		out[0] = (float)c[0];
		out[1] = (float)c[1];
		out[2] = (float)(c[2] - c[0]);
		out[3] = (float)(c[3] - c[1]);
		break;
	case VT_BOX_CXCYWH:
		out[0] = (float)(0.5 * (c[0] + c[2]));
		out[1] = (float)(0.5 * (c[1] + c[3]));
		out[2] = (float)(c[2] - c[0]);
		out[3] = (float)(c[3] - c[1]);
		break;
	default:
		for (int k = 0; k < 4; k++)
			out[k] = (float)c[k];
		break;
	}
}

void vt_box_convert(float *out, const float *in, size_t n,
		    enum vt_box_format from, enum vt_box_format to)
{
	double c[4];

	for (size_t i = 0; i < n; i++) {
		/* Corners rounded to float first, as a float32 pipeline
		 * through xyxy would. */
		to_xyxy(c, in + 4 * i, from);
		for (int k = 0; k < 4; k++)
			c[k] = (float)c[k];
		from_xyxy(out + 4 * i, c, to);
	}
}

static int fits_float(double v)
{
	return isfinite(v) && fabs(v) <= FLT_MAX;
}

const char *vt_box_problem(const float box[4], enum vt_box_format fmt)
{
	double c[4];

	for (int k = 0; k < 4; k++)
		if (!isfinite(box[k]))
			return "not a finite number";
	if (fmt == VT_BOX_XYXY) {
		if (box[2] < box[0])
			return "x2 < x1";
		if (box[3] < box[1])
			return "y2 < y1";
		return NULL;
	}
	if ((unsigned)fmt >= VT_BOX_FORMAT_COUNT)
		return "unknown box format";
	if (box[2] < 0)
		return "negative width";
	if (box[3] < 0)
		return "negative height";
	to_xyxy(c, box, fmt);
	for (int k = 0; k < 4; k++)
		if (!fits_float(c[k]))
			return "corner out of the range of F32";
	return NULL;
}
