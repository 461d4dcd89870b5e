/* test_image.c - image reading and writing through stb, limits, hostile
 * files, conversions.  Fixtures from scripts/gen-images.py: pixel (x, y) of
 * channel c is (37x + 91y + 53c) mod 256. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stb/stb_image.h>

#include "vt/image.h"
#include "../../lib/io/png.h"   /* both ways of the PNG reader */

#include "helpers.h"

static int pix(int x, int y, int c)
{
	return (37 * x + 91 * y + 53 * c) % 256;
}

static void check_pixels(const struct vt_tensor *t, int ch, int tol)
{
	const uint8_t *p = t->data;

	for (int y = 0; y < 5; y++)
		for (int x = 0; x < 7; x++)
			for (int c = 0; c < ch; c++) {
				int got = p[(y * 7 + x) * (int)t->shape[2] + c];
				cr_assert_leq(abs(got - pix(x, y, c)), tol,
					      "(%d,%d,%d): %d vs %d", x, y, c,
					      got, pix(x, y, c));
			}
}

Test(image, read_formats)
{
	static const struct { const char *f; int c, want_c, tol; } cases[] = {
		{ "c1-7x5.png", 1, 1, 0 }, { "c2-7x5.png", 2, 2, 0 },
		{ "c3-7x5.png", 3, 3, 0 }, { "c4-7x5.png", 4, 4, 0 },
		{ "c3-7x5.bmp", 3, 3, 0 }, { "c3-7x5.tga", 3, 3, 0 },
		{ "c3-7x5.ppm", 3, 3, 0 }, { "g16-7x5.png", 1, 1, 0 },
		{ "c1-7x5.gif", 1, 4, 0 }, { "c3-7x5.jpg", 3, 3, 16 },
		{ "c3-7x5-prog.jpg", 3, 3, 16 }, { "g16-7x5.pgm", 1, 1, 0 },
		{ "c3-16-7x5.ppm", 3, 3, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct vt_tensor t;
		struct vt_err err;
		char dims[300];
		int w, h, c;
		int rc = vt_image_read(t_data_path("images", cases[i].f), 0, NULL,
				       &t, &err);

		cr_assert_eq(rc, 0, "%s: %s", cases[i].f, err.msg);
		cr_assert_eq(t.dtype, VT_U8);
		cr_assert_eq(t.rank, 3);
		cr_assert_eq(t.shape[0], 5);
		cr_assert_eq(t.shape[1], 7);
		cr_assert_eq(t.shape[2], (uint64_t)cases[i].want_c, "%s: %llu",
			     cases[i].f, (unsigned long long)t.shape[2]);
		vt_tensor_dims_csv(&t, dims, sizeof dims);
		cr_assert_str_eq(dims, "H,W,C");
		check_pixels(&t, cases[i].c, cases[i].tol);
		vt_tensor_release(&t);
		cr_assert_eq(vt_image_info(t_data_path("images", cases[i].f), &w,
					   &h, &c, &err), 0, "%s", err.msg);
		cr_assert_eq(w, 7);
		cr_assert_eq(h, 5);
	}
}

Test(image, channel_conversion)
{
	struct vt_tensor t;
	struct vt_err err;

	cr_assert_eq(vt_image_read(t_data_path("images", "c1-7x5.png"), 3, NULL,
				   &t, &err), 0, "%s", err.msg);
	cr_assert_eq(t.shape[2], 3);
	for (int i = 0; i < 35; i++) {
		const uint8_t *p = (const uint8_t *)t.data + 3 * i;
		cr_assert(p[0] == p[1] && p[1] == p[2]);
		cr_assert_eq(p[0], pix(i % 7, i / 7, 0));
	}
	vt_tensor_release(&t);
	cr_assert_eq(vt_image_read(t_data_path("images", "c3-7x5.png"), 5, NULL,
				   &t, &err), VT_EINVAL);
	cr_assert_null(t.data);
}

Test(image, read_mem_same_as_file)
{
	const char *path = t_data_path("images", "c4-7x5.png");
	FILE *f = fopen(path, "rb");
	unsigned char buf[4096];
	size_t n;
	struct vt_tensor a, b;
	struct vt_err err;

	cr_assert_not_null(f);
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	cr_assert_eq(vt_image_read(path, 0, NULL, &a, &err), 0);
	cr_assert_eq(vt_image_read_mem(buf, n, "mem", 0, NULL, &b, &err), 0);
	cr_assert_eq(a.nbytes, b.nbytes);
	cr_assert_eq(memcmp(a.data, b.data, a.nbytes), 0);
	vt_tensor_release(&a);
	vt_tensor_release(&b);
}

/* Every channel count of a file read through vt_image_read_mem against
 * stb_image's own decode. */
static void same_as_stb(const void *buf, size_t len, const char *what)
{
	for (int c = 0; c <= 4; c++) {
		struct vt_tensor t;
		struct vt_err err;
		int w, h, n;
		unsigned char *ref = stbi_load_from_memory(buf, (int)len, &w, &h,
							   &n, c);

		cr_assert_not_null(ref, "%s: %s", what, stbi_failure_reason());
		cr_assert_eq(vt_image_read_mem(buf, len, what, c, NULL, &t,
					       &err), 0, "%s", err.msg);
		cr_assert_eq(t.nbytes, (size_t)w * (size_t)h *
				       (size_t)(c ? c : n), "%s %d", what, c);
		cr_assert_eq(memcmp(t.data, ref, t.nbytes), 0, "%s %d", what,
			     c);
		vt_tensor_release(&t);
		stbi_image_free(ref);
	}
}

/* 8-bit PNM (read by pnm.c), run-length HDR and progressive JPEG (checked
 * by stbguard.c, then decoded by stb) give stb's bytes. */
Test(image, pnm_hdr_jpeg_same_as_stb)
{
	static const char *const files[] = { "c3-7x5.ppm", "c3-8x2.hdr",
		"c3-7x5-prog.jpg", "c3-7x5.jpg" };
	/* a PGM with comments, tabs and no space before the first number */
	static const char pgm_head[] = "P5# one\n\t3 # two\r2\n255 ";
	unsigned char pgm[sizeof pgm_head - 1 + 6];

	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		size_t len;
		unsigned char *buf = t_slurp(t_data_path("images", files[i]),
					     &len);

		same_as_stb(buf, len, files[i]);
		free(buf);
	}
	memcpy(pgm, pgm_head, sizeof pgm_head - 1);
	for (int i = 0; i < 6; i++)
		pgm[sizeof pgm_head - 1 + i] = (unsigned char)(40 * i + 7);
	same_as_stb(pgm, sizeof pgm, "pgm");
}

