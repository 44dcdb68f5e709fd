/* Plots for reports: time series with ensemble bands, network flow maps, bar charts.
 *
 * A thin layer over PLplot's cairo drivers. Each call takes plain arrays, writes exactly one
 * file and leaves no PLplot state behind, so any number of plots can be made one after another
 * in one process. The format follows the path's extension: ".png" (pngcairo) or ".svg"
 * (svgcairo), case-insensitive.
 *
 * Every function returns 0 on success. On failure it returns non-zero, writes a one-line
 * message to err (if err is not NULL and errlen > 0) and leaves no file at path: plots are
 * drawn to a temporary file in the same directory and renamed into place once complete.
 *
 * PLplot is not thread-safe: call these from one thread at a time. They install PLplot's
 * process-wide exit and abort handlers for the duration of the call (so a PLplot error
 * becomes an error return instead of exit()), and reset them to PLplot's defaults after.
 */
#ifndef RUMBO_ANALYSIS_PLOT_H
#define RUMBO_ANALYSIS_PLOT_H

#include <stdbool.h>
#include <stddef.h>

enum {
    PLOT_DEFAULT_WIDTH = 1000, /* pixels, used when a spec's width is 0 */
    PLOT_DEFAULT_HEIGHT = 600, /* pixels, used when a spec's height is 0 */
    PLOT_MIN_SIZE = 200,       /* smallest accepted width or height */
    PLOT_MAX_SIZE = 16000,     /* largest accepted width or height */
};

/* One line of a time series plot, with an optional band (e.g. the ensemble 95% interval). */
typedef struct plot_series {
    const char *name;    /* legend text */
    const double *mean;  /* n values: the line */
    const double *lower; /* NULL, or n values: lower edge of the band */
    const double *upper; /* NULL, or n values: upper edge of the band (both or neither) */
} plot_series;

typedef struct plot_series_spec {
    const char *title;
    const char *y_label;    /* quantity and units, e.g. "people" or "events per day" */
    const char *x_label;    /* NULL: "date" */
    const char *band_label; /* NULL, or a legend note for the bands, e.g. "95% ensemble band" */
    int width, height;      /* pixels; 0: PLOT_DEFAULT_WIDTH x PLOT_DEFAULT_HEIGHT */
    int start_year;         /* calendar date of day 0, e.g. 2024 */
    int start_month;        /* 1..12 */
    int start_day;          /* 1..31 */
    size_t n;               /* number of time points (>= 1) */
    const double *day;      /* NULL (x = 0, 1, ..., n-1), or n day numbers since day 0 */
    size_t n_series;        /* >= 1 */
    const plot_series *series;
} plot_series_spec;

/* Transport modes of network edges; codes outside this range are drawn grey as "other". */
typedef enum plot_mode {
    PLOT_MODE_RAIL = 0,
    PLOT_MODE_ROAD = 1,
    PLOT_MODE_FOOT = 2,
    PLOT_MODE_RIVER = 3,
    PLOT_MODE_COUNT
} plot_mode;

/* Nodes as circles whose area is proportional to size_value, edges as lines whose width is
 * proportional to flow, coloured by mode. Drawn in a local equirectangular projection (east-west
 * degrees shrunk by cos(mean latitude)), so distances look the same in both directions. */
typedef struct plot_map_spec {
    const char *title;
    const char *size_label;   /* what node size shows, e.g. "population"; NULL: "size" */
    const char *flow_label;   /* what edge width shows, e.g. "people per day"; NULL: "flow" */
    int width, height;        /* pixels; 0: default */
    size_t n_nodes;           /* >= 1 */
    const double *lon;        /* n_nodes longitudes, degrees east */
    const double *lat;        /* n_nodes latitudes, degrees north */
    const double *size_value; /* NULL (all equal), or n_nodes values >= 0 */
    const char *const *label; /* NULL, or n_nodes names (entries may be NULL) */
    int label_count;          /* label the largest this many nodes; 0: 10; negative: none */
    size_t n_edges;
    const int *from, *to; /* n_edges node indices (may be NULL when n_edges is 0) */
    const double *flow;   /* NULL (all equal), or n_edges values >= 0 */
    const int *mode;      /* NULL (all "other"), or n_edges plot_mode codes */
} plot_map_spec;

/* Values by category, optionally two scenarios side by side. */
typedef struct plot_bar_spec {
    const char *title;
    const char *value_label;     /* quantity and units, e.g. "detentions" */
    int width, height;           /* pixels; 0: default */
    bool horizontal;             /* bars grow to the right, categories listed top to bottom */
    size_t n;                    /* number of categories (>= 1) */
    const char *const *category; /* n labels, e.g. place names */
    const double *values;        /* n values of the first (or only) scenario */
    const double *values_b;      /* NULL, or n values of a second scenario */
    const char *name, *name_b;   /* scenario names for the legend (used when values_b is set) */
} plot_bar_spec;

int plot_time_series(const plot_series_spec *spec, const char *path, char *err, size_t errlen);
int plot_network_map(const plot_map_spec *spec, const char *path, char *err, size_t errlen);
int plot_bars(const plot_bar_spec *spec, const char *path, char *err, size_t errlen);

#endif
