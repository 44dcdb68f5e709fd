/* Agent storage: structure of arrays.
 *
 * The daily loop touches a few fields of every agent, so each field lives in its
 * own array (cache lines carry only what is used) and types are as small as the
 * values allow (DESIGN.md target: <= 64 bytes per live agent). The field list is an
 * X-macro so that spawning, compaction and checkpoints handle every field, and
 * adding one is a single line here. */
#ifndef RUMBO_AGENTS_H
#define RUMBO_AGENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Live states: an agent in one of these is in the system and counted in
 * `population[time,node,state]`. */
typedef enum {
    STATE_WAITING,     /* at a node: resting, waiting for a train or deciding */
    STATE_TRAVELLING,  /* on an edge; `node` is the edge's origin */
    STATE_SHELTERED,   /* in a shelter bed (models/shelter.c) */
    STATE_WORKING,     /* on a job contract (models/labour.c) */
    STATE_HOME,        /* seasonal worker at home between seasons; counted at `home` */
    STATE_DETAINED,    /* held by INM: in custody, a migration station or a child-protection
                          shelter (`holder`); `node` is where */
    STATE_DEPORTED,    /* returned to the country of origin, may try again (`timer`); `node`
                          is where a re-attempt starts */
    STATE_HANDED_OVER, /* handed by a corrupt official to a criminal group (crime module) */
    STATE_KIDNAPPED,   /* held for ransom by organisation `holder` (models/crime.c) */
    STATE_EXPLOITED,   /* trafficked into exploitation by organisation `holder` (models/crime.c) */
    STATE_LIVE_COUNT,
    /* Final states: the agent leaves the system at the end of the day. */
    STATE_ARRIVED = STATE_LIVE_COUNT, /* reached a US-border exit */
    STATE_DEAD,
    STATE_SETTLED,  /* stayed in Mexico for good */
    STATE_RETURNED, /* went home for good */
    STATE_GAVE_UP,  /* deported and did not try again */
    STATE_COUNT
} agent_state;

extern const char *const state_names[STATE_COUNT];

/* A set of states as a bit mask: STATE_BIT(STATE_WAITING) | ... */
#define STATE_BIT(state) (1u << (state))

/* Attributes packed in `attrs` (see agents_attr_*). */
enum { NAT_GT, NAT_HN, NAT_SV, NAT_NI, NAT_OTHER, NAT_COUNT };
extern const char *const nationality_names[NAT_COUNT];

#define EDGE_NONE UINT16_MAX

/* Who a migrant is, packed in `traits` (see the agent_* accessors below). */
enum { AGE_CHILD, AGE_ADOLESCENT, AGE_ADULT, AGE_COUNT };
enum { GOAL_TRANSIT, GOAL_WORK, GOAL_UNDECIDED, GOAL_COUNT };
extern const char *const age_names[AGE_COUNT];
extern const char *const goal_names[GOAL_COUNT];
enum {
    TRAIT_FEMALE = 1u << 0,
    TRAIT_AGE_SHIFT = 1,         /* 2 bits: AGE_* */
    TRAIT_ACCOMPANIED = 1u << 3, /* minors: with family; adults: travelling with children */
    TRAIT_SMUGGLER = 1u << 4,    /* has a smuggler (coyote) contract */
    TRAIT_CONTACTS = 1u << 5,    /* knows migrants of earlier waves (word of mouth) */
    TRAIT_GOAL_SHIFT = 6,        /* 2 bits: GOAL_* */
};
/* Output groups: nationality x sex x age band (`events_by_group`). */
enum { GROUP_COUNT = NAT_COUNT * 2 * AGE_COUNT };

/* Flags. */
enum {
    AGENT_ON_TRAIN = 1u << 0,
    AGENT_WANTS_SHELTER = 1u << 1,  /* queueing for a bed at its node */
    AGENT_INFORMED = 1u << 2,       /* stayed in a shelter: hears current risks */
    AGENT_NO_WORK_HERE = 1u << 3,   /* gave up looking for work at this node */
    AGENT_SHELTERED_HERE = 1u << 4, /* already stayed in this node's shelter */
    AGENT_ASKED_SEAT = 1u << 5,     /* asked for a train seat today */
    AGENT_SETTLES = 1u << 6,        /* stays in Mexico for good when the job ends */
    AGENT_GOES_NORTH = 1u << 7      /* undecided: heads north when the job ends */
};

/* `timer` and `holder` mean one thing or another by state: no state needs both
 * meanings, and each is set on entering a state that reads it. Two fields fewer is 3
 * bytes per agent, 5% of a million-agent run's memory. */
