/* reader.c - reading tensor records from files, streams and memory.
 *
 * Regular files are mapped, so a record's tensors are views and a file
 * larger than memory can still be inspected; pipes are read one record at a
 * time into a block the record owns.  Every size that comes from the input is
 * checked against the limits and the input's length before anything sized by
 * it is allocated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "header.h"
#include "vt/record.h"
#include "vt/size.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "vt reads and writes little-endian data in place: port the byte swaps"
#endif

struct vt_reader {
	char *name;
	int fd;                    /* -1 for memory and mapped input */
	bool own_fd;
	const unsigned char *mem;  /* memory or mapped input */
	size_t mem_len, pos;
	void *map;
	size_t map_len;
	int single;                /* 1: one record; -1: a stream */
	uint64_t max_header, max_data;
	uint64_t index;            /* the record being or last read */
	uint64_t count;            /* records returned */
	bool failed;
};

static const char *display(const char *path)
{
	return !path || strcmp(path, "-") == 0 ? "<stdin>" : path;
}

static int single_from(const struct vt_reader_opts *o, const char *path)
{
	size_t n;

	if (o && o->single)
		return o->single > 0 ? 1 : -1;
	if (!path)
		return -1;
	n = strlen(path);
	return n >= 12 && strcmp(path + n - 12, ".safetensors") == 0 ? 1 : -1;
}

static int make_reader(struct vt_reader **out, const char *name,
		       const struct vt_reader_opts *opts, int single,
		       struct vt_err *err)
{
	struct vt_reader *rd = calloc(1, sizeof *rd);
	size_t n = strlen(name) + 1;

	if (!rd || !(rd->name = malloc(n))) {
		free(rd);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	memcpy(rd->name, name, n);
	rd->fd = -1;
	rd->single = single;
	rd->max_header = opts && opts->max_header ? opts->max_header :
			 VT_HEADER_LIMIT_DEFAULT;
	if (rd->max_header > VT_HEADER_LIMIT_MAX)
		rd->max_header = VT_HEADER_LIMIT_MAX;
	rd->max_data = opts ? opts->max_data : 0;
	*out = rd;
	return 0;
}

int vt_reader_open_mem(struct vt_reader **out, const void *buf, size_t len,
		       const char *name, const struct vt_reader_opts *opts,
		       struct vt_err *err)
{
	int rc = make_reader(out, name ? name : "<memory>", opts,
			     opts && opts->single ? single_from(opts, NULL) :
			     single_from(NULL, name), err);

	if (rc)
		return rc;
	(*out)->mem = buf;
	(*out)->mem_len = len;
	return 0;
}

static int open_fd(struct vt_reader **out, int fd, bool own, const char *name,
		   const struct vt_reader_opts *opts, int single,
		   struct vt_err *err)
{
	struct stat st;
	struct vt_reader *rd;
	int rc = make_reader(out, name, opts, single, err);

	if (rc)
		return rc;
	rd = *out;
	rd->fd = fd;
	rd->own_fd = own;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    !(opts && opts->no_mmap) && st.st_size > 0 &&
	    (uint64_t)st.st_size <= SIZE_MAX) {
		off_t here = lseek(fd, 0, SEEK_CUR);
		if (here >= 0 && here <= st.st_size) {
			void *m = mmap(NULL, (size_t)st.st_size, PROT_READ,
				       MAP_PRIVATE, fd, 0);
			if (m != MAP_FAILED) {
				madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
				rd->map = m;
				rd->map_len = (size_t)st.st_size;
				rd->mem = m;
				rd->mem_len = (size_t)st.st_size;
				rd->pos = (size_t)here;
			}
		}
	}
	return 0;
}

int vt_reader_open_fd(struct vt_reader **out, int fd, const char *name,
		      const struct vt_reader_opts *opts, struct vt_err *err)
{
	return open_fd(out, fd, false, display(name), opts,
		       single_from(opts, name), err);
}

int vt_reader_open(struct vt_reader **out, const char *path,
		   const struct vt_reader_opts *opts, struct vt_err *err)
{
	int fd, rc;
	struct stat st;

	if (!path || strcmp(path, "-") == 0)
		return open_fd(out, STDIN_FILENO, false, "<stdin>", opts,
			       single_from(opts, NULL), err);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vt_err_sys(err, VT_EOPEN, "'%s': cannot open", path);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return vt_err_set(err, VT_EOPEN, "'%s': is a directory", path);
	}
	rc = open_fd(out, fd, true, path, opts, single_from(opts, path), err);
	if (rc)
		close(fd);
	return rc;
}

