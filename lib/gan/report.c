/* report.c - what a training run shows: the CSV log, the loss plot (SVG)
 * and sample grids (PNG, as torchvision's save_image). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/gan.h"
#include "vt/image.h"
#include "vt/outfile.h"
#include "vt/size.h"
#include "vt/file.h"
#include "vt/xml.h"

#define MAX_LOSSES 32
#define MAX_LINE 4096
/* logs and reports read back */
#define MAX_TEXT_BYTES (UINT64_C(256) << 20)

/* ---- the log -------------------------------------------------------- */

static bool column_name_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
			return false;
	return true;
}

static int header(char *buf, size_t size, const char *const *names, size_t n)
{
	size_t used = 0;
	int k = snprintf(buf, size, "step,epoch");

	if (k < 0)
		return -1;
	used = (size_t)k;
	for (size_t i = 0; i < n; i++) {
		k = snprintf(buf + used, size - used, ",%s", names[i]);
		if (k < 0 || (size_t)k >= size - used)
			return -1;
		used += (size_t)k;
	}
	k = snprintf(buf + used, size - used, ",lr,seconds\n");
	return k < 0 || (size_t)k >= size - used ? -1 : 0;
}

/* Rewrite path with its header and the rows up to resume_step. */
static int keep_rows(const char *path, const char *head, uint64_t resume_step,
		     struct vt_err *err)
{
	struct vt_outfile of;
	char *text, *p, *nl;
	size_t len, lineno = 1, hl = strlen(head);
	int rc = vt_file_read(path, MAX_TEXT_BYTES, &text, &len, err);

	if (rc)
		return rc;
	if (len < hl || memcmp(text, head, hl) != 0) {
		free(text);
		return vt_err_set(err, VT_EFORMAT,
				  "'%s': the header is not '%.*s' (a log of "
				  "another run?)", path, (int)(hl - 1), head);
	}
	rc = vt_outfile_open(&of, path, err);
	if (rc) {
		free(text);
		return rc;
	}
	fputs(head, of.fp);
	for (p = text + hl; *p; p = nl + 1) {
		char *end;
		unsigned long long step;

		lineno++;
		nl = strchr(p, '\n');
		if (!nl) {
			/* a last row cut by a crash: drop it */
			break;
		}
		errno = 0;
		step = strtoull(p, &end, 10);
		if (errno || end == p || *end != ',') {
			vt_outfile_abort(&of);
			free(text);
			return vt_err_set(err, VT_EFORMAT,
					  "'%s':%zu: no step at the start of "
					  "the row", path, lineno);
		}
		if (step > resume_step)
			break;
		fwrite(p, 1, (size_t)(nl - p) + 1, of.fp);
	}
	free(text);
	return vt_outfile_commit(&of, err);
}

int vt_gan_log_open(struct vt_gan_log *log, const char *path,
		    const char *const *loss_names, size_t n_losses,
		    uint64_t resume_step, struct vt_err *err)
{
	char head[MAX_LOSSES * 70 + 64];
	int rc;

	memset(log, 0, sizeof *log);
	if (n_losses < 1 || n_losses > MAX_LOSSES)
		return vt_err_set(err, VT_EINVAL, "'%s': %zu losses (1 to %d)",
				  path, n_losses, MAX_LOSSES);
	for (size_t i = 0; i < n_losses; i++)
		if (!column_name_ok(loss_names[i]))
			return vt_err_set(err, VT_EINVAL,
					  "'%s': bad loss name '%s'", path,
					  loss_names[i] ? loss_names[i] : "");
	if (header(head, sizeof head, loss_names, n_losses))
		return vt_err_set(err, VT_EINVAL, "'%s': header too long",
				  path);
	if (resume_step) {
		rc = keep_rows(path, head, resume_step, err);
		if (rc == VT_EOPEN && err && err->sys_errno == ENOENT)
			resume_step = 0;
		else if (rc)
			return rc;
	}
	log->fp = fopen(path, resume_step ? "ab" : "wb");
	if (!log->fp)
		return vt_err_sys(err, VT_ECREATE, "'%s': cannot create", path);
	log->path = strdup(path);
	log->n_losses = n_losses;
	if (!log->path) {
		fclose(log->fp);
		log->fp = NULL;
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	if (!resume_step && (fputs(head, log->fp) < 0 || fflush(log->fp))) {
		rc = vt_err_sys(err, VT_EIO, "'%s': write error", path);
		vt_gan_log_close(log, NULL);
		return rc;
	}
	return 0;
}

int vt_gan_log_row(struct vt_gan_log *log, uint64_t step, uint64_t epoch,
		   const double *losses, double lr, double seconds,
		   struct vt_err *err)
{
	int bad;

	if (!log->fp)
		return vt_err_set(err, VT_EINVAL, "log is not open");
	bad = fprintf(log->fp, "%" PRIu64 ",%" PRIu64, step, epoch) < 0;
	for (size_t i = 0; i < log->n_losses; i++)
		bad |= fprintf(log->fp, ",%.9g", losses[i]) < 0;
	bad |= fprintf(log->fp, ",%.9g,%.3f\n", lr, seconds) < 0;
	if (bad || fflush(log->fp) != 0)
		return vt_err_sys(err, VT_EIO, "'%s': write error", log->path);
	return 0;
}

int vt_gan_log_close(struct vt_gan_log *log, struct vt_err *err)
{
	int rc = 0;

	if (!log)
		return 0;
	if (log->fp && (ferror(log->fp) | fclose(log->fp)))
		rc = vt_err_sys(err, VT_EIO, "'%s': write error",
				log->path ? log->path : "log");
	log->fp = NULL;
	free(log->path);
	log->path = NULL;
	return rc;
}

/* ---- series --------------------------------------------------------- */

void vt_gan_series_release(struct vt_gan_series *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_cols; i++)
		free(s->names[i]);
	free(s->names);
	free(s->data);
	memset(s, 0, sizeof *s);
}

