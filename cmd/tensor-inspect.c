/* tensor-inspect - shape, dtype, dimension names, statistics and slices of
 * tensor files. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vt/cli.h"
#include "vt/inspect.h"
#include "vt/outfile.h"
#include "vt/print.h"
#include "vt/slice.h"
#include "vt/tensorfile.h"

static const char usage[] =
	"usage: tensor-inspect [-hqv] [--version] [--json] [--stats] [--head N]\n"
	"       [--tensor NAME] [--slice SPEC] [--precision N] [-o FILE]\n"
	"       [--to-npy DIR] [FILE ...]\n"
	"       tensor-inspect --from-npy [-o FILE] NPY ...\n";

static const char help[] =
	"\nShow the records of tensor files (safetensors records, streams, .npy).\n"
	"With no FILE, or FILE '-', read a record stream from standard input.\n\n"
	"  --json           one JSON object per record, one per line\n"
	"  --stats          min, max, mean, std, NaN/Inf/zero counts per tensor\n"
	"  --head N         only the first N records of each input\n"
	"  --tensor NAME    only this tensor (repeatable)\n"
	"  --slice SPEC     print NAME[i,a:b,...] or NAME[DIM=i,...]; with -o,\n"
	"                   write the slices as one record per input record\n"
	"  --precision N    significant digits of printed floats (8)\n"
	"  -o FILE          output file for --slice and --from-npy ('-': stdout)\n"
	"  --to-npy DIR     write each tensor to DIR/NAME.npy\n"
	"  --from-npy       join the .npy files given into one record on -o\n"
	"  -q, -v           quieter; more verbose (full metadata values)\n"
	"  -h, --help       this help;  --version  the version\n";

enum { OPT_JSON = 256, OPT_STATS, OPT_HEAD, OPT_TENSOR, OPT_SLICE,
       OPT_PRECISION, OPT_TO_NPY, OPT_FROM_NPY, OPT_VERSION };

struct opts {
	bool json, from_npy;
	uint64_t head;
	const char *slice_spec, *out, *to_npy;
	struct vt_slice slice;
	struct vt_print_opts print;
	struct vt_inspect_opts in;
	const char *names[64];
	struct vt_outfile of;
	bool of_open;
};

struct progress {
	struct vt_progress bar;
	uint64_t done;
};

static void on_progress(void *ctx, uint64_t bytes)
{
	struct progress *p = ctx;

	vt_progress_update(&p->bar, p->done += bytes);
}

static bool select_name(const void *ctx, const char *name)
{
	return vt_inspect_selected(ctx, name);
}

/* Show, slice or export one record. */
static int do_record(struct opts *o, const char *file, uint64_t k,
		     const struct vt_record *r, struct vt_err *err)
{
	struct vt_record out;
	struct vt_tensor *t, s;
	int rc;

	for (size_t i = 0; i < o->in.n_only; i++)
		if (!vt_record_find(r, o->in.only[i]))
			return vt_err_set(err, VT_EFORMAT, "'%s': record %llu has "
					  "no tensor '%s'", file,
					  (unsigned long long)k, o->in.only[i]);
	if (o->to_npy)
		return vt_record_to_npy_dir(o->to_npy, r, k, select_name, &o->in,
					    err);
	if (!o->slice_spec)
		return o->json ? vt_inspect_json(stdout, file, k, r, &o->in, err) :
		       vt_inspect_text(stdout, file, k, r, &o->in, err);
	t = vt_record_find(r, o->slice.tensor);
	if (!t)
		return vt_err_set(err, VT_EFORMAT, "'%s': record %llu has no "
				  "tensor '%s'", file, (unsigned long long)k,
				  o->slice.tensor);
	rc = vt_slice_apply(&o->slice, t, &s, err);
	if (rc) { /* the slice does not fit this record: a data error */
		vt_err_prefix(err, "'%s': record %llu", file, (unsigned long long)k);
		if (rc == VT_EINVAL)
			err->code = rc = VT_EFORMAT;
		return rc;
	}
	if (!o->out) {
		char shape[VT_MAX_RANK * 64];
		vt_tensor_shape_str(&s, shape, sizeof shape);
		printf("%s: record %llu: %s %s %s\n", file, (unsigned long long)k,
		       o->slice_spec, vt_dtype_name(s.dtype), shape);
		if (vt_tensor_print(stdout, &s, &o->print))
			rc = vt_err_sys(err, VT_EIO, "standard output: write error");
		vt_tensor_release(&s);
		return rc;
	}
	vt_record_init(&out);
	rc = vt_record_meta_copy(&out, r, err);
	if (!rc)
		rc = vt_record_add(&out, &s, err);
	if (!rc)
		rc = vt_record_write(o->of.fp, o->out, &out, err);
	vt_tensor_release(&s);
	vt_record_release(&out);
	return rc;
}

