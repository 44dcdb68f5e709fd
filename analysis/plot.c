/* Plots for reports on PLplot's cairo drivers; see plot.h for the contract.
 *
 * Each plot gets a fresh PLplot stream (plmkstrm) that is ended with plend1, so the stream
 * the caller may have open is never touched and nothing outlives the call. PLplot reports
 * fatal errors by calling exit() from plexit(); the only way to survive that is to leave
 * plexit() through the exit handler, so the handler longjmps back to plot_render. Ordinary
 * (non-fatal) PLplot errors are collected per stream with plsError.
 *
 * PLplot asks for a file name on stdin when it cannot open its output file, and for a device
 * on stdin when the requested one is missing, so both are checked here before plinit.
 */
#define _POSIX_C_SOURCE 200809L

#include "analysis/plot.h"

#include <plplot.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- colours -------------------------------------------------------------------------- */

enum {
    PALETTE_N = 10,
    MAX_SERIES = 20, /* more lines than this cannot be told apart anyway */
    MAX_TICKS = 48,
};

/* cmap0 layout; index 0 is the background. */
enum {
    COL_BG = 0,
    COL_AXIS = 1,
    COL_GRID = 2,
    COL_TEXT = 3,
    COL_LEGEND_BG = 4,
    COL_NODE = 5,
    COL_NODE_EDGE = 6,
    COL_BAND_KEY = 7,
    COL_SERIES = 8,                    /* PALETTE_N opaque line colours */
    COL_BAND = COL_SERIES + PALETTE_N, /* the same, translucent, for bands */
    COL_MODE = COL_BAND + PALETTE_N,   /* PLOT_MODE_COUNT modes, then "other" */
    COL_COUNT = COL_MODE + PLOT_MODE_COUNT + 1,
};

/* Tableau 10: distinct, and still readable by most colour-blind readers. */
static const unsigned palette[PALETTE_N] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                            0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};

static const unsigned mode_colour[PLOT_MODE_COUNT + 1] = {[PLOT_MODE_RAIL] = 0xd95f02,
                                                          [PLOT_MODE_ROAD] = 0x7570b3,
                                                          [PLOT_MODE_FOOT] = 0x1b9e77,
                                                          [PLOT_MODE_RIVER] = 0x1f78b4,
                                                          [PLOT_MODE_COUNT] = 0x999999};

static const char *const mode_name[PLOT_MODE_COUNT + 1] = {[PLOT_MODE_RAIL] = "rail",
                                                           [PLOT_MODE_ROAD] = "road",
                                                           [PLOT_MODE_FOOT] = "on foot",
                                                           [PLOT_MODE_RIVER] = "river",
                                                           [PLOT_MODE_COUNT] = "other"};

static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static void colour_set(PLINT index, unsigned rgb, double alpha)
{
    plscol0a(index, (PLINT)(rgb >> 16 & 0xff), (PLINT)(rgb >> 8 & 0xff), (PLINT)(rgb & 0xff),
             alpha);
}

static void palette_setup(void)
{
    plscmap0n(COL_COUNT);
    colour_set(COL_BG, 0xffffff, 1.0);
    colour_set(COL_AXIS, 0x222222, 1.0);
    colour_set(COL_GRID, 0xdddddd, 1.0);
    colour_set(COL_TEXT, 0x222222, 1.0);
    colour_set(COL_LEGEND_BG, 0xffffff, 0.85);
    colour_set(COL_NODE, 0x333333, 0.75);
    colour_set(COL_NODE_EDGE, 0xffffff, 1.0);
    colour_set(COL_BAND_KEY, 0x777777, 0.25);
    for (int i = 0; i < PALETTE_N; i++) {
        colour_set(COL_SERIES + i, palette[i], 1.0);
        colour_set(COL_BAND + i, palette[i], 0.22);
    }
    for (int m = 0; m <= PLOT_MODE_COUNT; m++)
        colour_set(COL_MODE + m, mode_colour[m], 0.85);
}

/* ---- small helpers -------------------------------------------------------------------- */

static void err_set(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static const char *text_or(const char *s, const char *fallback)
{
    return s != NULL ? s : fallback;
}

/* PLplot treats '#' as the start of an escape sequence; "##" is a literal '#'. */
static const char *pl_text(const char *s, char *buf, size_t len)
{
    size_t j = 0;
    for (; s != NULL && *s != '\0' && j + 2 < len; s++) {
        if (*s == '#') buf[j++] = '#';
        buf[j++] = *s;
    }
    buf[j] = '\0';
    return buf;
}

static void mtex(const char *side, double disp, double pos, double just, const char *s)
{
    char buf[512];
    plmtex(side, disp, pos, just, pl_text(s, buf, sizeof buf));
}

static void ptex(double x, double y, double just, const char *s)
{
    char buf[512];
    plptex(x, y, 1.0, 0.0, just, pl_text(s, buf, sizeof buf));
}

/* Characters, not bytes, so that "Tuxtla Gutiérrez" is measured right. */
static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; s != NULL && *s != '\0'; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* Estimated width of a text in mm at character height ch. PLplot has no public way to
 * measure text, so this uses a generous average glyph width of the cairo sans font. */
static double text_width_mm(const char *s, double ch)
{
    return (double)utf8_len(s) * 0.72 * ch;
}

/* "%.*f" with thousands separators: 1234567.5 -> "1,234,567.5". */
static void number_format(char *out, size_t len, double v, int decimals)
{
    char raw[64];
    if (fabs(v) < 0.5 * pow(10.0, -decimals)) v = 0.0; /* no "-0" */
    snprintf(raw, sizeof raw, "%.*f", decimals, v);
    const char *digits = raw + (raw[0] == '-');
    size_t int_len = strcspn(digits, ".");
    size_t j = 0;
    if (raw[0] == '-' && j + 1 < len) out[j++] = '-';
    for (size_t i = 0; digits[i] != '\0' && j + 1 < len; i++) {
        if (i > 0 && i < int_len && (int_len - i) % 3 == 0 && j + 2 < len) out[j++] = ',';
        out[j++] = digits[i];
    }
    out[j] = '\0';
}

static void label_number(PLINT axis, PLFLT value, char *label, PLINT length, PLPointer data)
{
    (void)axis;
    number_format(label, (size_t)length, value, *(const int *)data);
}

static bool all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return false;
    return true;
}

static bool all_integral(const double *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        if (v[i] != floor(v[i])) return false;
    return true;
}

/* ---- axes ----------------------------------------------------------------------------- */

typedef struct axis_scale {
    double lo, hi, step;
    int decimals; /* for tick labels */
} axis_scale;