int vt_gan_series_read(const char *path, struct vt_gan_series *s,
		       struct vt_err *err)
{
	char *text, *p, *nl;
	size_t len, lineno = 1, rows_cap = 0;
	int rc;

	memset(s, 0, sizeof *s);
	rc = vt_file_read(path, MAX_TEXT_BYTES, &text, &len, err);
	if (rc)
		return rc;
	nl = strchr(text, '\n');
	if (!nl) {
		free(text);
		return vt_err_set(err, VT_EFORMAT, "'%s':1: no header line",
				  path);
	}
	*nl = '\0';
	for (p = text;;) {
		char *comma = strchr(p, ',');
		char **nn;

		if (comma)
			*comma = '\0';
		if (!column_name_ok(p)) {
			rc = vt_err_set(err, VT_EFORMAT,
					"'%s':1: bad column name '%.64s'", path,
					p);
			goto fail;
		}
		nn = realloc(s->names, (s->n_cols + 1) * sizeof *nn);
		if (!nn || !(nn[s->n_cols] = strdup(p))) {
			if (nn)
				s->names = nn;
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
			goto fail;
		}
		s->names = nn;
		s->n_cols++;
		if (!comma)
			break;
		p = comma + 1;
	}
	for (p = nl + 1; *p; p = nl + 1) {
		double *row;

		lineno++;
		nl = strchr(p, '\n');
		if (!nl)
			break;    /* a row being written: not yet complete */
		*nl = '\0';
		if (s->n_rows == rows_cap) {
			size_t cap = rows_cap ? rows_cap * 2 : 256;
			double *nd = vt_realloc_array(s->data, cap,
						      s->n_cols * sizeof *nd);

			if (!nd) {
				rc = vt_err_set(err, VT_ENOMEM, "out of memory");
				goto fail;
			}
			s->data = nd;
			rows_cap = cap;
		}
		row = s->data + s->n_rows * s->n_cols;
		for (size_t c = 0; c < s->n_cols; c++) {
			char *end;

			row[c] = strtod(p, &end);
			if (end == p || *end != (c + 1 < s->n_cols ? ',' : '\0')) {
				rc = vt_err_set(err, VT_EFORMAT,
						"'%s':%zu: column %zu ('%s') is "
						"not a number", path, lineno,
						c + 1, s->names[c]);
				goto fail;
			}
			p = end + 1;
		}
		s->n_rows++;
	}
	free(text);
	return 0;
fail:
	free(text);
	vt_gan_series_release(s);
	return rc;
}

/* ---- the plot ------------------------------------------------------- */

