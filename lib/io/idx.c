/* idx.c - IDX files, plain or gzip, every size checked.
 *
 * The declared size is checked (overflow, limit, and for a plain file the
 * file size) before anything is allocated, and the buffer then grows with
 * the bytes actually inflated, so a gzip file whose header lies is caught
 * as truncated without a large allocation first.
 *
 * A stream hands the data out in pieces of whole items instead, read on the
 * caller's thread or, with two slots or more, ahead of it by a second
 * thread into a ring of piece buffers: the pieces, the errors and their
 * order are the same either way, since the thread reads the same pieces in
 * the same order and its failure is handed on only after the pieces that
 * came before it.
 *
 * A gzip file is first inflated whole by libdeflate, about twice as fast as
 * zlib, into a buffer sized from the gzip trailer; the data is then served
 * from memory.  Should that fail for any reason (a corrupt or truncated
 * stream, several members, a trailer that lies, data past FAST_MAX), the
 * file is read again by zlib's streaming inflate from the start, so every
 * error is found and worded by one decoder and a huge file never needs to
 * be held whole.  Several members are one stream (gzip -dc's reading);
 * bytes after the last one that do not start another are an error.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <libdeflate.h>
#include <zlib.h>

#include "vt/idx.h"
#include "vt/size.h"

#define IN_CHUNK (256u * 1024u)
/* The largest data inflated whole (larger is streamed by zlib). */
#define FAST_MAX (UINT64_C(2) << 30)
/* Deflate expands at most 1032:1 (258-byte matches in 2-bit codes). */
#define DEFLATE_MAX_RATIO 1032u

/* A byte source: memory, or a file read through a buffer; inflated when it
 * starts with the gzip magic. */
struct src {
	const char *name;
	FILE *f;
	const unsigned char *mem;
	size_t mem_len, mem_pos;
	unsigned char *inbuf;
	size_t in_len;           /* bytes in inbuf */
	int gz;
	int gz_end;      /* inflate saw the end of the gzip stream */
	bool raw_eof;    /* all the compressed input has been read */
	/* inflated whole (see the top): served from here */
	unsigned char *whole;
	size_t whole_len, whole_pos;
	z_stream z;
	uint64_t total;  /* bytes handed out */
};

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

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

/* After the end of a gzip member: 1 when another follows (inflate reset
 * for it), 0 at the end of the input, -1 (err set) for anything else. */