/* Round limits out to a 1-2-2.5-5 step so that the frame sits on grid lines. */
static axis_scale axis_nice(double lo, double hi, int max_ticks)
{
    if (!(hi > lo)) { /* one value: give it some room, keeping a zero baseline */
        double pad = lo != 0.0 ? fabs(lo) * 0.1 : 0.5;
        if (lo != 0.0) lo -= pad;
        hi = lo + 2.0 * pad;
    }
    double raw = (hi - lo) / (max_ticks > 1 ? max_ticks : 1);
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    double m = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 2.5 ? 2.5 : f <= 5.0 ? 5.0 : 10.0;
    axis_scale a = {.step = m * mag};
    a.lo = floor(lo / a.step + 1e-9) * a.step;
    a.hi = ceil(hi / a.step - 1e-9) * a.step;
    a.decimals = 0;
    while (a.decimals < 8) {
        double scaled = a.step * pow(10.0, a.decimals);
        if (fabs(scaled - round(scaled)) < 1e-6 * scaled) break;
        a.decimals++;
    }
    return a;
}

static double axis_label_width_mm(const axis_scale *a, double ch)
{
    char lo[64], hi[64];
    number_format(lo, sizeof lo, a->lo, a->decimals);
    number_format(hi, sizeof hi, a->hi, a->decimals);
    return fmax(text_width_mm(lo, ch), text_width_mm(hi, ch));
}

/* ---- page ----------------------------------------------------------------------------- */

typedef struct plot_page {
    double w_mm, h_mm; /* page size in PLplot's millimetres */
    double ch;         /* character height, mm */
    double lw;         /* base line width */
} plot_page;

/* Fonts and lines grow with the image so that a plot reads the same at any size; text is
 * about 15 px high at the default 1000x600. */
static plot_page page_setup(int width, int height)
{
    PLFLT x0, x1, y0, y1;
    plgspa(&x0, &x1, &y0, &y1);
    plot_page pg = {.w_mm = x1 - x0, .h_mm = y1 - y0};
    double px_per_mm = width / pg.w_mm;
    double scale = fmin(width, 1.6 * height) / 1000.0;
    pg.ch = fmax(11.0, 15.0 * scale) / px_per_mm; /* still legible on thumbnails */
    pg.lw = fmax(1.0, 1.4 * scale);
    plschr(pg.ch, 1.0);
    plsmaj(0.0, 1.2);
    plsmin(0.0, 0.8);
    return pg;
}

/* Margins in mm, measured from the page edges. */
static void viewport_mm(const plot_page *pg, double left, double right, double bottom, double top)
{
    plvpor(left / pg->w_mm, 1.0 - right / pg->w_mm, bottom / pg->h_mm, 1.0 - top / pg->h_mm);
}

static void viewport_size_mm(const plot_page *pg, double *w, double *h)
{
    PLFLT x0, x1, y0, y1;
    plgvpd(&x0, &x1, &y0, &y1);
    *w = (x1 - x0) * pg->w_mm;
    *h = (y1 - y0) * pg->h_mm;
}

static void title_draw(const char *title, double disp)
{
    if (title == NULL || *title == '\0') return;
    plcol0(COL_TEXT);
    plschr(0.0, 1.3);
    mtex("t", disp, 0.5, 0.5, title);
    plschr(0.0, 1.0);
}

static void rect_fill(double x0, double x1, double y0, double y1)
{
    PLFLT x[4] = {x0, x1, x1, x0}, y[4] = {y0, y0, y1, y1};
    plfill(4, x, y);
}

/* ---- dates ---------------------------------------------------------------------------- */

/* Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
static long days_from_civil(long y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool date_valid(int y, int m, int d)
{
    if (m < 1 || m > 12 || d < 1 || y < 2 || y > 9998) return false;
    long ny, nd;
    int nm, dd;
    nd = days_from_civil(y, m, d);
    civil_from_days(nd, &ny, &nm, &dd);
    return ny == y && nm == m && dd == d;
}

typedef struct date_tick {
    double x;
    char top[24], bottom[24]; /* two label lines: day or month, then month/year */
} date_tick;

/* Calendar ticks between day numbers x0 and x1 (day 0 = base): days, weeks, months or years,
 * whichever gives at most max_ticks. Returns the number of ticks written. */
static int date_ticks(double x0, double x1, long base, int max_ticks, date_tick *t)
{
    static const int day_steps[] = {1, 2, 7, 14};
    static const int month_steps[] = {1, 2, 3, 6, 12, 24, 60, 120, 240, 600};
    double span = x1 - x0;
    int n = 0;
    for (size_t k = 0; k < sizeof day_steps / sizeof *day_steps; k++) {
        int step = day_steps[k];
        if (span / step > max_ticks) continue;
        int prev_month = 0;
        for (double x = ceil(x0); x <= x1 + 1e-9 && n < MAX_TICKS; x += step) {
            long y;
            int m, d;
            civil_from_days(base + (long)x, &y, &m, &d);
            t[n].x = x;
            snprintf(t[n].top, sizeof t[n].top, "%d", d);
            if (m != prev_month)
                snprintf(t[n].bottom, sizeof t[n].bottom, "%s %ld", month_abbr[m - 1], y);
            else
                t[n].bottom[0] = '\0';
            prev_month = m;
            n++;
        }
        return n;
    }
    int step = month_steps[sizeof month_steps / sizeof *month_steps - 1];
    for (size_t k = 0; k < sizeof month_steps / sizeof *month_steps; k++)
        if (span / (30.44 * month_steps[k]) <= max_ticks) {
            step = month_steps[k];
            break;
        }
    long y;
    int m, d;
    civil_from_days(base + (long)floor(x0), &y, &m, &d);
    long prev_year = LONG_MIN;
    for (long idx = y * 12 + (m - 1);; idx++) {
        long ty = idx / 12;
        int tm = (int)(idx % 12) + 1;
        double x = (double)(days_from_civil(ty, tm, 1) - base);
        if (x > x1 + 1e-9 || n >= MAX_TICKS) break;
        if (x < x0 - 1e-9 || idx % step != 0) continue;
        t[n].x = x;
        if (step >= 12) {
            snprintf(t[n].top, sizeof t[n].top, "%ld", ty);
            t[n].bottom[0] = '\0';
        } else {
            snprintf(t[n].top, sizeof t[n].top, "%s", month_abbr[tm - 1]);
            if (ty != prev_year)
                snprintf(t[n].bottom, sizeof t[n].bottom, "%ld", ty);
            else
                t[n].bottom[0] = '\0';
        }
        prev_year = ty;
        n++;
    }
    return n;
}