/* A tick spacing of 1, 2 or 5 x 10^k giving about `target` ticks. */
static double nice_step(double span, int target)
{
	double raw = span / target, mag = pow(10, floor(log10(raw)));
	double r = raw / mag;

	return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

static bool is_loss(const char *name)
{
	return strcmp(name, "step") && strcmp(name, "epoch") &&
	       strcmp(name, "lr") && strcmp(name, "seconds");
}

static const char *const palette[] = { "#1f77b4", "#d62728", "#2ca02c",
	"#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
	"#17becf" };

#define PLOT_POINTS 1000

static int write_svg(FILE *f, const struct vt_gan_series *s)
{
	const double W = 800, H = 480, x0 = 80, y0 = 420, pw = 540, ph = 380;
	size_t xc = SIZE_MAX;
	double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY,
	       ymax = -INFINITY, step;
	size_t per = s->n_rows > PLOT_POINTS ?
		     (s->n_rows + PLOT_POINTS - 1) / PLOT_POINTS : 1;
	int bad, k = 0;

	for (size_t c = 0; c < s->n_cols; c++)
		if (strcmp(s->names[c], "step") == 0)
			xc = c;
	for (size_t r = 0; r < s->n_rows; r++) {
		const double *row = s->data + r * s->n_cols;
		double x = xc == SIZE_MAX ? (double)r : row[xc];

		if (isfinite(x)) {
			xmin = fmin(xmin, x);
			xmax = fmax(xmax, x);
		}
		for (size_t c = 0; c < s->n_cols; c++)
			if (is_loss(s->names[c]) && isfinite(row[c])) {
				ymin = fmin(ymin, row[c]);
				ymax = fmax(ymax, row[c]);
			}
	}
	if (!(xmin <= xmax)) {
		xmin = 0;
		xmax = 1;
	}
	if (!(ymin <= ymax)) {
		ymin = 0;
		ymax = 1;
	}
	if (xmax - xmin < 1e-12) {
		xmin -= 0.5;
		xmax += 0.5;
	}
	if (ymax - ymin < 1e-12 * fmax(1, fabs(ymax))) {
		ymin -= 0.5;
		ymax += 0.5;
	}
	step = nice_step(ymax - ymin, 6);
	ymin = floor(ymin / step) * step;
	ymax = ceil(ymax / step) * step;
	bad = fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g"
		      "\" height=\"%g\" font-family=\"sans-serif\" font-size=\""
		      "12\">\n<rect width=\"%g\" height=\"%g\" fill=\"white\"/>"
		      "\n<text x=\"%g\" y=\"24\" text-anchor=\"middle\" "
		      "font-size=\"15\">losses</text>\n<rect x=\"%g\" y=\"%g\" "
		      "width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"black"
		      "\"/>\n", W, H, W, H, x0 + pw / 2, x0, y0 - ph, pw,
		      ph) < 0;
	/* y ticks */
	for (double v = ymin; v <= ymax + step / 2; v += step) {
		double y = y0 - (v - ymin) / (ymax - ymin) * ph;
		double shown = fabs(v) < step / 1e6 ? 0 : v;

		bad |= fprintf(f, "<line x1=\"%g\" y1=\"%.2f\" x2=\"%g\" y2=\""
			       "%.2f\" stroke=\"#ddd\"/><text x=\"%g\" y=\"%.2f"
			       "\" text-anchor=\"end\">%g</text>\n", x0, y,
			       x0 + pw, y, x0 - 6, y + 4, shown) < 0;
	}
	/* x ticks */
	step = nice_step(xmax - xmin, 6);
	for (double v = ceil(xmin / step) * step; v <= xmax + step * 1e-9;
	     v += step) {
		double x = x0 + (v - xmin) / (xmax - xmin) * pw;

		bad |= fprintf(f, "<line x1=\"%.2f\" y1=\"%g\" x2=\"%.2f\" y2=\""
			       "%g\" stroke=\"#ddd\"/><text x=\"%.2f\" y=\"%g\" "
			       "text-anchor=\"middle\">%g</text>\n", x, y0, x,
			       y0 - ph, x, y0 + 16, v) < 0;
	}
	bad |= fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">"
		       "step</text>\n<text x=\"18\" y=\"%g\" text-anchor=\""
		       "middle\" transform=\"rotate(-90 18 %g)\">loss</text>\n",
		       x0 + pw / 2, y0 + 40, y0 - ph / 2, y0 - ph / 2) < 0;
	for (size_t c = 0; c < s->n_cols; c++) {
		const char *colour = palette[k % 10];
		bool first = true;

		if (!is_loss(s->names[c]))
			continue;
		bad |= fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
			       "stroke-width=\"1.2\" points=\"", colour) < 0;
		for (size_t r0 = 0; r0 < s->n_rows; r0 += per) {
			double sx = 0, sy = 0;
			size_t cnt = 0;

			for (size_t r = r0; r < r0 + per && r < s->n_rows;
			     r++) {
				const double *row = s->data + r * s->n_cols;
				double x = xc == SIZE_MAX ? (double)r : row[xc];

				if (isfinite(x) && isfinite(row[c])) {
					sx += x;
					sy += row[c];
					cnt++;
				}
			}
			if (!cnt)
				continue;
			sx /= (double)cnt;
			sy /= (double)cnt;
			bad |= fprintf(f, "%s%.2f,%.2f", first ? "" : " ",
				       x0 + (sx - xmin) / (xmax - xmin) * pw,
				       y0 - (sy - ymin) / (ymax - ymin) * ph) < 0;
			first = false;
		}
		bad |= fprintf(f, "\"/>\n<line x1=\"%g\" y1=\"%g\" x2=\"%g\" "
			       "y2=\"%g\" stroke=\"%s\" stroke-width=\"2\"/>"
			       "<text x=\"%g\" y=\"%g\">", x0 + pw + 16,
			       y0 - ph + 10 + 18.0 * k, x0 + pw + 40,
			       y0 - ph + 10 + 18.0 * k, colour, x0 + pw + 46,
			       y0 - ph + 14 + 18.0 * k) < 0;
		bad |= vt_xml_put_text(f, s->names[c]);
		bad |= fputs("</text>\n", f) < 0;
		k++;
	}
	bad |= fputs("</svg>\n", f) < 0;
	return bad ? -1 : 0;
}

