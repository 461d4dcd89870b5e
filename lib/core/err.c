/* err.c - status names, exit codes and error reports. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "vt/err.h"

static const char *const status_names[VT_STATUS_COUNT] = {
	[0] = "ok",
	[-VT_EINVAL] = "invalid-argument",
	[-VT_ENOMEM] = "out-of-memory",
	[-VT_EFORMAT] = "malformed-data",
	[-VT_ELIMIT] = "over-limit",
	[-VT_EOPEN] = "cannot-open",
	[-VT_ECREATE] = "cannot-create",
	[-VT_EIO] = "io-error",
	[-VT_EOS] = "os-error",
	[-VT_ECONFIG] = "bad-config",
	[-VT_EUNSUP] = "unsupported",
	[-VT_EBUG] = "internal-error",
};

static const int status_exits[VT_STATUS_COUNT] = {
	[0] = 0,
	[-VT_EINVAL] = EX_USAGE,
	[-VT_ENOMEM] = EX_OSERR,
	[-VT_EFORMAT] = EX_DATAERR,
	[-VT_ELIMIT] = EX_DATAERR,
	[-VT_EOPEN] = EX_NOINPUT,
	[-VT_ECREATE] = EX_CANTCREAT,
	[-VT_EIO] = EX_IOERR,
	[-VT_EOS] = EX_OSERR,
	[-VT_ECONFIG] = EX_CONFIG,
	[-VT_EUNSUP] = EX_DATAERR,
	[-VT_EBUG] = EX_SOFTWARE,
};

_Static_assert(sizeof status_names / sizeof status_names[0] == VT_STATUS_COUNT,
	       "status name table out of step with enum vt_status");

const char *vt_status_name(int code)
{
	if (code > 0 || code <= -VT_STATUS_COUNT)
		return "unknown";
	return status_names[-code];
}

int vt_status_exit(int code)
{
	if (code > 0 || code <= -VT_STATUS_COUNT)
		return EX_SOFTWARE;
	return status_exits[-code];
}

void vt_err_clear(struct vt_err *err)
{
	if (!err)
		return;
	err->code = VT_OK;
	err->sys_errno = 0;
	err->msg[0] = '\0';
}

/* A message is one printable line, whatever the input quoted in it holds:
 * control characters become \n, \t, \r or \xNN (as much as fits). */
static void escape_controls(char *msg)
{
	char tmp[VT_ERR_MSG_MAX];
	const unsigned char *p = (const unsigned char *)msg;
	size_t o = 0;

	while (*p >= 0x20 && *p != 0x7f)
		p++;
	if (!*p)
		return;
	for (p = (const unsigned char *)msg; *p; p++) {
		char esc[8];
		size_t n;
		if (*p >= 0x20 && *p != 0x7f) {
			esc[0] = (char)*p;
			n = 1;
		} else if (*p == '\n' || *p == '\t' || *p == '\r') {
			esc[0] = '\\';
			esc[1] = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
			n = 2;
		} else {
			n = (size_t)snprintf(esc, sizeof esc, "\\x%02x", *p);
		}
		if (o + n >= sizeof tmp)
			break;
		memcpy(tmp + o, esc, n);
		o += n;
	}
	tmp[o] = '\0';
	memcpy(msg, tmp, o + 1);
}

int vt_err_vset(struct vt_err *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	err->sys_errno = 0;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	escape_controls(err->msg);
	return code;
}

int vt_err_set(struct vt_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vt_err_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int vt_err_sys(struct vt_err *err, int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t len;

	if (!err)
		return code;
	va_start(ap, fmt);
	vt_err_vset(err, code, fmt, ap);
	va_end(ap);
	err->sys_errno = saved;
	len = strlen(err->msg);
	if (saved && len < sizeof err->msg)
		snprintf(err->msg + len, sizeof err->msg - len, ": %s",
			 strerror(saved));
	return code;
}

void vt_err_prefix(struct vt_err *err, const char *fmt, ...)
{
	char old[VT_ERR_MSG_MAX];
	size_t len, olen;
	va_list ap;

	if (!err)
		return;
	memcpy(old, err->msg, sizeof old);
	old[sizeof old - 1] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	/* append ": old", cut to fit */
	len = strlen(err->msg);
	olen = strlen(old);
	if (len + 2 < sizeof err->msg) {
		memcpy(err->msg + len, ": ", 2);
		len += 2;
		if (olen > sizeof err->msg - 1 - len)
			olen = sizeof err->msg - 1 - len;
		memcpy(err->msg + len, old, olen);
		err->msg[len + olen] = '\0';
	}
	escape_controls(err->msg); /* the prefix may quote input too */
}

void vt_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "vt: internal error at %s:%d: %s\n", file, line, what);
	abort();
}