/* ---- time series ---------------------------------------------------------------------- */

static double series_x(const plot_series_spec *s, size_t i)
{
    return s->day != NULL ? s->day[i] : (double)i;
}

static bool series_has_band(const plot_series *r)
{
    return r->lower != NULL && r->upper != NULL;
}

static const char *time_series_check(const plot_series_spec *s)
{
    if (s->n == 0 || s->n > (size_t)INT_MAX / 2)
        return "n (number of time points) must be between 1 and INT_MAX/2";
    if (s->n_series == 0 || s->n_series > MAX_SERIES || s->series == NULL)
        return "need between 1 and 20 series";
    if (!date_valid(s->start_year, s->start_month, s->start_day))
        return "start date (start_year, start_month, start_day) is not a valid date";
    /* Keeps every tick date, padding included, within years 1..9999. */
    long base = days_from_civil(s->start_year, s->start_month, s->start_day);
    double first = (double)(days_from_civil(2, 1, 1) - base);
    double last = (double)(days_from_civil(9998, 12, 31) - base);
    for (size_t i = 0; s->day != NULL && i < s->n; i++)
        if (!(s->day[i] >= first && s->day[i] <= last)) /* also rejects NaN */
            return "day numbers must be finite and give dates between years 2 and 9998";
        else if (i > 0 && !(s->day[i] > s->day[i - 1]))
            return "day numbers must increase";
    for (size_t k = 0; k < s->n_series; k++) {
        const plot_series *r = &s->series[k];
        if (r->mean == NULL || !all_finite(r->mean, s->n))
            return "every series needs n finite mean values";
        if ((r->lower == NULL) != (r->upper == NULL))
            return "a band needs both lower and upper values";
        if (series_has_band(r) && !(all_finite(r->lower, s->n) && all_finite(r->upper, s->n)))
            return "band values must be finite";
    }
    return NULL;
}

/* Legend placement inside the frame, as fractions of the viewport. */
#define LEGEND_DX 0.015
#define LEGEND_DY 0.025
#define LEGEND_SAMPLE 0.06

typedef struct legend_corner {
    bool right; /* top-right rather than top-left */
    double yhi; /* top of the y range that keeps the data clear of the legend */
} legend_corner;

/* The legend goes in whichever top corner needs less headroom above the data under it. */
static legend_corner legend_room(const plot_series_spec *s, const plot_page *pg, double ylo,
                                 double yhi, double vw, double vh, const char *band_label,
                                 int n_legend)
{
    double ch = pg->ch, text_w = band_label != NULL ? text_width_mm(band_label, ch) : 0.0;
    for (size_t k = 0; k < s->n_series; k++)
        text_w = fmax(text_w, text_width_mm(text_or(s->series[k].name, ""), ch));
    double fx = fmin(1.0, LEGEND_DX + LEGEND_SAMPLE + (text_w + 2.0 * ch) / vw);
    double fy = fmin(0.7, LEGEND_DY + ((n_legend * 1.9 + 0.8) * ch) / vh + 0.03);
    double x0 = INFINITY, x1 = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        x0 = fmin(x0, series_x(s, i));
        x1 = fmax(x1, series_x(s, i));
    }
    double span = x1 - x0 > 0 ? x1 - x0 : 1.0;
    double under[2] = {-INFINITY, -INFINITY}; /* highest data under each corner */
    for (size_t k = 0; k < s->n_series; k++) {
        const plot_series *r = &s->series[k];
        for (size_t i = 0; i < s->n; i++) {
            double u =
                fmax(r->mean[i], series_has_band(r) ? fmax(r->lower[i], r->upper[i]) : r->mean[i]);
            double f = (series_x(s, i) - x0) / span;
            if (f <= fx) under[0] = fmax(under[0], u);
            if (f >= 1.0 - fx) under[1] = fmax(under[1], u);
        }
    }
    legend_corner best = {.right = false, .yhi = INFINITY};
    for (int c = 0; c < 2; c++) {
        double need = fmax(yhi, (under[c] - fy * ylo) / (1.0 - fy));
        if (need < best.yhi) best = (legend_corner){.right = c == 1, .yhi = need};
    }
    return best;
}

