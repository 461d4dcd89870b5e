/* test_gan_report.c - sample grids against torchvision's save_image, the
 * CSV log (new, resumed), reading it back, and the SVG loss plot. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt/gan.h"
#include "vt/image.h"
#include "vt/record.h"
#include "vt/tensorfile.h"

#include "helpers.h"

static char *tmpdir(void)
{
	char *d = strdup("/tmp/vt-report-XXXXXX");

	cr_assert_not_null(mkdtemp(d));
	return d;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* make_grid(nrow=5, padding=2, normalize=True) + save_image, from
 * scripts/gen-gan-fixtures.py: every pixel equal. */
Test(gan_report, grid_matches_torchvision)
{
	struct vt_record rec;
	struct vt_tensor ref, got;
	struct vt_err err;
	const struct vt_tensor *in;
	char *dir = tmpdir(), path[256];
	size_t diff = 0;

	vt_record_init(&rec);
	cr_assert_eq(vt_record_from_npy(t_data_path("gan", "grid-in.npy"),
					&rec, &err), 0, "%s", err.msg);
	in = &rec.tensors[0];
	cr_assert_eq(in->rank, 4);
	snprintf(path, sizeof path, "%s/grid.png", dir);
	cr_assert_eq(vt_gan_grid_save(path, in->data, 25, 1, 28, 28, 5, 2,
				      &err), 0, "%s", err.msg);
	cr_assert_eq(vt_image_read(t_data_path("gan", "grid-ref.png"), 0,
				   NULL, &ref, &err), 0, "%s", err.msg);
	cr_assert_eq(vt_image_read(path, 0, NULL, &got, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(got.shape[0], 152);
	cr_assert_eq(got.shape[1], 152);
	cr_assert_eq(got.shape[2], 3);
	cr_assert_eq(ref.nbytes, got.nbytes);
	for (size_t i = 0; i < got.nbytes; i++)
		diff += ((uint8_t *)got.data)[i] != ((uint8_t *)ref.data)[i];
	cr_assert_eq(diff, 0, "%zu bytes differ", diff);
	vt_tensor_release(&ref);
	vt_tensor_release(&got);
	vt_record_release(&rec);
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(gan_report, grid_layout)
{
	/* 3 images 1x2, nrow 2: 2 columns, 2 rows; padding 1 */
	const float x[6] = { -1, 1, 0, 0, 1, -1 };
	struct vt_tensor t;
	struct vt_err err;
	const uint8_t *p;

	cr_assert_eq(vt_gan_grid(&t, x, 3, 1, 1, 2, 2, 1, &err), 0);
	cr_assert_eq(t.shape[0], 2 * 2 + 1);
	cr_assert_eq(t.shape[1], 3 * 2 + 1);
	p = t.data;
	/* row 1, columns 1-2: image 0 = 0 and 255; then pad, image 1 */
	cr_assert_eq(p[(1 * 7 + 0) * 3], 0);
	cr_assert_eq(p[(1 * 7 + 1) * 3], 0);
	cr_assert_eq(p[(1 * 7 + 2) * 3 + 1], 255);
	cr_assert_eq(p[(1 * 7 + 4) * 3 + 2], 128);   /* 0.5 * 255 + 0.5 */
	cr_assert_eq(p[(3 * 7 + 1) * 3], 255);      /* image 2 */
	cr_assert_eq(p[(3 * 7 + 4) * 3], 0);        /* empty slot */
	vt_tensor_release(&t);
	/* one image: no padding at all; a constant image maps to 0 */
	cr_assert_eq(vt_gan_grid(&t, x + 2, 1, 1, 1, 2, 5, 2, &err), 0);
	cr_assert_eq(t.shape[0], 1);
	cr_assert_eq(t.shape[1], 2);
	cr_assert_eq(((uint8_t *)t.data)[0], 0);
	vt_tensor_release(&t);
	cr_assert_eq(vt_gan_grid(&t, x, 1, 2, 1, 3, 5, 2, &err), VT_EINVAL);
}

Test(gan_report, log_new_and_resumed)
{
	static const char *const names[] = { "loss_D", "loss_G" };
	struct vt_gan_log log;
	struct vt_gan_series s;
	struct vt_err err;
	char *dir = tmpdir(), path[256];
	unsigned char *text;
	size_t len;

	snprintf(path, sizeof path, "%s/log.csv", dir);
	cr_assert_eq(vt_gan_log_open(&log, path, names, 2, 0, &err), 0, "%s",
		     err.msg);
	for (int i = 1; i <= 4; i++)
		cr_assert_eq(vt_gan_log_row(&log, (uint64_t)i * 10, 0,
					    (double[]){ 0.5 / i, 1.25f * i },
					    2e-4, 0.5 * i, &err), 0);
	cr_assert_eq(vt_gan_log_close(&log, &err), 0);
	text = t_slurp(path, &len);
	cr_assert(strncmp((char *)text, "step,epoch,loss_D,loss_G,lr,seconds\n"
			  "10,0,0.5,1.25,0.0002,0.500\n20,0,0.25,2.5,0.0002,"
			  "1.000\n", len < 80 ? len : 80) == 0, "%.*s",
		  (int)len, text);
	free(text);
	/* resume at step 20: rows 30 and 40 go, new rows follow */
	cr_assert_eq(vt_gan_log_open(&log, path, names, 2, 20, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(vt_gan_log_row(&log, 30, 1, (double[]){ 1, 2 }, 1e-4, 9,
				    &err), 0);
	cr_assert_eq(vt_gan_log_close(&log, &err), 0);
	cr_assert_eq(vt_gan_series_read(path, &s, &err), 0, "%s", err.msg);
	cr_assert_eq(s.n_cols, 6);
	cr_assert_eq(s.n_rows, 3);
	cr_assert_str_eq(s.names[2], "loss_D");
	cr_assert_eq(s.data[2 * 6 + 0], 30);
	cr_assert_eq(s.data[2 * 6 + 1], 1);
	cr_assert_eq(s.data[2 * 6 + 4], 1e-4);
	vt_gan_series_release(&s);
	/* another run's log is refused, not overwritten */
	cr_assert_eq(vt_gan_log_open(&log, path, (const char *const[]){ "x" },
				     1, 20, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "log.csv': the header is not 'step,epoch,x,"
			 "lr,seconds' (a log of another run?)"), "%s", err.msg);
	unlink(path);
	/* resuming without a log starts one */
	cr_assert_eq(vt_gan_log_open(&log, path, names, 2, 20, &err), 0, "%s",
		     err.msg);
	cr_assert_eq(vt_gan_log_close(&log, &err), 0);
	text = t_slurp(path, &len);
	cr_assert_eq(len, 36);
	free(text);
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(gan_report, series_errors)
{
	struct vt_gan_series s;
	struct vt_err err;
	char *dir = tmpdir(), path[256];

	snprintf(path, sizeof path, "%s/log.csv", dir);
	write_text(path, "step,loss\n1,2\n2,x\n");
	cr_assert_eq(vt_gan_series_read(path, &s, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "log.csv':3: column 2 ('loss') is not a "
			 "number"), "%s", err.msg);
	write_text(path, "step,lo ss\n");
	cr_assert_eq(vt_gan_series_read(path, &s, &err), VT_EFORMAT);
	cr_assert(strstr(err.msg, "log.csv':1: bad column name 'lo ss'"), "%s",
		  err.msg);
	/* a row still being written is left out */
	write_text(path, "step,loss\n1,2\n2,3");
	cr_assert_eq(vt_gan_series_read(path, &s, &err), 0, "%s", err.msg);
	cr_assert_eq(s.n_rows, 1);
	vt_gan_series_release(&s);
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(gan_report, loss_plot)
{
	static const char *const names[] = { "loss_D", "loss_G" };
	struct vt_gan_log log;
	struct vt_gan_series s;
	struct vt_err err;
	char *dir = tmpdir(), csv[256], svg[256], *text;
	size_t len, lines = 0;

	snprintf(csv, sizeof csv, "%s/log.csv", dir);
	snprintf(svg, sizeof svg, "%s/loss.svg", dir);
	cr_assert_eq(vt_gan_log_open(&log, csv, names, 2, 0, &err), 0);
	for (int i = 0; i < 2500; i++)
		cr_assert_eq(vt_gan_log_row(&log, (uint64_t)i, 0,
					    (double[]){ 0.7 - i * 1e-4,
							i == 7 ? 1.0 / 0.0 :
							1 + (i % 10) * 0.1 },
					    2e-4, i, &err), 0);
	cr_assert_eq(vt_gan_log_close(&log, &err), 0);
	cr_assert_eq(vt_gan_series_read(csv, &s, &err), 0, "%s", err.msg);
	cr_assert_eq(vt_gan_plot_svg(svg, &s, &err), 0, "%s", err.msg);
	vt_gan_series_release(&s);
	text = (char *)t_slurp(svg, &len);
	text = realloc(text, len + 1);
	text[len] = '\0';
	cr_assert(strncmp(text, "<svg xmlns=", 11) == 0);
	cr_assert_not_null(strstr(text, ">loss_D</text>"));
	cr_assert_not_null(strstr(text, ">loss_G</text>"));
	cr_assert_not_null(strstr(text, ">2000</text>"));
	cr_assert_null(strstr(text, "nan"));
	cr_assert_null(strstr(text, "inf"));
	for (char *p = text; (p = strstr(p, "<polyline")); p++)
		lines++;
	cr_assert_eq(lines, 2);
	/* 2500 rows in buckets of 3: 834 points per line */
	{
		char *p = strstr(text, "points=\"");
		size_t pts = 1;

		for (p += 8; *p != '"'; p++)
			pts += *p == ' ';
		cr_assert_eq(pts, 834);
	}
	cr_assert_str_eq(text + len - 7, "</svg>\n");
	free(text);
	unlink(csv);
	unlink(svg);
	rmdir(dir);
	free(dir);
}