/* 16-bit PNM: the high byte of each big-endian sample (stb takes the low
 * one), converted as stb converts 8-bit samples. */
Test(image, pnm_16_bit)
{
	struct vt_tensor t;
	struct vt_err err;

	for (int c = 1; c <= 4; c++) {
		cr_assert_eq(vt_image_read(t_data_path("images", "g16-7x5.pgm"),
					   c, NULL, &t, &err), 0, "%s", err.msg);
		for (int i = 0; i < 35; i++) {
			const uint8_t *p = (const uint8_t *)t.data + c * i;
			uint8_t g = pix(i % 7, i / 7, 0);

			cr_assert_eq(p[0], g);
			if (c >= 3)
				cr_assert(p[1] == g && p[2] == g);
			if (c == 2 || c == 4)
				cr_assert_eq(p[c - 1], 255);
		}
		vt_tensor_release(&t);
		cr_assert_eq(vt_image_read(t_data_path("images",
						       "c3-16-7x5.ppm"), c,
					   NULL, &t, &err), 0, "%s", err.msg);
		for (int i = 0; i < 35; i++) {
			const uint8_t *p = (const uint8_t *)t.data + c * i;
			int x = i % 7, y = i / 7;
			int r = pix(x, y, 0), g = pix(x, y, 1), b = pix(x, y, 2);

			if (c >= 3)
				cr_assert(p[0] == r && p[1] == g && p[2] == b);
			else
				cr_assert_eq(p[0], (r * 77 + g * 150 + b * 29)
						   >> 8);
			if (c == 2 || c == 4)
				cr_assert_eq(p[c - 1], 255);
		}
		vt_tensor_release(&t);
	}
}