static const char *time_series_draw(const void *arg, const plot_page *pg)
{
    const plot_series_spec *s = arg;
    size_t n = s->n;
    double x0 = INFINITY, x1 = -INFINITY, ylo = 0.0, yhi = -INFINITY;
    bool any_band = false;
    for (size_t i = 0; i < n; i++) {
        x0 = fmin(x0, series_x(s, i));
        x1 = fmax(x1, series_x(s, i));
    }
    for (size_t k = 0; k < s->n_series; k++) {
        const plot_series *r = &s->series[k];
        any_band |= series_has_band(r);
        for (size_t i = 0; i < n; i++) {
            double lo = r->mean[i], hi = r->mean[i];
            if (series_has_band(r)) {
                lo = fmin(lo, fmin(r->lower[i], r->upper[i]));
                hi = fmax(hi, fmax(r->lower[i], r->upper[i]));
            }
            ylo = fmin(ylo, lo);
            yhi = fmax(yhi, hi);
        }
    }
    if (x1 - x0 < 1.0) {
        x0 -= 0.5;
        x1 += 0.5;
    }
    const char *band_label = any_band ? s->band_label : NULL;
    int n_legend = (int)s->n_series + (band_label != NULL);
    if (!(yhi > ylo)) yhi = ylo + 1.0;

    double ch = pg->ch;
    double top = 3.2 * ch, bottom = 6.4 * ch, right = 3.0 * ch;
    axis_scale ya = axis_nice(ylo, yhi, 6);
    double left = axis_label_width_mm(&ya, ch) + 4.0 * ch;
    legend_corner corner = legend_room(s, pg, ylo, yhi, pg->w_mm - left - right,
                                       pg->h_mm - top - bottom, band_label, n_legend);
    ya = axis_nice(ylo, corner.yhi, 6);
    double tick_w = axis_label_width_mm(&ya, ch);
    left = tick_w + 4.0 * ch;
    viewport_mm(pg, left, right, bottom, top);
    plwind(x0, x1, ya.lo, ya.hi);
    double vw, vh;
    viewport_size_mm(pg, &vw, &vh);

    date_tick ticks[MAX_TICKS];
    int max_ticks = (int)fmax(2.0, fmin(16.0, vw / (7.0 * ch)));
    int nt = date_ticks(x0, x1, days_from_civil(s->start_year, s->start_month, s->start_day),
                        max_ticks, ticks);

    int decimals = ya.decimals;
    plslabelfunc(label_number, &decimals);
    plcol0(COL_GRID);
    plwidth(pg->lw);
    plbox("", 0.0, 0, "g", ya.step, 0);
    for (int i = 0; i < nt; i++) {
        PLFLT gx[2] = {ticks[i].x, ticks[i].x}, gy[2] = {ya.lo, ya.hi};
        plline(2, gx, gy);
    }

    PLFLT *xs = malloc(2 * n * sizeof *xs), *ys = malloc(2 * n * sizeof *ys);
    if (xs == NULL || ys == NULL) {
        free(xs);
        free(ys);
        return "out of memory";
    }
    /* Bands first, so that no band hides another series' line. */
    for (size_t k = 0; k < s->n_series; k++) {
        const plot_series *r = &s->series[k];
        if (!series_has_band(r) || n < 2) continue;
        for (size_t i = 0; i < n; i++) {
            xs[i] = xs[2 * n - 1 - i] = series_x(s, i);
            ys[i] = r->upper[i];
            ys[2 * n - 1 - i] = r->lower[i];
        }
        plcol0(COL_BAND + (PLINT)(k % PALETTE_N));
        plfill((PLINT)(2 * n), xs, ys);
    }
    plwidth(2.2 * pg->lw);
    for (size_t k = 0; k < s->n_series; k++) {
        for (size_t i = 0; i < n; i++) {
            xs[i] = series_x(s, i);
            ys[i] = s->series[k].mean[i];
        }
        plcol0(COL_SERIES + (PLINT)(k % PALETTE_N));
        if (n >= 2) {
            plline((PLINT)n, xs, ys);
            continue;
        }
        /* A single day has no line or area: draw a dot and an interval instead. */
        const plot_series *r = &s->series[k];
        if (series_has_band(r)) {
            PLFLT bx[2] = {xs[0], xs[0]}, by[2] = {r->lower[0], r->upper[0]};
            plcol0(COL_BAND + (PLINT)(k % PALETTE_N));
            plwidth(6.0 * pg->lw);
            plline(2, bx, by);
            plwidth(2.2 * pg->lw);
            plcol0(COL_SERIES + (PLINT)(k % PALETTE_N));
        }
        plstring(1, xs, ys, "\u25cf");
    }
    free(xs);
    free(ys);

    plcol0(COL_AXIS);
    plwidth(pg->lw);
    plbox("bc", 0.0, 0, "bcnotv", ya.step, 0);
    double tick_len = (ya.hi - ya.lo) * 0.8 * ch / vh;
    for (int i = 0; i < nt; i++) {
        PLFLT tx[2] = {ticks[i].x, ticks[i].x}, ty[2] = {ya.lo, ya.lo + tick_len};
        plline(2, tx, ty);
        double pos = (ticks[i].x - x0) / (x1 - x0);
        plcol0(COL_TEXT);
        mtex("b", 1.5, pos, 0.5, ticks[i].top);
        if (ticks[i].bottom[0] != '\0') mtex("b", 2.8, pos, 0.5, ticks[i].bottom);
        plcol0(COL_AXIS);
    }
    plslabelfunc(NULL, NULL);

    plcol0(COL_TEXT);
    mtex("b", 4.6, 0.5, 0.5, text_or(s->x_label, "date"));
    mtex("l", (tick_w + 1.6 * ch) / ch, 0.5, 0.5, text_or(s->y_label, ""));
    title_draw(s->title, 1.2);

    PLINT opt[MAX_SERIES + 1], text_col[MAX_SERIES + 1], box_col[MAX_SERIES + 1];
    PLINT box_pat[MAX_SERIES + 1], line_col[MAX_SERIES + 1], line_sty[MAX_SERIES + 1];
    PLFLT box_scale[MAX_SERIES + 1], box_lw[MAX_SERIES + 1], line_w[MAX_SERIES + 1];
    char names[MAX_SERIES + 1][128];
    const char *text[MAX_SERIES + 1];
    for (int k = 0; k < n_legend; k++) {
        bool key = k == (int)s->n_series; /* the band note */
        const plot_series *r = key ? NULL : &s->series[k];
        opt[k] = key ? PL_LEGEND_COLOR_BOX
                     : PL_LEGEND_LINE | (series_has_band(r) ? PL_LEGEND_COLOR_BOX : 0);
        text_col[k] = COL_TEXT;
        box_col[k] = key ? COL_BAND_KEY : COL_BAND + k % PALETTE_N;
        box_pat[k] = 0;
        box_scale[k] = 1.0;
        box_lw[k] = 1.0;
        line_col[k] = COL_SERIES + k % PALETTE_N;
        line_sty[k] = 1;
        line_w[k] = 2.2 * pg->lw;
        text[k] = pl_text(key ? band_label : text_or(r->name, ""), names[k], sizeof names[k]);
    }
    PLFLT lw_out, lh_out;
    plcol0(COL_AXIS);
    plwidth(pg->lw);
    pllegend(&lw_out, &lh_out, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
             PL_POSITION_INSIDE | PL_POSITION_TOP |
                 (corner.right ? PL_POSITION_RIGHT : PL_POSITION_LEFT),
             LEGEND_DX, LEGEND_DY, LEGEND_SAMPLE, COL_LEGEND_BG, COL_GRID, 1, 0, 0, n_legend, opt,
             0.8, 1.0, 1.9, 0.0, text_col, text, box_col, box_pat, box_scale, box_lw, line_col,
             line_sty, line_w, NULL, NULL, NULL, NULL);
    return NULL;
}

/* ---- network map ---------------------------------------------------------------------- */

static const char *map_check(const plot_map_spec *s)
{
    if (s->n_nodes == 0 || s->lon == NULL || s->lat == NULL)
        return "a map needs at least one node with lon and lat";
    if (s->n_edges > 0 && (s->from == NULL || s->to == NULL))
        return "edges need from and to indices";
    if (!all_finite(s->lon, s->n_nodes) || !all_finite(s->lat, s->n_nodes))
        return "node coordinates must be finite";
    for (size_t i = 0; i < s->n_nodes; i++) {
        if (fabs(s->lat[i]) > 89.0 || fabs(s->lon[i]) > 360.0)
            return "node coordinates out of range (|lat| <= 89, |lon| <= 360)";
        if (s->size_value != NULL && !(isfinite(s->size_value[i]) && s->size_value[i] >= 0.0))
            return "node size values must be finite and >= 0";
    }
    for (size_t e = 0; e < s->n_edges; e++) {
        if (s->from[e] < 0 || (size_t)s->from[e] >= s->n_nodes || s->to[e] < 0 ||
            (size_t)s->to[e] >= s->n_nodes)
            return "edge refers to a node index out of range";
        if (s->flow != NULL && !(isfinite(s->flow[e]) && s->flow[e] >= 0.0))
            return "edge flows must be finite and >= 0";
    }
    return NULL;
}

