/* run.c - a cutout-aug run: image files in parallel, or tensor streams. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vt/augment.h"
#include "vt/cli.h"
#include "vt/idx.h"
#include "vt/image.h"
#include "vt/outfile.h"
#include "vt/record.h"
#include "vt/size.h"
#include "vt/json.h"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

bool vt_aug_is_tensor_path(const char *path)
{
	return path && (has_suffix(path, ".safetensors") ||
			has_suffix(path, ".vts"));
}

static void json_rects(FILE *f, const struct vt_rect *R, int n)
{
	fputs(",\"rects\":[", f);
	for (int q = 0; q < n; q++)
		fprintf(f, "%s[%lld,%lld,%lld,%lld]", q ? "," : "",
			(long long)R[q].x1, (long long)R[q].y1,
			(long long)R[q].x2, (long long)R[q].y2);
	fputs("]}\n", f);
}

/* ---- images ---- */

struct item {
	char *in;
	char *rel;     /* path under the output directory */
	char *log;     /* JSON lines of this image */
	size_t log_len;
};

struct items {
	struct item *v;
	size_t n, cap;
};

static int add_item(struct items *l, const char *in, const char *rel,
		    struct vt_err *err)
{
	struct item *it;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct item *v = vt_realloc_array(l->v, cap, sizeof *v);

		if (!v)
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	it = &l->v[l->n];
	memset(it, 0, sizeof *it);
	it->in = strdup(in);
	it->rel = strdup(rel);
	if (!it->in || !it->rel) {
		free(it->in);
		free(it->rel);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	l->n++;
	return 0;
}

/* The output path of a file argument: itself when relative and without
 * "..", else its base name. */
static const char *rel_of_file(const char *p)
{
	const char *s = strrchr(p, '/');

	if (p[0] == '/' || strstr(p, "..") != NULL)
		return s ? s + 1 : p;
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	return p;
}

static int add_path(struct items *l, const char *p, const char *ext,
		    struct vt_err *err)
{
	struct stat st;
	char **paths = NULL;
	size_t n = 0, dlen = strlen(p);
	int rc;

