/* OpenMP waiting: passive by default.
 *
 * At each barrier of a day (a few per day) libgomp's idle threads spin for a while
 * before sleeping (OMP_WAIT_POLICY unset: about 300,000 spins). On a machine shared
 * with other work, the spinning threads take the cores the working ones need, and a
 * 2-thread run measured 10x SLOWER than a 1-thread one (rumbo bench, 1e4 agents:
 * speedup 0.07 spinning, 0.76 passive on a load average of 7 on 2 cores).
 *
 * libgomp reads OMP_WAIT_POLICY and GOMP_SPINCOUNT once, in a constructor that runs
 * before main(), so setenv() in main() comes too late (and omp_set_dynamic does not
 * touch waiting). The only portable way is to re-execute the program with the
 * variable set. A user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT is respected. */
#ifndef RUMBO_THREADS_H
#define RUMBO_THREADS_H

/* If neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT is set, sets OMP_WAIT_POLICY=passive
 * and re-executes this program (self_program, sim/self.h) with the same arguments;
 * returns only if it did not (variables set, under a loader or valgrind, or exec
 * failed: then the run goes on with libgomp's default). */
void threads_passive_by_default(char **argv);

#endif
