/* test_record.c - tensor records: the writer, the reader (mapped files,
 * files read through a descriptor, memory, pipes), load and save, and the
 * malformed files of test/data/bad/bad-*.
 *
 * The fixtures under data/records/ are written by scripts/gen-good-records.py,
 * an encoder independent of vt's, so byte equality with them checks the
 * writer rules of DESIGN.md.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "vt/record.h"
#include "vt/rng.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_RECS 8

/* The bytes vt_record_write gives for r. */
static unsigned char *to_bytes(const struct vt_record *r, size_t *len)
{
	struct vt_err e;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	cr_assert_not_null(f);
	cr_assert_eq(vt_record_write(f, "mem", r, &e), 0, "%s", e.msg);
	cr_assert_eq(fclose(f), 0);
	return (unsigned char *)buf;
}

static uint64_t header_len(const unsigned char *b)
{
	uint64_t n = 0;

	for (int i = 7; i >= 0; i--)
		n = n << 8 | b[i];
	return n;
}

/* Add tensor `name` filled with bytes from a seeded generator. */
static struct vt_tensor *add(struct vt_record *r, const char *name,
			     enum vt_dtype dt, int rank, const uint64_t *shape,
			     uint64_t seed)
{
	struct vt_tensor t;
	struct vt_err e;
	struct vt_rng g;

	cr_assert_eq(vt_tensor_init(&t, name, dt, rank, shape, &e), 0, "%s",
		     e.msg);
	vt_rng_seed(&g, seed, 0);
	for (size_t i = 0; i < t.nbytes; i++)
		((unsigned char *)t.data)[i] = (unsigned char)vt_rng_u64(&g);
	cr_assert_eq(vt_record_add(r, &t, &e), 0, "%s", e.msg);
	return vt_record_find(r, name);
}

static void meta(struct vt_record *r, const char *k, const char *v)
{
	struct vt_err e;

	cr_assert_eq(vt_record_meta_set(r, k, v, &e), 0, "%s", e.msg);
}

/* Same metadata and tensors, in any order. */
static void same_record(const struct vt_record *a, const struct vt_record *b,
			const char *what)
{
	cr_assert_eq(a->n_meta, b->n_meta, "%s: %zu vs %zu metadata", what,
		     a->n_meta, b->n_meta);
	for (size_t i = 0; i < a->n_meta; i++) {
		const char *v = vt_record_meta_get(b, a->meta[i].key);
		cr_assert_not_null(v, "%s: no metadata '%s'", what, a->meta[i].key);
		cr_assert_str_eq(v, a->meta[i].value, "%s: '%s'", what,
				 a->meta[i].key);
	}
	cr_assert_eq(a->n_tensors, b->n_tensors, "%s", what);
	for (size_t i = 0; i < a->n_tensors; i++) {
		const struct vt_tensor *x = &a->tensors[i];
		const struct vt_tensor *y = vt_record_find(b, x->name);
		cr_assert_not_null(y, "%s: no tensor '%s'", what, x->name);
		cr_assert_eq(x->dtype, y->dtype, "%s: %s", what, x->name);
		cr_assert_eq(x->rank, y->rank, "%s: %s", what, x->name);
		for (int d = 0; d < x->rank; d++) {
			cr_assert_eq(x->shape[d], y->shape[d]);
			cr_assert_str_eq(x->dims[d], y->dims[d], "%s: %s dim %d",
					 what, x->name, d);
		}
		cr_assert_eq(x->nbytes, y->nbytes);
		if (x->nbytes)
			cr_assert_eq(memcmp(x->data, y->data, x->nbytes), 0,
				     "%s: data of %s", what, x->name);
	}
}

/* ---- reading every way ---- */

enum mode { M_MMAP, M_READ, M_MEM, M_PIPE, M_COUNT };
static const char *const mode_name[M_COUNT] = { "mmap", "read", "memory", "pipe" };

struct recs {
	struct vt_record r[MAX_RECS];
	bool had_block[MAX_RECS];   /* data read into a block (not mapped) */
	int n;
	int rc;                     /* 0 at a clean end, or the failure */
	uint64_t fail_index;
	struct vt_err err;
};

static void recs_release(struct recs *s)
{
	for (int i = 0; i < s->n; i++)
		vt_record_release(&s->r[i]);
	s->n = 0;
}

/* Read every record; tensors are copied so the records outlive rd. */
static void drain(struct vt_reader *rd, struct recs *out)
{
	out->n = 0;
	for (;;) {
		struct vt_record r;
		int rc;

		vt_record_init(&r);
		rc = vt_reader_next(rd, &r, &out->err);
		if (rc <= 0) {
			vt_record_release(&r);
			out->rc = rc;
			out->fail_index = vt_reader_index(rd);
			return;
		}
		cr_assert_eq(rc, 1);
		cr_assert_lt(out->n, MAX_RECS);
		out->had_block[out->n] = r.block != NULL;
		for (size_t i = 0; i < r.n_tensors; i++) {
			struct vt_tensor *t = &r.tensors[i];
			struct vt_err e;
			cr_assert_eq((uintptr_t)t->data % vt_dtype_size(t->dtype), 0,
				     "tensor %s not aligned", t->name);
			cr_assert_eq(vt_tensor_own(t, &e), 0);
		}
		out->r[out->n++] = r;
	}
}

static void write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k <= 0)
			_exit(k < 0 && errno == EPIPE ? 0 : 1);
		p += k;
		n -= (size_t)k;
	}
}

