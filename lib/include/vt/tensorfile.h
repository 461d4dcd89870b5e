/* vt/tensorfile.h - any tensor input as records: record files and streams,
 * and .npy files (one record holding one tensor named after the file). */
#ifndef VT_TENSORFILE_H
#define VT_TENSORFILE_H

#include <stdbool.h>

#include "vt/err.h"
#include "vt/record.h"

/* Whether path is a .npy file: by extension, or by magic for a regular
 * file.  "-" (standard input) is never taken for .npy. */
bool vt_path_is_npy(const char *path);

/* The tensor name a .npy path stands for: its base name without ".npy".
 * Writes into buf (at least VT_TENSOR_NAME_MAX + 1 bytes). */
int vt_npy_tensor_name(const char *path, char *buf, size_t size,
		       struct vt_err *err);

/* Load a .npy file as a one-tensor record. */
int vt_record_from_npy(const char *path, struct vt_record *rec,
		       struct vt_err *err);

/* Append a .npy file to rec as a tensor named after the file. */
int vt_record_add_npy(struct vt_record *rec, const char *path,
		      struct vt_err *err);

/* Write each tensor of rec that `select` accepts (NULL: all) to
 * DIR/<name>.npy (record 0) or DIR/<name>.<index>.npy (later records);
 * '/' in names becomes '_'.  Files are written atomically. */
int vt_record_to_npy_dir(const char *dir, const struct vt_record *rec,
			 uint64_t index,
			 bool (*select)(const void *ctx, const char *name),
			 const void *ctx, struct vt_err *err);

#endif
