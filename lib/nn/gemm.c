/* gemm.c - lib/nn's matrix products, cut into column (or row) blocks that
 * run on vt's worker pool.
 *
 * How a product is cut depends on its shape only, never on the thread
 * count, and never along the inner dimension: every output element is the
 * same single sgemm/dgemm dot product with one thread or many, so a training
 * run gives the same bits with any -j.  OpenBLAS itself runs on one thread
 * (vt_nn_set_threads): one pool, not two competing for the cores.
 */
#include <cblas.h>

#include "vt/parallel.h"

#include "nn_impl.h"

/* a block is at least PART_MACS multiply-adds and PART_MIN columns (or
 * rows) wide, in multiples of PART_ALIGN; at most MAX_PARTS blocks.  Each
 * block packs the whole of the other operand again, so fewer is cheaper:
 * on two cores 4 blocks were fastest (dcgan 292-321 ms a step against
 * 353 with 8 and 319-386 with 2 or 16; MLP gan 12.4 ms against 13.4 and
 * 14.1).  The count does not follow the machine's cores: OpenBLAS's bits
 * depend on the cut, and a run should resume exactly on any machine with the
 * same OpenBLAS kernel.  So one product uses at most 4 threads; the rest of a
 * step has no such limit. */
#define PART_MACS (1 << 19)
#define PART_MIN 32
#define PART_ALIGN 16
#define MAX_PARTS 4

struct gemm_job {
	enum vt_dtype dt;
	bool ta, tb, split_n;
	int64_t m, n, k, lda, ldb, ldc, step;
	const char *a, *b;
	char *c;
	double beta;
};

static void blas(enum vt_dtype dt, bool ta, bool tb, int64_t m, int64_t n,
		 int64_t k, const void *a, int64_t lda, const void *b,
		 int64_t ldb, double beta, void *c, int64_t ldc)
{
	if (dt == VT_F32)
		cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
			    tb ? CblasTrans : CblasNoTrans, (int)m, (int)n,
			    (int)k, 1.0f, a, (int)lda, b, (int)ldb,
			    (float)beta, c, (int)ldc);
	else
		cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
			    tb ? CblasTrans : CblasNoTrans, (int)m, (int)n,
			    (int)k, 1.0, a, (int)lda, b, (int)ldb, beta, c,
			    (int)ldc);
}

static void gemm_part(void *p, int i)
{
	const struct gemm_job *j = p;
	size_t esz = vt_dtype_size(j->dt);
	int64_t lo = i * j->step, m = j->m, n = j->n;
	const char *a = j->a, *b = j->b;
	char *c = j->c;

	if (j->split_n) {
		n = j->n - lo < j->step ? j->n - lo : j->step;
		b += (size_t)(j->tb ? lo * j->ldb : lo) * esz;
		c += (size_t)lo * esz;
	} else {
		m = j->m - lo < j->step ? j->m - lo : j->step;
		a += (size_t)(j->ta ? lo : lo * j->lda) * esz;
		c += (size_t)(lo * j->ldc) * esz;
	}
	blas(j->dt, j->ta, j->tb, m, n, j->k, a, j->lda, b, j->ldb, j->beta,
	     c, j->ldc);
}

void vt_nn__gemm(enum vt_dtype dt, bool ta, bool tb, int64_t m, int64_t n,
		 int64_t k, const void *a, int64_t lda, const void *b,
		 int64_t ldb, double beta, void *c, int64_t ldc)
{
	struct gemm_job j = { dt, ta, tb, n >= m, m, n, k, lda, ldb, ldc, 0,
			      a, b, c, beta };
	double macs = (double)m * (double)n * (double)k;
	int64_t dim = j.split_n ? n : m;
	int parts = 1;

	if (!m || !n)
		return;
	while (parts < MAX_PARTS && macs / (2 * parts) >= PART_MACS &&
	       dim / (2 * parts) >= PART_MIN)
		parts *= 2;
	if (parts == 1) {
		blas(dt, ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
		return;
	}
	j.step = (dim + parts - 1) / parts;
	j.step = (j.step + PART_ALIGN - 1) / PART_ALIGN * PART_ALIGN;
	vt_par_run((int)((dim + j.step - 1) / j.step), gemm_part, &j);
}