	if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
		return add_item(l, p, rel_of_file(p), err);
	rc = vt_aug_walk(p, ext, &paths, &n, err);
	for (size_t i = 0; i < n; i++) {
		if (!rc)
			rc = add_item(l, paths[i], paths[i] + dlen +
				      (p[dlen - 1] != '/'), err);
		free(paths[i]);
	}
	free(paths);
	return rc;
}

static int collect(const struct vt_aug_run *r, struct items *l,
		   struct vt_err *err)
{
	for (int i = 0; i < r->n_inputs; i++) {
		int rc = 0;

		if (strcmp(r->inputs[i], "-") == 0) {
			char *line = NULL;
			size_t cap = 0;
			ssize_t len;

			while (!rc && (len = getline(&line, &cap, stdin)) > 0) {
				while (len > 0 && (line[len - 1] == '\n' ||
						   line[len - 1] == '\r'))
					line[--len] = 0;
				if (len)
					rc = add_path(l, line, r->ext, err);
			}
			free(line);
			if (!rc && ferror(stdin))
				rc = vt_err_sys(err, VT_EIO, "standard input: "
						"read error");
		} else {
			rc = add_path(l, r->inputs[i], r->ext, err);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static const char *const write_ext[] = { "png", "jpg", "bmp", "tga" };

/* out/rel with the copy number and extension: malloc'd. */
static char *out_path(const struct vt_aug_run *r, const char *rel, int k,
		      const char *suffix)
{
	const char *slash = strrchr(rel, '/');
	const char *dot = strrchr(rel, '.');
	size_t stem, len;
	enum vt_image_format f;
	char *p, copy[32] = "";
	const char *ext;

	if (!dot || (slash && dot < slash))
		dot = rel + strlen(rel);
	stem = (size_t)(dot - rel);
	ext = *dot ? dot + 1 : "";
	if (r->has_format)
		ext = write_ext[r->format];
	else if (vt_image_format_from_path(rel, &f, NULL) != 0)
		ext = "png";    /* GIF, PNM, ...: written as PNG */
	if (suffix)
		ext = suffix;
	if (r->copies > 1)
		snprintf(copy, sizeof copy, "-%d", k);
	len = strlen(r->out) + stem + strlen(copy) + strlen(ext) + 4;
	p = malloc(len);
	if (p)
		snprintf(p, len, "%s/%.*s%s.%s", r->out, (int)stem, rel, copy,
			 ext);
	return p;
}

struct shared {
	const struct vt_aug_run *r;
	const struct vt_aug_labels *labels;   /* NULL without --boxes */
	struct items *items;
	atomic_size_t next, done;
	atomic_int stop;
	pthread_mutex_t mu;
	size_t fail_idx;
	struct vt_err fail;
	struct vt_progress prog;
};

static int write_mask(const struct vt_aug_run *r, const char *rel, int k,
		      int64_t h, int64_t w, const struct vt_rect *R, int n,
		      struct vt_err *err)
{
	struct vt_tensor m;
	char *path = out_path(r, rel, k, "mask.png");
	int rc = path ? 0 : vt_err_set(err, VT_ENOMEM, "out of memory");

	if (!rc)
		rc = vt_tensor_init(&m, NULL, VT_U8, 3, (uint64_t[3]){
				    (uint64_t)h, (uint64_t)w, 1 }, err);
	if (!rc) {
		vt_aug_mask(m.data, h, w, R, n, 255);
		rc = vt_image_write_flags(path, &m, 0, VT_OUTFILE_NOSYNC,
						  err);
		vt_tensor_release(&m);
	}
	free(path);
	return rc;
}

/* A worker's own state: rectangles, and the last output directory it made
 * (consecutive images mostly share one, so it is created once). */
struct wstate {
	struct vt_rect *R;
	char *dir;
};

/* vt_mkdirs_for unless path's directory is the one made last. */
static int make_dir_of(struct wstate *w, const char *path,
		       struct vt_err *err)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;
	int rc;

	if (w->dir && strlen(w->dir) == len && !memcmp(w->dir, path, len))
		return 0;
	rc = vt_mkdirs_for(path, err);
	free(w->dir);
	w->dir = rc ? NULL : strndup(path, len);
	return rc;
}

static int one_image(struct shared *s, size_t i, struct wstate *ws,
		     struct vt_err *err)
{
	struct vt_rect *R = ws->R;
	const struct vt_aug_run *r = s->r;
	struct item *it = &s->items->v[i];
	struct vt_tensor img, work = { 0 };
	struct vt_aug_guard g = { NULL, 0, r->max_occlusion };
	double *boxes = NULL;
	FILE *log = NULL;
	int rc = vt_image_read(it->in, 0, NULL, &img, err);

	if (rc)
		return rc;
	if (s->labels) {
		rc = vt_aug_labels_find(s->labels, it->in,
					(int64_t)img.shape[1],
					(int64_t)img.shape[0], &boxes, &g.n,
					err);
		g.boxes = boxes;
	}
	if (r->log && !(log = open_memstream(&it->log, &it->log_len)))
		rc = vt_err_sys(err, VT_ENOMEM, "log buffer");
	/* one copy: the holes go into the decoded image itself; more: each
	 * into a scratch copy */
	if (!rc && r->copies > 1)
		rc = vt_tensor_init(&work, NULL, VT_U8, 3, img.shape, err);
	for (int k = 0; !rc && k < r->copies; k++) {
		uint64_t stream = (uint64_t)i * (uint64_t)r->copies + (uint64_t)k;
		struct vt_tensor *out = r->copies > 1 ? &work : &img;
		char *path = NULL;
		int n = 0, skipped = 0;

		if (out == &work)
			memcpy(work.data, img.data, img.nbytes);
		rc = vt_aug_image_guarded(&r->job, out, stream, it->in, &g, R,
					  &n, &skipped, err);
		if (!rc && !(path = out_path(r, it->rel, k, NULL)))
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
		if (!rc)
			rc = make_dir_of(ws, path, err);
		if (!rc)
			rc = vt_image_write_flags(path, out, r->quality,
						  VT_OUTFILE_NOSYNC, err);
		if (!rc && r->masks)
			rc = write_mask(r, it->rel, k, (int64_t)img.shape[0],
					(int64_t)img.shape[1], R, n, err);
		if (!rc && log) {
			fputs("{\"input\":", log);
			vt_json_put_string(log, it->in);
			fputs(",\"output\":", log);
			vt_json_put_string(log, path);
			fprintf(log, ",\"index\":%zu,\"copy\":%d,\"width\":%llu,"
				"\"height\":%llu", i, k,
				(unsigned long long)img.shape[1],
				(unsigned long long)img.shape[0]);
			if (s->labels)
				fprintf(log, ",\"boxes\":%zu,\"skipped\":%d",
					g.n, skipped);
			json_rects(log, R, n);
		}
		free(path);
	}
	if (log && fclose(log) != 0 && !rc)
		rc = vt_err_sys(err, VT_ENOMEM, "log buffer");
	vt_tensor_release(&work);
	vt_tensor_release(&img);
	free(boxes);
	return rc;
}

static void fail_at(struct shared *s, size_t i, const struct vt_err *err)
{
	pthread_mutex_lock(&s->mu);
	if (i < s->fail_idx) {
		s->fail_idx = i;
		s->fail = *err;
	}
	pthread_mutex_unlock(&s->mu);
	atomic_store(&s->stop, 1);
}

/* One image; false when nothing is left to do. */
static bool step(struct shared *s, struct wstate *ws)
{
	size_t i = atomic_fetch_add(&s->next, 1);
	struct vt_err err;

	if (i >= s->items->n || atomic_load(&s->stop))
		return false;
	if (one_image(s, i, ws, &err)) {
		fail_at(s, i, &err);
		return false;
	}
	atomic_fetch_add(&s->done, 1);
	return true;
}

static void *worker(void *arg)
{
	struct shared *s = arg;
	struct vt_rect *R = malloc(sizeof *R * (size_t)s->r->job.aug.holes);
	struct vt_err err;

	if (!R) {
		vt_err_set(&err, VT_ENOMEM, "out of memory");
		fail_at(s, 0, &err);
		return NULL;
	}
	struct wstate ws = { R, NULL };

	while (step(s, &ws))
		;
	free(ws.dir);
	free(R);
	return NULL;
}

static int write_log(const struct vt_aug_run *r, const struct items *l,
		     struct vt_err *err)
{
	struct vt_outfile of;
	int rc = vt_outfile_open(&of, r->log, err);

	for (size_t i = 0; !rc && i < l->n; i++)
		if (l->v[i].log_len &&
		    fwrite(l->v[i].log, 1, l->v[i].log_len, of.fp) !=
			    l->v[i].log_len)
			rc = vt_err_sys(err, VT_EIO, "'%s': write error", r->log);
	if (!rc)
		return vt_outfile_commit(&of, err);
	vt_outfile_abort(&of);
	return rc;
}

int vt_aug_run_images(const struct vt_aug_run *r, struct vt_err *err)
{
	struct items l = { 0 };
	struct shared s = { .r = r, .items = &l, .fail_idx = SIZE_MAX };
	struct vt_aug_labels labels;
	pthread_t th[256];
	struct vt_rect *R;
	int nth = 0, rc = 0;

	if (r->boxes) {
		rc = vt_aug_labels_open(&labels, r->boxes, err);
		if (rc)
			return rc;
		s.labels = &labels;
	}
	rc = collect(r, &l, err);

	if (!rc && l.n == 0)
		rc = vt_err_set(err, VT_EOPEN, "no image found in the inputs");
	if (!rc) {
		pthread_mutex_init(&s.mu, NULL);
		vt_progress_start(&s.prog, "images", l.n);
		for (int t = 1; t < r->jobs && (size_t)t < l.n; t++) {
			if (pthread_create(&th[nth], NULL, worker, &s) != 0)
				break;
			nth++;
		}
		/* this thread works too, and draws the progress bar between
		 * images */
		R = malloc(sizeof *R * (size_t)r->job.aug.holes);
		if (!R) {
			vt_err_set(err, VT_ENOMEM, "out of memory");
			fail_at(&s, 0, err);
		}
		struct wstate ws = { R, NULL };

		while (R && step(&s, &ws))
			vt_progress_update(&s.prog, atomic_load(&s.done));
		free(ws.dir);
		free(R);
		for (int t = 0; t < nth; t++)
			pthread_join(th[t], NULL);
		vt_progress_end(&s.prog);
		pthread_mutex_destroy(&s.mu);
		if (s.fail_idx != SIZE_MAX) {
			*err = s.fail;
			rc = err->code;
		}
	}
	if (!rc && r->log)
		rc = write_log(r, &l, err);
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].in);
		free(l.v[i].rel);
		free(l.v[i].log);
	}
	free(l.v);
	if (s.labels)
		vt_aug_labels_release(&labels);
	return rc;
}

