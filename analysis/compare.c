#include "analysis/compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/config.h"

static size_t valid_values(const ind_table *t, const ind_row *row, int r, int p, double *out)
{
    const double *v = ind_values(t, row, r, p);
    size_t n = 0;
    for (int m = 0; m < t->runs[r].n_members; m++)
        if (!isnan(v[m])) out[n++] = v[m];
    return n;
}

stats_summary compare_summary(const ind_table *t, const ind_row *row, int r, int p)
{
    double *x = malloc(((size_t)t->runs[r].n_members + 1) * sizeof(double));
    if (!x) abort();
    size_t n = valid_values(t, row, r, p, x);
    stats_summary s = stats_summarize(x, n);
    free(x);
    return s;
}

stats_diff compare_difference(const ind_table *t, const ind_row *row, int r, int p)
{
    double *a = malloc(((size_t)t->runs[0].n_members + 1) * sizeof(double));
    double *b = malloc(((size_t)t->runs[r].n_members + 1) * sizeof(double));
    if (!a || !b) abort();
    size_t na = valid_values(t, row, 0, p, a), nb = valid_values(t, row, r, p, b);
    stats_diff d = stats_difference(a, na, b, nb);
    free(a);
    free(b);
    return d;
}

static bool period_shown(const ind_table *t, const ind_row *row, int p)
{
    /* One calendar year only: its row would repeat the whole run's. */
    if (!t->periods[p].whole_run && t->n_periods == 2) return false;
    return indicator_table[row->indicator].per_year || t->periods[p].whole_run;
}

static bool row_absent(const ind_table *t, const ind_row *row)
{
    for (int r = 0; r < t->n_runs; r++)
        if (row->present[r]) return false;
    return true;
}

bool compare_row_shown(const ind_table *t, const ind_row *row)
{
    if (!row->category[0] || strcmp(row->category, "all") == 0) return true;
    for (int r = 0; r < t->n_runs; r++)
        for (int p = 0; p < t->n_periods; p++) {
            const double *v = ind_values(t, row, r, p);
            for (int m = 0; m < t->runs[r].n_members; m++)
                if (!isnan(v[m]) && v[m] != 0) return true;
        }
    return false;
}

/* ---- numbers as people read them ----------------------------------------------- */

/* Thousands separators for large values, a few significant digits for small ones. */
static void fmt_num(double x, bool sign, char *buf, size_t len)
{
    if (isnan(x)) {
        snprintf(buf, len, "n/a");
        return;
    }
    double a = fabs(x);
    if (x == 0) {
        snprintf(buf, len, sign ? "+0" : "0");
        return;
    }
    if (a >= 9999.5) {
        char digits[32], *o = buf;
        snprintf(digits, sizeof digits, "%.0f", a);
        size_t nd = strlen(digits);
        if (x < 0)
            *o++ = '-';
        else if (sign)
            *o++ = '+';
        for (size_t i = 0; i < nd && (size_t)(o - buf) + 2 < len; i++) {
            if (i && (nd - i) % 3 == 0) *o++ = ',';
            *o++ = digits[i];
        }
        *o = '\0';
        return;
    }
    const char *f = a >= 99.95   ? (sign ? "%+.0f" : "%.0f")
                    : a >= 9.995 ? (sign ? "%+.1f" : "%.1f")
                                 : (sign ? "%+.2f" : "%.2f");
    snprintf(buf, len, f, x);
}

static void fmt_summary(stats_summary s, char *buf, size_t len)
{
    char m[32], lo[32], hi[32];
    if (s.n == 0 || isnan(s.mean)) {
        snprintf(buf, len, "n/a");
        return;
    }
    fmt_num(s.mean, false, m, sizeof m);
    if (s.n == 1) {
        snprintf(buf, len, "%s", m);
        return;
    }
    fmt_num(s.lo, false, lo, sizeof lo);
    fmt_num(s.hi, false, hi, sizeof hi);
    snprintf(buf, len, "%s [%s, %s]", m, lo, hi);
}

