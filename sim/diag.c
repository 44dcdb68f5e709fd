#include "sim/diag.h"

#include <stdio.h>

void diag_fail(diag *d, int exit_code, const char *fmt, ...)
{
    if (d->failed) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
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
    d->failed = 1;
    d->exit_code = EXIT_BAD_INPUT;
}
