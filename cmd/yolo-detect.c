/* yolo-detect - darknet YOLO models on images. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vt/cli.h"
#include "vt/darknet.h"
#include "vt/image.h"
#include "vt/outfile.h"
#include "vt/record.h"

static const char usage[] =
	"usage: yolo-detect -c CFG -w WEIGHTS [--names FILE] [--format F]\n"
	"       [--thresh T] [--nms T] [--nms-kind K] [--max-dets N]\n"
	"       [--resize letterbox|stretch] [--clamp] [--lenient]\n"
	"       [--list FILE] [-o FILE] [-hqv] [--version] [IMAGE ...]\n"
	"       yolo-detect -c CFG --synth-weights FILE [--seed N]\n";

static const char help[] =
	"\nDetect objects with a darknet .cfg + .weights model, computing as\n"
	"pjreddie's darknet does.  Images are files, directories (their images,\n"
	"sorted), '-' (paths on standard input, one a line) or --list FILE.\n\n"
	"  -c, --cfg CFG        darknet config (strict: unknown keys are errors)\n"
	"  -w, --weights FILE   darknet weights (size checked against the cfg)\n"
	"  --names FILE         class names, one a line (default: class ids)\n"
	"  --format F           text (default), jsonl or tensor (detection\n"
	"                       records for map-eval)\n"
	"  --thresh T           score threshold (0.25)\n"
	"  --nms T              per-class NMS threshold, 0 disables (0.45)\n"
	"  --nms-kind K         greedy (default) or diou\n"
	"  --max-dets N         keep the N best detections per image\n"
	"  --resize R           letterbox (darknet, default) or stretch (OpenCV)\n"
	"  --clamp              clamp boxes to the image\n"
	"  --lenient            skip unknown cfg sections and keys\n"
	"  --synth-weights F    write deterministic synthetic weights for CFG\n"
	"  --seed N             seed of --synth-weights (1)\n"
	"  -o FILE              output file ('-': standard output)\n"
	"  -q, -v               quieter; more messages\n"
	"  -h, --help           this help;  --version  the version\n";

enum { OPT_NAMES = 256, OPT_FORMAT, OPT_THRESH, OPT_NMS, OPT_NMS_KIND,
       OPT_MAX_DETS, OPT_RESIZE, OPT_CLAMP, OPT_LENIENT, OPT_SYNTH,
       OPT_SEED, OPT_LIST, OPT_VERSION };

enum fmt { FMT_TEXT, FMT_JSONL, FMT_TENSOR };

struct opts {
	const char *cfg, *weights, *names, *out, *synth, *list;
	enum fmt format;
	uint64_t seed;
	unsigned flags;
	struct vt_dn_decode_opts dec;
};

struct run {
	const struct opts *o;
	struct vt_dn_net *net;
	char **names;
	int n_names;
	float *tmp;
	size_t tmp_n;
	FILE *out;
	const char *out_name;
	int status;               /* worst exit code of the images */
};

static int read_lines(const char *path, FILE *f, char ***lines, int *n,
		      struct vt_err *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	*lines = NULL;
	*n = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char **nl;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		nl = realloc(*lines, sizeof *nl * (size_t)(*n + 1));
		if (!nl || !(nl[*n] = strdup(line))) {
			free(nl ? nl : *lines);
			free(line);
			return vt_err_set(err, VT_ENOMEM, "'%s': out of memory",
					  path);
		}
		*lines = nl;
		(*n)++;
	}
	free(line);
	if (ferror(f))
		return vt_err_sys(err, VT_EIO, "'%s'", path);
	return 0;
}

