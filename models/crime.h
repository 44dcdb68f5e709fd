/* Criminal networks (MODEL.md 3.3): organisations holding places, what they do to
 * migrants who pass, and what happens to their captives.
 *
 * Organisations are declared in the scenario with a strength in [0, 1] at each
 * place (node or edge) on the first day and an activity mix. When a migrant sets
 * out along an edge or reaches a node (movement's encounter hooks), each activity
 * a of each organisation o present there has a hazard
 *
 *   h[o][a] = rate[a] x mix[o][a] x S[o][place] x V[a](agent)
 *
 * and the migrant is victimised with probability 1 - exp(-sum of h), by (o, a)
 * drawn in proportion to h. Activities:
 *   robbery     takes a share of the money carried; may injure (or kill)
 *   extortion   on trains only: a fee to ride; who cannot pay is thrown off (may be
 *               injured or killed; stops at the start of the edge)
 *   kidnapping  the captive is held ~held_days (robbed of what they carry); relatives
 *               pay the ransom with a probability by nationality (x contacts_factor
 *               with contacts from earlier waves): released where taken. Unpaid:
 *               killed, or (women and minors) trafficked, or let go.
 *   trafficking women and minors only: taken into exploitation at the organisation's
 *               `exploits_at` node (Tapachula's bars); a long state left by rescue
 *               or escape (rescued people go home with some probability)
 * Exploitation earns its organisation pesos every day. Money taken, fees,
 * ransoms and exploitation are the organisation's revenue (whole pesos) at the
 * place where they happened; the strength dynamics are in organisations.h.
 *
 * Vulnerability V[a] multiplies: female, child or adolescent, unaccompanied minor,
 * adult alone (no children, contacts or smuggler), travelling with a smuggler or
 * with family (groups: below 1), carrying at least money_threshold pesos
 * (robbery and kidnapping), and 1 - protection x presence at the place: presence
 * is enforcement's Grupos Beta presence at a node (enforcement_protection; 0 on
 * edges and without an enforcement section). Trafficking has V = 0 for adult men.
 *
 * Migrants whom officials hand to criminal groups (enforcement's STATE_HANDED_OVER)
 * become, in crime's agent_act the same day, captives of the organisation with the
 * most kidnapping strength at that node (or anywhere), counted as a kidnapping
 * (crime_handover). If no organisation kidnaps (or there is no crime section) they
 * are released: back to waiting at the node.
 * Every victimisation is reported as an INCIDENT_CRIME at its place (learned risk).
 *
 * Absent `crime:` section: no organisations and no crime. */
#ifndef RUMBO_CRIME_H
#define RUMBO_CRIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/models.h"
#include "models/organisations.h"
#include "sim/agents.h"

enum { CRIME_ROBBERY, CRIME_EXTORTION, CRIME_KIDNAPPING, CRIME_TRAFFICKING, CRIME_COUNT };
enum { CRIME_MAX_ORGS = 16 };
extern const char *const crime_names[CRIME_COUNT];

typedef struct vulnerability_params {
    double female, child, adolescent;
    double unaccompanied_minor;    /* minors without family, on top of the age factor */
    double alone_without_contacts; /* adults without children, contacts or smuggler */
    double with_smuggler, with_family;
    double carrying_money; /* robbery and kidnapping, from money_threshold pesos */
    int64_t money_threshold;
    double protection; /* hazard x (1 - protection x presence) */
} vulnerability_params;

typedef struct crime_params {
    bool on;
    int n_org;
    char *org_names[CRIME_MAX_ORGS];
    double mix[CRIME_MAX_ORGS][CRIME_COUNT];
    int exploits_at[CRIME_MAX_ORGS]; /* node where its trafficking victims are held; -1 */
    double upkeep[CRIME_MAX_ORGS];   /* pesos a day to hold one unit of strength */
    double *strength;                /* n_org x places: strength on the first day */
    double rate[CRIME_COUNT];        /* victimisation hazard per visit at full strength */
    vulnerability_params vul;
    double injury_days, death_if_injured;
    double robbery_share, robbery_injury;
    int64_t fee_pesos;
    double thrown_off_injury;
    double held_days;
    int64_t ransom_pesos;
    double pay[NAT_COUNT], contacts_factor;
    double killed_if_unpaid, trafficked_if_unpaid;
    int64_t exploitation_pesos_per_day;
    double rescue_per_day, escape_per_day, home_after_rescue;
    org_dynamics dyn;
    double anti_crime; /* extra share of strength lost per day (timeline lever) */
} crime_params;

/* Vulnerability V[a] of agent i at a place with protection `presence`: the agent's
 * factor (below) times 1 - protection x presence. */
double crime_vulnerability(const crime_params *p, const agents *a, size_t i, int activity,
                           double presence);

/* The part of the vulnerability to `activity` that is the agent's own: it depends
 * only on the trait bits in CRIME_TRAITS and on carrying money_threshold or more,
 * so the module keeps a table of it by class (crime_class) instead of recomputing
 * it at each encounter. */
enum {
    CRIME_TRAITS =
        TRAIT_FEMALE | 3u << TRAIT_AGE_SHIFT | TRAIT_ACCOMPANIED | TRAIT_SMUGGLER | TRAIT_CONTACTS,
    CRIME_CLASSES = 2 * (CRIME_TRAITS + 1)
};
double crime_factor(const crime_params *p, unsigned traits, bool carries_money, int activity);
static inline unsigned crime_class(const crime_params *p, const agents *a, size_t i)
{
    return (a->traits[i] & CRIME_TRAITS) * 2u + (a->money[i] >= p->vul.money_threshold);
}

/* Hazards h[o * CRIME_COUNT + a] at place q (strength: n_org x n_places) with
 * protection `presence` there, on a train or not, of an agent with vulnerability
 * factors factor[CRIME_COUNT]; returns their sum. */
double crime_hazards_of(const crime_params *p, const double *strength, size_t n_places, size_t q,
                        double presence, bool on_train, const double *factor, double *h);
/* The same for agent i. */
double crime_hazards(const crime_params *p, const double *strength, size_t n_places, size_t q,
                     double presence, bool on_train, const agents *a, size_t i, double *h);

/* Probability that relatives pay the ransom of agent i. */
double crime_pay_probability(const crime_params *p, const agents *a, size_t i);

typedef struct sim sim;

/* Organisation that takes a migrant handed over by an official at place q: the
 * most kidnapping strength there (mix x strength), else anywhere; -1 if none
 * kidnaps. Ties: the first declared. */
int crime_handover_captor(const crime_params *p, const double *strength, size_t n_places, size_t q);

/* Agent i, handed over by an official at its node (enforcement, per agent), becomes
 * a captive of crime_handover_captor's organisation, counted as a kidnapping there.
 * False (agent untouched) without crime or without any organisation that kidnaps. */
typedef struct worker worker;
bool crime_handover(sim *s, size_t i, worker *w);

/* Collusion of the organisations present at node v with officials, weighted by
 * their strength there, in [0, 1] (0 without crime): for enforcement's hand-overs. */
double crime_collusion(const sim *s, int v);
/* The same at place q (edge or node, sim_place_*). Reads yesterday's strength and
 * payments (updated serially at day end), so it is fixed for the day. */
double crime_collusion_at(const sim *s, size_t q);

/* Strength of organisation o at place q today (tests and outputs). */
double crime_strength(const sim *s, int o, size_t q);

#endif
