/* test_augment.c - Cutout and Random Erasing: exact masks, clipping at the
 * borders, uniform centres (chi-square), the visible area against its
 * analytic expectation, determinism, and erasing rectangles against
 * statistics from Debian's python3-torchvision
 * (scripts/gen-erasing-ref.py -> data/images/torchvision-erasing.txt). */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "vt/augment.h"
#include "vt/idx.h"
#include "vt/record.h"

#include "helpers.h"

#define SEED 20170815

static void random_image(uint8_t *p, size_t n, uint64_t stream)
{
	struct vt_rng r;

	vt_rng_seed(&r, 1, stream);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)vt_rng_u32(&r);
}

static int64_t clip(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static bool inside(const struct vt_rect *R, int n, int64_t y, int64_t x)
{
	for (int q = 0; q < n; q++)
		if (y >= R[q].y1 && y < R[q].y2 && x >= R[q].x1 && x < R[q].x2)
			return true;
	return false;
}

/* The masked pixels are exactly the clipped squares, every other byte is
 * the input's. */
Test(cutout, mask_is_exactly_the_clipped_square)
{
	enum { H = 13, W = 17, C = 3 };
	uint8_t in[H * W * C], out[H * W * C];
	const double value[C] = { 7, 8, 9 };
	const struct vt_fill_spec fill = { VT_FILL_VALUE, value, NULL, 0 };

	for (int64_t len = 1; len <= 20; len++)
		for (uint64_t i = 0; i < 50; i++) {
			struct vt_rng r;
			struct vt_rect R[3];
			int n;

			random_image(in, sizeof in, i);
			/* no input byte equals a fill value, so a masked pixel
			 * cannot pass for an unmasked one */
			for (size_t k = 0; k < sizeof in; k++)
				if (in[k] >= 7 && in[k] <= 9)
					in[k] = 100;
			memcpy(out, in, sizeof in);
			vt_rng_seed(&r, SEED, i);
			n = vt_cutout_draw(&r, H, W, len, 3, 1.0, R);
			cr_assert_eq(n, 3);
			for (int q = 0; q < n; q++) {
				cr_assert(R[q].cy >= 0 && R[q].cy < H);
				cr_assert(R[q].cx >= 0 && R[q].cx < W);
				cr_assert_eq(R[q].y1, clip(R[q].cy - len / 2, 0, H));
				cr_assert_eq(R[q].y2, clip(R[q].cy + len / 2, 0, H));
				cr_assert_eq(R[q].x1, clip(R[q].cx - len / 2, 0, W));
				cr_assert_eq(R[q].x2, clip(R[q].cx + len / 2, 0, W));
			}
			vt_aug_fill(out, VT_U8, C, 1, W * C, C, R, n, &fill, &r);
			for (int y = 0; y < H; y++)
				for (int x = 0; x < W; x++)
					for (int c = 0; c < C; c++) {
						int k = (y * W + x) * C + c;
						if (inside(R, n, y, x))
							cr_assert_eq(out[k], 7 + c);
						else
							cr_assert_eq(out[k], in[k]);
					}
		}
}

/* Centres on the corners and edges clip: every corner is seen within the
 * draws on a 5 x 4 image, and its square is cut at the borders. */
Test(cutout, corners_and_edges_clip)
{
	struct vt_rng r;
	int seen = 0;

	vt_rng_seed(&r, SEED, 0);
	for (int i = 0; i < 2000; i++) {
		struct vt_rect R;

		cr_assert_eq(vt_cutout_draw(&r, 4, 5, 4, 1, 1.0, &R), 1);
		if (R.cy == 0 && R.cx == 0) {
			cr_assert(R.y1 == 0 && R.y2 == 2 && R.x1 == 0 && R.x2 == 2);
			seen |= 1;
		} else if (R.cy == 3 && R.cx == 4) {
			cr_assert(R.y1 == 1 && R.y2 == 4 && R.x1 == 2 && R.x2 == 5);
			seen |= 2;
		} else if (R.cy == 0 && R.cx == 4) {
			cr_assert(R.y1 == 0 && R.y2 == 2 && R.x1 == 2 && R.x2 == 5);
			seen |= 4;
		} else if (R.cy == 3 && R.cx == 0) {
			cr_assert(R.y1 == 1 && R.y2 == 4 && R.x1 == 0 && R.x2 == 2);
			seen |= 8;
		} else if (R.cy == 2 && R.cx == 2) {
			cr_assert(R.y1 == 0 && R.y2 == 4 && R.x1 == 0 && R.x2 == 4);
			seen |= 16;
		}
	}
	cr_assert_eq(seen, 31);
	/* a square larger than the image centred anywhere covers it all */
	for (int i = 0; i < 100; i++) {
		struct vt_rect R;

		vt_cutout_draw(&r, 4, 5, 12, 1, 1.0, &R);
		cr_assert(R.y1 == 0 && R.y2 == 4 && R.x1 == 0 && R.x2 == 5);
	}
}

/* 100,000 centres on a 10 x 10 image: chi-square with 99 degrees of
 * freedom below 148.23 (p = 0.001); for seed 20170815 it is printed. */
Test(cutout, centres_uniform_chi_square)
{
	enum { H = 10, W = 10, N = 100000 };
	static long count[H * W];
	struct vt_rng r;
	double chi2 = 0, e = (double)N / (H * W);

	memset(count, 0, sizeof count);
	vt_rng_seed(&r, SEED, 0);
	for (int i = 0; i < N; i++) {
		struct vt_rect R;

		vt_cutout_draw(&r, H, W, 4, 1, 1.0, &R);
		count[R.cy * W + R.cx]++;
	}
	for (int k = 0; k < H * W; k++)
		chi2 += (count[k] - e) * (count[k] - e) / e;
	cr_log_info("cutout centres: chi-square %.2f, 99 degrees of freedom", chi2);
	cr_assert_lt(chi2, 148.23, "chi-square %.2f", chi2);
	cr_assert_gt(chi2, 61.6, "chi-square %.2f too good", chi2);  /* p=0.999 */
}

/* The visible (clipped) area: rows covered are min(cy+a, H) - max(cy-a, 0)
 * with a = L/2, whose mean over cy ~ U{0..H-1} is 2a - a^2/H (a <= H);
 * rows and columns are independent, so E[area] is the product. */
Test(cutout, visible_area_matches_analytic_expectation)
{
	static const struct { int64_t h, w, len; } cases[] = {
		{ 32, 32, 16 }, { 20, 50, 12 }, { 28, 28, 17 }, { 9, 9, 18 },
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		enum { N = 100000 };
		int64_t h = cases[c].h, w = cases[c].w, a = cases[c].len / 2;
		double ey = 2.0 * a - (double)(a * a) / h;
		double ex = 2.0 * a - (double)(a * a) / w;
		double want = ey * ex, s = 0, s2 = 0, m, sd;
		struct vt_rng r;

		vt_rng_seed(&r, SEED, c);
		for (int i = 0; i < N; i++) {
			struct vt_rect R;
			double area;

			vt_cutout_draw(&r, h, w, cases[c].len, 1, 1.0, &R);
			area = (double)((R.y2 - R.y1) * (R.x2 - R.x1));
			s += area;
			s2 += area * area;
		}
		m = s / N;
		sd = sqrt((s2 / N - m * m) / N);
		cr_log_info("cutout %lldx%lld L=%lld: visible area %.3f, "
			    "expected %.3f", (long long)h, (long long)w,
			    (long long)cases[c].len, m, want);
		cr_assert_lt(fabs(m - want), 4 * sd + 1e-9, "%lldx%lld L=%lld: "
			     "%.4f vs %.4f (sd %.4f)", (long long)h,
			     (long long)w, (long long)cases[c].len, m, want, sd);
	}
}

Test(cutout, probability_and_determinism)
{
	enum { H = 16, W = 16, C = 3 };
	uint8_t a[H * W * C], b[H * W * C];
	const struct vt_fill_spec noise = { VT_FILL_NOISE, NULL, NULL, 0 };
	struct vt_rng r;
	int applied = 0;

	for (int i = 0; i < 10000; i++) {
		struct vt_rect R;

		vt_rng_seed(&r, SEED, (uint64_t)i);
		applied += vt_cutout_draw(&r, H, W, 4, 1, 0.3, &R);
		cr_assert_eq(vt_cutout_draw(&r, H, W, 4, 1, 0.0, &R), 0);
	}
	cr_assert(fabs(applied / 10000.0 - 0.3) < 4 * sqrt(0.21 / 10000));
	for (int run = 0; run < 3; run++) {
		uint8_t *o = run == 0 ? a : b;
		struct vt_rect R[2];
		int n;

		random_image(o, sizeof a, 5);
		vt_rng_seed(&r, run == 2 ? SEED + 1 : SEED, 7);
		n = vt_cutout_draw(&r, H, W, 8, 2, 1.0, R);
		vt_aug_fill(o, VT_U8, C, 1, W * C, C, R, n, &noise, &r);
		if (run == 1)
			cr_assert_eq(memcmp(a, b, sizeof a), 0);
		if (run == 2)
			cr_assert_neq(memcmp(a, b, sizeof a), 0);
	}
}

/* Fill in C,H,W addressing on F32 and other dtypes; mean; masks. */
Test(cutout, fills_and_layouts)
{
	enum { C = 2, H = 3, W = 4 };
	float x[C * H * W];
	double mean[C], std[C] = { 0.5, 0.25 };
	const struct vt_rect R = { .y1 = 1, .y2 = 3, .x1 = 0, .x2 = 2 };
	struct vt_rng r;
	uint8_t mask[H * W];
	int16_t i16[C * H * W];

	for (int i = 0; i < C * H * W; i++)
		x[i] = (float)i;
	vt_aug_channel_mean(x, VT_F32, C, H, W, H * W, W, 1, mean);
	cr_assert_eq(mean[0], 5.5);
	cr_assert_eq(mean[1], 17.5);
	vt_aug_fill(x, VT_F32, C, H * W, W, 1, &R, 1,
		    &(struct vt_fill_spec){ VT_FILL_MEAN, mean, NULL, 0 }, &r);
	for (int c = 0; c < C; c++)
		for (int y = 0; y < H; y++)
			for (int i = 0; i < W; i++) {
				float v = x[(c * H + y) * W + i];
				if (y >= 1 && i < 2)
					cr_assert_eq(v, (float)mean[c]);
				else
					cr_assert_eq(v, (float)((c * H + y) * W + i));
			}
	/* normalised uniform noise lies in [(0 - m)/s, (1 - m)/s) */
	vt_rng_seed(&r, SEED, 0);
	vt_aug_fill(x, VT_F32, C, H * W, W, 1, &R, 1,
		    &(struct vt_fill_spec){ VT_FILL_NOISE, mean, std, 0 }, &r);
	for (int y = 1; y < 3; y++)
		for (int i = 0; i < 2; i++)
			for (int c = 0; c < C; c++) {
				float v = x[(c * H + y) * W + i];
				cr_assert(v >= (0 - mean[c]) / std[c] &&
					  v < (1 - mean[c]) / std[c]);
			}
	memset(i16, 0, sizeof i16);
	vt_aug_fill(i16, VT_I16, C, 1, W * C, C, &R, 1,
		    &(struct vt_fill_spec){ VT_FILL_VALUE,
					    (double[]){ -300, 4 }, NULL, 0 }, &r);
	cr_assert_eq(i16[(1 * W + 0) * C + 0], -300);
	cr_assert_eq(i16[(2 * W + 1) * C + 1], 4);
	cr_assert_eq(i16[(0 * W + 0) * C + 0], 0);
	vt_aug_mask(mask, H, W, &R, 1, 255);
	for (int y = 0; y < H; y++)
		for (int i = 0; i < W; i++)
			cr_assert_eq(mask[y * W + i], y >= 1 && i < 2 ? 0 : 255);
}

Test(augment, options)
{
	struct vt_aug_opts o;
	struct vt_err err;

	vt_aug_opts_init(&o);
	cr_assert_eq(vt_aug_opts_check(&o, &err), VT_EINVAL);
	cr_assert_str_eq(err.msg, "length 0 is not a positive number of pixels");
	o.length = 8;
	cr_assert_eq(vt_aug_opts_check(&o, &err), 0);
	o.p = 1.5;
	cr_assert_eq(vt_aug_opts_check(&o, &err), VT_EINVAL);
	cr_assert_str_eq(err.msg, "probability 1.5 is not in 0..1");
	o.p = NAN;
	cr_assert_eq(vt_aug_opts_check(&o, &err), VT_EINVAL);
	o.p = 0.5;
	o.mode = VT_AUG_ERASE;
	o.scale[0] = 0.5;
	o.scale[1] = 0.2;
	cr_assert_eq(vt_aug_opts_check(&o, &err), VT_EINVAL);
	cr_assert_str_eq(err.msg, "scale 0.5:0.2 is not 0 <= a <= b <= 1");
	o.scale[1] = 0.6;
	o.ratio[0] = 0;
	cr_assert_eq(vt_aug_opts_check(&o, &err), VT_EINVAL);
	o.ratio[0] = 1;
	cr_assert_eq(vt_aug_opts_check(&o, &err), 0);
	cr_assert_str_eq(vt_aug_mode_name(VT_AUG_ERASE), "erase");
	cr_assert_str_eq(vt_fill_name(VT_FILL_NOISE), "noise");
	cr_assert_null(vt_fill_name(VT_FILL_COUNT));
}

Test(augment, det_exp)
{
	for (double x = -30; x <= 30; x += 0.0137) {
		double a = vt_det_exp(x), b = exp(x);
		cr_assert_leq(fabs(a - b), 4 * DBL_EPSILON * b, "%.17g: %.17g "
			      "vs %.17g", x, a, b);
	}
	cr_assert_eq(vt_det_exp(0), 1.0);
}

struct mv { double s, s2; long n; };

static void mv_add(struct mv *m, double v)
{
	m->s += v;
	m->s2 += v * v;
	m->n++;
}

static void near(const char *what, const struct mv *m, double ref_mean,
		 double ref_sd, long ref_n, const char *line)
{
	double mean = m->s / m->n;
	double var = m->s2 / m->n - mean * mean;
	double se = sqrt(var / m->n + ref_sd * ref_sd / ref_n);

	cr_log_info("erase %.24s: %s vt %.4f torchvision %.4f (z %.2f)", line,
		    what, mean, ref_mean, se > 0 ? (mean - ref_mean) / se : 0);
	cr_assert_leq(fabs(mean - ref_mean), 5 * se + 1e-9,
		      "%s: %s %.4f vs torchvision %.4f (se %.4f)", line, what,
		      mean, ref_mean, se);
	cr_assert_leq(fabs(sqrt(var) - ref_sd), 0.02 * ref_sd + 0.01,
		      "%s: sd of %s %.4f vs torchvision %.4f", line, what,
		      sqrt(var), ref_sd);
}

/* The rectangles follow torchvision.transforms.RandomErasing. */
Test(erase, matches_torchvision_statistics)
{
	const char *path = t_data_path("images", "torchvision-erasing.txt");
	char line[1024];
	FILE *f;
	int cases = 0;

	f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	while (fgets(line, sizeof line, f)) {
		double h, w, sc[2], ra[2], n, noop, ref[10];
		struct mv st[5] = { { 0, 0, 0 } };
		long misses = 0;
		struct vt_rng r;

		if (line[0] == '#')
			continue;
		line[strcspn(line, "\n")] = 0;
		cr_assert_eq(sscanf(line, "%lf %lf %lf %lf %lf %lf %lf %lf %lf "
				    "%lf %lf %lf %lf %lf %lf %lf %lf %lf", &h,
				    &w, &sc[0], &sc[1], &ra[0], &ra[1], &n,
				    &noop, &ref[0], &ref[1], &ref[2], &ref[3],
				    &ref[4], &ref[5], &ref[6], &ref[7],
				    &ref[8], &ref[9]), 18);
		vt_rng_seed(&r, SEED, (uint64_t)cases);
		for (long i = 0; i < (long)n; i++) {
			struct vt_rect R;

			if (!vt_random_erasing_draw(&r, (int64_t)h, (int64_t)w,
						    sc, ra, 1, 1.0, &R)) {
				misses++;
				continue;
			}
			cr_assert(R.y1 >= 0 && R.y2 < h + 1 && R.y2 - R.y1 < h);
			cr_assert(R.x1 >= 0 && R.x2 < w + 1 && R.x2 - R.x1 < w);
			mv_add(&st[0], (double)(R.y2 - R.y1));
			mv_add(&st[1], (double)(R.x2 - R.x1));
			mv_add(&st[2], (double)((R.y2 - R.y1) * (R.x2 - R.x1)));
			mv_add(&st[3], (double)R.y1);
			mv_add(&st[4], (double)R.x1);
		}
		{
			double q = misses / n;
			double se = sqrt((q * (1 - q) + noop * (1 - noop)) / n);

			cr_log_info("erase %.24s: no-op vt %.5f torchvision %.5f",
				    line, q, noop);
			cr_assert_leq(fabs(q - noop), 5 * se + 1e-9, "%s: no-op "
				      "%.5f vs %.5f", line, q, noop);
		}
		near("height", &st[0], ref[0], ref[1], (long)(n * (1 - noop)), line);
		near("width", &st[1], ref[2], ref[3], (long)(n * (1 - noop)), line);
		near("area", &st[2], ref[4], ref[5], (long)(n * (1 - noop)), line);
		near("top", &st[3], ref[6], ref[7], (long)(n * (1 - noop)), line);
		near("left", &st[4], ref[8], ref[9], (long)(n * (1 - noop)), line);
		cases++;
	}
	fclose(f);
	cr_assert_eq(cases, 4);
}

/* --boxes: the fraction of a box that a rectangle covers, in continuous
 * coordinates (a rectangle covers [x1,x2) x [y1,y2)). */
Test(boxes, covered_fraction)
{
	const struct vt_rect R = { .y1 = 2, .x1 = 4, .y2 = 6, .x2 = 8 };
	const double inside[4] = { 5, 3, 7, 5 };     /* wholly covered */
	const double half[4] = { 6, 2, 10, 6 };      /* x 6..8 of 6..10 */
	const double apart[4] = { 8, 0, 12, 2 };     /* touches a corner */
	const double flat[4] = { 5, 3, 7, 3 };       /* no area */
	const double frac[4] = { 7.5, 5.5, 8.5, 6.5 }; /* 0.5 x 0.5 of 1 */
	const double two[8] = { 6, 2, 10, 6, 8, 0, 12, 2 };

	cr_assert_float_eq(vt_aug_box_covered(&R, inside), 1.0, 1e-15);
	cr_assert_float_eq(vt_aug_box_covered(&R, half), 0.5, 1e-15);
	cr_assert_float_eq(vt_aug_box_covered(&R, apart), 0.0, 1e-15);
	cr_assert_float_eq(vt_aug_box_covered(&R, flat), 0.0, 1e-15);
	cr_assert_float_eq(vt_aug_box_covered(&R, frac), 0.25, 1e-15);
	/* "more than F": exactly F is allowed */
	cr_assert(!vt_aug_rect_occludes(&R, two, 2, 0.5));
	cr_assert(vt_aug_rect_occludes(&R, two, 2, 0.49));
	cr_assert(!vt_aug_rect_occludes(&R, two, 0, 0.0));
	cr_assert(!vt_aug_rect_occludes(&R, apart, 1, 0.0));
}

/* Without boxes the guarded draw is exactly the plain one; with boxes every
 * rectangle kept respects the limit, the others are counted as skipped,
 * and the draws depend only on (seed, stream). */
Test(boxes, guarded_draws)
{
	/* a small box and one over the whole image, of which F = 5% is
	 * about a clipped hole's share */
	const double boxes[8] = { 3, 4, 15, 14, 0, 0, 32, 24 };
	const struct vt_aug_guard none = { boxes, 0, 0.05 };

	for (int mode = 0; mode < VT_AUG_MODE_COUNT; mode++) {
		struct vt_aug_opts o;
		long kept = 0, skipped_all = 0;

		vt_aug_opts_init(&o);
		o.mode = (enum vt_aug_mode)mode;
		o.holes = 3;
		o.length = 9;
		for (uint64_t i = 0; i < 2000; i++) {
			const struct vt_aug_guard g = { boxes, 2, 0.05 };
			struct vt_rect a[3], b[3], c[3];
			struct vt_rng r1, r2;
			int n1, n2, n3, skipped, skipped2;

			vt_rng_seed(&r1, SEED, i);
			vt_rng_seed(&r2, SEED, i);
			n1 = vt_aug_draw(&r1, 24, 32, &o, a);
			n2 = vt_aug_draw_guarded(&r2, 24, 32, 9, &o, &none, b,
						 &skipped);
			cr_assert_eq(n1, n2);
			cr_assert_eq(skipped, 0);
			cr_assert_eq(memcmp(a, b, sizeof a[0] * (size_t)n1), 0);
			cr_assert_eq(vt_rng_u32(&r1), vt_rng_u32(&r2));

			vt_rng_seed(&r1, SEED, i);
			n1 = vt_aug_draw_guarded(&r1, 24, 32, 9, &o, &g, b,
						 &skipped);
			for (int q = 0; q < n1; q++)
				cr_assert(!vt_aug_rect_occludes(&b[q], boxes, 2,
								0.05));
			if (mode == VT_AUG_CUTOUT)
				cr_assert_eq(n1 + skipped, 3);
			else
				cr_assert_leq(n1 + skipped, 3);
			vt_rng_seed(&r2, SEED, i);
			n3 = vt_aug_draw_guarded(&r2, 24, 32, 9, &o, &g, c,
						 &skipped2);
			cr_assert_eq(n3, n1);
			cr_assert_eq(skipped2, skipped);
			cr_assert_eq(memcmp(b, c, sizeof b[0] * (size_t)n1), 0);
			kept += n1;
			skipped_all += skipped;
		}
		/* both outcomes occur with these boxes */
		cr_assert_gt(kept, 1000);
		cr_assert_gt(skipped_all, 0);
	}
}

/* A box covering the whole image and F = 0: no hole survives. */
Test(boxes, all_skipped)
{
	const double whole[4] = { 0, 0, 20, 20 };
	const struct vt_aug_guard g = { whole, 1, 0.0 };
	struct vt_aug_opts o;
	struct vt_rect R[4];
	struct vt_rng r;
	int skipped;

	vt_aug_opts_init(&o);
	o.holes = 4;
	o.length = 4;
	vt_rng_seed(&r, SEED, 0);
	cr_assert_eq(vt_aug_draw_guarded(&r, 20, 20, 4, &o, &g, R, &skipped),
		     0);
	cr_assert_eq(skipped, 4);
}

Test(boxes, yolo_text)
{
	const char good[] = "0 0.5 0.5 0.25 0.5\n\n  \r\n7 0.1 0.2 0 0\r\n";
	const char *bad[][2] = {
		{ "0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2\n",
		  "'l.txt': line 2: 4 fields, expected 5 (class cx cy w h)" },
		{ "0 0.5 0.5 0.2 0.2 0.9\n",
		  "'l.txt': line 1: more than 5 fields (class cx cy w h)" },
		{ "0 0.5 x 0.2 0.2\n", "'l.txt': line 1: field 3 is not a number" },
		{ "0 0.5 nan 0.2 0.2\n", "'l.txt': line 1: field 3 is not a number" },
		{ "1.5 0.5 0.5 0.2 0.2\n",
		  "'l.txt': line 1: class 1.5 is not a non-negative integer" },
		{ "\n\n1 0.5 0.5 -0.2 0.2\n",
		  "'l.txt': line 3: negative width or height" },
	};
	struct vt_err err;
	double *b = NULL;
	size_t n = 0;

	cr_assert_eq(vt_aug_labels_parse_yolo(good, strlen(good), "l.txt", 40,
					      20, &b, &n, &err), 0);
	cr_assert_eq(n, 2);
	cr_assert_float_eq(b[0], 15.0, 1e-12);
	cr_assert_float_eq(b[1], 5.0, 1e-12);
	cr_assert_float_eq(b[2], 25.0, 1e-12);
	cr_assert_float_eq(b[3], 15.0, 1e-12);
	cr_assert_float_eq(b[4], 4.0, 1e-12);
	cr_assert_float_eq(b[7], 4.0, 1e-12);
	free(b);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		b = NULL;
		n = 0;
		cr_assert_eq(vt_aug_labels_parse_yolo(bad[i][0],
						      strlen(bad[i][0]),
						      "l.txt", 40, 20, &b, &n,
						      &err), VT_EFORMAT);
		cr_assert_str_eq(err.msg, bad[i][1]);
		free(b);
	}
}