/* The zlib PNG reader (8-bit, not interlaced) against stb_image on vt's own
 * PNGs: every channel count asked of every channel count, one pixel to
 * several IDAT chunks of noise; on a changed byte at the end of the zlib
 * stream (zlib's checksum fails, stb does not check it) and on a cut file,
 * the same verdict as stb's. */
Test(image, png_zlib_reader_same_as_stb)
{
	const int sizes[][2] = { { 1, 1 }, { 3, 70 }, { 190, 150 } };

	for (int c = 1; c <= 4; c++)
		for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
			int h = sizes[z][0], w = sizes[z][1];
			struct vt_tensor img, got;
			struct vt_err err;
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);

			cr_assert_eq(vt_tensor_init(&img, NULL, VT_U8, 3,
				     (uint64_t[3]){ (uint64_t)h, (uint64_t)w,
						    (uint64_t)c }, &err), 0);
			for (size_t i = 0; i < img.nbytes; i++)
				((uint8_t *)img.data)[i] = (uint8_t)(
					z == 2 ? (i * 2654435761u) >> 13 :
					i * 7 + i / (size_t)(w * c) * 3);
			cr_assert_eq(vt_image_encode(f, "m", &img,
						     VT_IMAGE_PNG, 0, &err), 0);
			fclose(f);
			for (int ch = 0; ch <= 4; ch++) {
				int sw, sh, sc;
				unsigned char *ref = stbi_load_from_memory(
					(unsigned char *)buf, (int)len, &sw, &sh,
					&sc, ch);

				cr_assert_not_null(ref);
				cr_assert_eq(vt_image_read_mem(buf, len, "m", ch,
							       NULL, &got, &err),
					     0, "%s", err.msg);
				cr_assert_eq(got.nbytes, (size_t)sw * sh *
					     (size_t)(ch ? ch : c));
				cr_assert_eq(memcmp(got.data, ref, got.nbytes), 0,
					     "c %d size %zu asked %d", c, z, ch);
				/* each way on its own: libdeflate whole, zlib
				 * a row at a time (as for large images) */
				for (int way = 0; way < 2 &&
				     (ch == 0 || ch == c || ch >= 3); way++) {
					memset(got.data, 0, got.nbytes);
					cr_assert_eq((way ? vt_png_decode8_rows
							  : vt_png_decode8_whole)(
						buf, len, (uint32_t)w,
						(uint32_t)h, ch ? ch : c,
						got.data), 0, "way %d", way);
					cr_assert_eq(memcmp(got.data, ref,
							    got.nbytes), 0);
				}
				vt_tensor_release(&got);
				stbi_image_free(ref);
			}
			/* a byte of the stream's end changed; the file cut
			 * inside the IDAT data */
			for (int bad = 0; bad < 2; bad++) {
				char *cp = malloc(len);
				size_t n = bad ? len - 20 : len;
				unsigned char *ref;
				int rc, sw, sh, sc;

				memcpy(cp, buf, len);
				if (!bad)
					cp[len - 12 - 4 - 4] ^= 0x55;
				ref = stbi_load_from_memory((unsigned char *)cp,
							    (int)n, &sw, &sh,
							    &sc, 3);
				rc = vt_image_read_mem(cp, n, "m", 3, NULL, &got,
						       &err);
				{	/* both ways of this reader decline */
					uint8_t *o = malloc((size_t)w * h * 3);

					cr_assert_eq(vt_png_decode8(cp, n,
						(uint32_t)w, (uint32_t)h, 3, o),
						-1);
					cr_assert_eq(vt_png_decode8_rows(cp, n,
						(uint32_t)w, (uint32_t)h, 3, o),
						-1);
					cr_assert_eq(vt_png_decode8_whole(cp, n,
						(uint32_t)w, (uint32_t)h, 3, o),
						-1);
					free(o);
				}
				cr_assert_eq(rc == 0, ref != NULL,
					     "c %d size %zu bad %d", c, z, bad);
				if (ref)
					cr_assert_eq(memcmp(got.data, ref,
							    got.nbytes), 0);
				if (!rc)
					vt_tensor_release(&got);
				stbi_image_free(ref);
				free(cp);
			}
			vt_tensor_release(&img);
			free(buf);
		}
}