static int next_member(struct src *s, struct vt_err *err)
{
	/* the next two bytes, moved to the start of inbuf if need be */
	while (s->z.avail_in < 2 && !s->raw_eof) {
		size_t keep = s->z.avail_in;
		long r;

		memmove(s->inbuf, s->z.next_in, keep);
		r = raw_read(s, s->inbuf + keep, IN_CHUNK - keep, err);
		if (r < 0)
			return -1;
		s->raw_eof = r == 0;
		s->in_len = keep + (size_t)r;
		s->z.next_in = s->inbuf;
		s->z.avail_in = (uInt)s->in_len;
	}
	if (s->z.avail_in == 0)
		return 0;
	if (s->z.avail_in < 2 || s->z.next_in[0] != 0x1f ||
	    s->z.next_in[1] != 0x8b)
		return vt_err_set(err, VT_EFORMAT, "'%s': bytes after the gzip "
				  "data that do not start another member",
				  s->name), -1;
	if (inflateReset(&s->z) != Z_OK)
		return vt_err_set(err, VT_EBUG, "'%s': cannot restart inflate",
				  s->name), -1;
	return 1;
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
	if (s->whole) {
		if (n > s->whole_len - s->whole_pos)
			n = s->whole_len - s->whole_pos;
		memcpy(buf, s->whole + s->whole_pos, n);
		s->whole_pos += n;
		s->total += n;
		return (long)n;
	}
	s->z.next_out = buf;
	s->z.avail_out = (uInt)n;
	while (s->z.avail_out && !s->gz_end) {
		int zr;

		if (s->z.avail_in == 0 && !s->raw_eof) {
			long r;

			s->in_len = 0;
			r = raw_read(s, s->inbuf, IN_CHUNK, err);
			if (r < 0)
				return -1;
			s->raw_eof = r == 0;
			s->z.next_in = s->inbuf;
			s->z.avail_in = (uInt)r;
			s->in_len = (size_t)r;
		}
		/* at the end of the input inflate may still hold bits of it:
		 * the data is truncated only once it can make no progress
		 * (so that a corrupt code there is named as such, whatever
		 * the size of the pieces asked for) */
		zr = inflate(&s->z, Z_NO_FLUSH);
		if (zr == Z_BUF_ERROR && s->raw_eof)
			return vt_err_set(err, VT_EFORMAT, "'%s': truncated "
					  "gzip data", s->name), -1;
		if (zr == Z_STREAM_END) {
			/* the end of a member: another may follow (gzip -dc
			 * concatenates them), anything else may not */
			if ((zr = next_member(s, err)) < 0)
				return -1;
			s->gz_end = zr == 0;
		} else if (zr == Z_MEM_ERROR)
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

/* Inflated whole: the next n bytes where they lie (writable, s's own),
 * or NULL when fewer remain (then read them, for the error). */
static unsigned char *whole_take(struct src *s, size_t n)
{
	unsigned char *p;

	if (!s->whole || n > s->whole_len - s->whole_pos)
		return NULL;
	p = s->whole + s->whole_pos;
	s->whole_pos += n;
	s->total += n;
	return p;
}

/* The gzip data of s (in_len bytes at in) inflated whole by libdeflate into
 * s->whole; quietly nothing when that fails or does not apply, the
 * streaming path then reading (and judging) the file. */
static void inflate_whole(struct src *s, const unsigned char *in,
			  size_t in_len, uint64_t max_data)
{
	struct libdeflate_decompressor *d;
	size_t isize, got_in = 0, got_out = 0;
	enum libdeflate_result r;
	unsigned char *out;

	/* libdeflate skips a header CRC (FHCRC) unchecked: zlib's to judge */
	if (in_len < 18 || (in[3] & 2))
		return;
	isize = le32(in + in_len - 4);
	/* the trailer's length (the data mod 2^32): believed only where the
	 * stream could hold it and the header could be within the limit */
	if (isize == 0 || isize > FAST_MAX ||
	    isize / DEFLATE_MAX_RATIO > in_len ||
	    (isize > 4 + 4 * VT_MAX_RANK &&
	     isize - (4 + 4 * VT_MAX_RANK) > max_data))
		return;
	out = malloc(isize);
	if (!out)
		return;
	d = libdeflate_alloc_decompressor();
	r = d ? libdeflate_gzip_decompress_ex(d, in, in_len, out, isize,
					      &got_in, &got_out)
	      : LIBDEFLATE_BAD_DATA;
	libdeflate_free_decompressor(d);
	if (r != LIBDEFLATE_SUCCESS || got_in != in_len || got_out != isize) {
		free(out);
		return;
	}
	s->whole = out;
	s->whole_len = got_out;
}

/* inflate_whole on the file or memory of s. */
static void try_whole(struct src *s, uint64_t max_data)
{
	struct stat st;
	void *in;

	if (!s->f) {
		inflate_whole(s, s->mem, s->mem_len, max_data);
		return;
	}
	if (fstat(fileno(s->f), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < 18 || (uint64_t)st.st_size > FAST_MAX)
		return;
	in = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE |
		  MAP_POPULATE, fileno(s->f), 0);
	if (in == MAP_FAILED)
		return;
	inflate_whole(s, in, (size_t)st.st_size, max_data);
	munmap(in, (size_t)st.st_size);
}

static int src_open(struct src *s, uint64_t max_data, bool stream_inflate,
		    struct vt_err *err)
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
	if (!stream_inflate)
		try_whole(s, max_data);
	if (s->whole)
		return 0;
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
	if (s->gz && !s->whole)
		inflateEnd(&s->z);
	free(s->whole);
	free(s->inbuf);
	if (s->f)
		fclose(s->f);
}

/* What an open IDX file holds, its reader and its pieces. */
struct vt_idx_stream {
	struct src s;
	struct vt_tensor info;   /* dtype, shape, dims; no data */
	uint64_t nbytes;         /* of all the data */
	uint64_t items;          /* along the first dimension */
	uint64_t item_bytes;
	uint64_t piece_items;    /* items in a full piece */
	uint64_t pieces;
	size_t piece_bytes;      /* asked for (0: the default) */
	int nslots;              /* pieces in flight: 1 without a thread */
	unsigned char *slot[VT_IDX_STREAM_MAX_SLOTS];
	bool started, threaded;
	uint64_t taken;          /* pieces handed out */
	unsigned char *cur;      /* without the thread: the piece filled
				  * last (a slot, or in the inflated data) */
	/* shared with the reading thread, under mu */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t filled;         /* pieces complete */
	uint64_t released;       /* pieces the caller is done with */
	int state;               /* 0 reading, 1 all read and checked, <0 failed */
	bool stop;
	struct vt_err ferr;      /* the failure */
};

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

/* The magic, type, rank and dimensions into x->info; every size checked
 * (for a plain file of file_size bytes, against it). */
static int parse_header(struct vt_idx_stream *x, uint64_t file_size,
			uint64_t max_bytes, struct vt_err *err)
{
	struct src *s = &x->s;
	unsigned char head[4 + 4 * VT_MAX_RANK];
	uint64_t shape[VT_MAX_RANK], numel = 1, nbytes;
	enum vt_dtype dt = VT_U8;
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
	rc = vt_tensor_init_view(&x->info, NULL, dt, rank, shape, NULL, err);
	if (!rc && (rank == 3 || rank == 1))
		rc = vt_tensor_set_dims(&x->info, rank == 3 ? "N,H,W" : "N",
					rank == 3 ? 5 : 1, err);
	if (rc) {
		vt_tensor_release(&x->info);
		vt_err_prefix(err, "'%s'", s->name);
		return rc;
	}
	x->nbytes = nbytes;
	x->items = shape[0];
	x->item_bytes = shape[0] ? nbytes / shape[0] : 0;
	return 0;
}

/* n bytes into buf, or the truncation error given `before` bytes read
 * before these; *got: how many were read. */
static int read_exact(struct vt_idx_stream *x, unsigned char *buf, uint64_t n,
		      uint64_t before, uint64_t *got, struct vt_err *err)
{
	uint64_t have = 0;

	*got = 0;
	while (have < n) {
		uint64_t want = n - have;
		long r;

		if (want > (UINT64_C(1) << 30))
			want = UINT64_C(1) << 30;
		r = src_read(&x->s, buf + have, (size_t)want, err);
		if (r < 0)
			return err->code;
		if (r == 0)
			return vt_err_set(err, VT_EFORMAT, "'%s': truncated: "
					  "%llu of %llu data bytes", x->s.name,
					  (unsigned long long)(before + have),
					  (unsigned long long)x->nbytes);
		have += (uint64_t)r;
		*got = have;
	}
	return 0;
}

/* After the data, the input must end. */
static int check_end(struct vt_idx_stream *x, struct vt_err *err)
{
	unsigned char extra;
	long r = src_read(&x->s, &extra, 1, err);

	if (r == 0)
		return 0;
	return r < 0 ? err->code
		     : vt_err_set(err, VT_EFORMAT, "'%s': trailing bytes "
				  "after %llu data bytes", x->s.name,
				  (unsigned long long)x->nbytes);
}

static int open_src(struct vt_idx_stream **out, struct vt_idx_stream *x,
		    uint64_t file_size, const struct vt_idx_stream_opts *o,
		    struct vt_err *err)
{
	uint64_t max_bytes = o && o->max_bytes ? o->max_bytes
					       : VT_IDX_MAX_BYTES_DEFAULT;
	int rc = src_open(&x->s, max_bytes, o && o->stream_inflate, err);

	if (!rc)
		rc = parse_header(x, x->s.gz ? 0 : file_size, max_bytes, err);
	if (rc) {
		src_close(&x->s);
		free(x);
		return rc;
	}
	if (o) {
		x->piece_bytes = o->piece_bytes;
		x->nslots = o->slots;
	}
	if (!x->piece_bytes)
		x->piece_bytes = VT_IDX_PIECE_BYTES_DEFAULT;
	x->threaded = x->nslots >= 2;
	if (x->nslots < 1)
		x->nslots = 1;
	if (x->nslots > VT_IDX_STREAM_MAX_SLOTS)
		x->nslots = VT_IDX_STREAM_MAX_SLOTS;
	*out = x;
	return 0;
}

int vt_idx_stream_open(struct vt_idx_stream **out, const char *path,
		       const struct vt_idx_stream_opts *o, struct vt_err *err)
{
	struct vt_idx_stream *x = calloc(1, sizeof *x);
	struct stat st;
	int rc = 0;

	*out = NULL;
	if (!x)
		return vt_err_set(err, VT_ENOMEM, "'%s': out of memory", path);
	x->s.name = path;
	x->s.f = fopen(path, "rb");
	if (!x->s.f)
		rc = vt_err_sys(err, VT_EOPEN, "'%s': cannot open", path);
	else if (fstat(fileno(x->s.f), &st) != 0)
		rc = vt_err_sys(err, VT_EIO, "'%s': cannot stat", path);
	else if (!S_ISREG(st.st_mode))
		rc = vt_err_set(err, VT_EOPEN, "'%s': not a regular file",
				path);
	if (rc) {
		src_close(&x->s);
		free(x);
		return rc;
	}
	return open_src(out, x, (uint64_t)st.st_size, o, err);
}

int vt_idx_stream_open_mem(struct vt_idx_stream **out, const void *buf,
			   size_t len, const char *name,
			   const struct vt_idx_stream_opts *o,
			   struct vt_err *err)
{
	struct vt_idx_stream *x = calloc(1, sizeof *x);

	*out = NULL;
	if (!x)
		return vt_err_set(err, VT_ENOMEM, "'%s': out of memory", name);
	x->s.name = name;
	x->s.mem = buf;
	x->s.mem_len = len;
	return open_src(out, x, (uint64_t)len, o, err);
}

const struct vt_tensor *vt_idx_stream_info(const struct vt_idx_stream *x)
{
	return &x->info;
}

int vt_idx_stream_read_all(struct vt_idx_stream *x, struct vt_tensor *t,
			   struct vt_err *err)
{
	uint64_t have = 0, cap, got;
	unsigned char *data;
	int rc;

	memset(t, 0, sizeof *t);
	if (x->started)
		return vt_err_set(err, VT_EINVAL, "'%s': IDX data already "
				  "read in pieces", x->s.name);
	x->started = true;
	/* grow with the data: at most twice what was really there (inflated
	 * whole, what is there is known) */
	cap = x->nbytes < (UINT64_C(1) << 20) ? x->nbytes : UINT64_C(1) << 20;
	if (x->s.whole)
		cap = x->nbytes < x->s.whole_len - x->s.whole_pos
			      ? x->nbytes
			      : x->s.whole_len - x->s.whole_pos;
	data = malloc(cap ? (size_t)cap : 1);
	if (!data)
		return vt_err_set(err, VT_ENOMEM, "'%s': out of memory",
				  x->s.name);
	rc = 0;
	while (!rc && have < x->nbytes) {
		if (have == cap) {
			uint64_t ncap = cap * 2 < x->nbytes ? cap * 2
							    : x->nbytes;
			unsigned char *nd = realloc(data, (size_t)ncap);

			if (!nd) {
				rc = vt_err_set(err, VT_ENOMEM, "'%s': out of "
						"memory for %llu bytes",
						x->s.name,
						(unsigned long long)ncap);
				break;
			}
			data = nd;
			cap = ncap;
		}
		rc = read_exact(x, data + have, cap - have, have, &got, err);
		have += got;
	}
	if (!rc)
		rc = check_end(x, err);
	if (rc) {
		free(data);
		return rc;
	}
	from_be(data, x->nbytes / vt_dtype_size(x->info.dtype),
		vt_dtype_size(x->info.dtype));
	*t = x->info;
	t->data = data;
	t->owns_data = true;
	return 0;
}

/* Items in piece p. */
static uint64_t piece_len(const struct vt_idx_stream *x, uint64_t p)
{
	uint64_t first = p * x->piece_items;

	return x->items - first < x->piece_items ? x->items - first
						 : x->piece_items;
}

/* Piece p, as read (big-endian): into slot k, or (at given, the data
 * inflated whole) where it lies; *at says where.  A partial piece is the
 * tail. */
static int fill(struct vt_idx_stream *x, int k, uint64_t p,
		unsigned char **at, struct vt_err *err)
{
	uint64_t n = piece_len(x, p) * x->item_bytes, got;

	/* inflated whole (never with the thread): the piece is handed out
	 * where it lies */
	if (at && (*at = whole_take(&x->s, (size_t)n)) != NULL)
		return 0;
	if (at)
		*at = x->slot[k];
	return read_exact(x, x->slot[k], n, p * x->piece_items * x->item_bytes,
			  &got, err);
}

/* The caller's side of a piece: to host order. */
static void take(struct vt_idx_stream *x, unsigned char *p, uint64_t items)
{
	size_t esize = vt_dtype_size(x->info.dtype);
	uint64_t n = items * x->item_bytes;

	from_be(p, n / esize, esize);
}

/* The reading thread: pieces into free slots, in order, then the check
 * that the input ends; stops at the first failure or when asked to. */
static void *reader_main(void *arg)
{
	struct vt_idx_stream *x = arg;
	struct vt_err e;
	int rc = 0;

	vt_err_clear(&e);
	for (uint64_t p = 0; p < x->pieces; p++) {
		pthread_mutex_lock(&x->mu);
		while (!x->stop && x->filled - x->released >=
					   (uint64_t)x->nslots)
			pthread_cond_wait(&x->cv, &x->mu);
		if (x->stop) {
			pthread_mutex_unlock(&x->mu);
			return NULL;
		}
		pthread_mutex_unlock(&x->mu);
		rc = fill(x, (int)(p % (uint64_t)x->nslots), p, NULL, &e);
		pthread_mutex_lock(&x->mu);
		if (rc) {
			x->state = rc;
			x->ferr = e;
		} else {
			x->filled++;
		}
		pthread_cond_broadcast(&x->cv);
		pthread_mutex_unlock(&x->mu);
		if (rc)
			return NULL;
	}
	rc = check_end(x, &e);
	pthread_mutex_lock(&x->mu);
	x->state = rc ? rc : 1;
	x->ferr = e;
	pthread_cond_broadcast(&x->cv);
	pthread_mutex_unlock(&x->mu);
	return NULL;
}

static int start(struct vt_idx_stream *x, struct vt_err *err)
{
	uint64_t slot_bytes;

	x->started = true;
	if (x->item_bytes == 0) {
		/* no data: every item in one piece */
		x->piece_items = x->items;
	} else {
		x->piece_items = x->piece_bytes / x->item_bytes;
		if (x->piece_items == 0)
			x->piece_items = 1;
		if (x->piece_items > x->items)
			x->piece_items = x->items;
	}
	x->pieces = x->piece_items ? (x->items + x->piece_items - 1) /
					     x->piece_items
				   : 0;
	if (x->pieces < (uint64_t)x->nslots)
		x->nslots = x->pieces > 1 ? (int)x->pieces : 1;
	/* inflated whole, there is nothing for a thread to overlap */
	if (x->nslots < 2 || x->s.whole)
		x->threaded = false;
	slot_bytes = x->piece_items * x->item_bytes;
	for (int k = 0; k < x->nslots; k++) {
		x->slot[k] = malloc(slot_bytes ? (size_t)slot_bytes : 1);
		if (!x->slot[k]) {
			x->threaded = false;
			x->state = vt_err_set(&x->ferr, VT_ENOMEM, "'%s': out "
					      "of memory for %llu bytes",
					      x->s.name,
					      (unsigned long long)slot_bytes);
			*err = x->ferr;
			return x->state;
		}
	}
	/* without a thread (or when none can be started) the pieces are
	 * read on the caller's */
	if (x->threaded && pthread_mutex_init(&x->mu, NULL) != 0) {
		x->threaded = false;
	} else if (x->threaded && pthread_cond_init(&x->cv, NULL) != 0) {
		pthread_mutex_destroy(&x->mu);
		x->threaded = false;
	} else if (x->threaded &&
		   pthread_create(&x->th, NULL, reader_main, x) != 0) {
		pthread_cond_destroy(&x->cv);
		pthread_mutex_destroy(&x->mu);
		x->threaded = false;
	}
	return 0;
}

static void hand_out(struct vt_idx_stream *x, void **data, uint64_t *items)
{
	*data = x->threaded ? x->slot[x->taken % (uint64_t)x->nslots]
			    : x->cur;
	*items = piece_len(x, x->taken);
	x->taken++;
}

int vt_idx_stream_next(struct vt_idx_stream *x, void **data, uint64_t *items,
		       struct vt_err *err)
{
	int rc;

	*data = NULL;
	*items = 0;
	if (!x->started && (rc = start(x, err)) != 0)
		return rc;
	if (!x->threaded) {
		if (x->state < 0) {
			*err = x->ferr;
			return x->state;
		}
		if (x->state == 1)
			return 0;
		if (x->taken < x->pieces) {
			rc = fill(x, (int)(x->taken % (uint64_t)x->nslots),
				  x->taken, &x->cur, &x->ferr);
			if (!rc) {
				hand_out(x, data, items);
				take(x, *data, *items);
				return 1;
			}
		} else {
			rc = check_end(x, &x->ferr);
		}
		x->state = rc ? rc : 1;
		if (rc)
			*err = x->ferr;
		return rc;
	}
	pthread_mutex_lock(&x->mu);
	if (x->released < x->taken) {
		/* the caller is done with the piece it had */
		x->released = x->taken;
		pthread_cond_broadcast(&x->cv);
	}
	while (x->filled == x->taken && x->state == 0)
		pthread_cond_wait(&x->cv, &x->mu);
	if (x->filled > x->taken) {
		hand_out(x, data, items);
		pthread_mutex_unlock(&x->mu);
		take(x, *data, *items);
		return 1;
	}
	/* the reader has stopped */
	rc = x->state < 0 ? x->state : 0;
	if (rc)
		*err = x->ferr;
	pthread_mutex_unlock(&x->mu);
	return rc;
}

void vt_idx_stream_close(struct vt_idx_stream *x)
{
	if (!x)
		return;
	if (x->threaded) {
		pthread_mutex_lock(&x->mu);
		x->stop = true;
		pthread_cond_broadcast(&x->cv);
		pthread_mutex_unlock(&x->mu);
		pthread_join(x->th, NULL);
		pthread_cond_destroy(&x->cv);
		pthread_mutex_destroy(&x->mu);
	}
	for (int k = 0; k < VT_IDX_STREAM_MAX_SLOTS; k++)
		free(x->slot[k]);
	vt_tensor_release(&x->info);
	src_close(&x->s);
	free(x);
}

int vt_idx_read_mem(const void *buf, size_t len, const char *name,
		    uint64_t max_bytes, struct vt_tensor *t, struct vt_err *err)
{
	struct vt_idx_stream_opts o = { .max_bytes = max_bytes };
	struct vt_idx_stream *x;
	int rc;

	memset(t, 0, sizeof *t);
	rc = vt_idx_stream_open_mem(&x, buf, len, name, &o, err);
	if (!rc)
		rc = vt_idx_stream_read_all(x, t, err);
	vt_idx_stream_close(x);
	return rc;
}

int vt_idx_read(const char *path, uint64_t max_bytes, struct vt_tensor *t,
		struct vt_err *err)
{
	struct vt_idx_stream_opts o = { .max_bytes = max_bytes };
	struct vt_idx_stream *x;
	int rc;

	memset(t, 0, sizeof *t);
	rc = vt_idx_stream_open(&x, path, &o, err);
	if (!rc)
		rc = vt_idx_stream_read_all(x, t, err);
	vt_idx_stream_close(x);
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
