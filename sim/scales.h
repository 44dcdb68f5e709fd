/* HDF5 dimension scales attached as H5DSattach_scale attaches them, with one write
 * per object.
 *
 * H5DSattach_scale reads and rewrites a dataset's DIMENSION_LIST at each of its
 * dimensions, and the scale's REFERENCE_LIST at each dataset attached: the `time`
 * scale's list was rewritten once per series, and attaching took 43% of making the
 * output file (18 of 42 million instructions). Here a dataset's DIMENSION_LIST is
 * written once, when it is made, and each scale's REFERENCE_LIST once, at the end,
 * with the same types and order as H5DS (HDF5's Dimension Scale Specification), so
 * that H5DS, h5py, netCDF and xarray read them as before. */
#ifndef RUMBO_SCALES_H
#define RUMBO_SCALES_H

#include <hdf5.h>
#include <stddef.h>

enum { SCALES_MAX = 32, SCALES_MAX_RANK = 8 };

typedef struct scale_backlink {
    hobj_ref_t dataset;
    int axis;
} scale_backlink;

typedef struct scale_set {
    int n;
    hid_t scale[SCALES_MAX]; /* open scale datasets, not owned */
    hobj_ref_t ref[SCALES_MAX];
    scale_backlink *links[SCALES_MAX]; /* what each scale is attached to, in order */
    size_t n_links[SCALES_MAX], cap[SCALES_MAX];
} scale_set;

void scale_set_init(scale_set *s);
void scale_set_free(scale_set *s);

/* Registers dataset `name` of `file` (open as `scale`, already made a scale by
 * H5DSset_scale). Returns its index, or -1 on an HDF5 error. */
int scale_set_add(scale_set *s, hid_t file, const char *name, hid_t scale);

/* Attaches scale scale_of_axis[k] (an index from scale_set_add, or -1 for none) to
 * axis k of dataset `name` (open as ds, of `rank` axes): writes its DIMENSION_LIST.
 * 0 ok, -1 on an HDF5 error. */
herr_t scale_set_attach(scale_set *s, hid_t file, hid_t ds, const char *name, int rank,
                        const int *scale_of_axis);

/* Writes each scale's REFERENCE_LIST. 0 ok, -1 on an HDF5 error. */
herr_t scale_set_finish(scale_set *s);

#endif