/* A child process that writes buf to a pipe; returns the read end. */
static int pipe_from(const unsigned char *buf, size_t len, pid_t *pid)
{
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	*pid = fork();
	cr_assert_geq(*pid, 0);
	if (*pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		close(fds[0]);
		write_all(fds[1], buf, len);
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

static void read_mode(const char *path, enum mode m, struct recs *out)
{
	struct vt_reader_opts o = { 0 };
	struct vt_reader *rd = NULL;
	unsigned char *buf = NULL;
	size_t len;
	pid_t pid = -1;
	int fd = -1, rc;

	memset(out, 0, sizeof *out);
	switch (m) {
	case M_MMAP:
		rc = vt_reader_open(&rd, path, &o, &out->err);
		break;
	case M_READ:
		o.no_mmap = true;
		rc = vt_reader_open(&rd, path, &o, &out->err);
		break;
	case M_MEM:
		buf = t_slurp(path, &len);
		rc = vt_reader_open_mem(&rd, buf, len, path, &o, &out->err);
		break;
	default:
		buf = t_slurp(path, &len);
		fd = pipe_from(buf, len, &pid);
		rc = vt_reader_open_fd(&rd, fd, path, &o, &out->err);
		break;
	}
	cr_assert_eq(rc, 0, "%s %s: %s", mode_name[m], path, out->err.msg);
	drain(rd, out);
	vt_reader_close(rd);
	if (fd >= 0)
		close(fd);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	free(buf);
}

/* ---- the writer ---- */

Test(record, round_trip_every_dtype)
{
	struct vt_record r, back;
	struct vt_reader *rd;
	struct vt_err e;
	unsigned char *b;
	size_t len;
	char name[32];

	vt_record_init(&r);
	for (int dt = 0; dt < VT_DTYPE_COUNT; dt++) {
		snprintf(name, sizeof name, "t_%s", vt_dtype_name(dt));
		add(&r, name, (enum vt_dtype)dt, 2, (uint64_t[]){ 3, 2 },
		    (uint64_t)dt);
		snprintf(name, sizeof name, "s_%s", vt_dtype_name(dt));
		add(&r, name, (enum vt_dtype)dt, 0, NULL, 100 + (uint64_t)dt);
		snprintf(name, sizeof name, "e_%s", vt_dtype_name(dt));
		add(&r, name, (enum vt_dtype)dt, 3, (uint64_t[]){ 3, 0, 2 }, 0);
	}
	b = to_bytes(&r, &len);
	cr_assert_eq((8 + header_len(b)) % 64, 0);
	cr_assert_eq(vt_reader_open_mem(&rd, b, len, "x.safetensors", NULL, &e), 0);
	vt_record_init(&back);
	cr_assert_eq(vt_reader_next(rd, &back, &e), 1, "%s", e.msg);
	same_record(&r, &back, "every dtype");
	cr_assert_eq(vt_reader_next(rd, &back, &e), 0);
	vt_reader_close(rd);
	vt_record_release(&back);
	vt_record_release(&r);
	free(b);
}

Test(record, many_tensors)
{
	enum { N = 1000 };
	struct vt_record r, back;
	struct vt_reader *rd;
	struct vt_err e;
	unsigned char *b;
	size_t len;
	char name[32];

	vt_record_init(&r);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "layer%d.w", i);
		add(&r, name, (enum vt_dtype)(i % VT_DTYPE_COUNT), 1 + i % 3,
		    (uint64_t[]){ (uint64_t)(i % 5), 3, 1 }, (uint64_t)i);
	}
	cr_assert_eq(r.n_tensors, N);
	b = to_bytes(&r, &len);
	cr_assert_eq(vt_reader_open_mem(&rd, b, len, NULL, NULL, &e), 0);
	vt_record_init(&back);
	cr_assert_eq(vt_reader_next(rd, &back, &e), 1, "%s", e.msg);
	same_record(&r, &back, "1000 tensors");
	cr_assert_eq(vt_reader_next(rd, &back, &e), 0);
	vt_reader_close(rd);
	vt_record_release(&back);
	vt_record_release(&r);
	free(b);
}