void vt_reader_close(struct vt_reader *rd)
{
	if (!rd)
		return;
	if (rd->map)
		munmap(rd->map, rd->map_len);
	if (rd->own_fd && rd->fd >= 0)
		close(rd->fd);
	free(rd->name);
	free(rd);
}

uint64_t vt_reader_index(const struct vt_reader *rd)
{
	return rd->index;
}

const char *vt_reader_name(const struct vt_reader *rd)
{
	return rd->name;
}

uint64_t vt_reader_size(const struct vt_reader *rd)
{
	return rd->fd < 0 || rd->map ? rd->mem_len : 0;
}

static bool is_mem(const struct vt_reader *rd)
{
	return rd->fd < 0 || rd->map;
}

/* Read up to n bytes from the descriptor; *got is what arrived before EOF. */
static int read_full(struct vt_reader *rd, void *buf, size_t n, size_t *got,
		     struct vt_err *err)
{
	size_t done = 0;

	while (done < n) {
		ssize_t k = read(rd->fd, (char *)buf + done, n - done);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return vt_err_sys(err, VT_EIO, "'%s': record %llu: read error",
					  rd->name, (unsigned long long)rd->index);
		}
		if (k == 0)
			break;
		done += (size_t)k;
	}
	*got = done;
	return 0;
}

static int fail(struct vt_reader *rd, struct vt_err *err, int code,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct vt_reader *rd, struct vt_err *err, int code,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vt_err_vset(err, code, fmt, ap);
	va_end(ap);
	vt_err_prefix(err, "'%s': record %llu", rd->name,
		      (unsigned long long)rd->index);
	rd->failed = true;
	return code;
}

/* Add file and record to the message already in err. */
static int fail_here(struct vt_reader *rd, struct vt_err *err, int code)
{
	vt_err_prefix(err, "'%s': record %llu", rd->name,
		      (unsigned long long)rd->index);
	err->code = code;
	rd->failed = true;
	return code;
}

/* Bytes left in a memory or mapped input. */
static uint64_t mem_left(const struct vt_reader *rd)
{
	return rd->mem_len - rd->pos;
}

/* The bytes left in the input and its whole size, where they are known: in
 * memory, a mapped file, or a regular file read through its descriptor
 * (checked before anything sized by the header is allocated). */
