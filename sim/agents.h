/* Agent storage: structure of arrays.
 *
 * The daily loop touches a few fields of every agent, so each field lives in its
 * own array (cache lines carry only what is used) and types are as small as the
 * values allow (DESIGN.md target: <= 64 bytes per live agent). The field list is an
 * X-macro so that spawning, compaction and checkpoints handle every field, and
 * adding one is a single line here. */
#ifndef RUMBO_AGENTS_H
#define RUMBO_AGENTS_H

#include <stddef.h>
#include <stdint.h>

/* Live states: an agent in one of these is in the system and counted in
 * `population[time,node,state]`. */
typedef enum {
    STATE_WAITING,    /* at a node: resting, waiting for a train or deciding */
    STATE_TRAVELLING, /* on an edge; `node` is the edge's origin */
    STATE_DETAINED,   /* held by INM: in custody, a migration station or a child-protection
                         shelter (`enf_stage`); `node` is where */
    STATE_DEPORTED,   /* returned to the country of origin, may try again (`enf_day`); `node`
                         is where a re-attempt starts */
    STATE_HANDED_OVER, /* handed by a corrupt official to a criminal group (crime module) */
    STATE_LIVE_COUNT,
    /* Final states: the agent leaves the system at the end of the day. */
    STATE_ARRIVED = STATE_LIVE_COUNT, /* reached a US-border exit */
    STATE_DEAD,
    STATE_GAVE_UP, /* deported and did not try again */
    STATE_COUNT
} agent_state;

extern const char *const state_names[STATE_COUNT];

/* Attributes packed in `attrs` (see agents_attr_*). */
enum { NAT_GT, NAT_HN, NAT_SV, NAT_NI, NAT_OTHER, NAT_COUNT };
extern const char *const nationality_names[NAT_COUNT];

#define EDGE_NONE UINT16_MAX

/* Flags. */
enum { AGENT_ON_TRAIN = 1u << 0 };

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
    X(uint16_t, entry_day)  /* simulation day of entry */                                  \
    X(uint8_t, attempt)     /* 0 on the first journey, +1 per re-attempt after deportation */    \
    X(uint8_t, doc)         /* DOC_* document held (models/documents.h) */                        \
    X(uint16_t, doc_expiry) /* first simulation day on which the document is no longer valid */  \
    X(uint8_t, enf_stage)   /* ENF_STAGE_* while detained (models/detention.h) */                 \
    X(uint16_t, enf_day)    /* detained: day eligible to leave; deported: day of re-attempt */     \
    /* Minimal attributes that enforcement reads; the behaviour module (issue 3) owns them */    \
    X(uint8_t, minor_alone) /* 1: unaccompanied minor */                                          \
    X(uint8_t, smuggler)    /* 1: travels with a smuggler (coyote, pollero) */                    \
    X(uint8_t, contacts)    /* 1: has contacts from earlier waves */                              \
    X(int32_t, money)       /* whole pesos */

typedef struct agents {
    size_t n, cap;
#define AGENT_FIELD_DECL(type, name) type *name;
    AGENT_FIELDS(AGENT_FIELD_DECL)
#undef AGENT_FIELD_DECL
} agents;

/* Bytes of storage per agent slot (sum of the field sizes). */
size_t agents_bytes_per_agent(void);

void agents_init(agents *a);
void agents_free(agents *a);
/* Appends `count` zeroed agents and returns the index of the first. */
size_t agents_spawn(agents *a, size_t count);
/* Removes agents in final states, keeping the order of the others (order matters
 * for determinism only through ids, but a stable order keeps memory access
 * patterns and checkpoints simple). Returns how many were removed. */
size_t agents_compact(agents *a);

#endif