Test(boxes, coco_json)
{
	const char good[] =
		"{\"images\":[{\"id\":3,\"file_name\":\"d/x.png\"},"
		"{\"id\":1,\"file_name\":\"y.jpg\"}],\"annotations\":["
		"{\"image_id\":3,\"bbox\":[1,2,3,4]},"
		"{\"image_id\":3,\"bbox\":[0,0,1,1]}]}";
	const char *bad[][2] = {
		{ "[]", "'c.json': not a COCO instances file (needs the arrays "
			"images and annotations)" },
		{ "{\"images\":[{\"id\":1}],\"annotations\":[]}",
		  "'c.json': images[0]: needs a numeric id and a file_name" },
		{ "{\"images\":[{\"id\":1,\"file_name\":\"a\"},{\"id\":1,"
		  "\"file_name\":\"b\"}],\"annotations\":[]}",
		  "'c.json': images: id 1 appears twice" },
		{ "{\"images\":[{\"id\":1,\"file_name\":\"a/p\"},{\"id\":2,"
		  "\"file_name\":\"b/p\"}],\"annotations\":[]}",
		  "'c.json': images: two have the file name 'p'" },
		{ "{\"images\":[{\"id\":1,\"file_name\":\"a\"}],\"annotations\":"
		  "[{\"image_id\":1,\"bbox\":[1,2,3]}]}",
		  "'c.json': annotations[0]: bbox is not [x,y,w,h]" },
		{ "{\"images\":[{\"id\":1,\"file_name\":\"a\"}],\"annotations\":"
		  "[{\"image_id\":1,\"bbox\":[1,2,-3,4]}]}",
		  "'c.json': annotations[0]: bbox has a negative width or height" },
		{ "{\"images\":[],\"annotations\":[{\"bbox\":[1,2,3,4]}]}",
		  "'c.json': annotations[0]: no numeric image_id" },
	};
	struct vt_aug_labels l;
	struct vt_err err;
	double *b;
	size_t n;

	cr_assert_eq(vt_aug_labels_parse_coco(&l, good, strlen(good), "c.json",
					      &err), 0);
	cr_assert_eq(vt_aug_labels_find(&l, "in/x.png", 10, 10, &b, &n, &err),
		     0);
	cr_assert_eq(n, 2);
	cr_assert_float_eq(b[0], 1.0, 0);
	cr_assert_float_eq(b[1], 2.0, 0);
	cr_assert_float_eq(b[2], 4.0, 0);
	cr_assert_float_eq(b[3], 6.0, 0);
	free(b);
	cr_assert_eq(vt_aug_labels_find(&l, "y.jpg", 10, 10, &b, &n, &err), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(b);
	cr_assert_eq(vt_aug_labels_find(&l, "none.png", 10, 10, &b, &n, &err),
		     0);
	cr_assert_eq(n, 0);
	vt_aug_labels_release(&l);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert_eq(vt_aug_labels_parse_coco(&l, bad[i][0],
						      strlen(bad[i][0]),
						      "c.json", &err),
			     VT_EFORMAT);
		cr_assert_str_eq(err.msg, bad[i][1]);
	}
}

