/* vt/cli.h - what every tool shares: messages, exit codes, progress, output.
 *
 * Only cmd/ and this module talk to the user.  Messages are
 * "tool: message" on standard error.
 */
#ifndef VT_CLI_H
#define VT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vt/err.h"

#define VT_VERSION "0.1.0"

/* sysexits codes, named once for the tools. */
enum {
	VT_EXIT_OK = 0,
	VT_EXIT_NO = 1,          /* the work ran, the answer is no */
	VT_EXIT_USAGE = 64,
	VT_EXIT_DATAERR = 65,
	VT_EXIT_NOINPUT = 66,
	VT_EXIT_SOFTWARE = 70,
	VT_EXIT_OSERR = 71,
	VT_EXIT_CANTCREAT = 73,
	VT_EXIT_IOERR = 74,
	VT_EXIT_CONFIG = 78,
};

/* Set once by each tool's main: used as the message prefix. */
void vt_cli_init(const char *tool);
const char *vt_cli_tool(void);
extern int vt_cli_verbosity;   /* -1 quiet, 0 normal, 1 verbose */

void vt_cli_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vt_cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "tool: message" and return the exit code for the error's status. */
int vt_cli_fail(const struct vt_err *err);
/* Print "tool: message" plus a hint to --help; return VT_EXIT_USAGE. */
int vt_cli_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* After getopt_long returned '?' or ':' (with opterr = 0 and an optstring
 * that starts with ':'), say which option was wrong; returns VT_EXIT_USAGE. */
int vt_cli_bad_option(int c, char **argv);
/* "tool (vt) 0.1.0" on standard output; returns 0. */
int vt_cli_version(void);

/* Flush and check standard output: 0, or VT_EXIT_IOERR after a message. */
int vt_cli_close_stdout(void);

/* Refuse binary output to a terminal: 0 or VT_EXIT_USAGE after a message. */
int vt_cli_check_binary_stdout(const char *path);

/* Parse numbers from option arguments: 0 or -1 (no message). */
int vt_parse_u64(const char *s, uint64_t *out);
int vt_parse_double(const char *s, double *out);

/* A progress bar on standard error, drawn only when it is a terminal. */
struct vt_progress {
	const char *label;
	uint64_t total, done;
	double start, last;
	bool active;
};
void vt_progress_start(struct vt_progress *p, const char *label, uint64_t total);
void vt_progress_update(struct vt_progress *p, uint64_t done);
void vt_progress_end(struct vt_progress *p);

#endif