/* ---- tensors ---- */

/* The image tensor of a record: --tensor NAME, else the first with H and W
 * dimension names, else (with --layout) the first of the layout's rank. */
static struct vt_tensor *find_image(const struct vt_aug_run *r,
				    const struct vt_record *rec,
				    struct vt_err *err)
{
	int rank = 1;

	if (r->tensor) {
		struct vt_tensor *t = vt_record_find(rec, r->tensor);

		if (!t)
			vt_err_set(err, VT_EFORMAT, "no tensor '%s'", r->tensor);
		return t;
	}
	for (size_t i = 0; i < rec->n_tensors; i++) {
		struct vt_tensor *t = &rec->tensors[i];

		if (vt_tensor_dim_index(t, "H") >= 0 &&
		    vt_tensor_dim_index(t, "W") >= 0)
			return t;
	}
	if (r->layout) {
		for (const char *c = r->layout; *c; c++)
			rank += *c == ',';
		for (size_t i = 0; i < rec->n_tensors; i++)
			if (rec->tensors[i].rank == rank &&
			    !vt_tensor_has_dims(&rec->tensors[i]))
				return &rec->tensors[i];
		vt_err_set(err, VT_EFORMAT, "no tensor of rank %d for --layout "
			   "%s", rank, r->layout);
		return NULL;
	}
	vt_err_set(err, VT_EFORMAT, "no image tensor (none has dimension "
		   "names H and W; give --tensor NAME or --layout)");
	return NULL;
}

