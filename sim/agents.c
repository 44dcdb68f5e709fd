#include "sim/agents.h"

#include <stdlib.h>
#include <string.h>

const char *const state_names[STATE_COUNT] = {
    "waiting",  "travelling", "sheltered",   "working",       "home",
    "detained", "deported",   "handed_over", "kidnapped",     "exploited",
    "arrived",  "dead",       "settled",     "returned_home", "gave_up"};
const char *const nationality_names[NAT_COUNT] = {"GT", "HN", "SV", "NI", "other"};
const char *const age_names[AGE_COUNT] = {"child", "adolescent", "adult"};
const char *const goal_names[GOAL_COUNT] = {"transit", "work", "undecided"};

/* In agents_group order: nationality, then sex, then age band. */
#define GROUP_SEX(n, s) #n "_" #s "_child", #n "_" #s "_adolescent", #n "_" #s "_adult"
#define GROUP_NAT(n) GROUP_SEX(n, male), GROUP_SEX(n, female)
const char *const group_names[GROUP_COUNT] = {GROUP_NAT(GT), GROUP_NAT(HN), GROUP_NAT(SV),
                                              GROUP_NAT(NI), GROUP_NAT(other)};
#undef GROUP_NAT
#undef GROUP_SEX

size_t agents_bytes_per_agent(void)
{
    size_t bytes = 0;
#define AGENT_FIELD_SIZE(type, name) bytes += sizeof(type);
    AGENT_FIELDS(AGENT_FIELD_SIZE)
#undef AGENT_FIELD_SIZE
    return bytes;
}

void agents_init(agents *a)
{
    memset(a, 0, sizeof *a);
}

void agents_free(agents *a)
{
#define AGENT_FIELD_FREE(type, name) free(a->name);
    AGENT_FIELDS(AGENT_FIELD_FREE)
#undef AGENT_FIELD_FREE
    memset(a, 0, sizeof *a);
}

static void grow(agents *a, size_t need)
{
    if (need <= a->cap) return;
    size_t cap = a->cap ? a->cap : 1024;
    while (cap < need)
        cap += cap / 2;
#define AGENT_FIELD_GROW(type, name)                                                               \
    {                                                                                              \
        type *p = realloc(a->name, cap * sizeof(type));                                            \
        if (!p) abort();                                                                           \
        a->name = p;                                                                               \
    }
    AGENT_FIELDS(AGENT_FIELD_GROW)
#undef AGENT_FIELD_GROW
    a->cap = cap;
}

size_t agents_spawn(agents *a, size_t count)
{
    size_t first = a->n;
    /* Nothing to add; and before the first spawn the arrays are NULL, where even
     * NULL + 0 is undefined behaviour (found by fuzzing). */
    if (count == 0) return first;
    grow(a, a->n + count);
#define AGENT_FIELD_ZERO(type, name) memset(a->name + first, 0, count * sizeof(type));
    AGENT_FIELDS(AGENT_FIELD_ZERO)
#undef AGENT_FIELD_ZERO
    for (size_t i = first; i < first + count; i++)
        a->edge[i] = a->plan[i] = EDGE_NONE;
    a->n += count;
    return first;
}

/* Agents leave by the thousand a day out of millions: each leaver's slot is filled
 * with the last agent that stays, so a day costs one pass over the state bytes plus
 * a copy per leaver (moving every agent behind the first leaver, as the first
 * version did, cost 8 ns per agent-day and did not parallelise). Storage order
 * carries no meaning: nothing a module computes depends on it (sim/module.h). */
size_t agents_compact(agents *a)
{
    size_t n = a->n, lo = 0, hi = n;
    for (;;) {
        while (lo < hi && a->state[lo] < STATE_LIVE_COUNT)
            lo++;
        while (hi > lo && a->state[hi - 1] >= STATE_LIVE_COUNT)
            hi--;
        if (lo == hi) break;
        /* Here agent lo leaves and agent hi - 1 (> lo) stays. */
        hi--;
#define AGENT_FIELD_MOVE(type, name) a->name[lo] = a->name[hi];
        AGENT_FIELDS(AGENT_FIELD_MOVE)
#undef AGENT_FIELD_MOVE
        lo++;
    }
    a->n = lo;
    return n - lo;
}