typedef struct ranked {
    double v;
    size_t i;
} ranked;

static int ranked_ascending(const void *a, const void *b)
{
    const ranked *p = a, *q = b;
    if (p->v != q->v) return p->v < q->v ? -1 : 1;
    return p->i < q->i ? -1 : p->i > q->i;
}

static int edge_mode(const plot_map_spec *s, size_t e)
{
    int m = s->mode != NULL ? s->mode[e] : PLOT_MODE_COUNT;
    return m >= 0 && m < PLOT_MODE_COUNT ? m : PLOT_MODE_COUNT;
}

static void map_legend(const plot_map_spec *s, const plot_page *pg)
{
    bool present[PLOT_MODE_COUNT + 1] = {false};
    for (size_t e = 0; e < s->n_edges; e++)
        present[edge_mode(s, e)] = true;
    PLINT opt[PLOT_MODE_COUNT + 1], text_col[PLOT_MODE_COUNT + 1];
    PLINT line_col[PLOT_MODE_COUNT + 1], line_sty[PLOT_MODE_COUNT + 1];
    PLFLT line_w[PLOT_MODE_COUNT + 1];
    const char *text[PLOT_MODE_COUNT + 1];
    int n = 0;
    for (int m = 0; m <= PLOT_MODE_COUNT; m++) {
        if (!present[m]) continue;
        opt[n] = PL_LEGEND_LINE;
        text_col[n] = COL_TEXT;
        line_col[n] = COL_MODE + m;
        line_sty[n] = 1;
        line_w[n] = 4.0 * pg->lw;
        text[n] = mode_name[m];
        n++;
    }
    if (n == 0) return;
    PLFLT lw_out, lh_out;
    plcol0(COL_AXIS);
    plwidth(pg->lw);
    /* "Inside, top left" shifted by a whole viewport width: right of the frame, aligned with
     * its top (PLplot's outside-top-right corner would put it above the frame). */
    pllegend(&lw_out, &lh_out, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
             PL_POSITION_INSIDE | PL_POSITION_TOP | PL_POSITION_LEFT, 1.02, 0.0, 0.08,
             COL_LEGEND_BG, COL_GRID, 1, 0, 0, n, opt, 0.8, 1.0, 1.9, 0.0, text_col, text, NULL,
             NULL, NULL, NULL, line_col, line_sty, line_w, NULL, NULL, NULL, NULL);
}

static const char *map_draw(const void *arg, const plot_page *pg)
{
    const plot_map_spec *s = arg;
    double lon0 = INFINITY, lon1 = -INFINITY, lat0 = INFINITY, lat1 = -INFINITY, lat_sum = 0;
    for (size_t i = 0; i < s->n_nodes; i++) {
        lon0 = fmin(lon0, s->lon[i]);
        lon1 = fmax(lon1, s->lon[i]);
        lat0 = fmin(lat0, s->lat[i]);
        lat1 = fmax(lat1, s->lat[i]);
        lat_sum += s->lat[i];
    }
    double kx = cos(lat_sum / (double)s->n_nodes * (3.14159265358979324 / 180.0));
    /* Pad so that circles and labels at the edge stay inside the frame. */
    double span = fmax(fmax((lon1 - lon0) * kx, lat1 - lat0), 0.2);
    double pad = 0.08 * span;
    lon0 -= pad / kx;
    lon1 += 2.0 * pad / kx; /* labels extend to the right */
    lat0 -= pad;
    lat1 += pad;
    if ((lon1 - lon0) * kx < span) lon1 = lon0 + span / kx;

    double ch = pg->ch;
    double left = 6.5 * ch, bottom = 6.2 * ch, top = 3.2 * ch;
    double right = 0.08 * (pg->w_mm - left - 12.0 * ch) + text_width_mm("on foot", ch) + 5.0 * ch;
    double aspect = (lat1 - lat0) / ((lon1 - lon0) * kx);
    plvpas(left / pg->w_mm, 1.0 - right / pg->w_mm, bottom / pg->h_mm, 1.0 - top / pg->h_mm,
           aspect);
    plwind(lon0, lon1, lat0, lat1);
    double vw, vh;
    viewport_size_mm(pg, &vw, &vh);

    plcol0(COL_GRID);
    plwidth(pg->lw);
    plbox("g", 0.0, 0, "g", 0.0, 0);

    ranked *order = malloc((s->n_nodes > s->n_edges ? s->n_nodes : s->n_edges) * sizeof *order);
    if (order == NULL && (s->n_nodes > 0 || s->n_edges > 0)) return "out of memory";

    /* Edges: thin under thick, so the main corridors stay visible. */
    double fmax_flow = 0.0;
    for (size_t e = 0; e < s->n_edges; e++) {
        order[e] = (ranked){s->flow != NULL ? s->flow[e] : 1.0, e};
        fmax_flow = fmax(fmax_flow, order[e].v);
    }
    qsort(order, s->n_edges, sizeof *order, ranked_ascending);
    for (size_t k = 0; k < s->n_edges; k++) {
        size_t e = order[k].i;
        double f = fmax_flow > 0.0 ? order[k].v / fmax_flow : 0.0;
        PLFLT x[2] = {s->lon[s->from[e]], s->lon[s->to[e]]};
        PLFLT y[2] = {s->lat[s->from[e]], s->lat[s->to[e]]};
        plcol0(COL_MODE + edge_mode(s, e));
        pllsty(f > 0.0 ? 1 : 2); /* no flow: dashed, to keep the network visible */
        plwidth(pg->lw * (f > 0.0 ? 1.0 + 11.0 * f : 1.0));
        plline(2, x, y);
    }
    pllsty(1);

    /* Nodes: area proportional to the value; big first so small ones stay on top. */
    double vmax = 0.0;
    for (size_t i = 0; i < s->n_nodes; i++) {
        order[i] = (ranked){s->size_value != NULL ? s->size_value[i] : 1.0, i};
        vmax = fmax(vmax, order[i].v);
    }
    qsort(order, s->n_nodes, sizeof *order, ranked_ascending);
    double r_max = 0.05 * fmin(vw, vh), r_min = 0.1 * r_max;
    double wx = (lon1 - lon0) / vw, wy = (lat1 - lat0) / vh; /* world units per mm */
    for (size_t k = s->n_nodes; k-- > 0;) {
        size_t i = order[k].i;
        double r = vmax > 0.0 ? fmax(r_min, r_max * sqrt(order[k].v / vmax)) : r_min;
        plcol0(COL_NODE);
        plarc(s->lon[i], s->lat[i], r * wx, r * wy, 0.0, 360.0, 0.0, 1);
        plcol0(COL_NODE_EDGE);
        plwidth(pg->lw);
        plarc(s->lon[i], s->lat[i], r * wx, r * wy, 0.0, 360.0, 0.0, 0);
    }

    int label_count = s->label_count == 0 ? 10 : s->label_count;
    plschr(0.0, 0.9);
    for (size_t k = s->n_nodes; s->label != NULL && label_count > 0 && k-- > 0;) {
        size_t i = order[k].i;
        if (s->n_nodes - k > (size_t)label_count) break;
        if (s->label[i] == NULL) continue;
        double r = vmax > 0.0 ? fmax(r_min, r_max * sqrt(order[k].v / vmax)) : r_min;
        double x = s->lon[i] + (r + 0.5 * ch) * wx, y = s->lat[i];
        /* A pale box behind the name keeps it readable over edges and grid lines. */
        plcol0(COL_LEGEND_BG);
        rect_fill(x - 0.25 * ch * wx, x + (0.9 * text_width_mm(s->label[i], ch) + 0.25 * ch) * wx,
                  y - 0.6 * ch * wy, y + 0.6 * ch * wy);
        plcol0(COL_TEXT);
        ptex(x, y, 0.0, s->label[i]);
    }
    plschr(0.0, 1.0);

    plcol0(COL_AXIS);
    plwidth(pg->lw);
    plbox("bcnt", 0.0, 0, "bcntv", 0.0, 0);
    plcol0(COL_TEXT);
    mtex("b", 2.8, 0.5, 0.5, "longitude (deg)");
    mtex("l", 4.8, 0.5, 0.5, "latitude (deg)");
    title_draw(s->title, 1.2);

    char note[256], vbuf[64], fbuf[64];
    number_format(vbuf, sizeof vbuf, vmax, all_integral(s->size_value, s->n_nodes) ? 0 : 1);
    number_format(fbuf, sizeof fbuf, fmax_flow, all_integral(s->flow, s->n_edges) ? 0 : 1);
    int len = snprintf(note, sizeof note, "circle area \u221d %s (largest %s)",
                       text_or(s->size_label, "size"), s->size_value != NULL ? vbuf : "equal");
    if (s->n_edges > 0 && len > 0 && (size_t)len < sizeof note)
        snprintf(note + len, sizeof note - (size_t)len, ";  line width \u221d %s (widest %s)",
                 text_or(s->flow_label, "flow"), s->flow != NULL ? fbuf : "equal");
    plschr(0.0, 0.85);
    mtex("b", 5.2, 0.5, 0.5, note);
    plschr(0.0, 1.0);
    free(order);

    map_legend(s, pg);
    return NULL;
}

