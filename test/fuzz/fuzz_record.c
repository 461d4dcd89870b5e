/* fuzz_record.c - libFuzzer target for the tensor record reader.
 *
 * The input is read as a stream (every record) and as a single record.  Each
 * record read is written again with vt_record_header / vt_record_write and
 * read back: it must parse to the same tensors, dimension names and metadata,
 * and writing that gives the same bytes (abort() otherwise).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/record.h"

#define MAX_RECORDS 4096

static void fail(const char *what, const struct vt_err *err)
{
	fprintf(stderr, "fuzz_record: %s%s%s\n", what, err ? ": " : "",
		err ? err->msg : "");
	abort();
}

/* One record as bytes, checking that the header and the write agree. */
static unsigned char *encode(const struct vt_record *r, size_t *len)
{
	struct vt_err err;
	char *json = NULL, *buf = NULL;
	size_t jlen;
	uint64_t dlen, n = 0;
	FILE *f;

	if (vt_record_header(r, &json, &jlen, &dlen, &err) != 0)
		fail("vt_record_header refused a record the reader accepted",
		     &err);
	if ((8 + jlen) % 64 != 0 || jlen == 0 || json[0] != '{')
		fail("header not padded to 64 or not an object", NULL);
	f = open_memstream(&buf, len);
	if (!f)
		abort();
	if (vt_record_write(f, "fuzz-out", r, &err) != 0)
		fail("vt_record_write refused a record the reader accepted",
		     &err);
	if (fclose(f) != 0)
		abort();
	if (*len != 8 + jlen + dlen)
		fail("written length differs from the header's", NULL);
	for (int i = 0; i < 8; i++)
		n |= (uint64_t)(unsigned char)buf[i] << (8 * i);
	if (n != jlen || memcmp(buf + 8, json, jlen) != 0)
		fail("written header differs from vt_record_header", NULL);
	free(json);
	return (unsigned char *)buf;
}

static void same_record(const struct vt_record *a, const struct vt_record *b)
{
	if (a->n_tensors != b->n_tensors || a->n_meta != b->n_meta)
		fail("round trip changed the tensor or metadata count", NULL);
	for (size_t i = 0; i < a->n_tensors; i++) {
		const struct vt_tensor *x = &a->tensors[i];
		const struct vt_tensor *y = vt_record_find(b, x->name);

		if (!y || x->dtype != y->dtype || x->rank != y->rank ||
		    x->nbytes != y->nbytes)
			fail("round trip changed a tensor's name, dtype, rank "
			     "or size", NULL);
		for (int k = 0; k < x->rank; k++)
			if (x->shape[k] != y->shape[k] ||
			    strcmp(x->dims[k], y->dims[k]) != 0)
				fail("round trip changed a shape or a "
				     "dimension name", NULL);
		if (x->nbytes && memcmp(x->data, y->data, x->nbytes) != 0)
			fail("round trip changed tensor data", NULL);
	}
	for (size_t i = 0; i < a->n_meta; i++) {
		const char *v = vt_record_meta_get(b, a->meta[i].key);

		if (!v || strcmp(v, a->meta[i].value) != 0)
			fail("round trip changed metadata", NULL);
	}
}

static void round_trip(const struct vt_record *r)
{
	struct vt_reader_opts opts = { .single = -1 };
	struct vt_reader *rd;
	struct vt_record back;
	struct vt_err err;
	unsigned char *once, *twice;
	size_t len1, len2;

	once = encode(r, &len1);
	if (vt_reader_open_mem(&rd, once, len1, "fuzz-out", &opts, &err) != 0)
		fail("open", &err);
	vt_record_init(&back);
	if (vt_reader_next(rd, &back, &err) != 1)
		fail("re-reading a written record failed", &err);
	same_record(r, &back);
	twice = encode(&back, &len2);
	if (len1 != len2 || memcmp(once, twice, len1) != 0)
		fail("writing the re-read record gave other bytes", NULL);
	if (vt_reader_next(rd, &back, &err) != 0)
		fail("a written record is followed by more input", &err);
	vt_record_release(&back);
	vt_reader_close(rd);
	free(twice);
	free(once);
}

static void read_all(const uint8_t *data, size_t size, int single)
{
	struct vt_reader_opts opts = { .single = single };
	struct vt_reader *rd;
	struct vt_record rec;
	struct vt_err err;
	int rc, n = 0;

	vt_err_clear(&err);
	if (vt_reader_open_mem(&rd, data, size, "fuzz", &opts, &err) != 0)
		return;   /* out of memory */
	vt_record_init(&rec);
	while ((rc = vt_reader_next(rd, &rec, &err)) == 1) {
		round_trip(&rec);
		if (++n == MAX_RECORDS)
			break;
	}
	if (rc < 0 && (err.code != rc || strncmp(err.msg, "'fuzz': ", 8) != 0))
		fail("a refusal without its status or the input's name", &err);
	if (single == 1 && n > 1)
		fail("single mode gave more than one record", NULL);
	vt_record_release(&rec);
	vt_reader_close(rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_all(data, size, -1);
	read_all(data, size, 1);
	return 0;
}