Test(image, limits)
{
	const char *path = t_data_path("images", "c3-7x5.png");
	struct vt_image_limits side = { .max_side = 6 }, area = { .max_pixels = 34 };
	struct vt_tensor t;
	struct vt_err err;
	char want[1200];

	cr_assert_eq(vt_image_read(path, 0, &side, &t, &err), VT_ELIMIT);
	snprintf(want, sizeof want, "'%s': image 7x5 exceeds the limit of 6x6",
		 path);
	cr_assert_str_eq(err.msg, want);
	cr_assert_null(t.data);
	cr_assert_eq(vt_image_read(path, 0, &area, &t, &err), VT_ELIMIT);
	snprintf(want, sizeof want, "'%s': image 7x5 has 35 pixels, above the "
		 "limit of 34", path);
	cr_assert_str_eq(err.msg, want);
	area.max_pixels = 35;
	side.max_side = 7;
	cr_assert_eq(vt_image_read(path, 0, &area, &t, &err), 0);
	vt_tensor_release(&t);
	cr_assert_eq(vt_image_read(path, 0, &side, &t, &err), 0);
	vt_tensor_release(&t);
}

/* Every hostile or broken image is refused with a status and a message
 * naming the file, and nothing is left allocated. */
Test(image, bad_files)
{
	static const struct { const char *f; int rc; const char *msg; } cases[] = {
		{ "img-empty.png", VT_EFORMAT, "empty file, not an image" },
		{ "img-garbage.png", VT_EFORMAT, "not a readable image" },
		{ "img-text.png", VT_EFORMAT, "not a readable image" },
		{ "img-truncated.png", VT_EFORMAT, "" },
		{ "img-truncated.jpg", VT_EFORMAT, "" },
		{ "img-header-only.png", VT_EFORMAT, "cannot decode image" },
		{ "img-huge.png", VT_ELIMIT,
		  "image 20000x20000 exceeds the limit of 16384x16384" },
		{ "img-tall.png", VT_ELIMIT,
		  "image 16384x16385 exceeds the limit of 16384x16384" },
		{ "img-wide.png", VT_ELIMIT,
		  "image 2147483647x1 exceeds the limit of 16384x16384" },
		{ "img-huge-1bit.png", VT_ELIMIT,
		  "image 20000x20000 exceeds the limit of 16384x16384" },
		{ "img-zero.png", VT_EFORMAT, "" },
		{ "img-bad-zlib.png", VT_EFORMAT, "cannot decode image" },
		/* an IDAT chunk claiming 2 GiB of a 100-byte file: refused
		 * before stb_image grows its buffer to that */
		{ "img-idat-huge.png", VT_EFORMAT,
		  "cannot decode image (outofdata)" },
		{ "img-huge.bmp", VT_EFORMAT, "" },
		/* each of these crashed, hung or read memory it never wrote
		 * in Debian's stb_image; refused first by stbguard.c */
		{ "img-dht-overflow.jpg", VT_EFORMAT, "corrupt JPEG: a Huffman "
		  "table has more than 256 codes: 765" },
		{ "img-dht-undefined.jpg", VT_EFORMAT, "corrupt JPEG: a scan "
		  "uses an undefined DC Huffman table: 3" },
		{ "img-dqt-undefined.jpg", VT_EFORMAT, "corrupt JPEG: a scan "
		  "uses an undefined quantization table: 2" },
		{ "img-no-scan.jpg", VT_EFORMAT, "corrupt JPEG: no scan codes "
		  "component 2" },
		{ "img-hdr-zero-run.hdr", VT_EFORMAT, "corrupt HDR: a run of "
		  "length 0" },
		{ "img-hdr-cut.hdr", VT_EFORMAT, "corrupt HDR: the pixel data is "
		  "cut short" },
		{ "img-hdr-flat-cut.hdr", VT_EFORMAT, "corrupt HDR: the pixel "
		  "data is cut short" },
		/* PNM is read by pnm.c */
		{ "img-pnm-cut.ppm", VT_EFORMAT, "corrupt PNM: the pixel data is "
		  "cut short (95 bytes, 105 expected)" },
		{ "img-pnm-maxval.pgm", VT_EFORMAT, "corrupt PNM: max value "
		  "70000, expected 1 to 65535" },
	};
	int seen = 0;
	DIR *d;
	struct dirent *de;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *path = t_data_path("bad", cases[i].f);
		struct vt_tensor t;
		struct vt_err err;
		char prefix[1100];
		int rc = vt_image_read(path, 0, NULL, &t, &err);

		cr_assert_eq(rc, cases[i].rc, "%s: %d %s", cases[i].f, rc,
			     err.msg);
		cr_assert_null(t.data);
		snprintf(prefix, sizeof prefix, "'%s': %s", path, cases[i].msg);
		cr_assert_eq(strncmp(err.msg, prefix, strlen(prefix)), 0,
			     "%s: %s", cases[i].f, err.msg);
	}
	/* every img-* fixture is listed above */
	d = opendir(t_data_path("bad", ""));
	cr_assert_not_null(d);
	while ((de = readdir(d)))
		if (strncmp(de->d_name, "img-", 4) == 0)
			seen++;
	closedir(d);
	cr_assert_eq(seen, (int)(sizeof cases / sizeof cases[0]));
}

