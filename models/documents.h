/* Migration documents: which card a migrant holds, where and until when it is
 * honoured (MODEL.md 3.2).
 *
 *   tvr                regional visitor card (Tarjeta de Visitante Regional): nationals of
 *                      Guatemala (and Belize) may stay up to 72 hours in Chiapas, Tabasco,
 *                      Campeche and Quintana Roo
 *   tvtf               border-worker card (Tarjeta de Visitante Trabajador Fronterizo):
 *                      work in those states, valid for a year
 *   humanitarian_visa  visitor for humanitarian reasons (crime victims, witnesses): whole
 *                      country for a year
 *   exit_order         the "oficio de salida" given to people released from a full
 *                      station: leave within a number of days
 *
 * A card is honoured at a place only if the place lies in one of its regions
 * (network nodes have a `region`; an edge lies in a region when both its ends do)
 * and the day is before its expiry. An honoured card means a checkpoint or raid
 * lets the holder go: no detection is recorded. */
#ifndef RUMBO_DOCUMENTS_H
#define RUMBO_DOCUMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/agents.h"
#include "sim/config.h"
#include "sim/network.h"

typedef enum { DOC_NONE, DOC_TVR, DOC_TVTF, DOC_HUMANITARIAN, DOC_EXIT_ORDER, DOC_COUNT } doc_kind;

extern const char *const doc_names[DOC_COUNT];

typedef struct doc_rule {
    double uptake;          /* share of eligible entrants who carry it (tvr, tvtf) */
    uint32_t nationalities; /* bit per NAT_*: who may hold it (tvr, tvtf) */
    uint32_t regions;       /* bit per region: where it is honoured */
    int valid_days;         /* days from issue (72 hours = 3 days) */
} doc_rule;

typedef struct documents_params {
    doc_rule rule[DOC_COUNT];
    double humanitarian_probability; /* a detained migrant gets a humanitarian visa */
} documents_params;

int documents_read(cfg *sec, documents_params *p, diag *d);

/* Whether a document with this rule, expiring on `expiry`, is honoured on `day`
 * at a place in regions `a` and `b` (pass the same region twice for a node). */
static inline bool documents_valid(const doc_rule *r, int expiry, int day, int region_a,
                                   int region_b)
{
    return day < expiry && (r->regions >> region_a & 1u) && (r->regions >> region_b & 1u);
}

/* Whether agent i's document is honoured today at edge e / node v. */
bool documents_honoured_edge(const documents_params *p, const agents *ag, size_t i,
                             const network *net, int e, int day);
bool documents_honoured_node(const documents_params *p, const agents *ag, size_t i,
                             const network *net, int v, int day);

/* Gives agent i a document of `kind` from `day` (expiry from the rule). */
void documents_grant(const documents_params *p, agents *ag, size_t i, doc_kind kind, int day);

/* At entry (and at each re-attempt): with the uptake probabilities, an eligible
 * migrant carries a visitor or border-worker card; u holds two uniforms. */
void documents_issue_at_entry(const documents_params *p, agents *ag, size_t i, int day,
                              const double u[2]);

#endif
