/* idx.c - IDX files, plain or gzip (zlib's inflate), every size checked.
 *
 * The declared size is checked (overflow, limit, and for a plain file the
 * file size) before anything is allocated, and the buffer then grows with
 * the bytes actually inflated, so a gzip file whose header lies is caught
 * as truncated without a large allocation first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "vt/idx.h"
#include "vt/size.h"

#define IN_CHUNK (256u * 1024u)

/* A byte source: memory, or a file read through a buffer; inflated when it
 * starts with the gzip magic. */
struct src {
	const char *name;
	FILE *f;
	const unsigned char *mem;
	size_t mem_len, mem_pos;
	unsigned char *inbuf;
	int gz;
	int gz_end;      /* inflate saw the end of the gzip stream */
	z_stream z;
	uint64_t total;  /* bytes handed out */
};

/* Raw bytes from the file or memory: how many (0 at the end), or -1. */
static long raw_read(struct src *s, unsigned char *buf, size_t n,
		     struct vt_err *err)
{
	if (s->f) {
		size_t got = fread(buf, 1, n, s->f);

		if (got < n && ferror(s->f))
			return vt_err_sys(err, VT_EIO, "'%s': read error",
					  s->name), -1;
		return (long)got;
	}
	if (n > s->mem_len - s->mem_pos)
		n = s->mem_len - s->mem_pos;
	memcpy(buf, s->mem + s->mem_pos, n);
	s->mem_pos += n;
	return (long)n;
}

/* Up to n bytes (n <= 2^30) into buf: how many (fewer only at the end of
 * the data), or -1 with err set. */
static long src_read(struct src *s, unsigned char *buf, size_t n,
		     struct vt_err *err)
{
	size_t done = 0;

	if (!s->gz) {
		long r = 0;

		while (done < n && (r = raw_read(s, buf + done, n - done,
						 err)) > 0)
			done += (size_t)r;
		if (r < 0)
			return -1;
		s->total += done;
		return (long)done;
	}
	s->z.next_out = buf;
	s->z.avail_out = (uInt)n;
	while (s->z.avail_out && !s->gz_end) {
		int zr;

		if (s->z.avail_in == 0) {
			long r = raw_read(s, s->inbuf, IN_CHUNK, err);

			if (r < 0)
				return -1;
			if (r == 0)
				return vt_err_set(err, VT_EFORMAT, "'%s': "
						  "truncated gzip data",
						  s->name), -1;
			s->z.next_in = s->inbuf;
			s->z.avail_in = (uInt)r;
		}
		zr = inflate(&s->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END)
			s->gz_end = 1;
		else if (zr == Z_MEM_ERROR)
			return vt_err_set(err, VT_ENOMEM, "'%s': out of memory "
					  "in inflate", s->name), -1;
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			return vt_err_set(err, VT_EFORMAT, "'%s': corrupt gzip "
					  "data (%s)", s->name,
					  s->z.msg ? s->z.msg : "inflate "
					  "failed"), -1;
	}
	done = n - s->z.avail_out;
	s->total += done;
	return (long)done;
}

static int src_open(struct src *s, struct vt_err *err)
{
	unsigned char m[2];
	size_t got = 0;

	if (s->f) {
		int c0 = fgetc(s->f), c1 = c0 == EOF ? EOF : fgetc(s->f);

		if (ferror(s->f))
			return vt_err_sys(err, VT_EIO, "'%s': read error",
					  s->name);
		if (c0 != EOF)
			m[got++] = (unsigned char)c0;
		if (c1 != EOF)
			m[got++] = (unsigned char)c1;
		rewind(s->f);
	} else {
		got = s->mem_len < 2 ? s->mem_len : 2;
		memcpy(m, s->mem, got);
	}
	if (got < 2 || m[0] != 0x1f || m[1] != 0x8b)
		return 0;
	s->gz = 1;
	s->inbuf = malloc(IN_CHUNK);
	if (!s->inbuf)
		return vt_err_set(err, VT_ENOMEM, "'%s': out of memory",
				  s->name);
	if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
		free(s->inbuf);
		s->inbuf = NULL;
		s->gz = 0;
		return vt_err_set(err, VT_ENOMEM, "'%s': cannot start "
				  "inflate", s->name);
	}
	return 0;
}

