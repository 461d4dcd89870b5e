/* progress.c - a progress bar on standard error when it is a terminal. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "vt/cli.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void vt_progress_start(struct vt_progress *p, const char *label, uint64_t total)
{
	p->label = label;
	p->total = total;
	p->done = 0;
	p->start = now();
	p->last = 0;
	p->active = vt_cli_verbosity >= 0 && isatty(STDERR_FILENO);
}

static void draw(struct vt_progress *p, double t)
{
	const int width = 30;
	double frac = p->total ? (double)p->done / (double)p->total : 0;
	double el = t - p->start;
	int fill = (int)(frac * width);

	if (frac > 1)
		frac = 1, fill = width;
	fprintf(stderr, "\r%s: %s [", vt_cli_tool(), p->label);
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %3d%%", (int)(frac * 100));
	if (frac > 0.01 && frac < 1)
		fprintf(stderr, " eta %.0fs ", el / frac - el);
	else
		fprintf(stderr, " %.1fs    ", el);
	fflush(stderr);
	p->last = t;
}

void vt_progress_update(struct vt_progress *p, uint64_t done)
{
	double t;

	p->done = done;
	if (!p->active)
		return;
	t = now();
	if (t - p->start < 0.5 || t - p->last < 0.1)
		return;
	draw(p, t);
}

void vt_progress_end(struct vt_progress *p)
{
	if (!p->active)
		return;
	if (p->last > 0) {
		p->done = p->total;
		draw(p, now());
		fputc('\n', stderr);
	}
	p->active = false;
}