static void free_lines(char **l, int n)
{
	for (int i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void put_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static const char *class_name(const struct run *r, int id, char *buf)
{
	if (id < r->n_names)
		return r->names[id];
	sprintf(buf, "%d", id);
	return buf;
}

static int put_record(struct run *r, const char *path, int w, int h,
		      const struct vt_dn_det *d, size_t n, struct vt_err *err)
{
	struct vt_record rec;
	struct vt_tensor t;
	char buf[32];
	int rc;
	float *boxes = malloc(sizeof(float) * 4 * (n + 1));
	float *scores = malloc(sizeof(float) * (n + 1));
	int32_t *cls = malloc(sizeof(int32_t) * (n + 1));

	if (!boxes || !scores || !cls) {
		free(boxes);
		free(scores);
		free(cls);
		return vt_err_set(err, VT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		memcpy(boxes + 4 * i, d[i].box, sizeof d[i].box);
		scores[i] = d[i].score;
		cls[i] = d[i].class_id;
	}
	vt_record_init(&rec);
	rc = vt_tensor_init_view(&t, "boxes", VT_F32, 2, (uint64_t[]){ n, 4 },
				 n ? boxes : NULL, err);
	if (!rc)
		rc = vt_record_add(&rec, &t, err);
	vt_tensor_release(&t);
	if (!rc)
		rc = vt_tensor_init_view(&t, "scores", VT_F32, 1,
					 (uint64_t[]){ n }, n ? scores : NULL,
					 err);
	if (!rc)
		rc = vt_record_add(&rec, &t, err);
	vt_tensor_release(&t);
	if (!rc)
		rc = vt_tensor_init_view(&t, "classes", VT_I32, 1,
					 (uint64_t[]){ n }, n ? cls : NULL, err);
	if (!rc)
		rc = vt_record_add(&rec, &t, err);
	vt_tensor_release(&t);
	if (!rc)
		rc = vt_record_meta_set(&rec, "image", path, err);
	snprintf(buf, sizeof buf, "%d", w);
	if (!rc)
		rc = vt_record_meta_set(&rec, "width", buf, err);
	snprintf(buf, sizeof buf, "%d", h);
	if (!rc)
		rc = vt_record_meta_set(&rec, "height", buf, err);
	if (!rc)
		rc = vt_record_write(r->out, r->out_name, &rec, err);
	vt_record_release(&rec);
	free(boxes);
	free(scores);
	free(cls);
	return rc;
}

static int put_dets(struct run *r, const char *path, int w, int h,
		    const struct vt_dn_det *d, size_t n, struct vt_err *err)
{
	char buf[32];

	if (r->o->format == FMT_TENSOR)
		return put_record(r, path, w, h, d, n, err);
	for (size_t i = 0; i < n; i++) {
		const char *name = class_name(r, d[i].class_id, buf);

		if (r->o->format == FMT_TEXT) {
			fprintf(r->out, "%s\t%s\t%.6f\t%.2f\t%.2f\t%.2f\t%.2f\n",
				path, name, d[i].score, d[i].box[0],
				d[i].box[1], d[i].box[2], d[i].box[3]);
			continue;
		}
		fputs("{\"image\":", r->out);
		put_json_string(r->out, path);
		fprintf(r->out, ",\"class_id\":%d,\"class\":", d[i].class_id);
		put_json_string(r->out, name);
		fprintf(r->out, ",\"score\":%.6g,\"objectness\":%.6g,"
			"\"box\":[%.9g,%.9g,%.9g,%.9g]}\n", d[i].score,
			d[i].objectness, d[i].box[0], d[i].box[1], d[i].box[2],
			d[i].box[3]);
	}
	if (ferror(r->out))
		return vt_err_sys(err, VT_EIO, "'%s'", r->out_name);
	return 0;
}

/* One image: an error in it is reported and remembered, not fatal. */
static int detect(struct run *r, const char *path, struct vt_err *err)
{
	struct vt_tensor img;
	struct vt_dn_det *d = NULL;
	size_t n = 0, need;
	int w, h, rc = vt_image_read(path, 3, NULL, &img, err);

	if (rc) {
		int code = vt_cli_fail(err);

		if (code > r->status)
			r->status = code;
		return 0;
	}
	w = (int)img.shape[1];
	h = (int)img.shape[0];
	need = vt_dn_resize_tmp_n(w, h, r->net->w, r->net->h);
	if (need > r->tmp_n) {
		float *t = realloc(r->tmp, need * sizeof(float));

		if (!t) {
			vt_tensor_release(&img);
			return vt_err_set(err, VT_ENOMEM, "out of memory");
		}
		r->tmp = t;
		r->tmp_n = need;
	}
	vt_dn_preprocess(r->net->input, img.data, w, h, 3, r->net->w,
			 r->net->h, r->o->dec.resize, r->tmp);
	vt_tensor_release(&img);
	vt_dn_forward(r->net);
	rc = vt_dn_decode(r->net, w, h, &r->o->dec, &d, &n, err);
	if (!rc)
		rc = put_dets(r, path, w, h, d, n, err);
	free(d);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Expand the arguments into image paths. */
static int collect(const struct opts *o, char **args, int nargs,
		   char ***paths, int *n, struct vt_err *err)
{
	char **v = NULL;
	int k = 0, rc = 0;

	for (int i = -1; i < nargs && !rc; i++) {
		const char *a = i < 0 ? o->list : args[i];
		struct stat st;
		char **lines = NULL;
		int nl = 0;

		if (!a)
			continue;
		if (i < 0 || strcmp(a, "-") == 0) {
			FILE *f = i < 0 ? fopen(a, "r") : stdin;

			if (!f) {
				rc = vt_err_sys(err, VT_EOPEN, "'%s'", a);
				break;
			}
			rc = read_lines(i < 0 ? a : "<stdin>", f, &lines, &nl,
					err);
			if (f != stdin)
				fclose(f);
		} else if (stat(a, &st) == 0 && S_ISDIR(st.st_mode)) {
			DIR *dir = opendir(a);
			struct dirent *e;

			if (!dir) {
				rc = vt_err_sys(err, VT_EOPEN, "'%s'", a);
				break;
			}
			while ((e = readdir(dir))) {
				char *p;
				char **nv;

				if (e->d_name[0] == '.' ||
				    !vt_image_readable_ext(e->d_name))
					continue;
				nv = realloc(lines, sizeof *nv * (size_t)(nl + 1));
				p = malloc(strlen(a) + strlen(e->d_name) + 2);
				if (p)
					sprintf(p, "%s%s%s", a,
						a[strlen(a) - 1] == '/' ? "" : "/",
						e->d_name);
				if (!nv || !p) {
					free(p);
					free(nv ? nv : lines);
					closedir(dir);
					return vt_err_set(err, VT_ENOMEM,
							  "out of memory");
				}
				lines = nv;
				lines[nl++] = p;
			}
			closedir(dir);
			qsort(lines, (size_t)nl, sizeof *lines, cmp_str);
		} else {
			lines = malloc(sizeof *lines);
			if (!lines || !(lines[0] = strdup(a))) {
				free(lines);
				return vt_err_set(err, VT_ENOMEM, "out of memory");
			}
			nl = 1;
		}
		for (int j = 0; j < nl && !rc; j++) {
			char **nv;

			if (!lines[j][0]) {
				free(lines[j]);
				continue;
			}
			nv = realloc(v, sizeof *v * (size_t)(k + 1));
			if (!nv) {
				rc = vt_err_set(err, VT_ENOMEM, "out of memory");
				free(lines[j]);
				continue;
			}
			v = nv;
			v[k++] = lines[j];
		}
		free(lines);
	}
	*paths = v;
	*n = k;
	return rc;
}

static int synth(const struct opts *o, struct vt_dn_net *net,
		 struct vt_err *err)
{
	struct vt_outfile of = { 0 };
	int rc = vt_dn_net_synth(net, o->seed, err);

	if (!rc)
		rc = vt_outfile_open(&of, o->synth, err);
	if (!rc)
		rc = vt_dn_weights_write(net, of.fp, o->synth, err);
	if (!rc)
		return vt_outfile_commit(&of, err);
	vt_outfile_abort(&of);
	return rc;
}

static int run(const struct opts *o, char **args, int nargs, int *status,
	       struct vt_err *err)
{
	struct run r = { .o = o };
	struct vt_outfile of = { 0 };
	struct vt_progress pg;
	char **paths = NULL;
	int np = 0, rc = vt_dn_net_load_cfg(o->cfg, o->flags, &r.net, err);

	if (!rc && o->synth) {
		rc = synth(o, r.net, err);
		vt_dn_net_free(r.net);
		return rc;
	}
	if (!rc)
		rc = vt_dn_weights_load(r.net, o->weights, err);
	if (!rc && o->names) {
		FILE *f = fopen(o->names, "r");

		rc = f ? read_lines(o->names, f, &r.names, &r.n_names, err) :
			 vt_err_sys(err, VT_EOPEN, "'%s'", o->names);
		if (f)
			fclose(f);
		for (int i = 0; !rc && i < r.net->n; i++)
			if (r.net->layers[i].type == VT_DN_YOLO &&
			    r.net->layers[i].classes > r.n_names)
				rc = vt_err_set(err, VT_ECONFIG, "'%s': %d "
						"names, the model has %d "
						"classes", o->names, r.n_names,
						r.net->layers[i].classes);
	}
	if (!rc)
		rc = collect(o, args, nargs, &paths, &np, err);
	if (!rc)
		rc = vt_outfile_open(&of, o->out, err);
	r.out = of.fp;
	r.out_name = o->out ? o->out : "<stdout>";
	vt_progress_start(&pg, "yolo-detect", (uint64_t)np);
	for (int i = 0; !rc && i < np; i++) {
		rc = detect(&r, paths[i], err);
		vt_progress_update(&pg, (uint64_t)i + 1);
	}
	vt_progress_end(&pg);
	if (!rc && r.out)
		rc = vt_outfile_commit(&of, err);
	else
		vt_outfile_abort(&of);
	*status = r.status;
	free_lines(paths, np);
	free_lines(r.names, r.n_names);
	free(r.tmp);
	vt_dn_net_free(r.net);
	return rc;
}

int cmd_yolo_detect(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "cfg", required_argument, NULL, 'c' },
		{ "weights", required_argument, NULL, 'w' },
		{ "names", required_argument, NULL, OPT_NAMES },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "thresh", required_argument, NULL, OPT_THRESH },
		{ "nms", required_argument, NULL, OPT_NMS },
		{ "nms-kind", required_argument, NULL, OPT_NMS_KIND },
		{ "max-dets", required_argument, NULL, OPT_MAX_DETS },
		{ "resize", required_argument, NULL, OPT_RESIZE },
		{ "clamp", no_argument, NULL, OPT_CLAMP },
		{ "lenient", no_argument, NULL, OPT_LENIENT },
		{ "synth-weights", required_argument, NULL, OPT_SYNTH },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "list", required_argument, NULL, OPT_LIST },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .seed = 1, .dec = { .thresh = 0.25f, .nms = 0.45f } };
	struct vt_err err = { 0 };
	int c, status = 0;
	double v;
	uint64_t u;

	vt_cli_init("yolo-detect");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hqvc:w:o:", longs, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage, stdout); fputs(help, stdout); return vt_cli_close_stdout();
		case OPT_VERSION: vt_cli_version(); return vt_cli_close_stdout();
		case 'q': vt_cli_verbosity = -1; break;
		case 'v': vt_cli_verbosity = 1; break;
		case 'c': o.cfg = optarg; break;
		case 'w': o.weights = optarg; break;
		case 'o': o.out = optarg; break;
		case OPT_NAMES: o.names = optarg; break;
		case OPT_LIST: o.list = optarg; break;
		case OPT_SYNTH: o.synth = optarg; break;
		case OPT_CLAMP: o.dec.clamp = true; break;
		case OPT_LENIENT: o.flags |= VT_DN_LENIENT; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0) o.format = FMT_TEXT;
			else if (strcmp(optarg, "jsonl") == 0) o.format = FMT_JSONL;
			else if (strcmp(optarg, "tensor") == 0) o.format = FMT_TENSOR;
			else return vt_cli_usage_error("--format: '%s' is not text, jsonl or tensor", optarg);
			break;
		case OPT_THRESH:
		case OPT_NMS:
			if (vt_parse_double(optarg, &v) || !(v >= 0 && v <= 1))
				return vt_cli_usage_error("--%s: '%s' is not a number in [0, 1]",
							  c == OPT_NMS ? "nms" : "thresh", optarg);
			*(c == OPT_NMS ? &o.dec.nms : &o.dec.thresh) = (float)v;
			break;
		case OPT_NMS_KIND:
			if (vt_nms_kind_parse(optarg, &o.dec.nms_kind))
				return vt_cli_usage_error("--nms-kind: '%s' is not greedy or diou", optarg);
			break;
		case OPT_RESIZE:
			if (strcmp(optarg, "letterbox") == 0) o.dec.resize = VT_DN_LETTERBOX;
			else if (strcmp(optarg, "stretch") == 0) o.dec.resize = VT_DN_STRETCH;
			else return vt_cli_usage_error("--resize: '%s' is not letterbox or stretch", optarg);
			break;
		case OPT_MAX_DETS:
		case OPT_SEED:
			if (vt_parse_u64(optarg, &u))
				return vt_cli_usage_error("--%s: '%s' is not a non-negative integer",
							  c == OPT_SEED ? "seed" : "max-dets", optarg);
			if (c == OPT_SEED)
				o.seed = u;
			else
				o.dec.max_dets = (size_t)u;
			break;
		default: return vt_cli_bad_option(c, argv);
		}
	}
	if (!o.cfg)
		return vt_cli_usage_error("-c CFG is required");
	if (!o.synth && !o.weights)
		return vt_cli_usage_error("-w WEIGHTS (or --synth-weights) is required");
	if (!o.synth && optind == argc && !o.list)
		return vt_cli_usage_error("no images");
	if (!o.synth && o.format == FMT_TENSOR &&
	    (c = vt_cli_check_binary_stdout(o.out)))
		return c;
	if (run(&o, argv + optind, argc - optind, &status, &err))
		return vt_cli_fail(&err);
	c = vt_cli_close_stdout();
	return c ? c : status;
}

int main(int argc, char **argv) { return cmd_yolo_detect(argc, argv); }