struct tstate {
	const struct vt_aug_run *r;
	struct vt_outfile out, log;
	uint64_t index;      /* images so far */
	struct vt_rect *R;
};

/* The log line of item i of the current record, copy k, n rectangles. */
static void log_item(struct tstate *st, const char *name, uint64_t i, int k,
		     int n)
{
	FILE *f = st->log.fp;

	fputs("{\"input\":", f);
	vt_json_put_string(f, name);
	fprintf(f, ",\"item\":%llu,\"index\":%llu,\"copy\":%d",
		(unsigned long long)i, (unsigned long long)(st->index + i), k);
	json_rects(f, st->R, n);
}

static int make_mask(const struct vt_tensor *img, const struct vt_aug_layout *l,
		     struct vt_tensor *m, struct vt_err *err)
{
	char name[VT_TENSOR_NAME_MAX + 8];
	uint64_t shape[3];
	int rank = 0, rc;

	if (l->n >= 0)
		shape[rank++] = img->shape[l->n];
	shape[rank++] = img->shape[l->h];
	shape[rank++] = img->shape[l->w];
	snprintf(name, sizeof name, "%s_mask", img->name);
	rc = vt_tensor_init(m, name, VT_U8, rank, shape, err);
	if (!rc)
		rc = vt_tensor_set_dims(m, rank == 3 ? "N,H,W" : "H,W",
					rank == 3 ? 5 : 3, err);
	return rc;
}

/* The record out: rec's metadata and tensors as views (data NULL for the
 * image, written a chunk at a time), and the mask's shape when asked. */
static int out_record(const struct vt_record *rec, const struct vt_tensor *img,
		      const struct vt_tensor *mask, struct vt_record *out,
		      struct vt_err *err)
{
	int rc = 0;

	vt_record_init(out);
	for (size_t i = 0; !rc && i < rec->n_meta; i++)
		rc = vt_record_meta_set(out, rec->meta[i].key,
					rec->meta[i].value, err);
	for (size_t i = 0; !rc && i <= rec->n_tensors; i++) {
		const struct vt_tensor *t = i < rec->n_tensors
						    ? &rec->tensors[i]
						    : mask;
		struct vt_tensor v;

		if (!t)
			break;
		rc = vt_tensor_init_view(&v, t->name, t->dtype, t->rank,
					 t->shape,
					 t == img || t == mask ? NULL : t->data,
					 err);
		if (!rc) {
			memcpy(v.dims, t->dims, sizeof v.dims);
			rc = vt_record_add(out, &v, err);
			vt_tensor_release(&v);
		}
	}
	return rc;
}

/* Images are masked a chunk of this many bytes at a time (at least one
 * image), copied out of the record's data (mapped, never changed) into a
 * buffer that stays in cache, and written. */
#define CHUNK_BYTES (1u << 20)

/* One copy of rec: header, then each tensor's data in disk order, the
 * image's masked chunk by chunk. */
