/* Memory: what a run will need, what it may use, and refusing before it starts.
 *
 * A run that outgrows the machine is killed hours in, by the kernel or the batch
 * system, and loses everything. So `rumbo check` and `rumbo run` estimate the peak
 * from the scenario and refuse (exit 2) when it exceeds --max-memory, by default
 * 80% of the physical memory or of the cgroup limit (Slurm jobs, containers),
 * whichever is smaller.
 *
 * The estimate is an upper bound, and says what dominates. Agent storage and the
 * capacity requests grow with the agents alive at once; since the peak depends on
 * how the run unfolds, the bound assumes nobody ever leaves (every entry is alive
 * on the last day) and every agent asks for one capacity-limited resource a day.
 * The engine and module state (counters, route tables, output series) is measured
 * by initialising the simulation for real, and HDF5 keeps caches for the output
 * datasets, open for the whole run. */
#ifndef RUMBO_MEMORY_H
#define RUMBO_MEMORY_H

#include <stdint.h>
#include <stdio.h>

#include "sim/diag.h"
#include "sim/scenario.h"

typedef struct mem_estimate {
    double entries;  /* agents brought in over the run */
    double agents;   /* agent storage, bytes */
    double requests; /* capacity request lists, bytes */
    double state;    /* engine and module state incl. output series, bytes */
    double series;   /* of which the output series */
    double image;    /* HDF5 file built in memory at the end */
    double fixed;    /* libraries, thread stacks */
    double total;
    size_t agent_bytes; /* bytes per agent slot */
    int days;
} mem_estimate;

/* Estimates the peak memory of a run of `sc` with `threads` threads, bringing in
 * `entries` agents. */
/* Large blocks (the agent arrays above all) get their own mappings, which grow in
 * place (mremap) and go back to the system when freed. glibc's default raises the
 * mapping threshold as blocks are freed, after which the agent arrays move into the
 * heap and every growth leaves the old copy resident: 20% of the peak memory of a
 * million-agent run. Call once at start-up. */
void memory_map_large_blocks(void);

void memory_estimate(const scenario *sc, int threads, double entries, mem_estimate *e);

/* Parses a size: bytes, or a number with K, M, G or T (powers of 1024, an optional
 * trailing "B" or "iB"): 512M, 4G, 1.5GiB. 0 ok, -1 malformed. */
int memory_parse_size(const char *text, uint64_t *out);

/* The default limit: 80% of physical memory or of the cgroup's memory.max,
 * whichever is smaller; `why` says which (for messages). */
uint64_t memory_default_limit(char *why, size_t why_len);

/* Prints the estimate for `rumbo check` (several lines, indented). */
void memory_print(const mem_estimate *e, uint64_t limit, const char *limit_why, FILE *f);

/* Fails with exit 2 when the estimate exceeds the limit, saying what dominates. */
int memory_check(const mem_estimate *e, uint64_t limit, const char *limit_why,
                 const char *scenario_path, diag *d);

#endif
