/* SIGTERM and SIGINT as requests to stop cleanly.
 *
 * Batch systems end a job at its wall-time limit with SIGTERM (Slurm then waits
 * KillWait seconds before SIGKILL); a user at a terminal presses Ctrl-C. Either way the
 * long computation should stop at the next safe point (the end of a simulated day, the
 * end of a sweep sample), save what it has (a checkpoint, the finished samples) and exit
 * with EXIT_INTERRUPTED, so a job script can tell "resubmit me" from success or failure.
 * A second Ctrl-C kills at once (the handler is reset after the first signal). */
#ifndef RUMBO_INTERRUPT_H
#define RUMBO_INTERRUPT_H

#include <stdbool.h>

/* Exit code after a clean stop on SIGTERM/SIGINT with the state saved (after 0 ok,
 * 1 runtime failure, 2 bad input): rerun with --restart / the same sweep to continue. */
enum { EXIT_INTERRUPTED = 3 };

/* Installs the handlers (idempotent). */
void interrupt_install(void);
/* True once SIGTERM or SIGINT has arrived. Cheap: a load of a sig_atomic_t. */
bool interrupt_requested(void);
/* The signal that arrived (0 if none), for messages. */
int interrupt_signal(void);

#endif
