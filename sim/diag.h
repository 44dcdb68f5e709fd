/* Diagnostics: one error message that names where the problem is.
 *
 * Every loader and validator fills a `diag` instead of printing, so the command
 * line decides how to report (and tests can inspect the text). The message always
 * carries the file, the line and the key path, because users fix scenario files
 * by hand and need to know exactly which line to open. */
#ifndef RUMBO_DIAG_H
#define RUMBO_DIAG_H

#include <stdarg.h>
#include <stddef.h>

/* Exit codes shared by every subcommand (DESIGN.md: 0 ok, 1 runtime, 2 bad input). */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_BAD_INPUT = 2 };

typedef struct diag {
    int failed;    /* 0 while no error has been recorded */
    int exit_code; /* EXIT_BAD_INPUT or EXIT_RUNTIME once failed */
    char msg[1024];
} diag;

/* Records the first error only: later errors are usually consequences of it. */
void diag_fail(diag *d, int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Bad input located at FILE:LINE and KEY ("" when there is no key). */
void diag_input(diag *d, const char *file, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
