/* batch.c - image lists and detection over many images, in parallel.
 *
 * Workers take images in order from a shared counter, each with its own
 * network (vt_dn_net_clone: own activations, shared parameters) and
 * resize buffer; the caller's thread hands the results to the callback in
 * input order, and workers stay at most 2 x workers + 1 images ahead of it
 * (so memory stays bounded by a few images whatever their number).  With
 * fewer images than threads the spare threads go to OpenBLAS inside each
 * convolution.  N threads are N threads: each worker reads, letterboxes
 * and runs its own images, so that -j 1 is one thread (as a job under GNU
 * parallel expects) and two workers scale as two cores do.
 */
#include <cblas.h>
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "vt/size.h"
#ifndef VT_DN_PROF_CLOCK
#define VT_DN_PROF_CLOCK CLOCK_MONOTONIC
#endif
#include "vt/darknet.h"
#include "vt/image.h"
#include "vt/tensor.h"

static int push(char ***v, size_t *n, char *s, struct vt_err *err)
{
	char **nv;

	if (!s)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	nv = realloc(*v, sizeof *nv * (*n + 1));
	if (!nv) {
		free(s);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	*v = nv;
	nv[(*n)++] = s;
	return 0;
}

void vt_dn_lines_free(char **l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		free(l[i]);
	free(l);
}

int vt_dn_read_lines(FILE *f, const char *name, bool skip_empty,
		     char ***lines, size_t *n, struct vt_err *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	*lines = NULL;
	*n = 0;
	while (!rc && (len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len || !skip_empty)
			rc = push(lines, n, strdup(line), err);
	}
	free(line);
	if (!rc && ferror(f))
		rc = vt_err_sys(err, VT_EIO, "'%s'", name);
	if (rc) {
		vt_dn_lines_free(*lines, *n);
		*lines = NULL;
		*n = 0;
	}
	return rc;
}

int vt_dn_names_load(const char *path, const struct vt_dn_net *net,
		     char ***names, size_t *n, struct vt_err *err)
{
	FILE *f = fopen(path, "r");
	int rc = f ? vt_dn_read_lines(f, path, false, names, n, err) :
		     vt_err_sys(err, VT_EOPEN, "'%s': cannot open",
				path);

	if (f)
		fclose(f);
	for (int i = 0; !rc && i < net->n; i++)
		if (net->layers[i].type == VT_DN_YOLO &&
		    (size_t)net->layers[i].classes > *n)
			rc = vt_err_set(err, VT_ECONFIG, "'%s': %zu names, the "
					"model has %d classes", path, *n,
					net->layers[i].classes);
	if (rc) {
		vt_dn_lines_free(*names, *n);
		*names = NULL;
		*n = 0;
	}
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The relative name of a file argument: itself when relative and free of
 * "..", without leading "./", else its base name. */
static size_t rel_of_file(const char *p)
{
	const char *s = strrchr(p, '/'), *q = p;

	if (p[0] == '/' || strstr(p, "..") != NULL)
		return s ? (size_t)(s + 1 - p) : 0;
	while (q[0] == '.' && q[1] == '/')
		q += 2;
	return (size_t)(q - p);
}

static int push_rel(size_t **rel, size_t n, size_t off, struct vt_err *err)
{
	size_t *nr;

	if (!rel)
		return 0;
	nr = realloc(*rel, sizeof *nr * n);
	if (!nr)
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	*rel = nr;
	nr[n - 1] = off;
	return 0;
}

static int add_dir(const char *a, char ***v, size_t *n, size_t **rel,
		   struct vt_err *err)
{
	DIR *dir = opendir(a);
	struct dirent *e;
	size_t first = *n, alen = strlen(a);
	int rc = 0;

	if (!dir)
		return vt_err_sys(err, VT_EOPEN, "'%s': cannot open", a);
	while (!rc && (e = readdir(dir))) {
		size_t len = alen + strlen(e->d_name) + 2;
		char *p;

		if (e->d_name[0] == '.' || !vt_image_readable_ext(e->d_name))
			continue;
		p = malloc(len);
		if (p)
			snprintf(p, len, "%s%s%s", a,
				 a[alen - 1] == '/' ? "" : "/", e->d_name);
		rc = push(v, n, p, err);
		if (!rc)
			rc = push_rel(rel, *n, alen + (a[alen - 1] != '/'),
				      err);
	}
	closedir(dir);
	if (!rc)
		qsort(*v + first, *n - first, sizeof **v, cmp_str);
	return rc;
}

int vt_dn_collect_images(const char *list, char *const *args, int nargs,
			 char ***paths, size_t *n, size_t **rel,
			 struct vt_err *err)
{
	int rc = 0;

	*paths = NULL;
	*n = 0;
	if (rel)
		*rel = NULL;
	for (int i = -1; i < nargs && !rc; i++) {
		const char *a = i < 0 ? list : args[i];
		struct stat st;

		if (!a)
			continue;
		if (i < 0 || strcmp(a, "-") == 0) {
			FILE *f = i < 0 ? fopen(a, "r") : stdin;
			char **l;
			size_t nl;

			if (!f) {
				rc = vt_err_sys(err, VT_EOPEN,
						"'%s': cannot open", a);
				break;
			}
			rc = vt_dn_read_lines(f, i < 0 ? a : "<stdin>", true,
					      &l, &nl, err);
			if (f != stdin)
				fclose(f);
			for (size_t j = 0; !rc && j < nl; j++) {
				rc = push(paths, n, l[j], err);
				l[j] = NULL;
				if (!rc)
					rc = push_rel(rel, *n, rel_of_file(
						(*paths)[*n - 1]), err);
			}
			vt_dn_lines_free(l, nl);
		} else if (stat(a, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = add_dir(a, paths, n, rel, err);
		} else {
			rc = push(paths, n, strdup(a), err);
			if (!rc)
				rc = push_rel(rel, *n, rel_of_file(a), err);
		}
	}
	if (rc) {
		vt_dn_lines_free(*paths, *n);
		*paths = NULL;
		*n = 0;
		if (rel) {
			free(*rel);
			*rel = NULL;
		}
	}
	return rc;
}

struct slot {
	struct vt_dn_result r;
	bool done;
};

struct pool {
	char *const *paths;
	size_t n, next;
	size_t emitted;                 /* results handed to the callback */
	size_t window;                  /* images in flight at most */
	const struct vt_dn_run_opts *o;
	struct slot *slots;
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

struct worker {
	struct pool *p;
	struct vt_dn_net *net;
	double *layer_s;                /* --profile: this worker's times */
	struct timespec last;
	pthread_t th;
	bool started;
};

/* Read and preprocess one image into input, (c, h, w) of net; r gets the
 * path, the size and the status. */
static void prepare(const struct vt_dn_net *net, float *input,
		    const char *path, const struct vt_dn_run_opts *o,
		    float **tmp, size_t *tmp_n, struct vt_dn_result *r)
{
	struct vt_tensor img;
	size_t need;

	r->path = path;
	r->status = vt_image_read(path, 3, NULL, &img, &r->err);
	if (r->status)
		return;
	r->width = (int)img.shape[1];
	r->height = (int)img.shape[0];
	need = vt_dn_resize_tmp_n(r->width, r->height, net->w, net->h);
	if (need > *tmp_n) {
		float *t = realloc(*tmp, need * sizeof(float));

		if (!t) {
			vt_tensor_release(&img);
			r->status = vt_err_set(&r->err, VT_ENOMEM,
					       "out of memory");
			return;
		}
		*tmp = t;
		*tmp_n = need;
	}
	vt_dn_preprocess(input, img.data, r->width, r->height, 3, net->w,
			 net->h, o->dec.resize, *tmp);
	if (o->keep_image)
		r->image = img;
	else
		vt_tensor_release(&img);
}

static double seconds_since(struct timespec *last)
{
	struct timespec now;
	double s;

	clock_gettime(VT_DN_PROF_CLOCK, &now);
	s = (double)(now.tv_sec - last->tv_sec) +
	    1e-9 * (double)(now.tv_nsec - last->tv_nsec);
	*last = now;
	return s;
}

static void profile_cb(void *arg, int layer)
{
	struct worker *w = arg;

	w->layer_s[layer] += seconds_since(&w->last);
}

/* Forward and decode the prepared input of r's image (and keep what o
 * asks for). */
static void finish(struct worker *w, struct vt_dn_result *r)
{
	const struct vt_dn_run_opts *o = w->p->o;

	if (r->status)
		return;
	if (w->layer_s) {
		seconds_since(&w->last);
		vt_dn_forward_cb(w->net, profile_cb, w);
	} else {
		vt_dn_forward(w->net);
	}
	if (o->keep_raw) {
		r->raw = vt_malloc_array(vt_dn_raw_n(w->net), sizeof(float));
		if (!r->raw) {
			r->status = vt_err_set(&r->err, VT_ENOMEM,
					       "out of memory");
			return;
		}
		vt_dn_raw_copy(w->net, r->raw);
	}
	r->status = vt_dn_decode(w->net, r->width, r->height, &o->dec,
				 &r->dets, &r->n, &r->err);
}

/* Free what a result holds besides its path. */
static void result_release(struct vt_dn_result *r)
{
	free(r->dets);
	r->dets = NULL;
	free(r->raw);
	r->raw = NULL;
	vt_tensor_release(&r->image);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->p;
	float *tmp = NULL;
	size_t tmp_n = 0;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->next < p->n &&
		       p->next >= p->emitted + p->window)
			pthread_cond_wait(&p->cv, &p->mu);
		i = p->next;
		if (p->stop || i >= p->n) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		p->next++;
		pthread_mutex_unlock(&p->mu);
		prepare(w->net, w->net->input, p->paths[i], p->o, &tmp,
			&tmp_n, &p->slots[i].r);
		finish(w, &p->slots[i].r);
		pthread_mutex_lock(&p->mu);
		p->slots[i].done = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	free(tmp);
	return NULL;
}

int vt_dn_detect_all(struct vt_dn_net *net, char *const *paths, size_t n,
		     const struct vt_dn_run_opts *o, vt_dn_result_fn fn,
		     void *arg, struct vt_err *err)
{
	struct pool p = { .paths = paths, .n = n, .o = o };
	struct worker *w;
	int threads = o->threads < 1 ? 1 : o->threads, nw = threads, rc = 0;

	if ((size_t)nw > n)
		nw = n ? (int)n : 1;
	openblas_set_num_threads(threads > nw ? threads / nw : 1);
	p.slots = calloc(n ? n : 1, sizeof *p.slots);
	w = calloc((size_t)nw, sizeof *w);
	if (!p.slots || !w) {
		free(p.slots);
		free(w);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	for (int k = 0; k < nw && !rc; k++) {
		w[k].p = &p;
		w[k].net = net;
		if (k)
			rc = vt_dn_net_clone(net, &w[k].net, err);
		if (!rc && o->layer_s &&
		    !(w[k].layer_s = calloc((size_t)net->n, sizeof(double))))
			rc = vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	p.window = 2 * (size_t)nw + 1;
	for (int k = 0; k < nw && !rc; k++) {
		if (pthread_create(&w[k].th, NULL, work, &w[k]))
			rc = vt_err_sys(err, VT_EOS, "cannot start a thread");
		else
			w[k].started = true;
	}
	for (size_t i = 0; !rc && i < n; i++) {
		pthread_mutex_lock(&p.mu);
		while (!p.slots[i].done)
			pthread_cond_wait(&p.cv, &p.mu);
		pthread_mutex_unlock(&p.mu);
		p.slots[i].r.index = i;
		rc = fn(arg, &p.slots[i].r, err);
		result_release(&p.slots[i].r);
		pthread_mutex_lock(&p.mu);
		p.emitted = i + 1;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
	}
	pthread_mutex_lock(&p.mu);
	p.stop = true;
	pthread_cond_broadcast(&p.cv);
	pthread_mutex_unlock(&p.mu);
	for (int k = 0; k < nw; k++) {
		if (w[k].started)
			pthread_join(w[k].th, NULL);
		for (int j = 0; w[k].layer_s && j < net->n; j++)
			o->layer_s[j] += w[k].layer_s[j];
		free(w[k].layer_s);
		if (k && w[k].net != net)
			vt_dn_net_free(w[k].net);
	}
	for (size_t i = 0; i < n; i++)
		result_release(&p.slots[i].r);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	free(p.slots);
	free(w);
	return rc;
}