/* A YOLO directory: NAME.txt for NAME.ext; no file, no box. */
Test(boxes, yolo_directory)
{
	struct vt_aug_labels l;
	struct vt_err err;
	double *b;
	size_t n;

	cr_assert_eq(vt_aug_labels_open(&l, t_data_path("labels", "tree-yolo"),
					 &err), 0, "%s", err.msg);
	cr_assert_eq(vt_aug_labels_find(&l, "x/a.png", 32, 24, &b, &n, &err),
		     0);
	cr_assert_eq(n, 2);
	cr_assert_float_eq(b[0], 14.0, 1e-12);
	cr_assert_float_eq(b[3], 21.0, 1e-12);
	free(b);
	cr_assert_eq(vt_aug_labels_find(&l, "c.bmp", 16, 16, &b, &n, &err), 0);
	cr_assert_eq(n, 0);
	vt_aug_labels_release(&l);
	cr_assert_eq(vt_aug_labels_open(&l, t_data_path("bad", "labels-yolo"),
					 &err), 0);
	cr_assert_eq(vt_aug_labels_find(&l, "a.png", 8, 8, &b, &n, &err),
		     VT_EFORMAT);
	cr_assert(strstr(err.msg, "labels-yolo/a.txt': line 2: "), "%s",
		  err.msg);
	vt_aug_labels_release(&l);
	cr_assert_eq(vt_aug_labels_open(&l, t_data_path("labels", "nothing"),
					 &err), VT_EOPEN);
}

