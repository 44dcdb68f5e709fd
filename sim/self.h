/* This program's own executable, for starting it again (sim/threads.c re-executes
 * rumbo to set OpenMP's wait policy; `rumbo bench` runs each measurement in a fresh
 * rumbo).
 *
 * Under a loader such as valgrind, /proc/self/exe is the loader, not rumbo: starting
 * it again would run the loader's tool, not this program. It counts as rumbo only
 * when its file name is the one the program was started as (argv[0]'s). */
#ifndef RUMBO_SELF_H
#define RUMBO_SELF_H

/* Records the executable from argv[0] (main calls this first). */
void self_init(const char *argv0);

/* The executable's path, or NULL: under a loader, without /proc, or before self_init. */
const char *self_program(void);

#endif
