/* vt/err.h - status codes and error reports.
 *
 * A fallible library function returns 0 or a negative VT_E* status and fills
 * a caller-provided struct vt_err with a complete message.  Reporting never
 * allocates; the library never prints and never exits.
 */
#ifndef VT_ERR_H
#define VT_ERR_H

#include <stdarg.h>

enum vt_status {
	VT_OK = 0,
	VT_EINVAL = -1,   /* invalid argument from the caller (usage) */
	VT_ENOMEM = -2,   /* out of memory */
	VT_EFORMAT = -3,  /* malformed input data (including truncation) */
	VT_ELIMIT = -4,   /* input larger than a configured limit */
	VT_EOPEN = -5,    /* an input cannot be opened */
	VT_ECREATE = -6,  /* an output cannot be created */
	VT_EIO = -7,      /* read or write error */
	VT_EOS = -8,      /* other operating-system failure */
	VT_ECONFIG = -9,  /* bad configuration */
	VT_EUNSUP = -10,  /* valid input that vt does not support */
	VT_EBUG = -11,    /* broken internal invariant */
	VT_STATUS_COUNT = 12 /* number of statuses, VT_OK included */
};

#define VT_ERR_MSG_MAX 512

struct vt_err {
	int code;          /* a VT_E* status, VT_OK when clear */
	int sys_errno;     /* errno at the failure, or 0 */
	char msg[VT_ERR_MSG_MAX];
};

/* Stable lower-case name of a status ("ok", "format", ...); "unknown" else. */
const char *vt_status_name(int code);

/* The <sysexits.h> exit code a tool uses for a status. */
int vt_status_exit(int code);

void vt_err_clear(struct vt_err *err);

/* Set err (which may be NULL) and return code. */
int vt_err_set(struct vt_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vt_err_vset(struct vt_err *err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Like vt_err_set, appending ": strerror(errno)" and keeping errno. */
int vt_err_sys(struct vt_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepend context to an existing message: "CONTEXT: old message". */
void vt_err_prefix(struct vt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Broken internal invariant: stays on in release builds. */
#define VT_BUG(cond) \
	do { \
		if (cond) \
			vt_bug(__FILE__, __LINE__, #cond); \
	} while (0)
_Noreturn void vt_bug(const char *file, int line, const char *what);

#endif