static int one_copy(struct tstate *st, const char *name,
		    const struct vt_record *rec, const struct vt_tensor *img,
		    const struct vt_aug_layout *l, int k, unsigned char *buf,
		    uint64_t per, struct vt_progress *prog, struct vt_err *err)
{
	const struct vt_aug_run *r = st->r;
	const char *oname = r->out && strcmp(r->out, "-") ? r->out
							   : "<stdout>";
	uint64_t n_img = l->n >= 0 ? img->shape[l->n] : 1;
	uint64_t item_bytes = l->n == 0 ? (n_img ? img->nbytes / n_img : 0)
					: img->nbytes;
	uint64_t plane = img->shape[l->h] * img->shape[l->w];
	const struct vt_tensor **order = NULL;
	struct vt_tensor mask = { 0 };
	struct vt_record out;
	int rc = r->masks ? make_mask(img, l, &mask, err) : 0;

	if (!rc)
		rc = out_record(rec, img, r->masks ? &mask : NULL, &out, err);
	if (!rc)
		rc = vt_record_write_header(st->out.fp, r->out, &out, err);
	if (!rc)
		rc = vt_record_data_order(&out, &order, err);
	for (size_t t = 0; !rc && t < out.n_tensors; t++) {
		const struct vt_tensor *o = order[t];
		const void *data = NULL;
		size_t len = 0;

		if (!strcmp(o->name, img->name)) {
			for (uint64_t first = 0; !rc && first < n_img;
			     first += per) {
				uint64_t cnt = n_img - first < per ? n_img - first
								   : per;
				struct vt_tensor piece = *img;

				if (l->n == 0)
					piece.shape[0] = cnt;
				piece.nbytes = (size_t)(cnt * item_bytes);
				piece.data = buf;
				piece.owns_data = false;
				memcpy(buf, (const unsigned char *)img->data +
						    first * item_bytes,
				       piece.nbytes);
				for (uint64_t i = 0; !rc && i < cnt; i++) {
					uint64_t item = first + i;
					uint64_t stream = (st->index + item) *
								  (uint64_t)r->copies +
							  (uint64_t)k;
					int n = 0;

					if ((item & 4095) == 0)
						vt_progress_update(prog,
							(uint64_t)k * n_img +
								item);
					rc = vt_aug_tensor_image(&r->job, &piece,
								 l, i, stream,
								 name, st->R,
								 &n, err);
					if (!rc && r->masks)
						vt_aug_mask((uint8_t *)mask.data +
								    item * plane,
							    (int64_t)img->shape[l->h],
							    (int64_t)img->shape[l->w],
							    st->R, n, 1);
					if (!rc && r->log)
						log_item(st, name, item, k, n);
				}
				if (!rc && piece.nbytes &&
				    fwrite(buf, 1, piece.nbytes, st->out.fp) !=
					    piece.nbytes)
					rc = vt_err_sys(err, VT_EIO, "'%s': write "
							"error", oname);
			}
			continue;
		}
		if (r->masks && !strcmp(o->name, mask.name)) {
			data = mask.data;
			len = mask.nbytes;
		} else {
			const struct vt_tensor *src = vt_record_find(rec,
								     o->name);

			data = src->data;
			len = src->nbytes;
		}
		if (len && fwrite(data, 1, len, st->out.fp) != len)
			rc = vt_err_sys(err, VT_EIO, "'%s': write error", oname);
	}
	free(order);
	vt_record_release(&out);
	vt_tensor_release(&mask);
	return rc;
}

static int one_record(struct tstate *st, const char *name,
		      const struct vt_record *rec, struct vt_err *err)
{
	const struct vt_aug_run *r = st->r;
	struct vt_tensor *img = find_image(r, rec, err);
	struct vt_aug_layout l;
	struct vt_progress prog;
	uint64_t n_img, item_bytes, per;
	unsigned char *buf;
	int rc;

	if (!img)
		return VT_EFORMAT;
	rc = vt_aug_layout_find(img, r->layout, &l, err);
	if (rc)
		return rc == VT_EINVAL ? rc : VT_EFORMAT;
	rc = vt_aug_tensor_check(&r->job, img, &l, name, err);
	if (rc)
		return rc;
	n_img = l.n >= 0 ? img->shape[l.n] : 1;
	/* whole images lie one after the other only along a leading N;
	 * otherwise the tensor is one chunk */
	if (l.n == 0 && n_img) {
		item_bytes = img->nbytes / n_img;
		per = item_bytes ? CHUNK_BYTES / item_bytes : n_img;
		per = per < 1 ? 1 : per > n_img ? n_img : per;
	} else {
		item_bytes = img->nbytes;
		per = n_img;
	}
	buf = malloc(per * item_bytes > 0 ? (size_t)(per * item_bytes) : 1);
	if (!buf)
		return vt_err_set(err, VT_ENOMEM, "out of memory for %llu "
				  "bytes", (unsigned long long)(per *
								item_bytes));
	/* a bar over the images of this record (drawn only on a terminal) */
	vt_progress_start(&prog, "images", n_img * (uint64_t)r->copies);
	for (int k = 0; !rc && k < r->copies; k++)
		rc = one_copy(st, name, rec, img, &l, k, buf, per, &prog, err);
	vt_progress_end(&prog);
	st->index += n_img;
	free(buf);
	return rc;
}