/* ---- IDX input streamed in pieces ---- */

/* dir/name into buf */
static const char *in_dir(char *buf, size_t size, const char *dir,
			  const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

/* n bytes of path (or the first `cut` bytes when cut < n), gzip. */
static void write_gz(const char *path, const unsigned char *b, size_t n,
		     size_t cut)
{
	uLongf zlen = compressBound((uLong)n) + 64;
	unsigned char *z = malloc(zlen);
	z_stream s;
	FILE *f;

	memset(&s, 0, sizeof s);
	cr_assert_eq(deflateInit2(&s, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
				  Z_DEFAULT_STRATEGY), Z_OK);
	s.next_in = (unsigned char *)b;
	s.avail_in = (uInt)n;
	s.next_out = z;
	s.avail_out = (uInt)zlen;
	cr_assert_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
	zlen -= s.avail_out;
	deflateEnd(&s);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(z, 1, cut < zlen ? cut : zlen, f),
		     cut < zlen ? cut : zlen);
	cr_assert_eq(fclose(f), 0);
	free(z);
}

static unsigned char *slurp_or_null(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* A log's lines from their "item" key on (the input's name differs). */
static void same_log_items(const char *a, const char *b)
{
	size_t la, lb;
	unsigned char *x = slurp_or_null(a, &la), *y = slurp_or_null(b, &lb);
	char *p, *q, *sp, *sq;
	int lines = 0;

	cr_assert(x && y);
	x[la] = y[lb] = 0;
	p = strtok_r((char *)x, "\n", &sp);
	q = strtok_r((char *)y, "\n", &sq);
	while (p && q) {
		cr_assert_str_eq(strstr(p, ",\"item\""), strstr(q, ",\"item\""));
		p = strtok_r(NULL, "\n", &sp);
		q = strtok_r(NULL, "\n", &sq);
		lines++;
	}
	cr_assert(!p && !q && lines > 0);
	free(x);
	free(y);
}