/* ---- bars ----------------------------------------------------------------------------- */

static const char *bars_check(const plot_bar_spec *s)
{
    if (s->n == 0 || s->n > 10000 || s->category == NULL || s->values == NULL)
        return "a bar chart needs 1 to 10000 categories with labels and values";
    for (size_t i = 0; i < s->n; i++)
        if (s->category[i] == NULL) return "every category needs a label";
    if (!all_finite(s->values, s->n) || (s->values_b != NULL && !all_finite(s->values_b, s->n)))
        return "bar values must be finite";
    return NULL;
}

static void bars_legend(const plot_bar_spec *s, const plot_page *pg)
{
    PLINT opt[2] = {PL_LEGEND_COLOR_BOX, PL_LEGEND_COLOR_BOX}, text_col[2] = {COL_TEXT, COL_TEXT};
    PLINT box_col[2] = {COL_SERIES, COL_SERIES + 1}, box_pat[2] = {0, 0};
    PLFLT box_scale[2] = {1.0, 1.0}, box_lw[2] = {1.0, 1.0};
    char a[128], b[128];
    const char *text[2] = {pl_text(text_or(s->name, "A"), a, sizeof a),
                           pl_text(text_or(s->name_b, "B"), b, sizeof b)};
    PLFLT lw_out, lh_out;
    plcol0(COL_AXIS);
    plwidth(pg->lw);
    /* A row between title and frame, where it cannot cover a bar or its label. */
    pllegend(&lw_out, &lh_out, PL_LEGEND_ROW_MAJOR, PL_POSITION_OUTSIDE | PL_POSITION_TOP, 0.0,
             0.01, 0.04, COL_BG, COL_GRID, 1, 1, 2, 2, opt, 0.8, 1.0, 1.9, 0.0, text_col, text,
             box_col, box_pat, box_scale, box_lw, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
}

static const char *bars_draw(const void *arg, const plot_page *pg)
{
    const plot_bar_spec *s = arg;
    size_t n = s->n;
    int groups = s->values_b != NULL ? 2 : 1;
    double ch = pg->ch, vlo = 0.0, vhi = 0.0, cat_w = 0.0;
    for (size_t i = 0; i < n; i++) {
        vlo = fmin(vlo, s->values[i]);
        vhi = fmax(vhi, s->values[i]);
        if (groups == 2) {
            vlo = fmin(vlo, s->values_b[i]);
            vhi = fmax(vhi, s->values_b[i]);
        }
        cat_w = fmax(cat_w, text_width_mm(s->category[i], ch));
    }
    int vdec = all_integral(s->values, n) && all_integral(s->values_b, n) ? 0
               : fmax(fabs(vlo), fabs(vhi)) >= 10.0                       ? 1
                                                                          : 2;
    char buf[64];
    number_format(buf, sizeof buf, fabs(vlo) > fabs(vhi) ? vlo : vhi, vdec);
    double value_w = 0.85 * text_width_mm(buf, ch); /* bar-end labels are drawn smaller */
    double top = (groups == 2 ? 6.4 : 3.2) * ch, right = 2.0 * ch, left, bottom;
    bool rotate = false;
    if (s->horizontal) {
        left = cat_w + 2.0 * ch;
        bottom = 4.6 * ch;
    } else {
        double slot = (pg->w_mm - 8.0 * ch) / (double)n;
        rotate = cat_w > 0.9 * slot;
        bottom = rotate ? cat_w + 1.5 * ch : 3.0 * ch;
        left = 0.0; /* set below, once the value axis is known */
    }
    /* Room past the longest bar for its label. */
    double along = s->horizontal ? pg->w_mm - left - right : pg->h_mm - top - bottom;
    double need = s->horizontal ? value_w + 1.0 * ch : 1.6 * ch;
    double frac = fmin(0.5, need / fmax(along, 1.0));
    double range = vhi - vlo > 0 ? vhi - vlo : 1.0;
    axis_scale va = axis_nice(vlo - (vlo < 0 ? range * frac / (1 - frac) : 0.0),
                              vhi + (vhi > 0 || vlo == 0 ? range * frac / (1 - frac) : 0.0), 6);
    if (s->horizontal) /* the last tick label is centred on the frame's right edge */
        right = fmax(right, 0.6 * axis_label_width_mm(&va, ch) + 1.0 * ch);
    else
        left = axis_label_width_mm(&va, ch) + 4.0 * ch;
    viewport_mm(pg, left, right, bottom, top);

    double clo = -0.6, chi = (double)n - 0.4;
    if (s->horizontal)
        plwind(va.lo, va.hi, clo, chi);
    else
        plwind(clo, chi, va.lo, va.hi);
    double vw, vh;
    viewport_size_mm(pg, &vw, &vh);

    int decimals = va.decimals;
    plslabelfunc(label_number, &decimals);
    plcol0(COL_GRID);
    plwidth(pg->lw);
    if (s->horizontal)
        plbox("g", va.step, 0, "", 0.0, 0);
    else
        plbox("", 0.0, 0, "g", va.step, 0);

    double thick = groups == 2 ? 0.38 : 0.7;
    for (int g = 0; g < groups; g++) {
        const double *v = g == 0 ? s->values : s->values_b;
        /* Scenario A above (horizontal) or left of (vertical) scenario B. */
        double offset = groups == 2 ? (g == 0 ? -0.5 : 0.5) * thick : 0.0;
        for (size_t i = 0; i < n; i++) {
            double c = s->horizontal ? (double)(n - 1 - i) - offset : (double)i + offset;
            plcol0(COL_SERIES + g);
            if (s->horizontal)
                rect_fill(0.0, v[i], c - 0.5 * thick, c + 0.5 * thick);
            else
                rect_fill(c - 0.5 * thick, c + 0.5 * thick, 0.0, v[i]);
            number_format(buf, sizeof buf, v[i], vdec);
            plcol0(COL_TEXT);
            plschr(0.0, 0.85);
            /* plptex centres text vertically on its reference point. */
            if (s->horizontal) {
                double gap = 0.5 * ch * (va.hi - va.lo) / vw;
                ptex(v[i] + (v[i] < 0 ? -gap : gap), c, v[i] < 0 ? 1.0 : 0.0, buf);
            } else {
                double gap = 0.9 * ch * (va.hi - va.lo) / vh;
                ptex(c, v[i] + (v[i] < 0 ? -gap : gap), 0.5, buf);
            }
            plschr(0.0, 1.0);
        }
    }

    plcol0(COL_AXIS);
    plwidth(pg->lw);
    if (s->horizontal) {
        plbox("bcnot", va.step, 0, "bc", 0.0, 0);
        if (vlo < 0) {
            PLFLT zx[2] = {0.0, 0.0}, zy[2] = {clo, chi};
            plline(2, zx, zy);
        }
    } else {
        plbox("bc", 0.0, 0, "bcnotv", va.step, 0);
        if (vlo < 0) {
            PLFLT zx[2] = {clo, chi}, zy[2] = {0.0, 0.0};
            plline(2, zx, zy);
        }
    }
    plslabelfunc(NULL, NULL);

    plcol0(COL_TEXT);
    for (size_t i = 0; i < n; i++) {
        if (s->horizontal)
            mtex("lv", 0.6, ((double)(n - 1 - i) - clo) / (chi - clo), 1.0, s->category[i]);
        else if (rotate)
            mtex("bv", 0.6, ((double)i - clo) / (chi - clo), 1.0, s->category[i]);
        else
            mtex("b", 1.4, ((double)i - clo) / (chi - clo), 0.5, s->category[i]);
    }
    const char *vlabel = text_or(s->value_label, "");
    if (s->horizontal)
        mtex("b", 2.9, 0.5, 0.5, vlabel);
    else
        mtex("l", (axis_label_width_mm(&va, ch) + 1.6 * ch) / ch, 0.5, 0.5, vlabel);
    title_draw(s->title, groups == 2 ? 3.8 : 1.2);
    if (groups == 2) bars_legend(s, pg);
    return NULL;
}

/* ---- rendering ------------------------------------------------------------------------ */

typedef const char *(*plot_draw_fn)(const void *spec, const plot_page *pg);

typedef struct plot_guard {
    jmp_buf env;
    char msg[256]; /* plexit's message */
} plot_guard;

/* The one piece of global state: where plexit should jump to. Set only during a call. */
static _Thread_local plot_guard *active_guard;

static int guard_exit(const char *msg)
{
    plot_guard *g = active_guard;
    if (g == NULL) return 1; /* not ours: let PLplot exit as it would have */
    snprintf(g->msg, sizeof g->msg, "%s", msg != NULL ? msg : "");
    longjmp(g->env, 1);
}

/* Runs fn under the guard; false if PLplot called plexit. No locals live across setjmp. */
static bool guarded(plot_guard *g, void (*fn)(void *), void *arg)
{
    if (setjmp(g->env) != 0) return false;
    fn(arg);
    return true;
}

typedef struct render_job {
    const char *device, *file;
    int width, height;
    plot_draw_fn draw;
    const void *spec;
    bool device_found;
    PLINT strm;     /* our stream while it is open, else -1 */
    PLINT code;     /* plsError: set to 1 by plabort */
    char msg[1024]; /* plsError: plabort's message */
    const char *draw_err;
} render_job;

static void job_find_device(void *arg)
{
    render_job *job = arg;
    const char *menu[256], *names[256];
    const char **pm = menu, **pn = names;
    int n = 256;
    plgFileDevs(&pm, &pn, &n);
    for (int i = 0; i < n && !job->device_found; i++)
        job->device_found = names[i] != NULL && strcmp(names[i], job->device) == 0;
}

static void job_plot(void *arg)
{
    render_job *job = arg;
    plmkstrm(&job->strm);
    plsError(&job->code, job->msg);
    plsdev(job->device);
    plsfnam(job->file);
    plspage(0.0, 0.0, job->width, job->height, 0, 0);
    plscolbg(255, 255, 255);
    plinit();
    palette_setup();
    pladv(0);
    plot_page pg = page_setup(job->width, job->height);
    job->draw_err = job->draw(job->spec, &pg);
    plend1();
    job->strm = -1;
}

static void job_release(void *arg)
{
    render_job *job = arg;
    plsstrm(job->strm);
    plend1();
    job->strm = -1;
}

static const char *device_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot == NULL || (slash != NULL && dot < slash)) return NULL;
    char ext[8] = {0};
    for (size_t i = 0; i + 1 < sizeof ext && dot[i + 1] != '\0'; i++)
        ext[i] = (char)(dot[i + 1] >= 'A' && dot[i + 1] <= 'Z' ? dot[i + 1] + 32 : dot[i + 1]);
    if (strlen(dot + 1) >= sizeof ext) return NULL;
    if (strcmp(ext, "png") == 0) return "pngcairo";
    if (strcmp(ext, "svg") == 0) return "svgcairo";
    return NULL;
}

