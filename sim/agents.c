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

const char *agents_field_problem(const agents *a, size_t i, int n_nodes, int n_edges)
{
    if (a->state[i] >= STATE_LIVE_COUNT) return "field 'state' is not a live state";
    if (a->node[i] >= n_nodes) return "field 'node' is not a node of the network";
    if (a->home[i] >= n_nodes) return "field 'home' is not a node of the network";
    if (a->edge[i] != EDGE_NONE && a->edge[i] >= n_edges)
        return "field 'edge' is not an edge of the network";
    if (a->plan[i] != EDGE_NONE && a->plan[i] >= n_edges)
        return "field 'plan' is not an edge of the network";
    if (a->nationality[i] >= NAT_COUNT) return "field 'nationality' is not a nationality";
    if (agent_age(a, i) >= AGE_COUNT) return "field 'traits' holds no age band";
    if (agent_goal(a, i) >= GOAL_COUNT) return "field 'traits' holds no goal";
    return NULL;
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

void agents_order_by_state(const agents *a, size_t lo, size_t n, uint16_t *order,
                           unsigned start[STATE_COUNT + 1])
{
    if (n > AGENTS_ORDER_MAX) abort();
    const uint8_t *state = a->state + lo;
    unsigned fill[STATE_COUNT];
    memset(start, 0, (STATE_COUNT + 1) * sizeof *start);
    for (size_t j = 0; j < n; j++)
        start[state[j] + 1]++;
    for (int st = 0; st < STATE_COUNT; st++)
        start[st + 1] += start[st];
    memcpy(fill, start, sizeof fill);
    for (size_t j = 0; j < n; j++)
        order[fill[state[j]]++] = (uint16_t)j;
}

void index_list_reserve(index_list *l, size_t n)
{
    if (n <= l->cap) return;
    size_t cap = n + n / 2 + 16;
    size_t *v = realloc(l->v, cap * sizeof *v);
    if (!v) abort();
    l->v = v;
    l->cap = cap;
}

static int by_index(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return (a > b) - (a < b);
}

/* Merges ascending runs [bound[r], bound[r + 1]) of src pairwise into dst until one
 * is left; returns the buffer that holds it. */
static size_t *merge_runs(size_t *src, size_t *dst, size_t *bound, int runs)
{
    while (runs > 1) {
        int merged = 0;
        for (int r = 0; r < runs; r += 2) {
            size_t lo = bound[r], mid = bound[r + 1], hi = r + 2 <= runs ? bound[r + 2] : mid;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                dst[k++] = src[b] < src[a] ? src[b++] : src[a++];
            while (a < mid)
                dst[k++] = src[a++];
            while (b < hi)
                dst[k++] = src[b++];
            bound[merged++] = lo;
        }
        bound[merged] = bound[runs];
        runs = merged;
        size_t *t = src;
        src = dst;
        dst = t;
    }
    return src;
}

void agents_merge_leavers(index_list *const *lists, int n_lists, index_list *out,
                          index_list *scratch)
{
    size_t total = 0;
    for (int k = 0; k < n_lists; k++)
        total += lists[k]->n;
    index_list_reserve(out, total);
    index_list_reserve(scratch, total);
    size_t *bound = malloc(((size_t)n_lists + 1) * sizeof *bound);
    if (!bound) abort();
    size_t at = 0;
    for (int k = 0; k < n_lists; k++) {
        bound[k] = at;
        if (lists[k]->n) memcpy(out->v + at, lists[k]->v, lists[k]->n * sizeof(size_t));
        /* A thread meets its agents in ascending order (sim/partition.h);
         * a list that is not is sorted rather than trusted. */
        for (size_t j = at + 1; j < at + lists[k]->n; j++)
            if (out->v[j] < out->v[j - 1]) {
                qsort(out->v + at, lists[k]->n, sizeof(size_t), by_index);
                break;
            }
        at += lists[k]->n;
    }
    bound[n_lists] = at;
    if (merge_runs(out->v, scratch->v, bound, n_lists > 0 ? n_lists : 1) != out->v) {
        size_t *t = out->v, c = out->cap;
        out->v = scratch->v, out->cap = scratch->cap;
        scratch->v = t, scratch->cap = c;
    }
    out->n = total;
    free(bound);
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
#pragma omp parallel for num_threads(n_threads)                                                    \
    schedule(dynamic, 1) if (n_moves > AGENTS_REMOVE_PARALLEL_MIN)
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