/*      type      name        meaning */
#define AGENT_FIELDS(X)                                                                            \
    X(uint32_t, id)         /* unique, in order of entry; keys the random streams */               \
    X(uint16_t, node)       /* current node, or origin node of the current edge */                 \
    X(uint16_t, edge)       /* current edge, EDGE_NONE at a node */                                \
    X(float, days_left)     /* travel time left on the current edge, in days */                    \
    X(uint8_t, state)       /* agent_state */                                                      \
    X(uint8_t, flags)       /* AGENT_* flags */                                                    \
    X(uint8_t, grants)      /* capacity granted today, one bit per request slot */                 \
    X(uint8_t, nationality) /* NAT_* */                                                            \
    X(uint16_t, entry_day)  /* simulation day of entry */                                          \
    X(uint8_t, traits)      /* TRAIT_* bits: sex, age band, accompanied, smuggler, goal */         \
    X(int32_t, money)       /* whole pesos in hand */                                              \
    X(uint8_t, injury)      /* days until recovered from an injury; 0 = healthy */                 \
    X(uint8_t, attempt)     /* 0 on the first journey; +1 per new attempt after deportation */     \
    X(uint16_t, timer)      /* sheltered, working, at home, kidnapped: days left of the stay,   */ \
                            /* job, season or captivity; detained: the day eligible to leave;   */ \
                            /* deported: the day of the re-attempt                              */ \
    X(uint16_t, plan)       /* edge chosen at the current node, EDGE_NONE if none yet */           \
    X(uint16_t, home)       /* node where the agent entered (seasonal workers go back there) */    \
    X(uint8_t, doc)         /* DOC_* document held (models/documents.h) */                         \
    X(uint16_t, doc_expiry) /* first simulation day on which the document is no longer valid */    \
    X(uint8_t, holder)      /* detained: ENF_STAGE_* (models/detention.h); kidnapped or         */ \
                            /* exploited: index of the organisation (models/crime.c)            */

typedef struct agents {
    size_t n, cap;
#define AGENT_FIELD_DECL(type, name) type *name;
    AGENT_FIELDS(AGENT_FIELD_DECL)
#undef AGENT_FIELD_DECL
} agents;

static inline int agent_age(const agents *a, size_t i)
{
    return (a->traits[i] >> TRAIT_AGE_SHIFT) & 3;
}
static inline int agent_goal(const agents *a, size_t i)
{
    return (a->traits[i] >> TRAIT_GOAL_SHIFT) & 3;
}
static inline void agent_set_goal(agents *a, size_t i, int goal)
{
    a->traits[i] =
        (uint8_t)((a->traits[i] & ~(3u << TRAIT_GOAL_SHIFT)) | (unsigned)goal << TRAIT_GOAL_SHIFT);
}
static inline uint8_t agent_traits(bool female, int age, bool accompanied, bool smuggler,
                                   bool contacts, int goal)
{
    return (uint8_t)((female ? TRAIT_FEMALE : 0) | (unsigned)age << TRAIT_AGE_SHIFT |
                     (accompanied ? TRAIT_ACCOMPANIED : 0) | (smuggler ? TRAIT_SMUGGLER : 0) |
                     (contacts ? TRAIT_CONTACTS : 0) | (unsigned)goal << TRAIT_GOAL_SHIFT);
}

/* Output group of agent i: (nationality x 2 + female) x AGE_COUNT + age band. */
static inline int agents_group(const agents *a, size_t i)
{
    return ((int)a->nationality[i] * 2 + (a->traits[i] & TRAIT_FEMALE)) * AGE_COUNT +
           agent_age(a, i);
}
/* Labels "GT_male_adult"... for the group dimension (GROUP_COUNT strings). */
extern const char *const group_names[GROUP_COUNT];

/* Why agent i's engine fields cannot be those of a live agent on a network of
 * n_nodes and n_edges (a damaged or edited checkpoint), naming the field; NULL if
 * they can. Fields a module gives meaning to are its own to check (module.h). */
const char *agents_field_problem(const agents *a, size_t i, int n_nodes, int n_edges);

/* Bytes of storage per agent slot (sum of the field sizes). */
size_t agents_bytes_per_agent(void);

void agents_init(agents *a);
void agents_free(agents *a);
/* Appends `count` zeroed agents and returns the index of the first. */
size_t agents_spawn(agents *a, size_t count);
/* The agents [lo, lo + n) grouped by state (sim.c visits a chunk's agents so): order
 * gets their offsets from lo, those in state 0 first, then 1, ..., each state's in
 * ascending order; start[st] is where state st's begin, start[STATE_COUNT] = n.
 * At most AGENTS_ORDER_MAX agents. */
enum { AGENTS_ORDER_MAX = UINT16_MAX + 1 };
void agents_order_by_state(const agents *a, size_t lo, size_t n, uint16_t *order,
                           unsigned start[STATE_COUNT + 1]);

/* Indices into the agent store. */
typedef struct index_list {
    size_t *v;
    size_t n, cap;
} index_list;

/* Room for at least n indices. */
void index_list_reserve(index_list *l, size_t n);
static inline void index_list_push(index_list *l, size_t i)
{
    if (l->n == l->cap) index_list_reserve(l, l->n + 1);
    l->v[l->n++] = i;
}
/* The union of lists of distinct indices (each thread's leavers, found in the agent
 * pass), ascending, in out; scratch is working space. Each list should be ascending
 * (one that is not is sorted). */
void agents_merge_leavers(index_list *const *lists, int n_lists, index_list *out,
                          index_list *scratch);
/* Removes the agents listed (ascending, every one in a final state, as
 * agents_merge_leavers gives them): the last agents that stay take their slots, so
 * storage order is not order of entry (nothing may depend on it: results depend on
 * ids, never on where an agent is stored). Returns how many were removed. */
size_t agents_remove(agents *a, const index_list *leavers, int n_threads);
/* Above this many leavers agents_remove shares the moves among n_threads threads (a
 * parallel region of its own); up to it, the calling thread moves them alone. */
enum { AGENTS_REMOVE_PARALLEL_MIN = 1000 };

#endif