/* The record of an IDX file: "images", N,H,W as N,C,H,W with C = 1 (other
 * ranks as they are, with --layout); data is NULL in info. */
static int idx_tensor(const struct vt_tensor *info, void *data,
		      struct vt_record *rec, struct vt_err *err)
{
	struct vt_tensor t = *info;
	int rc;

	t.name = NULL;
	t.data = data;
	t.owns_data = data != NULL;
	if (t.rank == 3) {
		t.shape[3] = t.shape[2];
		t.shape[2] = t.shape[1];
		t.shape[1] = 1;
		t.rank = 4;
		rc = vt_tensor_set_dims(&t, "N,C,H,W", 7, err);
	} else {
		rc = 0;
	}
	if (!rc)
		rc = vt_tensor_set_name(&t, "images", err);
	vt_record_release(rec);
	if (!rc)
		rc = vt_record_add(rec, &t, err);
	vt_tensor_release(&t);
	return rc;
}

/* An IDX file of images streamed: the record's header first, then each
 * piece of images masked and written while the next is read; the same
 * bytes as idx_record then one_record would give. */
static int idx_pieces(struct tstate *st, const char *path,
		      struct vt_idx_stream *x, struct vt_record *rec,
		      struct vt_err *err)
{
	const struct vt_aug_run *r = st->r;
	const char *oname = r->out && strcmp(r->out, "-") ? r->out
							   : "<stdout>";
	struct vt_tensor *img, mask = { 0 }, mview;
	struct vt_aug_layout l;
	struct vt_progress prog;
	uint64_t n_img, plane, item_bytes, done = 0, k;
	void *data;
	int rc = idx_tensor(vt_idx_stream_info(x), NULL, rec, err);

	if (rc)
		return rc;
	if (!(img = find_image(r, rec, err)))
		return VT_EFORMAT;
	rc = vt_aug_layout_find(img, r->layout, &l, err);
	if (rc)
		return rc == VT_EINVAL ? rc : VT_EFORMAT;
	if ((rc = vt_aug_tensor_check(&r->job, img, &l, path, err)))
		return rc;
	n_img = img->shape[l.n];
	plane = img->shape[l.h] * img->shape[l.w];
	item_bytes = n_img ? img->nbytes / n_img : 0;
	/* the mask comes after the images on disk (same dtype size or
	 * smaller, and its name extends theirs): it is written at the end */
	if (r->masks) {
		rc = make_mask(img, &l, &mask, err);
		if (!rc)
			rc = vt_tensor_init_view(&mview, mask.name, VT_U8,
						 mask.rank, mask.shape, NULL,
						 err);
		if (!rc) {
			memcpy(mview.dims, mask.dims, sizeof mview.dims);
			rc = vt_record_add(rec, &mview, err);
			vt_tensor_release(&mview);
		}
		/* rec's tensors may have moved */
		img = vt_record_find(rec, "images");
	}
	if (!rc)
		rc = vt_record_write_header(st->out.fp, r->out, rec, err);
	vt_progress_start(&prog, "images", n_img);
	while (!rc && (rc = vt_idx_stream_next(x, &data, &k, err)) == 1) {
		struct vt_tensor piece = *img;   /* a copy sharing the name */

		piece.shape[l.n] = k;
		piece.data = data;
		piece.nbytes = (size_t)(k * item_bytes);
		piece.owns_data = false;
		rc = 0;
		for (uint64_t i = 0; !rc && i < k; i++) {
			uint64_t item = done + i;
			int n = 0;

			if ((item & 4095) == 0)
				vt_progress_update(&prog, item);
			rc = vt_aug_tensor_image(&r->job, &piece, &l, i,
						 st->index + item, path, st->R,
						 &n, err);
			if (!rc && r->masks)
				vt_aug_mask((uint8_t *)mask.data + item * plane,
					    (int64_t)img->shape[l.h],
					    (int64_t)img->shape[l.w], st->R, n,
					    1);
			if (!rc && r->log)
				log_item(st, path, item, 0, n);
		}
		if (!rc && piece.nbytes &&
		    fwrite(data, 1, piece.nbytes, st->out.fp) != piece.nbytes)
			rc = vt_err_sys(err, VT_EIO, "'%s': write error", oname);
		done += k;
	}
	if (!rc && mask.nbytes &&
	    fwrite(mask.data, 1, mask.nbytes, st->out.fp) != mask.nbytes)
		rc = vt_err_sys(err, VT_EIO, "'%s': write error", oname);
	vt_progress_end(&prog);
	vt_tensor_release(&mask);
	st->index += n_img;
	return rc;
}

