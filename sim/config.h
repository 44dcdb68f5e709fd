/* Scenario configuration tree.
 *
 * A scenario is YAML. We load it into a small tree that remembers, for every value,
 * the file and line it came from, so that any later validation error can point at
 * the exact place. The tree supports the three ways a scenario is layered:
 * `extends:` (a child file merged over its parent), dated `timeline:` overrides,
 * and `--set key.path=value` from the command line.
 *
 * Readers (the engine and each model module) pull typed values out of the tree with
 * the cfg_get_* functions, which validate type and range and mark the value as used.
 * Whatever nobody used is an unknown key: cfg_check_unused reports it. That way the
 * schema lives next to the code that needs each parameter, and typos never pass. */
#ifndef RUMBO_CONFIG_H
#define RUMBO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"

typedef enum { CFG_SCALAR, CFG_MAP, CFG_LIST } cfg_kind;

typedef struct cfg {
    cfg_kind kind;
    char *key;  /* key in the parent map; NULL for list items and the root */
    char *text; /* scalar text; NULL for maps and lists */
    bool plain; /* scalar was unquoted in YAML (so "yes" in quotes is a string) */
    char *file; /* where this value was written: a path, or "--set" */
    int line;
    struct cfg *parent;
    struct cfg **kids;
    size_t n, cap;
    bool used; /* set by the readers; see cfg_check_unused */
} cfg;

/* Parses one YAML file into a tree (no extends, no includes). NULL on error. */
cfg *cfg_parse_file(const char *path, diag *d);
/* Parses YAML text; `name` is used in messages as the file name. */
cfg *cfg_parse_text(const char *text, size_t len, const char *name, diag *d);

/* Loads a scenario: follows `extends:` chains (relative to each file, cycles are
 * errors), replaces a `network: FILE` string by that file's tree, and merges
 * children over parents (maps merge key by key; lists and scalars replace, except
 * `timeline`, whose entries are concatenated parent first). */
cfg *cfg_load_scenario(const char *path, diag *d);

/* Applies `key.path=value` (as from --set number `index`). */
int cfg_set_assignment(cfg *root, const char *assignment, int index, diag *d);

/* Merges a copy of `overlay` into the value at dotted `path` under `root`,
 * creating maps on the way. Used for timeline entries. */
int cfg_apply_at(cfg *root, const char *path, const cfg *overlay, diag *d);

cfg *cfg_copy(const cfg *node);
void cfg_free(cfg *node);

/* Removes and frees child `key` of a map, if present. */
void cfg_remove(cfg *map, const char *key);

/* The child of a map (NULL if absent); does not mark it used. */
cfg *cfg_child(const cfg *map, const char *key);

/* Dotted path of a node from the root, for messages ("inflow.rates.GT"). */
void cfg_path(const cfg *node, char *buf, size_t len);

/* Typed readers. Each marks the value used and returns 0, or fills `d` with
 * "FILE:LINE: key 'PATH': problem" and returns -1. `*_opt` variants leave *out
 * unchanged and return 0 when the key is absent. */
int cfg_get_map(cfg *map, const char *key, cfg **out, diag *d);
int cfg_get_list(cfg *map, const char *key, cfg **out, diag *d);
int cfg_get_double(cfg *map, const char *key, double lo, double hi, double *out, diag *d);
int cfg_opt_double(cfg *map, const char *key, double lo, double hi, double *out, diag *d);
int cfg_get_int(cfg *map, const char *key, int64_t lo, int64_t hi, int64_t *out, diag *d);
int cfg_opt_int(cfg *map, const char *key, int64_t lo, int64_t hi, int64_t *out, diag *d);
int cfg_get_bool(cfg *map, const char *key, bool *out, diag *d);
int cfg_opt_bool(cfg *map, const char *key, bool *out, diag *d);
int cfg_get_string(cfg *map, const char *key, const char **out, diag *d);
int cfg_opt_string(cfg *map, const char *key, const char **out, diag *d);
/* Dates are YYYY-MM-DD; *out is days since 1970-01-01. */
int cfg_get_date(cfg *map, const char *key, int32_t *out, diag *d);
/* One of `names[0..n)`; *out is its index. */
int cfg_get_enum(cfg *map, const char *key, const char *const *names, int n, int *out, diag *d);
int cfg_opt_enum(cfg *map, const char *key, const char *const *names, int n, int *out, diag *d);

/* Converters for a node already in hand (list items, map values). */
int cfg_as_double(cfg *node, double lo, double hi, double *out, diag *d);
int cfg_as_int(cfg *node, int64_t lo, int64_t hi, int64_t *out, diag *d);
int cfg_expect(cfg *node, cfg_kind kind, diag *d);

/* Marks a node and everything under it used (for data kept verbatim). */
void cfg_mark_used(cfg *node);
/* Reports the first value no reader used as an unknown key. */
int cfg_check_unused(const cfg *root, diag *d);

/* Serialises the tree as YAML (malloc'ed, NUL-terminated). */
char *cfg_emit(const cfg *root);

/* Calendar helpers (proleptic Gregorian). */
int32_t date_to_days(int y, int m, int d);
void date_from_days(int32_t days, int *y, int *m, int *d);
int date_parse(const char *text, int32_t *out); /* 0 ok, -1 malformed or impossible */
void date_format(int32_t days, char buf[11]);

#endif
