#include "sim/memory.h"

#include <ctype.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/capacity.h"
#include "sim/sim.h"

static const double MiB = 1048576.0;

/* Bytes malloc has handed out and not taken back (glibc; 0 where unknown). */
static double heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 m = mallinfo2();
    return (double)m.uordblks + (double)m.hblkhd;
#else
    return 0;
#endif
}

void memory_map_large_blocks(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 256 << 10);
#endif
}

void memory_estimate(const scenario *sc, int threads, double entries, mem_estimate *e)
{
    memset(e, 0, sizeof *e);
    if (threads < 1) threads = 1;
    e->entries = entries;
    e->days = sc->days;
    e->agent_bytes = agents_bytes_per_agent();
    /* Storage grows by half when full, so up to 1.5 slots per agent. */
    e->agents = entries * (double)e->agent_bytes * 1.5;
    /* Per-thread lists grow by doubling and are sorted where they are: up to
     * 2 x (all requests). */
    e->requests = entries * (double)sizeof(cap_request) * 2.0;
    /* Engine and module state: initialise a simulation and measure it. */
    double before = heap_in_use();
    sim s;
    diag scratch = {0};
    if (sim_init(&s, sc, 0, threads, &scratch) == 0) {
        /* Past blocks are kept compressed (sim/series.h), a tenth of their plain size
         * or less in practice; the bound takes them at their plain size, which a
         * compressed block does not exceed by more than a few bytes. */
        for (int k = 0; k < s.out.n; k++)
            e->series += (double)s.out.items[k].record * (double)s.out.days_capacity * 8.0;
        e->state = heap_in_use() - before;
    }
    sim_free(&s);
    if (e->state < e->series) e->state = e->series; /* heap figures unavailable */
    /* The output file is open only while it is made and while a member is written
     * (sim/output.c): HDF5's metadata cache and free lists, and a compressing buffer
     * per thread for the chunks (a chunk at most: 64 days of the widest series). */
    e->image = 4 * MiB + threads * 1 * MiB;
    /* Code, libraries (HDF5, GSL, OpenMP) and the touched part of thread stacks. */
    e->fixed = 16 * MiB + threads * 1 * MiB;
    e->total = e->agents + e->requests + e->state + e->image + e->fixed;
}

int memory_parse_size(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno == ERANGE || !isfinite(v) || v < 0 || isspace((unsigned char)*text))
        return -1;
    double scale = 1;
    switch (toupper((unsigned char)*end)) {
    case 'K':
        scale = 1024.0;
        end++;
        break;
    case 'M':
        scale = MiB;
        end++;
        break;
    case 'G':
        scale = MiB * 1024;
        end++;
        break;
    case 'T':
        scale = MiB * 1048576;
        end++;
        break;
    default:
        break;
    }
    if (scale > 1 && (*end == 'i' || *end == 'I')) end++;
    if (*end == 'B' || *end == 'b') end++;
    if (*end) return -1;
    double bytes = v * scale;
    if (bytes < 1 || bytes >= 1.8e19) return -1;
    *out = (uint64_t)bytes;
    return 0;
}

/* The cgroup v2 limit of this process, or 0 when none is set. */
static uint64_t cgroup_limit(void)
{
    FILE *f = fopen("/sys/fs/cgroup/memory.max", "r");
    if (!f) return 0;
    char buf[64] = "";
    uint64_t v = 0;
    if (fgets(buf, sizeof buf, f) && isdigit((unsigned char)buf[0])) v = strtoull(buf, NULL, 10);
    fclose(f);
    return v;
}

uint64_t memory_default_limit(char *why, size_t why_len)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    uint64_t phys = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
    uint64_t cg = cgroup_limit();
    if (cg && (cg < phys || !phys)) {
        snprintf(why, why_len, "80%% of the cgroup memory limit %.0f MiB", (double)cg / MiB);
        return cg / 5 * 4;
    }
    if (!phys) {
        snprintf(why, why_len, "physical memory unknown: no limit");
        return UINT64_MAX;
    }
    snprintf(why, why_len, "80%% of physical memory %.0f MiB", (double)phys / MiB);
    return phys / 5 * 4;
}

void memory_print(const mem_estimate *e, uint64_t limit, const char *limit_why, FILE *f)
{
    fprintf(f,
            "  memory estimate    %.1f MiB at most (upper bound: nobody leaves, one capacity"
            " request per agent a day)\n",
            e->total / MiB);
    fprintf(f, "    agents           %.1f MiB (%.0f agents x %zu bytes, x1.5 growth)\n",
            e->agents / MiB, e->entries, e->agent_bytes);
    fprintf(
        f, "    capacity queue   %.1f MiB (%zu bytes a request, in per-thread lists that double)\n",
        e->requests / MiB, sizeof(cap_request));
    fprintf(f, "    engine, modules  %.1f MiB (measured; output series %.1f MiB)\n", e->state / MiB,
            e->series / MiB);
    fprintf(f, "    HDF5 writer      %.1f MiB (the file's caches while it is made and written)\n",
            e->image / MiB);
    fprintf(f, "    libraries        %.1f MiB\n", e->fixed / MiB);
    if (limit == UINT64_MAX)
        fprintf(f, "  memory limit       none (%s)\n", limit_why);
    else
        fprintf(f, "  memory limit       %.1f MiB (%s)\n", (double)limit / MiB, limit_why);
}

int memory_check(const mem_estimate *e, uint64_t limit, const char *limit_why,
                 const char *scenario_path, diag *d)
{
    /* Agent ids are 32-bit and key every random stream: past 2^32 entries two
     * agents would share one. (The margin covers Poisson draws above the mean.) */
    if (e->entries * 1.001 + 1e5 > (double)UINT32_MAX) {
        diag_fail(d, EXIT_BAD_INPUT,
                  "%s: the run brings in about %.3g agents; at most %u are supported (agent ids "
                  "are 32-bit). Shorten the run or lower the inflow",
                  scenario_path, e->entries, UINT32_MAX);
        return -1;
    }
    if (limit == UINT64_MAX || e->total <= (double)limit) return 0;
    struct {
        const char *what;
        double bytes;
    } parts[] = {
        {"agent storage and capacity requests (nobody leaving)", e->agents + e->requests},
        {"engine state, output series and the HDF5 writer", e->state + e->image},
        {"libraries and thread stacks", e->fixed},
    };
    int top = 0;
    for (int k = 1; k < 3; k++)
        if (parts[k].bytes > parts[top].bytes) top = k;
    diag_fail(d, EXIT_BAD_INPUT,
              "%s: the run may need %.0f MiB, more than the limit of %.0f MiB (%s); the largest "
              "part is %s, %.0f MiB for %.0f agents over %d days (rumbo check shows the "
              "estimate). Shorten the run or lower the inflow, or raise --max-memory",
              scenario_path, e->total / MiB, (double)limit / MiB, limit_why, parts[top].what,
              parts[top].bytes / MiB, e->entries, e->days);
    return -1;
}
