/* Plots: each function writes a complete PNG or SVG of the requested size, many plots can be
 * made in one process, and bad paths or specs are errors that leave no file behind. */
#define _POSIX_C_SOURCE 200809L

#include "analysis/plot.h"

#include <criterion/criterion.h>
#include <plplot.h>

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void dir_make(void)
{
    snprintf(dir, sizeof dir, "/tmp/rumbo_plot_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void dir_remove(void)
{
    DIR *d = opendir(dir);
    if (d == NULL) return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

TestSuite(plot, .init = dir_make, .fini = dir_remove);

static const char *in_dir(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static int dir_entries(void)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Width and height from the IHDR chunk, which must come first after the signature. */
static void assert_png(const char *path, uint32_t width, uint32_t height)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char head[24];
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s was not written", path);
    size_t got = fread(head, 1, sizeof head, f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    cr_assert_eq(got, sizeof head, "%s is too short for a PNG", path);
    cr_assert_gt(size, 1000, "%s is suspiciously small (%ld bytes)", path, size);
    cr_assert_arr_eq(head, signature, sizeof signature, "%s is not a PNG", path);
    cr_assert_arr_eq(head + 12, "IHDR", 4);
    cr_assert_eq(be32(head + 16), width, "width %u, expected %u", be32(head + 16), width);
    cr_assert_eq(be32(head + 20), height, "height %u, expected %u", be32(head + 20), height);
}

static void assert_svg(const char *path)
{
    char head[256] = {0};
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s was not written", path);
    size_t got = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    cr_assert_gt(got, 0);
    const char *p = head + strspn(head, " \t\r\n");
    cr_assert(strncmp(p, "<?xml", 5) == 0 || strncmp(p, "<svg", 4) == 0,
              "%s does not start with an XML or svg tag", path);
    cr_assert_not_null(strstr(head, "<svg"), "no <svg> element near the start of %s", path);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- fixtures ------------------------------------------------------------------------- */

enum { DAYS = 200 };
static double days[DAYS], mean_a[DAYS], lo_a[DAYS], hi_a[DAYS], mean_b[DAYS];

static plot_series_spec series_spec(void)
{
    for (int i = 0; i < DAYS; i++) {
        days[i] = 31.0 + i; /* from February */
        mean_a[i] = 5000.0 + 3000.0 * sin(i / 25.0);
        lo_a[i] = mean_a[i] - 800.0;
        hi_a[i] = mean_a[i] + 800.0;
        mean_b[i] = 2000.0 + 10.0 * i;
    }
    static plot_series series[2];
    series[0] = (plot_series){"baseline", mean_a, lo_a, hi_a};
    series[1] = (plot_series){"more checkpoints", mean_b, NULL, NULL};
    return (plot_series_spec){.title = "Migrants in Tapachula",
                              .y_label = "people",
                              .band_label = "95% ensemble band",
                              .start_year = 2024,
                              .start_month = 1,
                              .start_day = 1,
                              .n = DAYS,
                              .day = days,
                              .n_series = 2,
                              .series = series};
}

static const double lon[] = {-92.26, -93.9, -95.03, -94.43, -99.13};
static const double lat[] = {14.9, 16.23, 16.56, 18.14, 19.43};
static const double pop[] = {350000, 40000, 30000, 320000, 9000000};
static const char *const names[] = {"Tapachula", "Arriaga", "Ixtepec", "Coatzacoalcos",
                                    "Ciudad de México"};
static const int from[] = {0, 1, 2, 3, 0};
static const int to[] = {1, 2, 3, 4, 2};
static const double flow[] = {800, 650, 400, 300, 0};
static const int mode[] = {PLOT_MODE_FOOT, PLOT_MODE_RAIL, PLOT_MODE_RAIL, PLOT_MODE_ROAD, 99};

static plot_map_spec map_spec(void)
{
    return (plot_map_spec){.title = "Flows",
                           .size_label = "population",
                           .flow_label = "people per day",
                           .n_nodes = 5,
                           .lon = lon,
                           .lat = lat,
                           .size_value = pop,
                           .label = names,
                           .n_edges = 5,
                           .from = from,
                           .to = to,
                           .flow = flow,
                           .mode = mode};
}

static const char *const places[] = {"Tapachula", "Ciudad Hidalgo", "Arriaga", "Tenosique"};
static const double detained_a[] = {1200, 340, 510, 90};
static const double detained_b[] = {1500, 520, 410, 0};

static plot_bar_spec bar_spec(void)
{
    return (plot_bar_spec){.title = "Detentions by place",
                           .value_label = "detentions",
                           .horizontal = true,
                           .n = 4,
                           .category = places,
                           .values = detained_a,
                           .values_b = detained_b,
                           .name = "baseline",
                           .name_b = "more checkpoints"};
}

/* ---- files of the requested kind and size --------------------------------------------- */

Test(plot, time_series_png_has_default_size)
{
    plot_series_spec spec = series_spec();
    char err[256] = "";
    const char *path = in_dir("series.png");
    cr_assert_eq(plot_time_series(&spec, path, err, sizeof err), 0, "%s", err);
    assert_png(path, PLOT_DEFAULT_WIDTH, PLOT_DEFAULT_HEIGHT);
    cr_assert_eq(dir_entries(), 1, "temporary file left behind");
}

Test(plot, time_series_png_has_requested_size)
{
    plot_series_spec spec = series_spec();
    spec.width = 800;
    spec.height = 450;
    char err[256] = "";
    const char *path = in_dir("series.PNG");
    cr_assert_eq(plot_time_series(&spec, path, err, sizeof err), 0, "%s", err);
    assert_png(path, 800, 450);
}

Test(plot, time_series_svg)
{
    plot_series_spec spec = series_spec();
    spec.day = NULL; /* x = 0, 1, 2, ... */
    spec.n = 10;     /* short runs get day ticks instead of months */
    char err[256] = "";
    const char *path = in_dir("series.svg");
    cr_assert_eq(plot_time_series(&spec, path, err, sizeof err), 0, "%s", err);
    assert_svg(path);
}

Test(plot, time_series_single_point)
{
    plot_series_spec spec = series_spec();
    spec.n = 1;
    char err[256] = "";
    const char *path = in_dir("one.png");
    cr_assert_eq(plot_time_series(&spec, path, err, sizeof err), 0, "%s", err);
    assert_png(path, PLOT_DEFAULT_WIDTH, PLOT_DEFAULT_HEIGHT);
}

Test(plot, network_map_png_and_svg)
{
    plot_map_spec spec = map_spec();
    spec.width = 640;
    spec.height = 480;
    char err[256] = "";
    cr_assert_eq(plot_network_map(&spec, in_dir("map.png"), err, sizeof err), 0, "%s", err);
    assert_png(in_dir("map.png"), 640, 480);
    cr_assert_eq(plot_network_map(&spec, in_dir("map.svg"), err, sizeof err), 0, "%s", err);
    assert_svg(in_dir("map.svg"));
}

Test(plot, network_map_without_optional_arrays)
{
    plot_map_spec spec = map_spec();
    spec.size_value = NULL;
    spec.label = NULL;
    spec.flow = NULL;
    spec.mode = NULL;
    char err[256] = "";
    cr_assert_eq(plot_network_map(&spec, in_dir("bare.png"), err, sizeof err), 0, "%s", err);
    assert_png(in_dir("bare.png"), PLOT_DEFAULT_WIDTH, PLOT_DEFAULT_HEIGHT);
}

Test(plot, bars_png_and_svg)
{
    plot_bar_spec spec = bar_spec();
    spec.width = 900;
    spec.height = 700;
    char err[256] = "";
    cr_assert_eq(plot_bars(&spec, in_dir("bars.png"), err, sizeof err), 0, "%s", err);
    assert_png(in_dir("bars.png"), 900, 700);
    spec.horizontal = false;
    spec.values_b = NULL;
    cr_assert_eq(plot_bars(&spec, in_dir("bars.svg"), err, sizeof err), 0, "%s", err);
    assert_svg(in_dir("bars.svg"));
}

Test(plot, bars_with_negative_values)
{
    static const double change[] = {-120.5, 40.25, 0.0, 310.0};
    plot_bar_spec spec = bar_spec();
    spec.values = change;
    spec.values_b = NULL;
    char err[256] = "";
    cr_assert_eq(plot_bars(&spec, in_dir("change.png"), err, sizeof err), 0, "%s", err);
    assert_png(in_dir("change.png"), PLOT_DEFAULT_WIDTH, PLOT_DEFAULT_HEIGHT);
}

/* PLplot has at most 100 streams; each plot must give its own back. */
Test(plot, many_plots_in_one_process)
{
    plot_series_spec ts = series_spec();
    plot_map_spec map = map_spec();
    plot_bar_spec bars = bar_spec();
    ts.width = map.width = bars.width = 300;
    ts.height = map.height = bars.height = 200;
    char err[256] = "", name[64];
    for (int i = 0; i < 120; i++) {
        snprintf(name, sizeof name, "p%d.%s", i % 3, i % 2 ? "svg" : "png");
        int rc = i % 3 == 0   ? plot_time_series(&ts, in_dir(name), err, sizeof err)
                 : i % 3 == 1 ? plot_network_map(&map, in_dir(name), err, sizeof err)
                              : plot_bars(&bars, in_dir(name), err, sizeof err);
        cr_assert_eq(rc, 0, "plot %d: %s", i, err);
    }
    assert_png(in_dir("p0.png"), 300, 200);
    assert_svg(in_dir("p1.svg"));
}

Test(plot, caller_stream_is_left_alone)
{
    PLINT before = -1, after = -1;
    plgstrm(&before);
    plot_bar_spec spec = bar_spec();
    cr_assert_eq(plot_bars(&spec, in_dir("b.png"), NULL, 0), 0);
    plgstrm(&after);
    cr_assert_eq(after, before);
}

/* ---- failures ------------------------------------------------------------------------- */

Test(plot, unwritable_path_is_an_error)
{
    plot_series_spec spec = series_spec();
    char err[256] = "";
    cr_assert_neq(plot_time_series(&spec, "/nonexistent-rumbo-dir/x.png", err, sizeof err), 0);
    cr_assert_not_null(strstr(err, "/nonexistent-rumbo-dir/x.png"), "message: %s", err);

    /* A directory component that is a regular file fails even for root. */
    FILE *f = fopen(in_dir("file"), "w");
    cr_assert_not_null(f);
    fclose(f);
    char path[512];
    snprintf(path, sizeof path, "%s/file/map.svg", dir);
    plot_map_spec map = map_spec();
    err[0] = '\0';
    cr_assert_neq(plot_network_map(&map, path, err, sizeof err), 0);
    cr_assert_neq(err[0], '\0');
    cr_assert_eq(dir_entries(), 1);
}

Test(plot, path_that_is_a_directory_is_an_error)
{
    char path[512];
    snprintf(path, sizeof path, "%s/sub.png", dir);
    cr_assert_eq(mkdir(path, 0755), 0);
    plot_bar_spec spec = bar_spec();
    char err[256] = "";
    cr_assert_neq(plot_bars(&spec, path, err, sizeof err), 0);
    cr_assert_neq(err[0], '\0');
    cr_assert_eq(dir_entries(), 1, "temporary file left behind");
}

Test(plot, unknown_extension_is_an_error)
{
    plot_bar_spec spec = bar_spec();
    char err[256] = "";
    const char *bad[] = {"plot.pdf", "plot.txt", "plot", "plot.png.bak", "dir.png/plot"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        cr_assert_neq(plot_bars(&spec, in_dir(bad[i]), err, sizeof err), 0, "%s", bad[i]);
        cr_assert_neq(err[0], '\0');
    }
    cr_assert_eq(dir_entries(), 0);
}

Test(plot, errors_without_message_buffer)
{
    plot_bar_spec spec = bar_spec();
    cr_assert_neq(plot_bars(&spec, in_dir("x.jpg"), NULL, 0), 0);
    cr_assert_neq(plot_bars(NULL, in_dir("x.png"), NULL, 0), 0);
    cr_assert_neq(plot_bars(&spec, NULL, NULL, 0), 0);
}

Test(plot, bad_specs_are_errors)
{
    char err[256];
    plot_series_spec ts = series_spec();
    ts.start_month = 13;
    cr_assert_neq(plot_time_series(&ts, in_dir("a.png"), err, sizeof err), 0);
    ts = series_spec();
    ts.n = 0;
    cr_assert_neq(plot_time_series(&ts, in_dir("a.png"), err, sizeof err), 0);
    ts = series_spec();
    plot_series half_band = {"x", mean_a, lo_a, NULL};
    ts.series = &half_band;
    ts.n_series = 1;
    cr_assert_neq(plot_time_series(&ts, in_dir("a.png"), err, sizeof err), 0);
    ts = series_spec();
    static const double backwards[3] = {0.0, 2.0, 1.0};
    ts.day = backwards;
    ts.n = 3;
    cr_assert_neq(plot_time_series(&ts, in_dir("a.png"), err, sizeof err), 0);
    cr_assert_not_null(strstr(err, "increase"), "message: %s", err);
    ts = series_spec();
    mean_b[3] = NAN;
    cr_assert_neq(plot_time_series(&ts, in_dir("a.png"), err, sizeof err), 0);

    plot_map_spec map = map_spec();
    static const int bad_to[] = {1, 2, 3, 4, 5};
    map.to = bad_to;
    cr_assert_neq(plot_network_map(&map, in_dir("m.png"), err, sizeof err), 0);
    cr_assert_not_null(strstr(err, "node index"), "message: %s", err);

    plot_bar_spec bars = bar_spec();
    bars.values = NULL;
    cr_assert_neq(plot_bars(&bars, in_dir("b.png"), err, sizeof err), 0);
    bars = bar_spec();
    bars.width = 50;
    cr_assert_neq(plot_bars(&bars, in_dir("b.png"), err, sizeof err), 0);
    cr_assert_eq(dir_entries(), 0);
}

/* A failed plot must not destroy what was at the path before. */
Test(plot, failure_keeps_existing_file)
{
    FILE *f = fopen(in_dir("keep.png"), "w");
    cr_assert_not_null(f);
    fputs("old", f);
    fclose(f);
    plot_bar_spec spec = bar_spec();
    spec.values = NULL;
    cr_assert_neq(plot_bars(&spec, in_dir("keep.png"), NULL, 0), 0);
    struct stat st;
    cr_assert_eq(stat(in_dir("keep.png"), &st), 0);
    cr_assert_eq(st.st_size, 3);
    cr_assert(!exists(in_dir("nothing.png")));
}
