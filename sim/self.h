/* This program's own executable, for starting it again (sim/threads.c re-executes
 * rumbo to set OpenMP's wait policy; `rumbo bench` runs each measurement in a fresh
 * rumbo).
 *
 * Under a loader (ld.so started by hand, qemu), /proc/self/exe is the loader, not
 * rumbo: it counts as rumbo only when its file name is the one the program was
 * started as (argv[0]'s). Valgrind instead shows rumbo's own path there, but starting
 * it again would leave valgrind (it follows no exec by default): the run would go on
 * unchecked, and memcheck would report nothing. Under valgrind there is no self. */
#ifndef RUMBO_SELF_H
#define RUMBO_SELF_H

/* Records the executable from argv[0] (main calls this first). */
void self_init(const char *argv0);

/* The executable's path, or NULL: under a loader or valgrind, without /proc, or before
 * self_init. */
const char *self_program(void);

#endif