static int run_one(const char *in, const char *out, const char *log,
		   bool masks, int jobs, size_t piece, struct vt_err *err)
{
	char *inputs[1] = { (char *)in };
	struct vt_aug_run r = { .inputs = inputs, .n_inputs = 1, .out = out,
				.log = log, .copies = 1, .jobs = jobs,
				.masks = masks, .idx_piece_bytes = piece };

	vt_aug_job_init(&r.job);
	r.job.aug.length = 6;
	r.job.aug.holes = 2;
	r.job.aug.p = 0.8;
	r.job.seed = 77;
	return vt_aug_run_tensors(&r, err);
}

/* An IDX.gz streamed in pieces of any size, with or without the reading
 * thread, gives byte for byte what the whole-record path gives on the same
 * images (the IDX decoded whole, saved as a .safetensors record, then
 * masked): records, masks and log. */
Test(idx_stream, same_bytes_as_whole_record)
{
	static const size_t pieces[] = { 1, 3 * 20 * 17, 1000, 0 };
	char dir[] = "/tmp/vt-aug-idx-XXXXXX", p1[256], p2[256], p3[256],
	     p4[256], p5[256];
	uint32_t n = 500, h = 20, w = 17;
	size_t len = 16 + (size_t)n * h * w, ref_len, got_len;
	unsigned char *b = malloc(len), *ref, *got;
	struct vt_tensor t;
	struct vt_record rec;
	struct vt_err err;

	cr_assert_not_null(mkdtemp(dir));
	memcpy(b, (unsigned char[]){ 0, 0, 8, 3, 0, 0, n >> 8, n & 255, 0, 0,
				     0, h, 0, 0, 0, w }, 16);
	random_image(b + 16, len - 16, 9);
	write_gz(in_dir(p1, sizeof p1, dir, "x-idx3-ubyte.gz"), b, len,
		 SIZE_MAX);
	/* the reference: decode all, one record, the record path */
	cr_assert_eq(vt_idx_read(p1, 0, &t, &err), 0, "%s", err.msg);
	t.shape[3] = t.shape[2];
	t.shape[2] = t.shape[1];
	t.shape[1] = 1;
	t.rank = 4;
	cr_assert_eq(vt_tensor_set_dims(&t, "N,C,H,W", 7, &err), 0);
	cr_assert_eq(vt_tensor_set_name(&t, "images", &err), 0);
	vt_record_init(&rec);
	cr_assert_eq(vt_record_add(&rec, &t, &err), 0);
	cr_assert_eq(vt_record_save(in_dir(p2, sizeof p2, dir,
					   "ref-in.safetensors"), &rec, &err),
		     0, "%s", err.msg);
	vt_record_release(&rec);
	for (int masks = 0; masks < 2; masks++) {
		cr_assert_eq(run_one(p2, in_dir(p3, sizeof p3, dir,
						"ref.safetensors"),
				     in_dir(p4, sizeof p4, dir, "ref.log"),
				     masks, 1, 0, &err), 0, "%s", err.msg);
		ref = slurp_or_null(p3, &ref_len);
		cr_assert_not_null(ref);
		for (size_t pi = 0; pi < 4; pi++)
			for (int jobs = 1; jobs <= 2; jobs++) {
				in_dir(p5, sizeof p5, dir, "out.log");
				cr_assert_eq(run_one(p1, in_dir(p3, sizeof p3,
								dir, "out.vts"),
						     p5, masks, jobs,
						     pieces[pi], &err),
					     0, "%s", err.msg);
				got = slurp_or_null(p3, &got_len);
				cr_assert_eq(got_len, ref_len);
				cr_assert_eq(memcmp(got, ref, ref_len), 0,
					     "masks %d piece %zu jobs %d",
					     masks, pieces[pi], jobs);
				same_log_items(p4, p5);
				free(got);
				unlink(p3);
				unlink(p5);
			}
		free(ref);
		unlink(p4);
		unlink(in_dir(p3, sizeof p3, dir, "ref.safetensors"));
	}
	/* truncated gzip: the reader's message naming the file, exit status
	 * of bad data, and neither output nor log left behind */
	write_gz(p1, b, len, 3000);
	for (int jobs = 1; jobs <= 2; jobs++) {
		struct stat st;
		char want[600];

		snprintf(want, sizeof want, "'%s': truncated gzip data", p1);
		cr_assert_eq(run_one(p1, in_dir(p3, sizeof p3, dir, "out.vts"),
				     in_dir(p5, sizeof p5, dir, "out.log"), 1,
				     jobs, 1000, &err), VT_EFORMAT);
		cr_assert_str_eq(err.msg, want);
		cr_assert_neq(stat(p3, &st), 0);
		cr_assert_neq(stat(p5, &st), 0);
	}
	unlink(p1);
	unlink(p2);
	cr_assert_eq(rmdir(dir), 0, "%s left files", dir);
	free(b);
}
