#include "sim/scales.h"

#include <stdlib.h>
#include <string.h>

void scale_set_init(scale_set *s)
{
    memset(s, 0, sizeof *s);
}

void scale_set_free(scale_set *s)
{
    for (int k = 0; k < s->n; k++)
        free(s->links[k]);
    memset(s, 0, sizeof *s);
}

int scale_set_add(scale_set *s, hid_t file, const char *name, hid_t scale)
{
    if (s->n == SCALES_MAX) abort(); /* a programming error: the layout has fewer */
    int k = s->n;
    if (H5Rcreate(&s->ref[k], file, name, H5R_OBJECT, -1) < 0) return -1;
    s->scale[k] = scale;
    s->links[k] = NULL;
    s->n_links[k] = s->cap[k] = 0;
    return s->n++;
}

static void add_backlink(scale_set *s, int k, hobj_ref_t dataset, int axis)
{
    if (s->n_links[k] == s->cap[k]) {
        s->cap[k] = s->cap[k] ? 2 * s->cap[k] : 16;
        s->links[k] = realloc(s->links[k], s->cap[k] * sizeof *s->links[k]);
        if (!s->links[k]) abort();
    }
    s->links[k][s->n_links[k]++] = (scale_backlink){dataset, axis};
}

herr_t scale_set_attach(scale_set *s, hid_t file, hid_t ds, const char *name, int rank,
                        const int *scale_of_axis)
{
    if (rank > SCALES_MAX_RANK) abort();
    hobj_ref_t self;
    if (H5Rcreate(&self, file, name, H5R_OBJECT, -1) < 0) return -1;
    /* DIMENSION_LIST: per axis, a variable-length list of references to its scales
     * (H5DS allows several; rumbo attaches one, or none). */
    hvl_t lists[SCALES_MAX_RANK];
    for (int a = 0; a < rank; a++) {
        int k = scale_of_axis[a];
        lists[a] = k < 0 ? (hvl_t){0, NULL} : (hvl_t){1, &s->ref[k]};
        if (k >= 0) add_backlink(s, k, self, a);
    }
    hsize_t n = (hsize_t)rank;
    hid_t type = H5Tvlen_create(H5T_STD_REF_OBJ), space = H5Screate_simple(1, &n, NULL);
    hid_t attr = H5Acreate2(ds, "DIMENSION_LIST", type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = attr < 0 ? -1 : H5Awrite(attr, type, lists);
    if (attr >= 0 && H5Aclose(attr) < 0) rc = -1;
    H5Sclose(space);
    H5Tclose(type);
    return rc < 0 ? -1 : 0;
}

herr_t scale_set_finish(scale_set *s)
{
    /* REFERENCE_LIST: a compound {dataset: object reference, dimension: int} per
     * attachment, laid out as H5DS lays out its own. */
    hid_t type = H5Tcreate(H5T_COMPOUND, sizeof(scale_backlink));
    if (type < 0) return -1;
    herr_t rc = 0;
    if (H5Tinsert(type, "dataset", HOFFSET(scale_backlink, dataset), H5T_STD_REF_OBJ) < 0 ||
        H5Tinsert(type, "dimension", HOFFSET(scale_backlink, axis), H5T_NATIVE_INT) < 0)
        rc = -1;
    for (int k = 0; rc == 0 && k < s->n; k++) {
        if (s->n_links[k] == 0) continue; /* H5DS writes none for a scale never attached */
        hsize_t n = s->n_links[k];
        hid_t space = H5Screate_simple(1, &n, NULL);
        hid_t attr =
            H5Acreate2(s->scale[k], "REFERENCE_LIST", type, space, H5P_DEFAULT, H5P_DEFAULT);
        rc = attr < 0 ? -1 : H5Awrite(attr, type, s->links[k]);
        if (attr >= 0 && H5Aclose(attr) < 0) rc = -1;
        H5Sclose(space);
    }
    H5Tclose(type);
    return rc < 0 ? -1 : 0;
}
