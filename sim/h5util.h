/* Small HDF5 helpers shared by checkpoints and sweep files (the run output has its
 * own, in output.c). Each returns < 0 on failure, like the HDF5 calls it wraps. */
#ifndef RUMBO_H5UTIL_H
#define RUMBO_H5UTIL_H

#include <hdf5.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"

/* Maps a C object to its native HDF5 type (for the X-macro agent fields); -1 when the
 * type has no HDF5 counterpart here, and the caller stores raw bytes. */
#define H5U_NATIVE_TYPE(x)                                                                         \
    _Generic((x), int8_t                                                                           \
             : H5T_NATIVE_INT8, uint8_t                                                            \
             : H5T_NATIVE_UINT8, int16_t                                                           \
             : H5T_NATIVE_INT16, uint16_t                                                          \
             : H5T_NATIVE_UINT16, int32_t                                                          \
             : H5T_NATIVE_INT32, uint32_t                                                          \
             : H5T_NATIVE_UINT32, int64_t                                                          \
             : H5T_NATIVE_INT64, uint64_t                                                          \
             : H5T_NATIVE_UINT64, float                                                            \
             : H5T_NATIVE_FLOAT, double                                                            \
             : H5T_NATIVE_DOUBLE, default                                                          \
             : (hid_t)-1)

herr_t h5u_attr_string(hid_t obj, const char *name, const char *value);
herr_t h5u_attr_i64(hid_t obj, const char *name, int64_t value);
/* Reads a string attribute (fixed or variable length) into a malloc'ed copy; NULL if
 * missing or not a string. */
char *h5u_read_attr_string(hid_t obj, const char *name);
herr_t h5u_read_attr_i64(hid_t obj, const char *name, int64_t *out);

/* A 1-D dataset of n elements of `type` (native; stored as is). */
herr_t h5u_write_1d(hid_t loc, const char *name, hid_t type, size_t n, const void *data);
/* A 1-D dataset of UTF-8 strings. */
herr_t h5u_write_strings(hid_t loc, const char *name, size_t n, const char *const *strings);
/* Length of a 1-D dataset (or the first dimension), or -1. */
int64_t h5u_length(hid_t loc, const char *name);

/* Moves a finished file `tmp` to `path` after flushing it to disk. On failure `d`
 * explains and the temporary is removed unless keep_on_failure. */
int h5u_commit_file(const char *tmp, const char *path, bool keep_on_failure, diag *d);

/* True if `loc` has a link called `name` (no error stack noise). */
int h5u_exists(hid_t loc, const char *name);

#endif