int vt_gan_plot_svg(const char *path, const struct vt_gan_series *s,
		    struct vt_err *err)
{
	struct vt_outfile of;
	int rc = vt_outfile_open(&of, path, err);

	if (rc)
		return rc;
	if (write_svg(of.fp, s) != 0) {
		rc = vt_err_sys(err, VT_EIO, "'%s': write error", path);
		vt_outfile_abort(&of);
		return rc;
	}
	return vt_outfile_commit(&of, err);
}

/* ---- sample grids --------------------------------------------------- */

int vt_gan_grid(struct vt_tensor *out, const float *x, size_t n, size_t c,
		size_t h, size_t w, size_t nrow, size_t padding,
		struct vt_err *err)
{
	size_t xmaps, ymaps, gh, gw, oc = c == 1 ? 3 : c, total;
	float lo = INFINITY, hi = -INFINITY, den;
	uint64_t shape[3];
	uint8_t *o;
	int rc;

	memset(out, 0, sizeof *out);
	if (n < 1 || (c != 1 && c != 3 && c != 4) || h < 1 || w < 1 ||
	    nrow < 1 || h > 16384 || w > 16384 || n > 65536 || padding > 64)
		return vt_err_set(err, VT_EINVAL,
				  "grid: bad shape [%zu,%zu,%zu,%zu] (C 1, 3 "
				  "or 4), nrow %zu or padding %zu", n, c, h, w,
				  nrow, padding);
	if (n == 1)
		padding = 0;   /* make_grid returns a lone image as it is */
	xmaps = nrow < n ? nrow : n;
	ymaps = (n + xmaps - 1) / xmaps;
	gh = (h + padding) * ymaps + padding;
	gw = (w + padding) * xmaps + padding;
	if (n == 1) {
		gh = h;
		gw = w;
	}
	if (gh > 65535 || gw > 65535)
		return vt_err_set(err, VT_EINVAL, "grid: %zux%zu pixels is too "
				  "large", gw, gh);
	total = n * c * h * w;
	for (size_t i = 0; i < total; i++) {
		lo = fminf(lo, x[i]);
		hi = fmaxf(hi, x[i]);
	}
	/* max(high - low, 1e-5) in double, as Python computes it, then the
	 * float32 tensor divided by it */
	den = (float)fmax((double)hi - (double)lo, 1e-5);
	shape[0] = gh;
	shape[1] = gw;
	shape[2] = oc;
	rc = vt_tensor_init(out, NULL, VT_U8, 3, shape, err);
	if (rc)
		return rc;
	vt_tensor_set_dims(out, "H,W,C", 5, NULL);
	o = out->data;
	for (size_t k = 0; k < n; k++) {
		size_t gy = k / xmaps, gx = k % xmaps;
		size_t oy = gy * (h + padding) + padding;
		size_t ox = gx * (w + padding) + padding;

		for (size_t ch = 0; ch < oc; ch++) {
			const float *plane = x + (k * c + (c == 1 ? 0 : ch)) *
					     h * w;

			for (size_t yy = 0; yy < h; yy++)
				for (size_t xx = 0; xx < w; xx++) {
					float v = plane[yy * w + xx];

					v = (v - lo) / den;
					v = v * 255.0f + 0.5f;
					v = v < 0 ? 0 : v > 255 ? 255 : v;
					o[((oy + yy) * gw + ox + xx) * oc +
					  ch] = (uint8_t)v;
				}
		}
	}
	return 0;
}

int vt_gan_grid_save(const char *path, const float *x, size_t n, size_t c,
		     size_t h, size_t w, size_t nrow, size_t padding,
		     struct vt_err *err)
{
	struct vt_tensor t;
	int rc = vt_gan_grid(&t, x, n, c, h, w, nrow, padding, err);

	if (rc)
		return rc;
	rc = vt_image_write(path, &t, 0, err);
	vt_tensor_release(&t);
	return rc;
}