static void fmt_diff(stats_diff d, char *buf, size_t len)
{
    char m[32], lo[32], hi[32];
    if (isnan(d.diff)) {
        snprintf(buf, len, "n/a");
        return;
    }
    fmt_num(d.diff, true, m, sizeof m);
    if (isnan(d.lo)) {
        snprintf(buf, len, "%s", m);
        return;
    }
    fmt_num(d.lo, true, lo, sizeof lo);
    fmt_num(d.hi, true, hi, sizeof hi);
    snprintf(buf, len, "%s [%s, %s]%s", m, lo, hi, d.significant ? " *" : "");
}

static char run_letter(int r)
{
    return (char)('A' + r);
}

static void describe_runs(FILE *f, const ind_table *t, const char *indent)
{
    for (int r = 0; r < t->n_runs; r++) {
        const h5run *run = &t->runs[r];
        char first[11], last[11];
        date_format(run->start, first);
        date_format(run->start + run->days - 1, last);
        fprintf(f, "%s%c = %s: scenario %s, %d member%s, %s to %s\n", indent, run_letter(r),
                run->path, run->scenario_name, run->n_members, run->n_members == 1 ? "" : "s",
                first, last);
    }
}

/* ---- text ------------------------------------------------------------------------ */

enum { CELL = 30 };

/* Appends a cell padded to CELL columns (padding trimmed at the end of the line). */
static void put_cell(char *line, size_t len, const char *cell)
{
    size_t used = strlen(line);
    snprintf(line + used, len - used, " %-*s", CELL, cell);
}

static void end_line(FILE *f, char *line)
{
    size_t n = strlen(line);
    while (n && line[n - 1] == ' ')
        line[--n] = '\0';
    fprintf(f, "%s\n", line);
}

void compare_print(FILE *f, const ind_table *t)
{
    char line[(CELL + 1) * 2 * IND_MAX_RUNS + 64], cell[128];
    describe_runs(f, t, "");
    fprintf(f, "Each cell: ensemble mean [95%% interval of the mean, Student t]");
    if (t->n_runs > 1) fprintf(f, "; differences: Welch 95%% interval, * where it excludes 0");
    fprintf(f, ".\nn/a: the file does not have what the indicator needs (module off, or no "
               "values in that period).\n\n");
    snprintf(line, sizeof line, "%-16s", "period");
    for (int r = 0; r < t->n_runs; r++) {
        snprintf(cell, sizeof cell, "%c", run_letter(r));
        put_cell(line, sizeof line, cell);
    }
    for (int r = 1; r < t->n_runs; r++) {
        snprintf(cell, sizeof cell, "%c - A", run_letter(r));
        put_cell(line, sizeof line, cell);
    }
    end_line(f, line);
    int last_ind = -1;
    for (int k = 0; k < t->n_rows; k++) {
        const ind_row *row = &t->rows[k];
        if (!compare_row_shown(t, row)) continue;
        const indicator *ind = &indicator_table[row->indicator];
        char label[160];
        ind_row_label(row, label, sizeof label);
        if (row->indicator != last_ind) fprintf(f, "\n");
        last_ind = row->indicator;
        fprintf(f, "%s (%s)\n", label, ind->unit);
        if (row_absent(t, row)) {
            fprintf(f, "  %-14s %s\n", "", "n/a in every file and period");
            continue;
        }
        for (int p = 0; p < t->n_periods; p++) {
            if (!period_shown(t, row, p)) continue;
            snprintf(line, sizeof line, "  %-14s", t->periods[p].label);
            for (int r = 0; r < t->n_runs; r++) {
                fmt_summary(compare_summary(t, row, r, p), cell, sizeof cell);
                put_cell(line, sizeof line, cell);
            }
            for (int r = 1; r < t->n_runs; r++) {
                fmt_diff(compare_difference(t, row, r, p), cell, sizeof cell);
                put_cell(line, sizeof line, cell);
            }
            end_line(f, line);
        }
    }
}

/* ---- CSV ------------------------------------------------------------------------- */