static bool input_left(const struct vt_reader *rd, uint64_t *left,
		       uint64_t *total)
{
	struct stat st;
	off_t here;

	if (is_mem(rd)) {
		*left = mem_left(rd);
		*total = rd->mem_len;
		return true;
	}
	if (fstat(rd->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	here = lseek(rd->fd, 0, SEEK_CUR);
	if (here < 0 || here > st.st_size)
		return false;
	*left = (uint64_t)(st.st_size - here);
	*total = (uint64_t)st.st_size;
	return true;
}

/* Read the data block of L bytes from a descriptor, growing the buffer as
 * data arrives so a lying header cannot make us allocate what never comes. */
static int read_block(struct vt_reader *rd, uint64_t L, void **out,
		      struct vt_err *err)
{
	size_t cap = L < ((size_t)64 << 20) ? (size_t)L : ((size_t)64 << 20);
	unsigned char *b = malloc(cap ? cap : 1);
	size_t have = 0;

	if (!b)
		return fail(rd, err, VT_ENOMEM, "out of memory for %llu bytes",
			    (unsigned long long)L);
	while (have < L) {
		size_t got, want;
		int rc;
		if (have == cap) {
			size_t ncap = cap * 2 > L ? (size_t)L : cap * 2;
			unsigned char *nb = realloc(b, ncap);
			if (!nb) {
				free(b);
				return fail(rd, err, VT_ENOMEM,
					    "out of memory for %llu bytes",
					    (unsigned long long)L);
			}
			b = nb;
			cap = ncap;
		}
		want = cap - have;
		rc = read_full(rd, b + have, want, &got, err);
		if (rc) {
			free(b);
			rd->failed = true;
			return rc;
		}
		have += got;
		if (got < want) {
			free(b);
			return fail(rd, err, VT_EFORMAT,
				    "truncated: data needs %llu bytes, input "
				    "ended after %zu", (unsigned long long)L,
				    have);
		}
	}
	*out = b;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	const struct vt_tensor *x = *(const struct vt_tensor *const *)a;
	const struct vt_tensor *y = *(const struct vt_tensor *const *)b;

	return strcmp(x->name, y->name);
}

static char *copy_str(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p)
		memcpy(p, s, len + 1);
	return p;
}

/* Append one metadata entry (room for it was reserved). */
static int meta_append(struct vt_record *rec, const struct vt_hdr_meta *m)
{
	struct vt_meta *e = &rec->meta[rec->n_meta];

	VT_BUG(rec->n_meta >= rec->cap_meta);
	e->key = copy_str(m->key, m->key_len);
	e->value = copy_str(m->value, m->value_len);
	if (!e->key || !e->value) {
		free(e->key);
		free(e->value);
		return VT_ENOMEM;
	}
	rec->n_meta++;
	return 0;
}

/* Turn the parsed header into the record: tensors in header order (which is
 * data order in files vt writes), dims from vt.dims.*, other metadata kept. */
static int build(struct vt_reader *rd, struct vt_hdr *h, unsigned char *data,
		 struct vt_record *rec, struct vt_err *err)
{
	struct vt_tensor **by_name = NULL;
	int rc;

	rc = vt_record_reserve(rec, h->n_tensors, err);
	if (rc)
		return fail(rd, err, rc, "out of memory");
	if (h->n_meta > rec->cap_meta) {
		void *p = vt_realloc_array(rec->meta, h->n_meta, sizeof *rec->meta);
		if (!p)
			return fail(rd, err, VT_ENOMEM, "out of memory");
		rec->meta = p;
		rec->cap_meta = h->n_meta;
	}
	for (size_t i = 0; i < h->n_tensors; i++) {
		const struct vt_hdr_tensor *ht = &h->tensors[i];
		struct vt_tensor *t = &rec->tensors[rec->n_tensors];
		unsigned char *p = data + ht->begin;
		size_t esz = vt_dtype_size(ht->dtype);

		rc = vt_tensor_init_view(t, NULL, ht->dtype, ht->rank, ht->shape,
					 p, err);
		if (!rc) {
			t->name = malloc(ht->name_len + 1);
			if (!t->name)
				rc = vt_err_set(err, VT_ENOMEM, "out of memory");
			else
				memcpy(t->name, ht->name, ht->name_len + 1);
		}
		if (!rc && ((uintptr_t)p % esz) != 0)
			rc = vt_tensor_own(t, err); /* aligned copy */
		if (rc) {
			vt_tensor_release(t);
			vt_err_prefix(err, "tensor '%s'", ht->name);
			return fail_here(rd, err, rc);
		}
		rec->n_tensors++;
	}

	by_name = vt_malloc_array(rec->n_tensors ? rec->n_tensors : 1,
				  sizeof *by_name);
	if (!by_name)
		return fail(rd, err, VT_ENOMEM, "out of memory");
	for (size_t i = 0; i < rec->n_tensors; i++)
		by_name[i] = &rec->tensors[i];
	qsort(by_name, rec->n_tensors, sizeof *by_name, cmp_name);

	for (size_t i = 0; i < h->n_meta; i++) {
		const struct vt_hdr_meta *m = &h->meta[i];
		if (strcmp(m->key, "vt.format") == 0) {
			if (strcmp(m->value, "1") != 0) {
				rc = fail(rd, err, VT_EUNSUP,
					  "unsupported vt.format '%.40s' (this "
					  "vt reads format 1)", m->value);
				break;
			}
			continue;
		}
		if (strncmp(m->key, "vt.dims.", 8) == 0) {
			struct vt_tensor key = { .name = (char *)m->key + 8 };
			struct vt_tensor *kp = &key, **hit;
			hit = bsearch(&kp, by_name, rec->n_tensors, sizeof *by_name,
				      cmp_name);
			if (!hit) {
				rc = fail(rd, err, VT_EFORMAT,
					  "metadata '%.300s' names no tensor",
					  m->key);
				break;
			}
			rc = vt_tensor_set_dims(*hit, m->value, m->value_len, err);
			if (rc) {
				vt_err_prefix(err, "metadata '%.300s'", m->key);
				rc = fail_here(rd, err, VT_EFORMAT);
				break;
			}
			continue;
		}
		/* The header has no duplicate keys: append without the search
		 * vt_record_meta_set makes, which is quadratic in the keys. */
		rc = meta_append(rec, m);
		if (rc) {
			rc = fail(rd, err, rc, "out of memory");
			break;
		}
	}
	free(by_name);
	return rc;
}

int vt_reader_next(struct vt_reader *rd, struct vt_record *rec,
		   struct vt_err *err)
{
	unsigned char lenbuf[8];
	uint64_t N, L;
	char *hbuf = NULL;
	void *block = NULL;
	const char *hp;
	struct vt_hdr h;
	uint64_t left, total;
	size_t got;
	int rc;

	vt_record_release(rec);
	if (rd->failed)
		return vt_err_set(err, VT_EBUG, "'%s': read after an error",
				  rd->name);
	rd->index = rd->count;

	/* the length, or a clean end of input */
	if (is_mem(rd)) {
		got = mem_left(rd) < 8 ? (size_t)mem_left(rd) : 8;
		if (got)
			memcpy(lenbuf, rd->mem + rd->pos, got);
		rd->pos += got;
	} else {
		rc = read_full(rd, lenbuf, 8, &got, err);
		if (rc) {
			rd->failed = true;
			return rc;
		}
	}
	if (got == 0) {
		if (rd->count == 0 && rd->single == 1)
			return fail(rd, err, VT_EFORMAT,
				    "empty input, expected one record");
		return 0;
	}
	if (rd->count > 0 && rd->single == 1)
		return fail(rd, err, VT_EFORMAT,
			    "trailing data after the only record of a "
			    ".safetensors file");
	if (got < 8)
		return fail(rd, err, VT_EFORMAT,
			    "truncated in the header length (%zu of 8 bytes)", got);
	N = 0;
	for (int i = 7; i >= 0; i--)
		N = N << 8 | lenbuf[i];
	if (N > rd->max_header)
		return fail(rd, err, VT_ELIMIT,
			    "header length %llu exceeds the limit of %llu bytes",
			    (unsigned long long)N,
			    (unsigned long long)rd->max_header);
	if (input_left(rd, &left, &total) && N > left)
		return fail(rd, err, VT_EFORMAT,
			    "truncated: header length %llu exceeds the "
			    "%llu bytes left in the input",
			    (unsigned long long)N, (unsigned long long)left);
	if (is_mem(rd)) {
		hp = (const char *)rd->mem + rd->pos;
		rd->pos += (size_t)N;
	} else {
		hbuf = malloc(N ? (size_t)N : 1);
		if (!hbuf)
			return fail(rd, err, VT_ENOMEM, "out of memory");
		rc = read_full(rd, hbuf, (size_t)N, &got, err);
		if (rc) {
			free(hbuf);
			rd->failed = true;
			return rc;
		}
		if (got < N) {
			free(hbuf);
			return fail(rd, err, VT_EFORMAT,
				    "truncated: header needs %llu bytes, input "
				    "ended after %zu", (unsigned long long)N, got);
		}
		hp = hbuf;
	}

	rc = vt_hdr_parse(&h, hp, (size_t)N, err);
	free(hbuf);
	if (rc)
		return fail_here(rd, err, rc);
	L = h.data_len;
	if (rd->max_data && L > rd->max_data) {
		vt_hdr_release(&h);
		return fail(rd, err, VT_ELIMIT,
			    "data length %llu exceeds the limit of %llu bytes",
			    (unsigned long long)L,
			    (unsigned long long)rd->max_data);
	}
	if (input_left(rd, &left, &total)) {
		if (L > left) {
			vt_hdr_release(&h);
			return fail(rd, err, VT_EFORMAT,
				    "truncated: data needs %llu bytes, input has %llu",
				    (unsigned long long)L, (unsigned long long)left);
		}
		if (rd->single == 1 && L != left) {
			vt_hdr_release(&h);
			return fail(rd, err, VT_EFORMAT,
				    "file size %llu is not 8 + header %llu + data "
				    "%llu (%llu trailing bytes)",
				    (unsigned long long)total,
				    (unsigned long long)N, (unsigned long long)L,
				    (unsigned long long)(left - L));
		}
	}
	if (is_mem(rd)) {
		rc = build(rd, &h, (unsigned char *)rd->mem + rd->pos, rec, err);
		rd->pos += (size_t)L;
	} else {
		rc = read_block(rd, L, &block, err);
		if (!rc) {
			rec->block = block;
			rc = build(rd, &h, block, rec, err);
		}
	}
	vt_hdr_release(&h);
	if (rc) {
		vt_record_release(rec);
		return rc;
	}
	rd->count++;
	return 1;
}

int vt_record_load(const char *path, struct vt_record *rec,
		   const struct vt_reader_opts *opts, struct vt_err *err)
{
	struct vt_reader_opts o = opts ? *opts : (struct vt_reader_opts){ 0 };
	struct vt_reader *rd;
	struct vt_record extra;
	int rc;

	o.single = 1;
	o.no_mmap = true; /* the record must outlive the reader */
	rc = vt_reader_open(&rd, path, &o, err);
	if (rc)
		return rc;
	rc = vt_reader_next(rd, rec, err);
	if (rc == 1) {
		vt_record_init(&extra);
		rc = vt_reader_next(rd, &extra, err); /* must be the end */
		vt_record_release(&extra);
		if (rc != 0)
			vt_record_release(rec);
	}
	vt_reader_close(rd);
	return rc;
}