static void src_close(struct src *s)
{
	if (s->gz)
		inflateEnd(&s->z);
	free(s->inbuf);
	if (s->f)
		fclose(s->f);
}

static const struct {
	unsigned char code;
	enum vt_dtype dt;
} types[] = {
	{ 0x08, VT_U8 }, { 0x09, VT_I8 }, { 0x0B, VT_I16 },
	{ 0x0C, VT_I32 }, { 0x0D, VT_F32 }, { 0x0E, VT_F64 },
};

/* Big-endian elements of `size` bytes to host order, in place. */
static void from_be(unsigned char *p, uint64_t n, size_t size)
{
	if (size == 1)
		return;
	for (uint64_t i = 0; i < n; i++, p += size)
		for (size_t a = 0, b = size - 1; a < b; a++, b--) {
			unsigned char t = p[a];

			p[a] = p[b];
			p[b] = t;
		}
}

static int parse(struct src *s, uint64_t file_size, uint64_t max_bytes,
		 struct vt_tensor *t, struct vt_err *err)
{
	unsigned char head[4 + 4 * VT_MAX_RANK], extra;
	uint64_t shape[VT_MAX_RANK], numel = 1, nbytes, have = 0, cap;
	enum vt_dtype dt = VT_U8;
	unsigned char *data = NULL;
	int rank, known = 0, rc;
	long r;

	if (!max_bytes)
		max_bytes = VT_IDX_MAX_BYTES_DEFAULT;
	r = src_read(s, head, 4, err);
	if (r < 0)
		return err->code;
	if (r < 4)
		return vt_err_set(err, VT_EFORMAT, "'%s': truncated: %ld of 4 "
				  "header bytes", s->name, r);
	if (head[0] || head[1])
		return vt_err_set(err, VT_EFORMAT, "'%s': not an IDX file "
				  "(magic %02x %02x, expected 00 00)", s->name,
				  head[0], head[1]);
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (types[i].code == head[2]) {
			dt = types[i].dt;
			known = 1;
		}
	if (!known)
		return vt_err_set(err, VT_EFORMAT, "'%s': unknown IDX element "
				  "type 0x%02x", s->name, head[2]);
	rank = head[3];
	if (rank < 1 || rank > VT_MAX_RANK)
		return vt_err_set(err, VT_EFORMAT, "'%s': IDX rank %d, expected "
				  "1 to %d", s->name, rank, VT_MAX_RANK);
	r = src_read(s, head + 4, 4 * (size_t)rank, err);
	if (r < 0)
		return err->code;
	if (r < 4 * rank)
		return vt_err_set(err, VT_EFORMAT, "'%s': truncated: %ld of %d "
				  "dimension bytes", s->name, r, 4 * rank);
	for (int i = 0; i < rank; i++) {
		const unsigned char *p = head + 4 + 4 * i;

		shape[i] = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 |
			   (uint64_t)p[2] << 8 | p[3];
		if (vt_mul_overflow_u64(numel, shape[i], &numel))
			return vt_err_set(err, VT_ELIMIT, "'%s': IDX shape "
					  "overflows", s->name);
	}
	if (vt_mul_overflow_u64(numel, vt_dtype_size(dt), &nbytes) ||
	    nbytes > max_bytes)
		return vt_err_set(err, VT_ELIMIT, "'%s': IDX data of %llu "
				  "elements exceeds the limit of %llu bytes",
				  s->name, (unsigned long long)numel,
				  (unsigned long long)max_bytes);
	if (file_size && file_size != 4 + 4 * (uint64_t)rank + nbytes)
		return vt_err_set(err, VT_EFORMAT, "'%s': %s: the header gives "
				  "%llu data bytes, the file holds %llu",
				  s->name, file_size < 4 + 4 * (uint64_t)rank +
				  nbytes ? "truncated" : "trailing bytes",
				  (unsigned long long)nbytes,
				  (unsigned long long)(file_size - 4 -
						       4 * (uint64_t)rank));
	/* grow with the data: at most twice what was really there */
	cap = nbytes < (UINT64_C(1) << 20) ? nbytes : UINT64_C(1) << 20;
	data = malloc(cap ? (size_t)cap : 1);
	if (!data)
		return vt_err_set(err, VT_ENOMEM, "'%s': out of memory",
				  s->name);
	while (have < nbytes) {
		uint64_t want = nbytes - have;

		if (have == cap) {
			uint64_t ncap = cap * 2 < nbytes ? cap * 2 : nbytes;
			unsigned char *nd = realloc(data, (size_t)ncap);

			if (!nd) {
				free(data);
				return vt_err_set(err, VT_ENOMEM, "'%s': out "
						  "of memory for %llu bytes",
						  s->name,
						  (unsigned long long)ncap);
			}
			data = nd;
			cap = ncap;
		}
		if (want > cap - have)
			want = cap - have;
		if (want > (UINT64_C(1) << 30))
			want = UINT64_C(1) << 30;
		r = src_read(s, data + have, (size_t)want, err);
		if (r < 0) {
			free(data);
			return err->code;
		}
		if (r == 0)
			break;
		have += (uint64_t)r;
	}
	if (have < nbytes) {
		free(data);
		return vt_err_set(err, VT_EFORMAT, "'%s': truncated: %llu of "
				  "%llu data bytes", s->name,
				  (unsigned long long)have,
				  (unsigned long long)nbytes);
	}
	r = src_read(s, &extra, 1, err);
	if (r != 0) {
		free(data);
		return r < 0 ? err->code
			     : vt_err_set(err, VT_EFORMAT, "'%s': trailing "
					  "bytes after %llu data bytes",
					  s->name,
					  (unsigned long long)nbytes);
	}
	from_be(data, numel, vt_dtype_size(dt));
	rc = vt_tensor_init_view(t, NULL, dt, rank, shape, data, err);
	if (rc) {
		free(data);
		vt_err_prefix(err, "'%s'", s->name);
		return rc;
	}
	t->owns_data = true;
	if (rank == 3 || rank == 1)
		rc = vt_tensor_set_dims(t, rank == 3 ? "N,H,W" : "N",
					rank == 3 ? 5 : 1, err);
	if (rc) {
		vt_tensor_release(t);
		vt_err_prefix(err, "'%s'", s->name);
	}
	return rc;
}

