#include "sim/diag.h"

#include <stdio.h>

/* Messages are one line: control characters that came from the input (a --set
 * value with a newline, a tab in a quoted string) are shown escaped. */
static void one_line(char *msg, size_t cap)
{
    char out[sizeof((diag *)0)->msg];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)msg; *p && n + 5 < sizeof out; p++) {
        if (*p >= 0x20 && *p != 0x7f)
            out[n++] = (char)*p;
        else if (*p == '\n')
            out[n++] = '\\', out[n++] = 'n';
        else if (*p == '\t')
            out[n++] = '\\', out[n++] = 't';
        else
            n += (size_t)snprintf(out + n, sizeof out - n, "\\x%02x", *p);
    }
    out[n] = '\0';
    snprintf(msg, cap, "%s", out);
}

void diag_fail(diag *d, int exit_code, const char *fmt, ...)
{
    if (d->failed) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    one_line(d->msg, sizeof d->msg);
    d->failed = 1;
    d->exit_code = exit_code;
}

void diag_input(diag *d, const char *file, int line, const char *key, const char *fmt, ...)
{
    if (d->failed) return;
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (key && key[0])
        snprintf(d->msg, sizeof d->msg, "%s:%d: key '%s': %s", file ? file : "?", line, key, what);
    else
        snprintf(d->msg, sizeof d->msg, "%s:%d: %s", file ? file : "?", line, what);
    one_line(d->msg, sizeof d->msg);
    d->failed = 1;
    d->exit_code = EXIT_BAD_INPUT;
}