Test(record, metadata_escapes_and_utf8)
{
	static const char *const kv[][2] = {
		{ "quote\"d", "a \"quoted\" value" },
		{ "back\\slash", "C:\\path\\" },
		{ "lines", "one\ntwo\r\nthree" },
		{ "controls", "\x01\x02\x1f\t\x7f" },
		{ "caf\xc3\xa9", "\xe2\x98\x83 \xf0\x9f\x98\x80 \xe4\xb8\xad" },
		{ "slash/and:colon", "</script>" },
		{ "empty", "" },
		{ "__metadata__", "a key like any other" },
	};
	struct vt_record r, back;
	struct vt_reader *rd;
	struct vt_err e;
	unsigned char *b;
	size_t len;
	char *hdr, big[10001];

	vt_record_init(&r);
	for (size_t i = 0; i < LEN(kv); i++)
		meta(&r, kv[i][0], kv[i][1]);
	memset(big, 'v', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	meta(&r, "big", big);
	meta(&r, "vt.format", "9");        /* reserved: vt writes its own */
	meta(&r, "vt.dims.x", "N");        /* reserved: made from the dims */
	add(&r, "x", VT_F32, 1, (uint64_t[]){ 2 }, 1);
	b = to_bytes(&r, &len);
	hdr = strndup((char *)b + 8, (size_t)header_len(b));
	cr_assert_not_null(strstr(hdr, "\"lines\":\"one\\u000atwo\\u000d\\u000athree\""),
			   "%s", hdr);
	cr_assert_not_null(strstr(hdr, "\"quote\\\"d\":\"a \\\"quoted\\\" value\""));
	cr_assert_not_null(strstr(hdr, "\"caf\xc3\xa9\":")); /* raw UTF-8 */
	cr_assert_not_null(strstr(hdr, "\"vt.format\":\"1\""));
	cr_assert_null(strstr(hdr, "vt.dims"));
	cr_assert_null(strstr(hdr, "\"9\""));
	free(hdr);

	cr_assert_eq(vt_reader_open_mem(&rd, b, len, NULL, NULL, &e), 0);
	vt_record_init(&back);
	cr_assert_eq(vt_reader_next(rd, &back, &e), 1, "%s", e.msg);
	for (size_t i = 0; i < LEN(kv); i++) {
		const char *v = vt_record_meta_get(&back, kv[i][0]);
		cr_assert_not_null(v, "%s", kv[i][0]);
		cr_assert_str_eq(v, kv[i][1]);
	}
	cr_assert_str_eq(vt_record_meta_get(&back, "big"), big);
	cr_assert_null(vt_record_meta_get(&back, "vt.format"));
	cr_assert_null(vt_record_meta_get(&back, "vt.dims.x"));
	cr_assert_eq(back.n_meta, LEN(kv) + 1);
	cr_assert_not(vt_tensor_has_dims(vt_record_find(&back, "x")));
	vt_reader_close(rd);
	vt_record_release(&back);
	vt_record_release(&r);
	free(b);
}

Test(record, dimension_names)
{
	struct vt_record r, back;
	struct vt_reader *rd;
	struct vt_err e;
	unsigned char *b;
	size_t len;
	char *hdr;

	vt_record_init(&r);
	cr_assert_eq(vt_tensor_set_dims(add(&r, "images", VT_F32, 4,
					    (uint64_t[]){ 2, 1, 3, 3 }, 1),
					"N,C,H,W", 7, &e), 0);
	cr_assert_eq(vt_tensor_set_dims(add(&r, "boxes", VT_F32, 2,
					    (uint64_t[]){ 5, 4 }, 2),
					",k", 2, &e), 0);
	cr_assert_eq(vt_tensor_set_dims(add(&r, "plain", VT_U8, 2,
					    (uint64_t[]){ 2, 2 }, 3),
					",", 1, &e), 0);
	add(&r, "scalar", VT_I64, 0, NULL, 4);
	b = to_bytes(&r, &len);
	hdr = strndup((char *)b + 8, (size_t)header_len(b));
	cr_assert_not_null(strstr(hdr, "\"vt.dims.images\":\"N,C,H,W\""), "%s", hdr);
	cr_assert_not_null(strstr(hdr, "\"vt.dims.boxes\":\",k\""));
	cr_assert_null(strstr(hdr, "vt.dims.plain"));
	cr_assert_null(strstr(hdr, "vt.dims.scalar"));
	free(hdr);
	cr_assert_eq(vt_reader_open_mem(&rd, b, len, NULL, NULL, &e), 0);
	vt_record_init(&back);
	cr_assert_eq(vt_reader_next(rd, &back, &e), 1, "%s", e.msg);
	same_record(&r, &back, "dims");
	cr_assert_eq(back.n_meta, 0); /* vt.* keys are not metadata */
	vt_reader_close(rd);
	vt_record_release(&back);
	vt_record_release(&r);
	free(b);
}

/* The tensors of one record, added in the order given by perm. */
static unsigned char *shuffled_bytes(const int *perm, int n, size_t *len)
{
	struct vt_record r;
	unsigned char *b;
	char name[32];

	vt_record_init(&r);
	for (int i = 0; i < n; i++) {
		int k = perm[i];
		snprintf(name, sizeof name, k % 3 ? "t%02d" : "T%d", k);
		add(&r, name, (enum vt_dtype)(k % VT_DTYPE_COUNT), k % 4,
		    (uint64_t[]){ 2, (uint64_t)k % 3, 3, 1 }, (uint64_t)k);
		if (k % 4 == 2)
			cr_assert_eq(vt_tensor_set_dims(vt_record_find(&r, name),
							"A,", 2, NULL), 0);
	}
	for (int i = 0; i < n; i++) { /* metadata in the same shuffled order */
		char key[16];
		if (perm[i] >= 5)
			continue;
		snprintf(key, sizeof key, "key%d", perm[i]);
		meta(&r, key, name);   /* replaced just after */
		meta(&r, key, "fixed");
	}
	b = to_bytes(&r, len);
	vt_record_release(&r);
	return b;
}

Test(record, deterministic_bytes)
{
	enum { N = 40 };
	int perm[N];
	struct vt_rng g;
	unsigned char *first, *b;
	size_t len0, len;
	struct vt_record back;
	struct vt_reader *rd;
	struct vt_err e;
	uint64_t hl;

	for (int i = 0; i < N; i++)
		perm[i] = i;
	first = shuffled_bytes(perm, N, &len0);
	vt_rng_seed(&g, 1, 1);
	for (int round = 0; round < 5; round++) {
		for (int i = N - 1; i > 0; i--) {
			int j = (int)vt_rng_range(&g, 0, i), t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
		b = shuffled_bytes(perm, N, &len);
		cr_assert_eq(len, len0);
		cr_assert_eq(memcmp(b, first, len), 0, "order %d", round);
		free(b);
	}

	/* the layout rules */
	hl = header_len(first);
	cr_assert_eq((8 + hl) % 64, 0);
	cr_assert_eq(memcmp(first + 8, "{\"__metadata__\":{", 17), 0);
	{
		size_t end = 8 + (size_t)hl;
		while (first[end - 1] == ' ')
			end--;
		cr_assert_eq(first[end - 1], '}');
		cr_assert_lt(end - 8, hl - 0 + 1);
		cr_assert_lt(8 + hl - end, 64); /* padding only to the boundary */
	}
	/* read back: header order is data order, by dtype size then name */
	cr_assert_eq(vt_reader_open_mem(&rd, first, len0, NULL, NULL, &e), 0);
	vt_record_init(&back);
	cr_assert_eq(vt_reader_next(rd, &back, &e), 1, "%s", e.msg);
	cr_assert_eq(back.n_tensors, N);
	for (size_t i = 1; i < back.n_tensors; i++) {
		const struct vt_tensor *p = &back.tensors[i - 1], *q = &back.tensors[i];
		size_t sp = vt_dtype_size(p->dtype), sq = vt_dtype_size(q->dtype);
		cr_assert(sp > sq || (sp == sq && strcmp(p->name, q->name) < 0),
			  "%s before %s", p->name, q->name);
		cr_assert_eq((const char *)q->data,
			     (const char *)p->data + p->nbytes); /* no gaps */
	}
	cr_assert_eq((const unsigned char *)back.tensors[0].data, first + 8 + hl);
	vt_reader_close(rd);
	vt_record_release(&back);
	free(first);
}

/* small.safetensors as scripts/gen-good-records.py makes it. */
static void build_small(struct vt_record *r)
{
	static const float boxes[12] = { 0, 0, 10, 10, 5, 5, 15, 20,
					 1.5f, 2.5f, 3.5f, 4.5f };
	static const double half[3] = { 0.5, -2, 65504 };
	static const unsigned char mask[6] = { 0, 255, 1, 2, 3, 4 };
	static const unsigned char valid[4] = { 1, 0, 1, 1 };
	static const int32_t classes[3] = { 3, -1, 7 };
	struct vt_tensor *t;
	struct vt_err e;

	vt_record_init(r);
	meta(r, "image", "img/0001.jpg");
	meta(r, "width", "640");
	meta(r, "height", "480");
	meta(r, "note", "tab\there \"quoted\" back\\slash caf\xc3\xa9 \xe2\x98\x83");
	t = add(r, "images", VT_F32, 4, (uint64_t[]){ 2, 1, 3, 4 }, 0);
	for (int i = 0; i < 24; i++)
		((float *)t->data)[i] = (float)(i - 10) * 0.25f;
	cr_assert_eq(vt_tensor_set_dims(t, "N,C,H,W", 7, &e), 0);
	t = add(r, "boxes", VT_F32, 2, (uint64_t[]){ 3, 4 }, 0);
	memcpy(t->data, boxes, sizeof boxes);
	cr_assert_eq(vt_tensor_set_dims(t, ",k", 2, &e), 0);
	t = add(r, "classes", VT_I32, 1, (uint64_t[]){ 3 }, 0);
	memcpy(t->data, classes, sizeof classes);
	t = add(r, "scale", VT_F64, 0, NULL, 0);
	*(double *)t->data = 2.5;
	t = add(r, "half", VT_F16, 1, (uint64_t[]){ 3 }, 0);
	for (int i = 0; i < 3; i++)
		vt_dtype_store(VT_F16, t->data, (size_t)i, half[i]);
	t = add(r, "mask", VT_U8, 2, (uint64_t[]){ 2, 3 }, 0);
	memcpy(t->data, mask, 6);
	t = add(r, "valid", VT_BOOL, 1, (uint64_t[]){ 4 }, 0);
	memcpy(t->data, valid, 4);
}

Test(record, same_bytes_as_the_python_encoder)
{
	struct vt_record r;
	unsigned char *want, *got;
	size_t wlen, glen;

	build_small(&r);
	want = t_slurp(t_data_path("records", "small.safetensors"), &wlen);
	got = to_bytes(&r, &glen);
	cr_assert_eq(glen, wlen);
	cr_assert_eq(memcmp(got, want, wlen), 0, "vt:\n%.*s\npython:\n%.*s",
		     (int)glen, got + 8, (int)wlen, want + 8);
	vt_record_release(&r);
	free(want);
	free(got);
}

/* Reading a vt-written file and writing it again gives the same bytes. */
Test(record, read_write_is_identity)
{
	static const char *const files[] = {
		"small.safetensors", "stream.vts", "dtypes.safetensors",
		"special.safetensors", "grid.safetensors",
		"no-tensors.safetensors", "empty.vts",
	};

	for (size_t i = 0; i < LEN(files); i++) {
		const char *path = t_data_path("records", files[i]);
		struct recs s;
		unsigned char *want, *got = NULL;
		size_t wlen, pos = 0;

		read_mode(path, M_MMAP, &s);
		cr_assert_eq(s.rc, 0, "%s: %s", files[i], s.err.msg);
		want = t_slurp(path, &wlen);
		for (int k = 0; k < s.n; k++) {
			size_t glen;
			got = to_bytes(&s.r[k], &glen);
			cr_assert_leq(pos + glen, wlen, "%s", files[i]);
			cr_assert_eq(memcmp(got, want + pos, glen), 0,
				     "%s record %d", files[i], k);
			pos += glen;
			free(got);
		}
		cr_assert_eq(pos, wlen, "%s", files[i]);
		recs_release(&s);
		free(want);
	}
}

Test(record, container_api)
{
	struct vt_record r;
	struct vt_tensor t;
	struct vt_err e;
	char *json;
	size_t len;
	uint64_t dl;

	vt_record_init(&r);
	add(&r, "x", VT_F32, 1, (uint64_t[]){ 3 }, 1);
	cr_assert_eq(vt_tensor_init(&t, "x", VT_U8, 0, NULL, &e), 0);
	cr_assert_eq(vt_record_add(&r, &t, &e), VT_EINVAL);
	cr_assert_str_eq(e.msg, "tensor 'x' already in the record");
	cr_assert_str_eq(t.name, "x"); /* untouched on failure */
	vt_tensor_release(&t);
	cr_assert_eq(vt_tensor_init(&t, NULL, VT_U8, 0, NULL, &e), 0);
	cr_assert_eq(vt_record_add(&r, &t, &e), VT_EINVAL);
	vt_tensor_release(&t);
	cr_assert_null(vt_record_find(&r, "y"));
	cr_assert_not_null(vt_record_find(&r, "x"));

	meta(&r, "k", "1");
	meta(&r, "k", "2");
	cr_assert_eq(r.n_meta, 1);
	cr_assert_str_eq(vt_record_meta_get(&r, "k"), "2");
	cr_assert_null(vt_record_meta_get(&r, "K"));
	{ /* safetensors allows an empty key */
		struct vt_record r2;
		vt_record_init(&r2);
		cr_assert_eq(vt_record_meta_set(&r2, "", "v", &e), 0);
		cr_assert_str_eq(vt_record_meta_get(&r2, ""), "v");
		vt_record_release(&r2);
	}
	cr_assert_eq(vt_record_meta_set(&r, "k", "\xff", &e), VT_EINVAL);
	cr_assert_eq(vt_record_meta_set(&r, "\xc0\xaf", "v", &e), VT_EINVAL);
	cr_assert_eq(r.n_meta, 1);

	cr_assert_eq(vt_record_header(&r, &json, &len, &dl, &e), 0);
	cr_assert_eq((8 + len) % 64, 0);
	cr_assert_eq(dl, 12);
	{
		static const char want[] =
			"{\"__metadata__\":{\"k\":\"2\",\"vt.format\":\"1\"},"
			"\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}";
		cr_assert_eq(strlen(json), len);
		cr_assert_eq(strncmp(json, want, strlen(want)), 0, "%s", json);
		for (size_t i = strlen(want); i < len; i++)
			cr_assert_eq(json[i], ' ');
	}
	free(json);

	/* a tensor whose bytes do not match its shape is a caller bug */
	r.tensors[0].nbytes = 8;
	cr_assert_eq(vt_record_header(&r, &json, &len, &dl, &e), VT_EBUG);
	r.tensors[0].nbytes = 12;
	vt_record_release(&r);
	vt_record_release(&r); /* released records can be released again */
	vt_record_release(NULL);

	/* no tensors at all */
	vt_record_init(&r);
	cr_assert_eq(vt_record_header(&r, &json, &len, &dl, &e), 0);
	cr_assert_eq(dl, 0);
	cr_assert_eq(strncmp(json, "{\"__metadata__\":{\"vt.format\":\"1\"}}", 34), 0);
	free(json);
}

/* ---- the reader ---- */

static const char *const good_files[] = {
	"small.safetensors", "stream.vts", "dtypes.safetensors",
	"special.safetensors", "grid.safetensors", "no-tensors.safetensors",
	"foreign.safetensors", "empty.vts",
};

Test(reader, every_path_reads_the_same)
{
	for (size_t i = 0; i < LEN(good_files); i++) {
		const char *path = t_data_path("records", good_files[i]);
		struct recs s[M_COUNT];

		for (int m = 0; m < M_COUNT; m++) {
			read_mode(path, (enum mode)m, &s[m]);
			cr_assert_eq(s[m].rc, 0, "%s %s: %s", mode_name[m],
				     good_files[i], s[m].err.msg);
		}
		for (int m = 1; m < M_COUNT; m++) {
			cr_assert_eq(s[m].n, s[0].n, "%s %s", mode_name[m],
				     good_files[i]);
			for (int k = 0; k < s[0].n; k++)
				same_record(&s[0].r[k], &s[m].r[k], good_files[i]);
		}
		/* mapped files are not copied; pipes and plain reads are */
		for (int k = 0; k < s[0].n; k++) {
			cr_assert_not(s[M_MMAP].had_block[k]);
			cr_assert(s[M_READ].had_block[k] || s[M_READ].r[k].n_tensors == 0);
			cr_assert_not(s[M_MEM].had_block[k]);
		}
		for (int m = 0; m < M_COUNT; m++)
			recs_release(&s[m]);
	}
}

Test(reader, stream_contents)
{
	struct recs s;

	read_mode(t_data_path("records", "stream.vts"), M_MMAP, &s);
	cr_assert_eq(s.rc, 0, "%s", s.err.msg);
	cr_assert_eq(s.n, 3);
	for (int k = 0; k < 3; k++) {
		const struct vt_tensor *x = vt_record_find(&s.r[k], "x");
		char idx[16];
		snprintf(idx, sizeof idx, "%d", k);
		cr_assert_str_eq(vt_record_meta_get(&s.r[k], "index"), idx);
		cr_assert_not_null(x);
		cr_assert_str_eq(x->dims[0], "N");
		cr_assert_str_eq(x->dims[1], "C");
		for (int i = 0; i < 6; i++)
			cr_assert_eq(((float *)x->data)[i], (float)(10 * k + i));
	}
	cr_assert_eq(s.r[1].n_tensors, 2);
	cr_assert_eq(vt_record_find(&s.r[1], "e")->shape[0], 0);
	recs_release(&s);
}

/* Each malformed file fails, with the same status and message whether it is
 * mapped, read through its descriptor or given in memory, and with the same
 * status through a pipe. */
Test(reader, bad_files)
{
	DIR *d = opendir(t_data_path("bad", ""));
	struct dirent *de;
	int count = 0;

	cr_assert_not_null(d);
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		const char *path;
		struct recs s[M_COUNT];
		int want = VT_EFORMAT;
		char prefix[1100];

		if (strncmp(n, "bad-", 4) != 0)
			continue;
		path = t_data_path("bad", n);
		if (strstr(n, "header-limit") || strstr(n, "header-huge"))
			want = VT_ELIMIT;
		if (strstr(n, "dtype-unknown") || strstr(n, "dtype-lowercase") ||
		    strstr(n, "rank9") || strstr(n, "vt-format"))
			want = VT_EUNSUP;
		for (int m = 0; m < M_COUNT; m++) {
			read_mode(path, (enum mode)m, &s[m]);
			cr_assert_eq(s[m].rc, want, "%s %s: %d %s", mode_name[m], n,
				     s[m].rc, s[m].err.msg);
			cr_assert_eq(s[m].err.code, want);
			snprintf(prefix, sizeof prefix, "'%s': record %llu: ", path,
				 (unsigned long long)s[m].fail_index);
			cr_assert_eq(strncmp(s[m].err.msg, prefix, strlen(prefix)), 0,
				     "%s %s: %s", mode_name[m], n, s[m].err.msg);
			recs_release(&s[m]);
		}
		for (int m = 1; m < M_PIPE; m++) {
			cr_assert_str_eq(s[m].err.msg, s[0].err.msg, "%s %s",
					 mode_name[m], n);
			cr_assert_eq(s[m].fail_index, s[0].fail_index);
		}
		/* the good first record of the stream cases was returned */
		if (strstr(n, ".vts"))
			cr_assert_eq(s[0].fail_index, 1, "%s", n);
		count++;
	}
	closedir(d);
	cr_assert_geq(count, 70, "only %d bad-* files", count);
}

/* The message for every malformed file (the CLI cases check the same lines
 * through tensor-inspect). */
Test(reader, bad_file_messages)
{
	static const struct {
		const char *file, *msg;
	} table[] = {
		{ "bad-header-past-end.safetensors",
		  "record 0: truncated: header length 1000 exceeds the 56 bytes left in the input" },
		{ "bad-trailing-bytes.safetensors",
		  "record 0: file size 139 is not 8 + header 120 + data 8 (3 trailing bytes)" },
		{ "bad-truncated-length.vts",
		  "record 1: truncated in the header length (3 of 8 bytes)" },
		{ "bad-shape-leading-zero.safetensors",
		  "record 0: header: tensor 'x': shape entry 0 has a leading zero" },
		{ "bad-name-control.safetensors",
		  "record 0: header: invalid tensor name 'a\\x07b' (1-255 bytes, no control characters)" },
		{ "bad-dims-too-many.safetensors",
		  "record 0: metadata 'vt.dims.x': 2 dimension names for rank 1" },
	};

	for (size_t i = 0; i < LEN(table); i++) {
		struct recs s;
		const char *path = t_data_path("bad", table[i].file);
		char want[1200];

		read_mode(path, M_READ, &s);
		snprintf(want, sizeof want, "'%s': %s", path, table[i].msg);
		cr_assert_str_eq(s.err.msg, want);
		recs_release(&s);
	}
}

static void *writer_thread(void *arg)
{
	int fd = *(int *)arg;
	FILE *f = fdopen(fd, "wb");
	struct vt_record r;
	struct vt_err e;

	for (int k = 0; k < 3; k++) {
		vt_record_init(&r);
		meta(&r, "k", k == 0 ? "0" : k == 1 ? "1" : "2");
		/* 1 MiB: more than a pipe holds, so reader and writer take turns */
		add(&r, "big", VT_F32, 2, (uint64_t[]){ 512, 512 }, (uint64_t)k);
		add(&r, "small", VT_I8, 1, (uint64_t[]){ 3 }, 10 + (uint64_t)k);
		cr_assert_eq(vt_record_write(f, "pipe", &r, &e), 0);
		vt_record_release(&r);
	}
	fclose(f);
	return NULL;
}

Test(reader, records_through_a_pipe_from_a_thread)
{
	int fds[2];
	pthread_t th;
	struct vt_reader *rd;
	struct vt_record r;
	struct vt_err e;
	int k = 0, rc;

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(pthread_create(&th, NULL, writer_thread, &fds[1]), 0);
	cr_assert_eq(vt_reader_open_fd(&rd, fds[0], "pipe", NULL, &e), 0);
	vt_record_init(&r);
	while ((rc = vt_reader_next(rd, &r, &e)) == 1) {
		struct vt_rng g;
		const struct vt_tensor *big = vt_record_find(&r, "big");
		cr_assert_eq(vt_reader_index(rd), (uint64_t)k);
		cr_assert_eq(atoi(vt_record_meta_get(&r, "k")), k);
		cr_assert_eq(big->nbytes, 1 << 20);
		vt_rng_seed(&g, (uint64_t)k, 0); /* as add() filled it */
		for (size_t i = 0; i < big->nbytes; i++)
			cr_assert_eq(((unsigned char *)big->data)[i],
				     (unsigned char)vt_rng_u64(&g), "byte %zu", i);
		k++;
	}
	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_assert_eq(k, 3);
	vt_record_release(&r);
	vt_reader_close(rd);
	close(fds[0]);
	pthread_join(th, NULL);
}

Test(reader, records_through_a_pipe_from_a_process)
{
	struct vt_record r0, r1;
	unsigned char *a, *b, *both;
	size_t la, lb;
	pid_t pid;
	int fd;
	struct vt_reader *rd;
	struct vt_record got;
	struct vt_err e;

	vt_record_init(&r0);
	add(&r0, "x", VT_F64, 3, (uint64_t[]){ 100, 100, 10 }, 1); /* 800 KB */
	meta(&r0, "image", "a.jpg");
	build_small(&r1);
	a = to_bytes(&r0, &la);
	b = to_bytes(&r1, &lb);
	both = malloc(la + lb + la / 2);
	memcpy(both, a, la);
	memcpy(both + la, b, lb);

	/* two whole records, then the end */
	fd = pipe_from(both, la + lb, &pid);
	cr_assert_eq(vt_reader_open_fd(&rd, fd, "-", NULL, &e), 0);
	cr_assert_str_eq(vt_reader_name(rd), "<stdin>");
	vt_record_init(&got);
	cr_assert_eq(vt_reader_next(rd, &got, &e), 1, "%s", e.msg);
	same_record(&r0, &got, "pipe 0");
	cr_assert_not_null(got.block);
	cr_assert_eq(vt_reader_next(rd, &got, &e), 1, "%s", e.msg);
	same_record(&r1, &got, "pipe 1");
	cr_assert_eq(vt_reader_next(rd, &got, &e), 0);
	cr_assert_eq(vt_reader_next(rd, &got, &e), 0); /* and stays at the end */
	vt_reader_close(rd);
	close(fd);
	waitpid(pid, NULL, 0);

	/* a record cut inside its data */
	memcpy(both + la + lb, a, la / 2);
	fd = pipe_from(both, la + lb + la / 2, &pid);
	cr_assert_eq(vt_reader_open_fd(&rd, fd, "cut.vts", NULL, &e), 0);
	cr_assert_eq(vt_reader_next(rd, &got, &e), 1);
	cr_assert_eq(vt_reader_next(rd, &got, &e), 1);
	cr_assert_eq(vt_reader_next(rd, &got, &e), VT_EFORMAT);
	cr_assert_str_eq(e.msg, "'cut.vts': record 2: truncated: data needs "
			 "800000 bytes, input ended after 399936");
	cr_assert_eq(vt_reader_index(rd), 2);
	cr_assert_eq(got.n_tensors, 0); /* nothing half-read is returned */
	cr_assert_eq(vt_reader_next(rd, &got, &e), VT_EBUG);
	cr_assert_str_eq(e.msg, "'cut.vts': read after an error");
	vt_reader_close(rd);
	close(fd);
	waitpid(pid, NULL, 0);

	vt_record_release(&got);
	vt_record_release(&r0);
	vt_record_release(&r1);
	free(a);
	free(b);
	free(both);
}

Test(reader, zero_records)
{
	struct vt_reader *rd;
	struct vt_record r;
	struct vt_err e;
	struct vt_reader_opts one = { .single = 1 };
	pid_t pid;
	int fd;

	vt_record_init(&r);
	cr_assert_eq(vt_reader_open_mem(&rd, NULL, 0, "empty", NULL, &e), 0);
	cr_assert_eq(vt_reader_next(rd, &r, &e), 0);
	vt_reader_close(rd);
	cr_assert_eq(vt_reader_open(&rd, t_data_path("records", "empty.vts"), NULL,
				    &e), 0);
	cr_assert_eq(vt_reader_next(rd, &r, &e), 0);
	vt_reader_close(rd);
	fd = pipe_from((const unsigned char *)"", 0, &pid);
	cr_assert_eq(vt_reader_open_fd(&rd, fd, "pipe", NULL, &e), 0);
	cr_assert_eq(vt_reader_next(rd, &r, &e), 0);
	vt_reader_close(rd);
	close(fd);
	waitpid(pid, NULL, 0);
	/* where one record is expected, none is an error */
	cr_assert_eq(vt_reader_open_mem(&rd, "", 0, "x", &one, &e), 0);
	cr_assert_eq(vt_reader_next(rd, &r, &e), VT_EFORMAT);
	cr_assert_str_eq(e.msg, "'x': record 0: empty input, expected one record");
	vt_reader_close(rd);
	vt_reader_close(NULL);
}

Test(reader, misaligned_data_is_copied)
{
	const struct vt_tensor *a, *b;
	unsigned char *file, *odd;
	size_t len;
	struct vt_reader *rd;
	struct vt_record r, ref;
	struct vt_err e;

	/* foreign.safetensors: b (F32) starts at a file offset of 2 mod 4 */
	cr_assert_eq(vt_reader_open(&rd, t_data_path("records", "foreign.safetensors"),
				    NULL, &e), 0);
	vt_record_init(&r);
	cr_assert_eq(vt_reader_next(rd, &r, &e), 1, "%s", e.msg);
	a = vt_record_find(&r, "a");
	b = vt_record_find(&r, "b");
	cr_assert_not(a->owns_data);         /* a view into the mapping */
	cr_assert(b->owns_data);             /* an aligned copy */
	cr_assert_eq((uintptr_t)b->data % 4, 0);
	cr_assert_eq(((float *)b->data)[0], 1.25f);
	cr_assert_eq(((float *)b->data)[1], -2.0f);
	cr_assert_eq(((unsigned char *)a->data)[2], 9);
	cr_assert_eq(r.n_meta, 0);
	vt_reader_close(rd);
	vt_record_release(&r);

	/* a whole record at an odd address in memory */
	file = t_slurp(t_data_path("records", "small.safetensors"), &len);
	odd = malloc(len + 1);
	memcpy(odd + 1, file, len);
	cr_assert_eq(vt_reader_open_mem(&rd, odd + 1, len, "odd.safetensors",
					NULL, &e), 0);
	cr_assert_eq(vt_reader_next(rd, &r, &e), 1, "%s", e.msg);
	for (size_t i = 0; i < r.n_tensors; i++) {
		const struct vt_tensor *t = &r.tensors[i];
		cr_assert_eq((uintptr_t)t->data % vt_dtype_size(t->dtype), 0);
		cr_assert_eq(t->owns_data, vt_dtype_size(t->dtype) > 1, "%s", t->name);
	}
	build_small(&ref);
	same_record(&ref, &r, "odd address");
	vt_reader_close(rd);
	vt_record_release(&r);
	vt_record_release(&ref);
	free(odd);
	free(file);
}

Test(reader, descriptor_at_an_offset)
{
	const char *path = t_data_path("records", "stream.vts");
	unsigned char *buf;
	size_t len, first;
	struct vt_reader_opts o = { 0 };

	buf = t_slurp(path, &len);
	first = 8 + (size_t)header_len(buf) + 24; /* record 0: x F32 [2,3] */
	for (int m = 0; m < 2; m++) {
		struct vt_reader *rd;
		struct vt_record r;
		struct vt_err e;
		int fd = open(path, O_RDONLY);

		o.no_mmap = m == 1;
		cr_assert_geq(fd, 0);
		cr_assert_eq(lseek(fd, (off_t)first, SEEK_SET), (off_t)first);
		cr_assert_eq(vt_reader_open_fd(&rd, fd, "rest", &o, &e), 0);
		vt_record_init(&r);
		cr_assert_eq(vt_reader_next(rd, &r, &e), 1, "%s", e.msg);
		cr_assert_str_eq(vt_record_meta_get(&r, "index"), "1");
		cr_assert_eq(vt_reader_next(rd, &r, &e), 1);
		cr_assert_str_eq(vt_record_meta_get(&r, "index"), "2");
		cr_assert_eq(vt_reader_next(rd, &r, &e), 0);
		vt_reader_close(rd);
		vt_record_release(&r);
		close(fd); /* not closed by the reader */
	}
	free(buf);
}

Test(reader, limits)
{
	const char *path = t_data_path("records", "small.safetensors");
	unsigned char *buf;
	size_t len;
	uint64_t n;
	char want[256];

	buf = t_slurp(path, &len);
	n = header_len(buf);
	for (int m = 0; m < 2; m++) {
		struct vt_reader_opts o = { .max_header = n, .no_mmap = m };
		struct vt_reader *rd;
		struct vt_record r;
		struct vt_err e;

		vt_record_init(&r);
		cr_assert_eq(vt_reader_open(&rd, path, &o, &e), 0);
		cr_assert_eq(vt_reader_next(rd, &r, &e), 1, "%s", e.msg);
		vt_reader_close(rd);
		o.max_header = n - 1;
		cr_assert_eq(vt_reader_open(&rd, path, &o, &e), 0);
		cr_assert_eq(vt_reader_next(rd, &r, &e), VT_ELIMIT);
		snprintf(want, sizeof want, "'%s': record 0: header length %llu "
			 "exceeds the limit of %llu bytes", path,
			 (unsigned long long)n, (unsigned long long)n - 1);
		cr_assert_str_eq(e.msg, want);
		vt_reader_close(rd);
		o.max_header = 0;
		o.max_data = len - 8 - n - 1;
		cr_assert_eq(vt_reader_open(&rd, path, &o, &e), 0);
		cr_assert_eq(vt_reader_next(rd, &r, &e), VT_ELIMIT);
		cr_assert_not_null(strstr(e.msg, "data length"), "%s", e.msg);
		vt_reader_close(rd);
		o.max_data = len - 8 - n;
		cr_assert_eq(vt_reader_open(&rd, path, &o, &e), 0);
		cr_assert_eq(vt_reader_next(rd, &r, &e), 1, "%s", e.msg);
		vt_reader_close(rd);
		vt_record_release(&r);
	}
	free(buf);

	/* a limit above the maximum is the maximum: a 16 MiB + 1 header is no
	 * longer over the limit, but it is past the end of the file */
	{
		struct vt_reader_opts o = { .max_header = UINT64_MAX };
		struct vt_reader *rd;
		struct vt_record r;
		struct vt_err e;

		vt_record_init(&r);
		path = t_data_path("bad", "bad-header-limit.safetensors");
		cr_assert_eq(vt_reader_open(&rd, path, &o, &e), 0);
		cr_assert_eq(vt_reader_next(rd, &r, &e), VT_EFORMAT, "%s", e.msg);
		cr_assert_not_null(strstr(e.msg, "truncated"), "%s", e.msg);
		vt_reader_close(rd);
		path = t_data_path("bad", "bad-header-huge.safetensors");
		cr_assert_eq(vt_reader_open(&rd, path, &o, &e), 0);
		cr_assert_eq(vt_reader_next(rd, &r, &e), VT_ELIMIT);
		cr_assert_not_null(strstr(e.msg, "limit of 100000000 bytes"), "%s",
				   e.msg);
		vt_reader_close(rd);
	}
}

Test(reader, open_errors)
{
	struct vt_reader *rd;
	struct vt_err e;
	char want[1100];

	cr_assert_eq(vt_reader_open(&rd, "no/such/file.vts", NULL, &e), VT_EOPEN);
	cr_assert_str_eq(e.msg, "'no/such/file.vts': cannot open: No such file "
			 "or directory");
	cr_assert_eq(vt_reader_open(&rd, t_data_dir(), NULL, &e), VT_EOPEN);
	snprintf(want, sizeof want, "'%s': is a directory", t_data_dir());
	cr_assert_str_eq(e.msg, want);
}

/* Headers that other writers may produce and that must be read. */
static void accept(const char *json, const unsigned char *data, size_t dlen,
		   struct vt_record *out)
{
	size_t n = strlen(json);
	unsigned char *buf = malloc(8 + n + dlen);
	struct vt_reader *rd;
	struct vt_err e;

	for (int i = 0; i < 8; i++)
		buf[i] = (unsigned char)((uint64_t)n >> (8 * i));
	memcpy(buf + 8, json, n);
	if (dlen)
		memcpy(buf + 8 + n, data, dlen);
	cr_assert_eq(vt_reader_open_mem(&rd, buf, 8 + n + dlen, "x.safetensors",
					NULL, &e), 0);
	vt_record_init(out);
	cr_assert_eq(vt_reader_next(rd, out, &e), 1, "%s: %s", json, e.msg);
	for (size_t i = 0; i < out->n_tensors; i++)
		cr_assert_eq(vt_tensor_own(&out->tensors[i], &e), 0);
	vt_reader_close(rd);
	free(buf);
}

Test(reader, liberal_in_json_form)
{
	static const unsigned char d12[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct vt_record r;
	const struct vt_tensor *t;

	accept("{}", NULL, 0, &r);
	cr_assert_eq(r.n_tensors + r.n_meta, 0);
	vt_record_release(&r);
	accept("{\"__metadata__\":{}}", NULL, 0, &r);
	cr_assert_eq(r.n_tensors + r.n_meta, 0);
	vt_record_release(&r);
	/* JSON whitespace between tokens, spaces after */
	accept("{ \"x\" :\n\t{\"shape\" : [ 3 ] ,\r\n \"data_offsets\":[0, 12],"
	       "\"dtype\":\"U32\"} }   ", d12, 12, &r);
	t = vt_record_find(&r, "x");
	cr_assert_not_null(t);
	cr_assert_eq(((uint32_t *)t->data)[2], 0x0c0b0a09u);
	vt_record_release(&r);
	/* escapes in keys and values, a surrogate pair, "\/" */
	accept("{\"__metadata__\":{\"a\\/b\":\"\\ud83d\\ude00 \\u00e9\\t\"},"
	       "\"\\u0078\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}}",
	       d12, 1, &r);
	cr_assert_not_null(vt_record_find(&r, "x"));
	cr_assert_str_eq(vt_record_meta_get(&r, "a/b"),
			 "\xf0\x9f\x98\x80 \xc3\xa9\t");
	vt_record_release(&r);
	/* "__metadata__" spelled with an escape is still the metadata */
	accept("{\"\\u005f_metadata__\":{\"k\":\"v\"}}", NULL, 0, &r);
	cr_assert_str_eq(vt_record_meta_get(&r, "k"), "v");
	vt_record_release(&r);
	/* tensors listed out of data order, zero-size tensors sharing offsets */
	accept("{\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[8,12]},"
	       "\"z1\":{\"dtype\":\"F64\",\"shape\":[0,3],\"data_offsets\":[8,8]},"
	       "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
	       "\"z0\":{\"dtype\":\"I16\",\"shape\":[0],\"data_offsets\":[0,0]},"
	       "\"z2\":{\"dtype\":\"U8\",\"shape\":[5,0],\"data_offsets\":[12,12]}}",
	       d12, 12, &r);
	cr_assert_eq(r.n_tensors, 5);
	t = vt_record_find(&r, "b");
	cr_assert_eq(((unsigned char *)t->data)[0], 9);
	t = vt_record_find(&r, "a");
	cr_assert_eq(((unsigned char *)t->data)[7], 8);
	vt_record_release(&r);
	/* a dimension of 2^48-1 when another is 0 */
	accept("{\"e\":{\"dtype\":\"F32\",\"shape\":[0,281474976710655],"
	       "\"data_offsets\":[0,0]}}", NULL, 0, &r);
	cr_assert_eq(vt_record_find(&r, "e")->shape[1], (UINT64_C(1) << 48) - 1);
	vt_record_release(&r);
	/* the largest rank */
	accept("{\"r8\":{\"dtype\":\"I8\",\"shape\":[1,1,1,1,1,1,1,2],"
	       "\"data_offsets\":[0,2]}}", d12, 2, &r);
	cr_assert_eq(vt_record_find(&r, "r8")->rank, 8);
	vt_record_release(&r);
}

Test(reader, many_keys_stay_fast)
{
	enum { N = 100000 };
	size_t cap = 64 + (size_t)N * 100, n = 0;
	char *json = malloc(cap);
	struct vt_record r;
	struct timespec t0, t1;
	double secs;

	n += (size_t)snprintf(json + n, cap - n, "{\"__metadata__\":{");
	for (int i = 0; i < N; i++)
		n += (size_t)snprintf(json + n, cap - n, "%s\"key%06d\":\"v\"",
				      i ? "," : "", i);
	n += (size_t)snprintf(json + n, cap - n, "}");
	for (int i = 0; i < N; i++)
		n += (size_t)snprintf(json + n, cap - n,
				      ",\"t%06d\":{\"dtype\":\"U8\",\"shape\":[0],"
				      "\"data_offsets\":[0,0]}", i);
	snprintf(json + n, cap - n, "}");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	accept(json, NULL, 0, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
	cr_assert_eq(r.n_meta, N);
	cr_assert_eq(r.n_tensors, N);
	cr_assert_str_eq(vt_record_meta_get(&r, "key099999"), "v");
	/* linear or n log n: well under a second; quadratic: minutes */
	cr_assert_lt(secs, 5.0, "%g s for %d keys", secs, N);
	vt_record_release(&r);
	free(json);
}

/* ---- load and save ---- */

static char *temp_dir(void)
{
	static char dir[64];

	snprintf(dir, sizeof dir, "/tmp/vt-test-record.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	return dir;
}

/* Names in dir, sorted into one string "a b c". */
static void listing(const char *dir, char *out, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char names[16][256];
	int n = 0;

	cr_assert_not_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && n < 16)
			snprintf(names[n++], 256, "%s", de->d_name);
	closedir(d);
	qsort(names, (size_t)n, 256, (int (*)(const void *, const void *))strcmp);
	out[0] = '\0';
	for (int i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%s",
			 i ? " " : "", names[i]);
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

Test(record, save_and_load)
{
	char *dir = temp_dir(), path[256], names[512];
	struct vt_record r, back;
	struct vt_err e;
	unsigned char *want, *got;
	size_t wlen, glen;

	build_small(&r);
	snprintf(path, sizeof path, "%s/out.safetensors", dir);
	cr_assert_eq(vt_record_save(path, &r, &e), 0, "%s", e.msg);
	listing(dir, names, sizeof names);
	cr_assert_str_eq(names, "out.safetensors");
	want = t_slurp(t_data_path("records", "small.safetensors"), &wlen);
	got = t_slurp(path, &glen);
	cr_assert_eq(glen, wlen);
	cr_assert_eq(memcmp(got, want, wlen), 0);
	vt_record_init(&back);
	cr_assert_eq(vt_record_load(path, &back, NULL, &e), 0, "%s", e.msg);
	same_record(&r, &back, "load");
	vt_record_release(&back);
	/* the loaded record outlives the file it came from */
	cr_assert_eq(vt_record_load(path, &back, NULL, &e), 0);
	unlink(path);
	same_record(&r, &back, "load after unlink");
	vt_record_release(&back);

	/* a stream, an empty file, a missing file, a directory */
	cr_assert_eq(vt_record_load(t_data_path("records", "stream.vts"), &back,
				    NULL, &e), VT_EFORMAT);
	cr_assert_not_null(strstr(e.msg, "record 0: file size 712 is not 8 + "
				  "header 184 + data 24 (496 trailing bytes)"),
			   "%s", e.msg);
	cr_assert_eq(back.n_tensors, 0);
	cr_assert_eq(vt_record_load(t_data_path("records", "empty.vts"), &back,
				    NULL, &e), VT_EFORMAT);
	cr_assert_not_null(strstr(e.msg, "empty input, expected one record"));
	cr_assert_eq(vt_record_load(path, &back, NULL, &e), VT_EOPEN);
	cr_assert_eq(vt_record_load(dir, &back, NULL, &e), VT_EOPEN);

	vt_record_release(&r);
	free(want);
	free(got);
	remove_dir(dir);
}

Test(record, failed_save_leaves_nothing)
{
	char *dir = temp_dir(), path[256], names[512];
	struct vt_record r, big;
	struct vt_err e;
	struct rlimit lim = { 1 << 16, 1 << 16 };
	unsigned char *before, *after;
	size_t lb, la;

	/* a record the writer refuses */
	build_small(&r);
	snprintf(path, sizeof path, "%s/x.safetensors", dir);
	r.tensors[0].nbytes--;
	cr_assert_eq(vt_record_save(path, &r, &e), VT_EBUG);
	r.tensors[0].nbytes++;
	listing(dir, names, sizeof names);
	cr_assert_str_eq(names, "");

	/* a directory that does not exist */
	snprintf(path, sizeof path, "%s/no/x.safetensors", dir);
	cr_assert_eq(vt_record_save(path, &r, &e), VT_ECREATE);
	cr_assert_not_null(strstr(e.msg, "cannot create"), "%s", e.msg);
	listing(dir, names, sizeof names);
	cr_assert_str_eq(names, "");

	/* a write that fails half way (file size limit), over an old file */
	snprintf(path, sizeof path, "%s/x.safetensors", dir);
	cr_assert_eq(vt_record_save(path, &r, &e), 0, "%s", e.msg);
	before = t_slurp(path, &lb);
	vt_record_init(&big);
	add(&big, "x", VT_F32, 1, (uint64_t[]){ 1 << 18 }, 3); /* 1 MiB */
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	cr_assert_eq(vt_record_save(path, &big, &e), VT_EIO);
	cr_assert_not_null(strstr(e.msg, "write error"), "%s", e.msg);
	listing(dir, names, sizeof names);
	cr_assert_str_eq(names, "x.safetensors");
	after = t_slurp(path, &la);
	cr_assert_eq(la, lb);
	cr_assert_eq(memcmp(before, after, la), 0); /* the old file is intact */

	vt_record_release(&r);
	vt_record_release(&big);
	free(before);
	free(after);
	remove_dir(dir);
}