Test(image, missing_file)
{
	struct vt_tensor t;
	struct vt_err err;
	int w, h, c;

	cr_assert_eq(vt_image_read("no/such.png", 0, NULL, &t, &err),
		     VT_EOPEN);
	cr_assert_str_eq(err.msg, "'no/such.png': cannot open: No such file "
			 "or directory");
	cr_assert_eq(vt_image_info("no/such.png", &w, &h, &c, &err), VT_EOPEN);
	cr_assert_eq(vt_image_read(t_data_path("images", "tree"), 0, NULL, &t,
				   &err), VT_EOPEN);
}

static char tmpdir[64];

static void mk_tmp(void)
{
	strcpy(tmpdir, "/tmp/vt-test-image-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void rm_tmp(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	char p[512];

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", tmpdir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(tmpdir);
}

static int count_files(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

Test(image, write_round_trip, .init = mk_tmp, .fini = rm_tmp)
{
	static const char *const exts[] = { "png", "PNG", "bmp", "tga", "jpg",
					     "jpeg" };

	for (int c = 1; c <= 4; c++) {
		char src[32];
		struct vt_tensor t;
		struct vt_err err;

		snprintf(src, sizeof src, "c%d-7x5.png", c);
		cr_assert_eq(vt_image_read(t_data_path("images", src), 0, NULL, &t,
					   &err), 0);
		for (size_t e = 0; e < sizeof exts / sizeof exts[0]; e++) {
			char out[512];
			struct vt_tensor r;
			bool jpeg = exts[e][0] == 'j';

			snprintf(out, sizeof out, "%s/o%d.%s", tmpdir, c, exts[e]);
			cr_assert_eq(vt_image_write(out, &t, 95, &err), 0,
				     "%s", err.msg);
			cr_assert_eq(vt_image_read(out, jpeg ? 0 : c, NULL, &r,
						   &err), 0, "%s: %s", out,
				     err.msg);
			cr_assert_eq(r.shape[0], 5);
			cr_assert_eq(r.shape[1], 7);
			if (!jpeg && !(c == 2 && exts[e][0] == 'b')) {
				cr_assert_eq(memcmp(r.data, t.data, t.nbytes), 0,
					     "%s", out);
			} else if (!jpeg) {
				/* BMP has no grey+alpha: the grey stays */
				for (int i = 0; i < 35; i++)
					cr_assert_eq(((uint8_t *)r.data)[2 * i],
						     ((uint8_t *)t.data)[2 * i]);
			} else {
				/* stb writes every JPEG as YCbCr */
				cr_assert_eq(r.shape[2], 3);
			}
			vt_tensor_release(&r);
		}
		vt_tensor_release(&t);
	}
	cr_assert_eq(count_files(), 24);
}

Test(image, write_failures_leave_nothing, .init = mk_tmp, .fini = rm_tmp)
{
	struct vt_tensor t, bad;
	struct vt_err err;
	char out[512];

	cr_assert_eq(vt_image_read(t_data_path("images", "c3-7x5.png"), 0, NULL,
				   &t, &err), 0);
	snprintf(out, sizeof out, "%s/x.webp", tmpdir);
	cr_assert_eq(vt_image_write(out, &t, 0, &err), VT_EUNSUP);
	cr_assert(strstr(err.msg, "unknown image format"));
	snprintf(out, sizeof out, "%s/none/x.png", tmpdir);
	cr_assert_eq(vt_image_write(out, &t, 0, &err), VT_ECREATE);
	snprintf(out, sizeof out, "%s/x.jpg", tmpdir);
	cr_assert_eq(vt_image_write(out, &t, 101, &err), VT_EINVAL);
	cr_assert_eq(vt_tensor_init(&bad, NULL, VT_F32, 3,
				    (uint64_t[3]){ 2, 2, 3 }, &err), 0);
	snprintf(out, sizeof out, "%s/x.png", tmpdir);
	cr_assert_eq(vt_image_write(out, &bad, 0, &err), VT_EFORMAT);
	cr_assert_eq(count_files(), 0);
	vt_tensor_release(&bad);
	vt_tensor_release(&t);
}

Test(image, format_names)
{
	enum vt_image_format f;
	struct vt_err err;

	cr_assert_eq(vt_image_format_from_path("a/b.JPEG", &f, &err), 0);
	cr_assert_eq(f, VT_IMAGE_JPEG);
	cr_assert_str_eq(vt_image_format_name(f), "jpeg");
	cr_assert_eq(vt_image_format_from_path("a.d/png", &f, &err), VT_EUNSUP);
	cr_assert_eq(vt_image_format_from_path(".png", &f, &err), VT_EUNSUP);
	cr_assert_null(vt_image_format_name(VT_IMAGE_FORMAT_COUNT));
	cr_assert(vt_image_readable_ext("x/y.GIF"));
	cr_assert(!vt_image_readable_ext("x/y.txt"));
}

Test(image, conversions)
{
	struct vt_tensor img, f, back;
	struct vt_err err;
	const float mean[3] = { 0.485f, 0.456f, 0.406f };
	const float std[3] = { 0.229f, 0.224f, 0.225f };
	const float *x;

	cr_assert_eq(vt_image_read(t_data_path("images", "c3-7x5.png"), 0, NULL,
				   &img, &err), 0);
	cr_assert_eq(vt_image_to_nchw(&img, mean, std, &f, &err), 0);
	cr_assert_eq(f.shape[0], 1);
	cr_assert_eq(f.shape[1], 3);
	cr_assert_eq(f.shape[2], 5);
	cr_assert_eq(f.shape[3], 7);
	cr_assert_str_eq(f.dims[1], "C");
	x = f.data;
	for (int c = 0; c < 3; c++)
		for (int y = 0; y < 5; y++)
			for (int i = 0; i < 7; i++) {
				float want = ((float)pix(i, y, c) / 255.0f -
					      mean[c]) / std[c];
				cr_assert_eq(x[(c * 5 + y) * 7 + i], want);
			}
	cr_assert_eq(vt_image_from_nchw(&f, 0, mean, std, &back, &err), 0);
	cr_assert_eq(memcmp(back.data, img.data, img.nbytes), 0);
	vt_tensor_release(&back);
	cr_assert_eq(vt_image_from_nchw(&f, 1, mean, std, &back, &err),
		     VT_EINVAL);
	/* saturation and NaN */
	x = (float[3]){ -3.0f, 7.0f, NAN };
	{
		uint8_t o[3];
		vt_image_f32_to_u8(o, x, 1, 3, 1, NULL, NULL);
		cr_assert_eq(o[0], 0);
		cr_assert_eq(o[1], 255);
		cr_assert_eq(o[2], 0);
	}
	vt_tensor_release(&f);
	vt_tensor_release(&img);
}

/* vt's PNG encoder: every channel count, odd sizes, noisy and flat content
 * (so that every row filter gets chosen) decode through stb to exactly the
 * pixels written. */
Test(image, png_round_trip)
{
	static const uint64_t sizes[][2] = { { 1, 1 }, { 1, 13 }, { 13, 1 },
		{ 5, 7 }, { 31, 17 }, { 2, 300 }, { 64, 3 } };
	uint32_t state = 12345;

	for (int c = 1; c <= 4; c++)
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
			for (int kind = 0; kind < 3; kind++) {
				struct vt_tensor t, back;
				struct vt_err err;
				uint8_t *p;
				char *buf = NULL;
				size_t len = 0;
				FILE *f;

				cr_assert_eq(vt_tensor_init(&t, NULL, VT_U8, 3,
					(uint64_t[3]){ sizes[s][0], sizes[s][1],
						       (uint64_t)c }, &err), 0);
				p = t.data;
				for (size_t i = 0; i < t.nbytes; i++) {
					state = state * 1103515245u + 12345u;
					p[i] = kind == 0 ? (uint8_t)(state >> 16)
					     : kind == 1 ? (uint8_t)(i / 3 + (state >> 29))
					     : (uint8_t)(i % 7 == 0 ? 200 : 9);
				}
				f = open_memstream(&buf, &len);
				cr_assert_not_null(f);
				cr_assert_eq(vt_image_encode(f, "mem.png", &t,
							     VT_IMAGE_PNG, 0,
							     &err), 0, "%s",
					     err.msg);
				cr_assert_eq(fclose(f), 0);
				cr_assert_eq(vt_image_read_mem(buf, len, "mem.png",
							       0, NULL, &back,
							       &err), 0,
					     "%s", err.msg);
				cr_assert_eq(back.shape[0], t.shape[0]);
				cr_assert_eq(back.shape[1], t.shape[1]);
				cr_assert_eq(back.shape[2], t.shape[2]);
				cr_assert_eq(memcmp(back.data, t.data, t.nbytes),
					     0, "c=%d size %d kind %d", c,
					     (int)s, kind);
				vt_tensor_release(&back);
				vt_tensor_release(&t);
				free(buf);
			}
}

/* A PNG larger than one 64 KiB IDAT chunk. */
Test(image, png_many_idat_chunks)
{
	struct vt_tensor t, back;
	struct vt_err err;
	char *buf = NULL;
	size_t len = 0, chunks = 0;
	uint32_t state = 7;
	FILE *f;

	cr_assert_eq(vt_tensor_init(&t, NULL, VT_U8, 3,
				    (uint64_t[3]){ 200, 150, 3 }, &err), 0);
	for (size_t i = 0; i < t.nbytes; i++) {
		state = state * 1103515245u + 12345u;
		((uint8_t *)t.data)[i] = (uint8_t)(state >> 16);
	}
	f = open_memstream(&buf, &len);
	cr_assert_eq(vt_image_encode(f, "big.png", &t, VT_IMAGE_PNG, 0, &err),
		     0);
	cr_assert_eq(fclose(f), 0);
	for (size_t i = 0; i + 4 <= len; i++)
		chunks += memcmp(buf + i, "IDAT", 4) == 0;
	cr_assert_geq(chunks, 2);
	cr_assert_eq(vt_image_read_mem(buf, len, "big.png", 0, NULL, &back,
				       &err), 0, "%s", err.msg);
	cr_assert_eq(memcmp(back.data, t.data, t.nbytes), 0);
	vt_tensor_release(&back);
	vt_tensor_release(&t);
	free(buf);
}