static void csv_text(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_num(FILE *f, double x)
{
    if (isnan(x))
        fputs(",", f);
    else
        fprintf(f, ",%.10g", x);
}

int compare_write_csv(FILE *f, const ind_table *t)
{
    fputs("indicator,category,period,unit", f);
    for (int r = 0; r < t->n_runs; r++) {
        char c = run_letter(r);
        fprintf(f, ",%c_file,%c_n,%c_mean,%c_lo,%c_hi", c, c, c, c, c);
    }
    for (int r = 1; r < t->n_runs; r++) {
        char c = run_letter(r);
        fprintf(f, ",%c_minus_A,%c_minus_A_lo,%c_minus_A_hi,%c_minus_A_significant", c, c, c, c);
    }
    fputc('\n', f);
    for (int k = 0; k < t->n_rows; k++) {
        const ind_row *row = &t->rows[k];
        const indicator *ind = &indicator_table[row->indicator];
        for (int p = 0; p < t->n_periods; p++) {
            if (!period_shown(t, row, p)) continue;
            csv_text(f, ind->name);
            fputc(',', f);
            csv_text(f, row->category);
            fputc(',', f);
            csv_text(f, t->periods[p].label);
            fputc(',', f);
            csv_text(f, ind->unit);
            for (int r = 0; r < t->n_runs; r++) {
                stats_summary s = compare_summary(t, row, r, p);
                fputc(',', f);
                csv_text(f, t->runs[r].path);
                fprintf(f, ",%zu", s.n);
                csv_num(f, s.mean), csv_num(f, s.lo), csv_num(f, s.hi);
            }
            for (int r = 1; r < t->n_runs; r++) {
                stats_diff d = compare_difference(t, row, r, p);
                csv_num(f, d.diff), csv_num(f, d.lo), csv_num(f, d.hi);
                fprintf(f, ",%s", isnan(d.diff) ? "" : d.significant ? "true" : "false");
            }
            fputc('\n', f);
        }
    }
    return ferror(f) ? -1 : 0;
}

/* ---- HTML ------------------------------------------------------------------------ */

void compare_html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

void compare_write_html(FILE *f, const ind_table *t)
{
    fputs("<table class=\"compare\">\n<thead><tr><th>indicator</th><th>unit</th>"
          "<th>period</th>",
          f);
    for (int r = 0; r < t->n_runs; r++) {
        fprintf(f, "<th>%c: ", run_letter(r));
        compare_html_text(f, t->runs[r].scenario_name);
        fputs("</th>", f);
    }
    for (int r = 1; r < t->n_runs; r++)
        fprintf(f, "<th>%c &minus; A</th>", run_letter(r));
    fputs("</tr></thead>\n<tbody>\n", f);
    for (int k = 0; k < t->n_rows; k++) {
        const ind_row *row = &t->rows[k];
        if (!compare_row_shown(t, row)) continue;
        const indicator *ind = &indicator_table[row->indicator];
        char label[160], cell[128];
        ind_row_label(row, label, sizeof label);
        for (int p = 0; p < t->n_periods; p++) {
            if (!period_shown(t, row, p)) continue;
            fputs(t->periods[p].whole_run ? "<tr class=\"run\"><td>" : "<tr><td>", f);
            compare_html_text(f, label);
            fputs("</td><td>", f);
            compare_html_text(f, ind->unit);
            fputs("</td><td>", f);
            compare_html_text(f, t->periods[p].label);
            fputs("</td>", f);
            for (int r = 0; r < t->n_runs; r++) {
                fmt_summary(compare_summary(t, row, r, p), cell, sizeof cell);
                fputs("<td>", f);
                compare_html_text(f, cell);
                fputs("</td>", f);
            }
            for (int r = 1; r < t->n_runs; r++) {
                stats_diff d = compare_difference(t, row, r, p);
                fmt_diff(d, cell, sizeof cell);
                fputs(d.significant ? "<td class=\"sig\">" : "<td>", f);
                compare_html_text(f, cell);
                fputs("</td>", f);
            }
            fputs("</tr>\n", f);
        }
    }
    fputs("</tbody>\n</table>\n", f);
}
