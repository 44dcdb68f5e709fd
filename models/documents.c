#include "models/documents.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const doc_names[DOC_COUNT] = {"none", "tvr", "tvtf", "humanitarian_visa", "exit_order"};

/* A list of names from `names` as a bit mask; the scalar `all` means every name. */
static int read_mask(cfg *map, const char *key, const char *const *names, int n, uint32_t *out,
                     diag *d)
{
    cfg *c = cfg_child(map, key);
    if (c && c->kind == CFG_SCALAR) {
        const char *text;
        if (cfg_get_string(map, key, &text, d)) return -1;
        if (strcmp(text, "all") == 0) {
            *out = n >= 32 ? UINT32_MAX : (1u << n) - 1u;
            return 0;
        }
        char path[512];
        cfg_path(c, path, sizeof path);
        diag_input(d, c->file, c->line, path, "expected a list of names or `all`, found '%s'",
                   text);
        return -1;
    }
    cfg *list;
    if (cfg_get_list(map, key, &list, d)) return -1;
    *out = 0;
    for (size_t k = 0; k < list->n; k++) {
        cfg *item = list->kids[k];
        if (cfg_expect(item, CFG_SCALAR, d)) return -1;
        int found = -1;
        for (int j = 0; j < n; j++)
            if (strcmp(item->text, names[j]) == 0) found = j;
        if (found < 0) {
            char path[512], known[600];
            size_t used = 0;
            for (int j = 0; j < n && used < sizeof known; j++)
                used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", j ? ", " : "",
                                         names[j]);
            cfg_path(list, path, sizeof path);
            diag_input(d, item->file, item->line, path, "unknown name '%s' (known: %s)", item->text,
                       known);
            return -1;
        }
        *out |= 1u << found;
    }
    return 0;
}

static int read_rule(cfg *sec, doc_kind kind, bool carried, bool hours, doc_rule *r, diag *d)
{
    cfg *c;
    if (cfg_get_map(sec, doc_names[kind], &c, d) ||
        read_mask(c, "regions", region_names, region_count, &r->regions, d))
        return -1;
    if (carried &&
        (cfg_get_double(c, "uptake", 0, 1, &r->uptake, d) ||
         read_mask(c, "nationalities", nationality_names, NAT_COUNT, &r->nationalities, d)))
        return -1;
    double length;
    if (cfg_get_double(c, hours ? "hours" : "days", 0, hours ? 24.0 * 3650 : 3650, &length, d))
        return -1;
    /* Days are the model's clock: a card issued on day t for h hours is honoured on
     * days t .. t + ceil(h/24) - 1 (72 hours: the day of entry and the two after). */
    r->valid_days = (int)ceil(hours ? length / 24.0 : length);
    return 0;
}

int documents_read(cfg *sec, documents_params *p, diag *d)
{
    cfg *docs, *hv;
    if (cfg_get_map(sec, "documents", &docs, d) ||
        read_rule(docs, DOC_TVR, true, true, &p->rule[DOC_TVR], d) ||
        read_rule(docs, DOC_TVTF, true, false, &p->rule[DOC_TVTF], d) ||
        read_rule(docs, DOC_HUMANITARIAN, false, false, &p->rule[DOC_HUMANITARIAN], d) ||
        read_rule(docs, DOC_EXIT_ORDER, false, false, &p->rule[DOC_EXIT_ORDER], d) ||
        cfg_get_map(docs, doc_names[DOC_HUMANITARIAN], &hv, d) ||
        cfg_get_double(hv, "probability", 0, 1, &p->humanitarian_probability, d))
        return -1;
    return 0;
}

bool documents_honoured_edge(const documents_params *p, const agents *ag, size_t i,
                             const network *net, int e, int day)
{
    int k = ag->doc[i];
    if (k == DOC_NONE) return false;
    const edge *ed = &net->edges[e];
    return documents_valid(&p->rule[k], ag->doc_expiry[i], day, net->nodes[ed->from].region,
                           net->nodes[ed->to].region);
}

bool documents_honoured_node(const documents_params *p, const agents *ag, size_t i,
                             const network *net, int v, int day)
{
    int k = ag->doc[i];
    if (k == DOC_NONE) return false;
    int r = net->nodes[v].region;
    return documents_valid(&p->rule[k], ag->doc_expiry[i], day, r, r);
}

void documents_grant(const documents_params *p, agents *ag, size_t i, doc_kind kind, int day)
{
    int64_t expiry = (int64_t)day + p->rule[kind].valid_days;
    ag->doc[i] = (uint8_t)kind;
    ag->doc_expiry[i] = (uint16_t)(expiry > UINT16_MAX ? UINT16_MAX : expiry);
}

void documents_issue_at_entry(const documents_params *p, agents *ag, size_t i, int day,
                              const double u[2])
{
    uint32_t nat = 1u << ag->nationality[i];
    ag->doc[i] = DOC_NONE;
    /* Border workers carry their own card; visitors the regional one. */
    if ((p->rule[DOC_TVTF].nationalities & nat) && u[0] < p->rule[DOC_TVTF].uptake)
        documents_grant(p, ag, i, DOC_TVTF, day);
    else if ((p->rule[DOC_TVR].nationalities & nat) && u[1] < p->rule[DOC_TVR].uptake)
        documents_grant(p, ag, i, DOC_TVR, day);
}