/* Images of IDX items up to this size are streamed (a piece's buffer holds
 * at least one); larger ones, and several copies, are read whole. */
#define IDX_STREAM_MAX_ITEM (4u << 20)

/* An IDX file as one record (see idx_tensor). */
static int idx_record(struct tstate *st, const char *path,
		      struct vt_record *rec, struct vt_err *err)
{
	const struct vt_aug_run *r = st->r;
	struct vt_idx_stream_opts o = {
		.piece_bytes = r->idx_piece_bytes,
		.slots = r->jobs >= 2 ? 4 : 1,
	};
	struct vt_idx_stream *x;
	const struct vt_tensor *info;
	struct vt_tensor t;
	int rc = vt_idx_stream_open(&x, path, &o, err);

	if (rc)
		return rc;
	info = vt_idx_stream_info(x);
	if (r->copies == 1 && info->rank == 3 &&
	    info->nbytes / (info->shape[0] ? info->shape[0] : 1) <=
		    IDX_STREAM_MAX_ITEM) {
		rc = idx_pieces(st, path, x, rec, err);
	} else {
		rc = vt_idx_stream_read_all(x, &t, err);
		if (!rc)
			rc = idx_tensor(&t, t.data, rec, err);
		if (!rc)
			rc = one_record(st, path, rec, err);
	}
	vt_idx_stream_close(x);
	vt_record_release(rec);
	if (rc && strncmp(err->msg, "'", 1) != 0)
		vt_err_prefix(err, "'%s'", path);
	return rc;
}

int vt_aug_run_tensors(const struct vt_aug_run *r, struct vt_err *err)
{
	struct tstate st = { .r = r };
	struct vt_record rec;
	int rc = vt_outfile_open(&st.out, r->out, err);

	if (!rc && r->log && (rc = vt_outfile_open(&st.log, r->log, err)))
		vt_outfile_abort(&st.out);
	if (rc)
		return rc;
	st.R = malloc(sizeof *st.R * (size_t)r->job.aug.holes);
	if (!st.R)
		rc = vt_err_set(err, VT_ENOMEM, "out of memory");
	vt_record_init(&rec);
	for (int i = 0; !rc && i < r->n_inputs; i++) {
		struct vt_reader *rd = NULL;
		const char *name = strcmp(r->inputs[i], "-") ? r->inputs[i]
							     : "<stdin>";

		if (vt_idx_is_path(r->inputs[i])) {
			rc = idx_record(&st, r->inputs[i], &rec, err);
			continue;
		}
		rc = vt_reader_open(&rd, r->inputs[i], NULL, err);
		while (!rc && (rc = vt_reader_next(rd, &rec, err)) == 1) {
			rc = one_record(&st, name, &rec, err);
			if (rc && strncmp(err->msg, "'", 1) != 0)
				vt_err_prefix(err, "'%s': record %llu", name,
					      (unsigned long long)
						      vt_reader_index(rd));
		}
		vt_reader_close(rd);
	}
	vt_record_release(&rec);
	free(st.R);
	if (!rc && r->log)
		rc = vt_outfile_commit(&st.log, err);
	if (!rc)
		return vt_outfile_commit(&st.out, err);
	vt_outfile_abort(&st.log);
	vt_outfile_abort(&st.out);
	return rc;
}