/* Cairo ignores write errors, so check that the file is complete: a PNG must end with its
 * IEND chunk and an SVG with its closing tag. */
static bool output_complete(const char *file, bool png)
{
    FILE *f = fopen(file, "rb");
    if (f == NULL) return false;
    char tail[64] = {0};
    long size = -1;
    size_t got = 0;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0) {
        long from = size > (long)sizeof tail - 1 ? size - (long)sizeof tail + 1 : 0;
        if (fseek(f, from, SEEK_SET) == 0) got = fread(tail, 1, sizeof tail - 1, f);
    }
    fclose(f);
    if (png) return got >= 12 && memcmp(tail + got - 12, "\0\0\0\0IEND\xae\x42\x60\x82", 12) == 0;
    return got > 0 && strstr(tail, "</svg>") != NULL;
}

static int plot_render(const char *path, int width, int height, plot_draw_fn draw, const void *spec,
                       char *err, size_t errlen)
{
    width = width == 0 ? PLOT_DEFAULT_WIDTH : width;
    height = height == 0 ? PLOT_DEFAULT_HEIGHT : height;
    if (width < PLOT_MIN_SIZE || width > PLOT_MAX_SIZE || height < PLOT_MIN_SIZE ||
        height > PLOT_MAX_SIZE) {
        err_set(err, errlen, "plot %s: size %dx%d outside %d..%d pixels", path, width, height,
                PLOT_MIN_SIZE, PLOT_MAX_SIZE);
        return 1;
    }
    const char *device = device_for(path);
    if (device == NULL) {
        err_set(err, errlen, "plot %s: unknown format (use a .png or .svg file name)", path);
        return 1;
    }

    render_job *job = calloc(1, sizeof *job);
    plot_guard *guard = calloc(1, sizeof *guard);
    size_t tmp_len = strlen(path) + sizeof ".XXXXXX";
    char *tmp = malloc(tmp_len);
    if (job == NULL || guard == NULL || tmp == NULL) {
        free(job);
        free(guard);
        free(tmp);
        err_set(err, errlen, "plot %s: out of memory", path);
        return 1;
    }
    *job = (render_job){.device = device,
                        .file = tmp,
                        .width = width,
                        .height = height,
                        .draw = draw,
                        .spec = spec,
                        .strm = -1};
    snprintf(tmp, tmp_len, "%s.XXXXXX", path);

    PLINT caller_strm = 0;
    plgstrm(&caller_strm);
    active_guard = guard;
    plsexit(guard_exit);

    int rc = 1;
    int fd = -1;
    if (!guarded(guard, job_find_device, job)) {
        err_set(err, errlen, "plot %s: PLplot failed: %s", path, guard->msg);
    } else if (!job->device_found) {
        err_set(err, errlen,
                "plot %s: PLplot device %s is not available (install plplot-driver-cairo)", path,
                device);
    } else if ((fd = mkstemp(tmp)) < 0) {
        /* Also catches unwritable paths before PLplot would prompt for another name. */
        err_set(err, errlen, "plot %s: cannot write: %s", path, strerror(errno));
    } else {
        fchmod(fd, 0644); /* mkstemp makes 0600; a plot is meant to be shared */
        close(fd);
        if (!guarded(guard, job_plot, job)) {
            err_set(err, errlen, "plot %s: PLplot failed: %s", path, guard->msg);
            if (job->strm >= 0 && !guarded(guard, job_release, job))
                job->strm = -1; /* give the stream up rather than risk exit() */
        } else if (job->draw_err != NULL) {
            err_set(err, errlen, "plot %s: %s", path, job->draw_err);
        } else if (job->code != 0) {
            err_set(err, errlen, "plot %s: PLplot error: %s", path,
                    job->msg + strspn(job->msg, "\n"));
        } else if (!output_complete(tmp, strcmp(device, "pngcairo") == 0)) {
            err_set(err, errlen, "plot %s: output incomplete (disk full?)", path);
        } else if (rename(tmp, path) != 0) {
            err_set(err, errlen, "plot %s: cannot write: %s", path, strerror(errno));
        } else {
            rc = 0;
        }
        if (rc != 0) unlink(tmp);
    }

    plsexit(NULL);
    active_guard = NULL;
    plsstrm(caller_strm);
    free(tmp);
    free(job);
    free(guard);
    if (rc != 0 && err != NULL && errlen > 0) {
        size_t len = strlen(err); /* PLplot messages end in newlines */
        while (len > 0 && err[len - 1] == '\n')
            err[--len] = '\0';
    }
    return rc;
}

