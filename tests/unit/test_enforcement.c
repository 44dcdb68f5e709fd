/* Enforcement rules that are pure functions: where and while a document is
 * honoured, and how detection combines mode, strength, raids and the agent. */
#include <criterion/criterion.h>
#include <string.h>

#include "models/documents.h"
#include "models/enforcement_internal.h"
#include "sim/config.h"

static const char docs_yaml[] =
    "documents:\n"
    "  tvr: {nationalities: [GT], uptake: 1.0, hours: 72,\n"
    "        regions: [chiapas, tabasco, campeche, quintana_roo]}\n"
    "  tvtf: {nationalities: [GT], uptake: 0.0, days: 365, regions: [chiapas]}\n"
    "  humanitarian_visa: {probability: 0.01, days: 365, regions: all}\n"
    "  exit_order: {days: 30, regions: all}\n";

static documents_params read_docs(const char *text)
{
    diag d = {0};
    cfg *root = cfg_parse_text(text, strlen(text), "d.yaml", &d);
    cr_assert_not_null(root, "%s", d.msg);
    documents_params p;
    memset(&p, 0, sizeof p);
    cr_assert_eq(documents_read(root, &p, &d), 0, "%s", d.msg);
    cfg_free(root);
    return p;
}

Test(documents, visitor_card_is_honoured_in_its_four_states_for_72_hours)
{
    documents_params p = read_docs(docs_yaml);
    const doc_rule *tvr = &p.rule[DOC_TVR];
    cr_assert_eq(tvr->valid_days, 3, "72 hours: the day of issue and the two after");
    int chiapas = region_find("chiapas"), tabasco = region_find("tabasco");
    int campeche = region_find("campeche"), qroo = region_find("quintana_roo");
    int oaxaca = region_find("oaxaca"), veracruz = region_find("veracruz");
    int issued = 100, expiry = issued + tvr->valid_days;
    for (int day = issued; day < issued + 3; day++) {
        cr_assert(documents_valid(tvr, expiry, day, chiapas, chiapas));
        cr_assert(documents_valid(tvr, expiry, day, tabasco, campeche));
        cr_assert(documents_valid(tvr, expiry, day, qroo, qroo));
        cr_assert(!documents_valid(tvr, expiry, day, oaxaca, oaxaca), "outside its states");
        cr_assert(!documents_valid(tvr, expiry, day, chiapas, oaxaca),
                  "an edge leaving its states is outside");
        cr_assert(!documents_valid(tvr, expiry, day, veracruz, tabasco));
    }
    cr_assert(!documents_valid(tvr, expiry, issued + 3, chiapas, chiapas), "after 72 hours");
}

Test(documents, hours_round_up_to_whole_days_and_all_means_every_region)
{
    documents_params p =
        read_docs("documents:\n"
                  "  tvr: {nationalities: [GT, HN], uptake: 0.5, hours: 25, regions: [chiapas]}\n"
                  "  tvtf: {nationalities: [GT], uptake: 0.0, days: 365, regions: [chiapas]}\n"
                  "  humanitarian_visa: {probability: 0.01, days: 365, regions: all}\n"
                  "  exit_order: {days: 30, regions: all}\n");
    cr_assert_eq(p.rule[DOC_TVR].valid_days, 2);
    cr_assert_eq(p.rule[DOC_TVR].nationalities, (1u << NAT_GT) | (1u << NAT_HN));
    for (int r = 0; r < region_count; r++)
        cr_assert(documents_valid(&p.rule[DOC_HUMANITARIAN], 10, 9, r, r));
    cr_assert(!documents_valid(&p.rule[DOC_HUMANITARIAN], 10, 10, 0, 0));
}

Test(documents, cards_go_only_to_eligible_nationalities)
{
    documents_params p = read_docs(docs_yaml);
    agents ag;
    agents_init(&ag);
    agents_spawn(&ag, 2);
    ag.nationality[0] = NAT_GT;
    ag.nationality[1] = NAT_HN;
    double u[2] = {0.5, 0.5}; /* tvr uptake 1, tvtf uptake 0 */
    documents_issue_at_entry(&p, &ag, 0, 40, u);
    documents_issue_at_entry(&p, &ag, 1, 40, u);
    cr_assert_eq(ag.doc[0], DOC_TVR);
    cr_assert_eq(ag.doc_expiry[0], 43);
    cr_assert_eq(ag.doc[1], DOC_NONE);
    agents_free(&ag);
}

Test(documents, unknown_region_is_an_input_error)
{
    const char *text = "documents:\n"
                       "  tvr: {nationalities: [GT], uptake: 1.0, hours: 72, regions: [mars]}\n";
    diag d = {0};
    cfg *root = cfg_parse_text(text, strlen(text), "d.yaml", &d);
    documents_params p;
    memset(&p, 0, sizeof p);
    cr_assert_neq(documents_read(root, &p, &d), 0);
    cr_assert(strstr(d.msg, "d.yaml:2") && strstr(d.msg, "mars"), "%s", d.msg);
    cfg_free(root);
}

Test(checkpoints, detection_combines_mode_raid_and_the_agent)
{
    checkpoint_params p;
    memset(&p, 0, sizeof p);
    p.intensity = 1;
    p.by_mode[MODE_ROAD] = 0.6;
    p.by_mode[MODE_FOOT] = 0.1;
    p.smuggler_factor = 0.5;
    p.contacts_factor = 0.8;
    agents ag;
    agents_init(&ag);
    agents_spawn(&ag, 2);
    ag.traits[1] = agent_traits(false, AGE_ADULT, false, true, true, GOAL_TRANSIT);
    cr_assert_float_eq(checkpoints_probability(&p, &ag, 0, 1, MODE_ROAD, 0), 0.6, 1e-12);
    cr_assert_float_eq(checkpoints_probability(&p, &ag, 0, 1, MODE_FOOT, 0), 0.1, 1e-12,
                       "walkers go around");
    cr_assert_float_eq(checkpoints_probability(&p, &ag, 0, 0, MODE_ROAD, 0), 0, 1e-12);
    cr_assert_float_eq(checkpoints_probability(&p, &ag, 0, 1, MODE_ROAD, 0.5), 0.8, 1e-12,
                       "1 - 0.4 x 0.5");
    cr_assert_float_eq(checkpoints_probability(&p, &ag, 1, 1, MODE_ROAD, 0), 0.6 * 0.4, 1e-12);
    cr_assert_float_eq(checkpoints_probability(&p, &ag, 0, 5, MODE_ROAD, 0), 1, 1e-12,
                       "clipped to 1");
    p.intensity = 0;
    cr_assert_float_eq(checkpoints_probability(&p, &ag, 0, 1, MODE_ROAD, 0.5), 0, 1e-12);
    agents_free(&ag);
}
