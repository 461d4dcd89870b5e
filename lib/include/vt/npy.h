/* vt/npy.h - NumPy .npy files.
 *
 * Reading accepts format versions 1.0, 2.0 and 3.0 holding one little-endian
 * numeric or bool array:
 *
 *   descr        '<f2' '<f4' '<f8'  '<i2' '<i4' '<i8'  '<u2' '<u4' '<u8'
 *                '|i1' '|u1' '|b1'  (1-byte types also with '<', '>', '=')
 *   enum vt_dtype F16 F32  F64    I16   I32   I64    U16   U32   U64
 *                 I8   U8   BOOL
 *
 * Object arrays, big-endian data, structured, string, complex and datetime
 * dtypes are refused (VT_EUNSUP), as are ranks above VT_MAX_RANK.  The header
 * dict is parsed strictly: the keys 'descr', 'fortran_order' and 'shape'
 * exactly once each and nothing else, a tuple of non-negative integers for the
 * shape, padding spaces and a final newline.  The data must fill the rest of
 * the file exactly.  A 'fortran_order': True array is transposed on reading,
 * so the tensor is always C order.  The tensor read has no name and no
 * dimension names (they do not exist in .npy); it owns its data.
 *
 * Writing produces the bytes np.save (NumPy 1.24) produces for the same C-order
 * array: version 1.0 (2.0 only for a header over 64 KiB, which vt never
 * needs), the same header text, the data starting at a multiple of 64 bytes.
 * Dimension names are dropped.  BF16 has no .npy dtype (VT_EUNSUP).
 *
 * Messages name the file: "'x.npy': shape entry 2 is not a non-negative
 * integer".
 */
#ifndef VT_NPY_H
#define VT_NPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vt/err.h"
#include "vt/tensor.h"

/* Largest header (the dict text) accepted on reading: VT_ELIMIT above. */
#define VT_NPY_HEADER_MAX (1u << 20)

/* Whether buf starts with the .npy magic string "\x93NUMPY". */
bool vt_npy_magic(const void *buf, size_t len);

/* Parse a whole .npy file held in memory into out (zeroed on failure; the
 * data is copied).  name is for messages. */
int vt_npy_read_mem(const void *buf, size_t len, const char *name,
		    struct vt_tensor *out, struct vt_err *err);

/* Read a .npy file; path "-" or NULL is standard input. */
int vt_npy_load(const char *path, struct vt_tensor *out, struct vt_err *err);

/* Write t as a .npy file to f.  name is for messages ("-" or a path). */
int vt_npy_write(FILE *f, const char *name, const struct vt_tensor *t,
		 struct vt_err *err);

/* Write t to path atomically ("-": standard output). */
int vt_npy_save(const char *path, const struct vt_tensor *t,
		struct vt_err *err);

#endif