/* ---- public --------------------------------------------------------------------------- */

static int spec_error(const char *path, const char *what, char *err, size_t errlen)
{
    err_set(err, errlen, "plot %s: %s", path != NULL ? path : "(null)", what);
    return 1;
}

int plot_time_series(const plot_series_spec *spec, const char *path, char *err, size_t errlen)
{
    if (spec == NULL || path == NULL) return spec_error(path, "no spec or path", err, errlen);
    const char *bad = time_series_check(spec);
    if (bad != NULL) return spec_error(path, bad, err, errlen);
    return plot_render(path, spec->width, spec->height, time_series_draw, spec, err, errlen);
}

int plot_network_map(const plot_map_spec *spec, const char *path, char *err, size_t errlen)
{
    if (spec == NULL || path == NULL) return spec_error(path, "no spec or path", err, errlen);
    const char *bad = map_check(spec);
    if (bad != NULL) return spec_error(path, bad, err, errlen);
    return plot_render(path, spec->width, spec->height, map_draw, spec, err, errlen);
}

int plot_bars(const plot_bar_spec *spec, const char *path, char *err, size_t errlen)
{
    if (spec == NULL || path == NULL) return spec_error(path, "no spec or path", err, errlen);
    const char *bad = bars_check(spec);
    if (bad != NULL) return spec_error(path, bad, err, errlen);
    return plot_render(path, spec->width, spec->height, bars_draw, spec, err, errlen);
}
