/* cli.c - messages, exit codes, standard output checks, number parsing. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt/cli.h"

static const char *cli_tool = "vt";
int vt_cli_verbosity;

void vt_cli_init(const char *tool)
{
	cli_tool = tool;
}

const char *vt_cli_tool(void)
{
	return cli_tool;
}

static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", cli_tool);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void vt_cli_msg(const char *fmt, ...)
{
	va_list ap;

	if (vt_cli_verbosity < 0)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void vt_cli_warn(const char *fmt, ...)
{
	va_list ap;

	if (vt_cli_verbosity < 0)
		return;
	fprintf(stderr, "%s: warning: ", cli_tool);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int vt_cli_fail(const struct vt_err *err)
{
	fprintf(stderr, "%s: %s\n", cli_tool,
		err->msg[0] ? err->msg : vt_status_name(err->code));
	return vt_status_exit(err->code ? err->code : VT_EBUG);
}

int vt_cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", cli_tool);
	return VT_EXIT_USAGE;
}

int vt_cli_bad_option(int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	char shortopt[3] = { '-', (char)optopt, '\0' };
	int len = (int)strcspn(arg, "=");

	if (strncmp(arg, "--", 2) != 0 && optopt > ' ' && optopt < 127) {
		arg = shortopt;  /* also right inside a cluster such as -qx */
		len = 2;
	}
	if (c == ':')
		return vt_cli_usage_error("option '%.*s' needs an argument", len, arg);
	return vt_cli_usage_error("unknown option '%.*s'", len, arg);
}

int vt_cli_version(void)
{
	printf("%s (vt) %s\n", cli_tool, VT_VERSION);
	return 0;
}

int vt_cli_close_stdout(void)
{
	/* fclose reports errors of the last buffered write (ENOSPC, EPIPE) */
	if (ferror(stdout) || fflush(stdout) != 0 || fclose(stdout) != 0) {
		fprintf(stderr, "%s: standard output: write error: %s\n",
			cli_tool, strerror(errno));
		return VT_EXIT_IOERR;
	}
	return 0;
}

int vt_cli_check_binary_stdout(const char *path)
{
	if ((!path || strcmp(path, "-") == 0) && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s: refusing to write binary tensor data to a "
			"terminal; use -o FILE or a pipe\n", cli_tool);
		return VT_EXIT_USAGE;
	}
	return 0;
}

int vt_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int vt_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno == ERANGE && fabs(v) > 1) /* overflow; underflow is fine */
		return -1;
	if (*end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}
