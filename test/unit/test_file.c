/* test_file.c - vt_file_read: whole files with a limit, one set of
 * messages. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vt/file.h"

#include "helpers.h"

static char *temp_with(const char *text, size_t n)
{
	static char path[] = "/tmp/vt-test-file-XXXXXX";
	int fd;

	strcpy(path, "/tmp/vt-test-file-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, n), (ssize_t)n);
	close(fd);
	return path;
}

Test(file, whole_file_nul_terminated)
{
	char *p = temp_with("a b\nc", 5), *buf;
	size_t len;
	struct vt_err err;

	cr_assert_eq(vt_file_read(p, 0, &buf, &len, &err), 0, "%s", err.msg);
	cr_assert_eq(len, 5);
	cr_assert_str_eq(buf, "a b\nc");
	free(buf);
	/* exactly at the limit is fine */
	cr_assert_eq(vt_file_read(p, 5, &buf, &len, &err), 0);
	free(buf);
	unlink(p);
	p = temp_with("", 0);
	cr_assert_eq(vt_file_read(p, 0, &buf, &len, &err), 0);
	cr_assert_eq(len, 0);
	cr_assert_eq(buf[0], '\0');
	free(buf);
	unlink(p);
}

Test(file, errors_name_the_file)
{
	char want[300], *buf = (char *)"x", *p;
	size_t len = 7;
	struct vt_err err;

	cr_assert_eq(vt_file_read("no/such/file", 0, &buf, &len, &err),
		     VT_EOPEN);
	cr_assert_str_eq(err.msg, "'no/such/file': cannot open: No such file "
			 "or directory");
	cr_assert_eq(err.sys_errno, ENOENT);
	cr_assert_null(buf);
	cr_assert_eq(len, 0);
	cr_assert_eq(vt_file_read(t_data_dir(), 0, &buf, &len, &err),
		     VT_EOPEN);
	snprintf(want, sizeof want, "'%s': is a directory", t_data_dir());
	cr_assert_str_eq(err.msg, want);
	p = temp_with("123456", 6);
	cr_assert_eq(vt_file_read(p, 5, &buf, &len, &err), VT_ELIMIT);
	snprintf(want, sizeof want, "'%s': file of 6 bytes exceeds the limit "
		 "of 5 bytes", p);
	cr_assert_str_eq(err.msg, want);
	cr_assert_null(buf);
	unlink(p);
}

/* A pipe: read to its end however it comes, and refused once it has
 * given more than the limit. */
Test(file, pipe_grows_and_is_limited)
{
	const size_t n = 300000;   /* past the first allocation */
	char *buf;
	size_t len;
	struct vt_err err;
	FILE *f = popen("head -c 300000 /dev/zero", "r");

	cr_assert_not_null(f);
	cr_assert_eq(vt_file_read_stream(f, "p", 0, &buf, &len, &err), 0,
		     "%s", err.msg);
	pclose(f);
	cr_assert_eq(len, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(buf[i], 0);
	free(buf);
	f = popen("head -c 300000 /dev/zero", "r");
	cr_assert_eq(vt_file_read_stream(f, "p", n - 1, &buf, &len, &err),
		     VT_ELIMIT);
	pclose(f);
	cr_assert_str_eq(err.msg, "'p': more than the limit of 299999 bytes");
	cr_assert_null(buf);
}