int vt_idx_read_mem(const void *buf, size_t len, const char *name,
		    uint64_t max_bytes, struct vt_tensor *t, struct vt_err *err)
{
	struct src s;
	int rc;

	memset(t, 0, sizeof *t);
	memset(&s, 0, sizeof s);
	s.name = name;
	s.mem = buf;
	s.mem_len = len;
	rc = src_open(&s, err);
	if (!rc)
		rc = parse(&s, s.gz ? 0 : (uint64_t)len, max_bytes, t, err);
	src_close(&s);
	return rc;
}

int vt_idx_read(const char *path, uint64_t max_bytes, struct vt_tensor *t,
		struct vt_err *err)
{
	struct src s;
	struct stat st;
	int rc;

	memset(t, 0, sizeof *t);
	memset(&s, 0, sizeof s);
	s.name = path;
	s.f = fopen(path, "rb");
	if (!s.f)
		return vt_err_sys(err, VT_EOPEN, "'%s': cannot open", path);
	if (fstat(fileno(s.f), &st) != 0) {
		rc = vt_err_sys(err, VT_EIO, "'%s': cannot stat", path);
	} else if (!S_ISREG(st.st_mode)) {
		rc = vt_err_set(err, VT_EOPEN, "'%s': not a regular file",
				path);
	} else {
		rc = src_open(&s, err);
		if (!rc)
			rc = parse(&s, s.gz ? 0 : (uint64_t)st.st_size,
				   max_bytes, t, err);
	}
	src_close(&s);
	return rc;
}

int vt_idx_is_path(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *p;
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if ((n > 4 && strcmp(base + n - 4, ".idx") == 0) ||
	    (n > 7 && strcmp(base + n - 7, ".idx.gz") == 0))
		return 1;
	for (p = strstr(base, "-idx"); p; p = strstr(p + 1, "-idx"))
		if (p[4] >= '1' && p[4] <= '9' && p[5] == '-')
			return 1;
	return 0;
}
