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

/* Two passes over the state bytes, each thread over its own block: count, then
 * write at the offsets the counts give; the list comes out ascending. */
void agents_find_leavers(const agents *a, int n_threads, index_list *out)
{
    enum { MAX_BLOCKS = 256 };
    size_t n = a->n, count[MAX_BLOCKS + 1] = {0};
    int blocks = n_threads < 1 ? 1 : n_threads > MAX_BLOCKS ? MAX_BLOCKS : n_threads;
    if (n < 100000) blocks = 1; /* not worth waking a thread */
    const uint8_t *state = a->state;
#pragma omp parallel for num_threads(blocks) schedule(static, 1) if (blocks > 1)
    for (int b = 0; b < blocks; b++) {
        size_t c = 0;
        for (size_t i = n * (size_t)b / (size_t)blocks; i < n * (size_t)(b + 1) / (size_t)blocks;
             i++)
            c += state[i] >= STATE_LIVE_COUNT;
        count[b + 1] = c;
    }
    for (int b = 0; b < blocks; b++)
        count[b + 1] += count[b];
    if (count[blocks] > out->cap) {
        out->cap = count[blocks] + count[blocks] / 2;
        free(out->v);
        out->v = malloc(out->cap * sizeof *out->v);
        if (!out->v) abort();
    }
    out->n = count[blocks];
    size_t *v = out->v;
#pragma omp parallel for num_threads(blocks) schedule(static, 1) if (blocks > 1)
    for (int b = 0; b < blocks; b++) {
        size_t k = count[b];
        for (size_t i = n * (size_t)b / (size_t)blocks; i < n * (size_t)(b + 1) / (size_t)blocks;
             i++)
            if (state[i] >= STATE_LIVE_COUNT) v[k++] = i;
    }
}

/* Agents leave by the thousand a day out of millions: each leaver's slot is filled
 * with the last agent that stays, so a day costs a copy per leaver (moving every
 * agent behind the first leaver, as the first version did, cost 8 ns per agent-day
 * and did not parallelise). The moves are planned first, then each field is moved
 * on its own, the fields shared among the threads: a move is two cache misses per
 * field, and a million-agent day has some ten thousand of them. */
size_t agents_remove(agents *a, const index_list *leavers, int n_threads)
{
    size_t hi = a->n, n_moves = 0;
    size_t(*moves)[2] = malloc((leavers->n + 1) * sizeof *moves);
    if (!moves) abort();
    for (size_t k = 0; k < leavers->n; k++) {
        size_t lo = leavers->v[k];
        while (hi > lo && a->state[hi - 1] >= STATE_LIVE_COUNT)
            hi--;
        if (hi <= lo) break; /* everyone from lo on leaves, or has moved down */
        hi--;
        moves[n_moves][0] = lo;
        moves[n_moves++][1] = hi;
    }
    enum {
#define AGENT_FIELD_ONE(type, name) +1
        N_FIELDS = 0 AGENT_FIELDS(AGENT_FIELD_ONE)
#undef AGENT_FIELD_ONE
    };
    char *base[N_FIELDS];
    size_t size[N_FIELDS];
    int f = 0;
#define AGENT_FIELD_DESC(type, name) base[f] = (char *)a->name, size[f++] = sizeof(type);
    AGENT_FIELDS(AGENT_FIELD_DESC)
#undef AGENT_FIELD_DESC
#pragma omp parallel for num_threads(n_threads) schedule(dynamic, 1) if (n_moves > 1000)
    for (int k = 0; k < N_FIELDS; k++) {
        char *b = base[k];
        switch (size[k]) { /* the field types' sizes: whole-value copies */
#define MOVE_AS(T)                                                                                 \
    for (size_t m = 0; m < n_moves; m++)                                                           \
        ((T *)b)[moves[m][0]] = ((T *)b)[moves[m][1]];                                             \
    break;
        case 1:
            MOVE_AS(uint8_t)
        case 2:
            MOVE_AS(uint16_t)
        case 4:
            MOVE_AS(uint32_t)
        case 8:
            MOVE_AS(uint64_t)
#undef MOVE_AS
        default:
            for (size_t m = 0; m < n_moves; m++)
                memcpy(b + moves[m][0] * size[k], b + moves[m][1] * size[k], size[k]);
        }
    }
    free(moves);
    a->n -= leavers->n;
    return leavers->n;
}
