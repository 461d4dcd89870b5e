/* test_outfile.c - atomic output files, and what they must never replace. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vt/outfile.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/vt-outfile-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(outfile, .init = setup, .fini = teardown);

static int entries(const char *d)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(dp);
	while ((e = readdir(dp)))
		n += e->d_name[0] != '.';
	closedir(dp);
	return n;
}

Test(outfile, commit_and_abort)
{
	struct vt_outfile o;
	struct vt_err e;
	char path[256];
	struct stat st;

	snprintf(path, sizeof path, "%s/x.bin", dir);
	cr_assert_eq(vt_outfile_open(&o, path, &e), 0);
	fputs("abc", o.fp);
	cr_assert_eq(stat(path, &st), -1, "visible before commit");
	cr_assert_eq(vt_outfile_commit(&o, &e), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 3);

	cr_assert_eq(vt_outfile_open(&o, path, &e), 0);
	fputs("longer", o.fp);
	vt_outfile_abort(&o);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 3, "an aborted write changed the old file");
	cr_assert_eq(entries(dir), 1, "temporary file left behind");
}

Test(outfile, never_replaces_a_device)
{
	struct vt_outfile o;
	struct vt_err e;
	struct stat st;

	cr_assert_eq(vt_outfile_open(&o, "/dev/null", &e), 0, "%s", e.msg);
	fputs("discarded", o.fp);
	cr_assert_eq(vt_outfile_commit(&o, &e), 0, "%s", e.msg);
	cr_assert_eq(stat("/dev/null", &st), 0);
	cr_assert(S_ISCHR(st.st_mode), "/dev/null was replaced by a file");
}

Test(outfile, writes_through_a_fifo)
{
	struct vt_outfile o;
	struct vt_err e;
	char path[256], buf[8] = { 0 };
	struct stat st;
	FILE *r;

	snprintf(path, sizeof path, "%s/fifo", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	r = fopen(path, "r+"); /* r+ so opening does not block */
	cr_assert_not_null(r);
	cr_assert_eq(vt_outfile_open(&o, path, &e), 0, "%s", e.msg);
	fputs("hi", o.fp);
	cr_assert_eq(vt_outfile_commit(&o, &e), 0, "%s", e.msg);
	cr_assert_eq(fread(buf, 1, 2, r), 2);
	cr_assert_str_eq(buf, "hi");
	fclose(r);
	cr_assert_eq(lstat(path, &st), 0);
	cr_assert(S_ISFIFO(st.st_mode));
}

Test(outfile, follows_a_symlink)
{
	struct vt_outfile o;
	struct vt_err e;
	char target[256], link[256];
	struct stat st;
	FILE *f;

	snprintf(target, sizeof target, "%s/target", dir);
	snprintf(link, sizeof link, "%s/link", dir);
	f = fopen(target, "w");
	cr_assert_not_null(f);
	fclose(f);
	cr_assert_eq(symlink(target, link), 0);
	cr_assert_eq(vt_outfile_open(&o, link, &e), 0, "%s", e.msg);
	fputs("12345", o.fp);
	cr_assert_eq(vt_outfile_commit(&o, &e), 0, "%s", e.msg);
	cr_assert_eq(lstat(link, &st), 0);
	cr_assert(S_ISLNK(st.st_mode), "the link was replaced");
	cr_assert_eq(stat(target, &st), 0);
	cr_assert_eq(st.st_size, 5);
}

Test(outfile, refuses_a_directory)
{
	struct vt_outfile o;
	struct vt_err e;

	cr_assert_eq(vt_outfile_open(&o, dir, &e), VT_ECREATE);
	cr_assert(strstr(e.msg, "is a directory"), "%s", e.msg);
}