static int do_input(struct opts *o, const char *path, struct vt_err *err)
{
	struct vt_reader *rd;
	struct vt_record r;
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	int rc;

	vt_record_init(&r);
	if (vt_path_is_npy(path)) {
		rc = vt_record_from_npy(path, &r, err);
		if (!rc)
			rc = do_record(o, name, 0, &r, err);
		vt_record_release(&r);
		return rc;
	}
	rc = vt_reader_open(&rd, path, NULL, err);
	if (rc)
		return rc;
	if (o->in.progress) { /* statistics of a file: bytes of its size */
		struct progress *p = o->in.progress_ctx;
		p->done = 0;
		vt_progress_start(&p->bar, "stats", vt_reader_size(rd));
	}
	for (uint64_t k = 0; !o->head || k < o->head; k++) {
		rc = vt_reader_next(rd, &r, err);
		if (rc <= 0)
			break;
		rc = do_record(o, name, k, &r, err);
		if (rc)
			break;
	}
	vt_record_release(&r);
	vt_reader_close(rd);
	if (o->in.progress)
		vt_progress_end(&((struct progress *)o->in.progress_ctx)->bar);
	return rc < 0 ? rc : 0;
}

static int from_npy(struct opts *o, int n, char **paths, struct vt_err *err)
{
	struct vt_record r;
	int rc = 0;

	vt_record_init(&r);
	for (int i = 0; !rc && i < n; i++)
		rc = vt_record_add_npy(&r, paths[i], err);
	if (!rc)
		rc = vt_record_write(o->of.fp, o->out, &r, err);
	vt_record_release(&r);
	return rc;
}

int cmd_tensor_inspect(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "head", required_argument, NULL, OPT_HEAD },
		{ "tensor", required_argument, NULL, OPT_TENSOR },
		{ "slice", required_argument, NULL, OPT_SLICE },
		{ "precision", required_argument, NULL, OPT_PRECISION },
		{ "to-npy", required_argument, NULL, OPT_TO_NPY },
		{ "from-npy", no_argument, NULL, OPT_FROM_NPY },
		{ NULL, 0, NULL, 0 },
	};
	static char *stdin_only[] = { "-" };
	struct opts o = { 0 };
	struct progress prog = { 0 };
	struct vt_err err = { 0 };
	uint64_t v;
	int c, status = 0, rc;

	vt_cli_init("tensor-inspect");
	o.in.only = o.names;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hqvo:", longs, NULL)) != -1) {
		switch (c) {
		case 'h': fputs(usage, stdout); fputs(help, stdout); return 0;
		case OPT_VERSION: return vt_cli_version();
		case 'q': vt_cli_verbosity = -1; break;
		case 'v': vt_cli_verbosity = 1; o.in.full_meta = true; break;
		case 'o': o.out = optarg; break;
		case OPT_JSON: o.json = true; break;
		case OPT_STATS: o.in.stats = true; break;
		case OPT_TO_NPY: o.to_npy = optarg; break;
		case OPT_FROM_NPY: o.from_npy = true; break;
		case OPT_SLICE:
			if (o.slice_spec)
				return vt_cli_usage_error("--slice given twice (one slice a run)");
			o.slice_spec = optarg;
			break;
		case OPT_HEAD:
			if (vt_parse_u64(optarg, &o.head) || o.head == 0)
				return vt_cli_usage_error("--head: '%s' is not a positive integer", optarg);
			break;
		case OPT_PRECISION:
			if (vt_parse_u64(optarg, &v) || v < 1 || v > 17)
				return vt_cli_usage_error("--precision: '%s' is not in 1..17", optarg);
			o.print.precision = (int)v;
			break;
		case OPT_TENSOR:
			if (o.in.n_only == sizeof o.names / sizeof o.names[0])
				return vt_cli_usage_error("too many --tensor options");
			o.names[o.in.n_only++] = optarg;
			break;
		default: return vt_cli_bad_option(c, argv);
		}
	}
	if (o.in.stats) {
		o.in.progress = on_progress;
		o.in.progress_ctx = &prog;
	}
	if (o.slice_spec && vt_slice_parse(o.slice_spec, &o.slice, &err))
		return vt_cli_usage_error("--slice: %s", err.msg);
	if (o.out && !o.slice_spec && !o.from_npy)
		return vt_cli_usage_error("-o needs --slice or --from-npy");
	if (!!o.slice_spec + !!o.to_npy + o.from_npy > 1)
		return vt_cli_usage_error("--slice, --to-npy and --from-npy exclude each other");
	if (o.from_npy && optind == argc)
		return vt_cli_usage_error("--from-npy needs .npy files");
	if (o.out || o.from_npy) {
		if ((rc = vt_cli_check_binary_stdout(o.out)))
			return rc;
		if (vt_outfile_open(&o.of, o.out, &err))
			return vt_cli_fail(&err);
		o.of_open = true;
	}
	if (o.from_npy) {
		status = from_npy(&o, argc - optind, argv + optind, &err) ?
			 vt_cli_fail(&err) : 0;
	} else {
		char **in = optind < argc ? argv + optind : stdin_only;
		int n = optind < argc ? argc - optind : 1;
		for (int i = 0; i < n; i++) {
			vt_err_clear(&err);
			if (do_input(&o, in[i], &err)) {
				rc = vt_cli_fail(&err);
				status = status ? status : rc;
			}
		}
	}
	if (o.of_open) {
		if (status)
			vt_outfile_abort(&o.of);
		else if (vt_outfile_commit(&o.of, &err))
			status = vt_cli_fail(&err);
	}
	rc = vt_cli_close_stdout();
	return status ? status : rc;
}

int main(int argc, char **argv) { return cmd_tensor_inspect(argc, argv); }
