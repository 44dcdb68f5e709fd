#include "sim/config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* Hand-written files never need more; the limits stop alias bombs and cycles
 * (an alias to an enclosing anchor) from exhausting memory or the stack. 200,000
 * values per file is ten times the baseline scenario and network together, and
 * expands in well under a second (2,000,000 took over 10 s under the sanitizers:
 * found by fuzzing). */
enum { CFG_MAX_DEPTH = 64, CFG_MAX_NODES = 200000, CFG_MAX_EXTENDS = 16 };

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (!p) abort();
    return memcpy(p, s, n);
}

static cfg *node_new(cfg_kind kind, const char *file, int line)
{
    cfg *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->kind = kind;
    c->file = dup_str(file);
    c->line = line;
    return c;
}

static void node_add(cfg *parent, cfg *kid)
{
    if (parent->n == parent->cap) {
        parent->cap = parent->cap ? parent->cap * 2 : 8;
        parent->kids = realloc(parent->kids, parent->cap * sizeof *parent->kids);
        if (!parent->kids) abort();
    }
    parent->kids[parent->n++] = kid;
    kid->parent = parent;
}

void cfg_free(cfg *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++)
        cfg_free(c->kids[i]);
    free(c->kids);
    free(c->key);
    free(c->text);
    free(c->file);
    free(c);
}

cfg *cfg_copy(const cfg *c)
{
    cfg *k = node_new(c->kind, c->file, c->line);
    k->key = c->key ? dup_str(c->key) : NULL;
    k->text = c->text ? dup_str(c->text) : NULL;
    k->plain = c->plain;
    k->used = c->used;
    for (size_t i = 0; i < c->n; i++)
        node_add(k, cfg_copy(c->kids[i]));
    return k;
}

cfg *cfg_child(const cfg *map, const char *key)
{
    if (!map || map->kind != CFG_MAP) return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->kids[i]->key, key) == 0) return map->kids[i];
    return NULL;
}

void cfg_remove(cfg *map, const char *key)
{
    for (size_t i = 0; map && i < map->n; i++) {
        if (strcmp(map->kids[i]->key, key) != 0) continue;
        cfg_free(map->kids[i]);
        memmove(map->kids + i, map->kids + i + 1, (map->n - i - 1) * sizeof *map->kids);
        map->n--;
        return;
    }
}

void cfg_path(const cfg *c, char *buf, size_t len)
{
    const cfg *chain[CFG_MAX_DEPTH * 4];
    size_t depth = 0;
    for (; c && c->parent && depth < sizeof chain / sizeof *chain; c = c->parent)
        chain[depth++] = c;
    size_t used = 0;
    buf[0] = '\0';
    while (depth-- > 0 && used < len) {
        const cfg *k = chain[depth];
        char part[256];
        if (k->key)
            snprintf(part, sizeof part, "%s", k->key);
        else {
            size_t idx = 0;
            while (k->parent->kids[idx] != k)
                idx++;
            snprintf(part, sizeof part, "%zu", idx);
        }
        used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "." : "", part);
    }
}

/* ---- parsing -------------------------------------------------------------- */

typedef struct convert_ctx {
    yaml_document_t *doc;
    const char *name;
    size_t count;
    diag *d;
    char path[512]; /* dotted path of the value being converted, for messages */
} convert_ctx;

/* Appends ".part" to the context path; returns the old length for path_pop. */
static size_t path_push(char *path, size_t cap, const char *part)
{
    size_t len = strlen(path);
    snprintf(path + len, cap - len, "%s%s", len ? "." : "", part);
    return len;
}

typedef struct key_at {
    const char *key;
    size_t index; /* position in the mapping */
    int line;
} key_at;

static int by_key_then_index(const void *pa, const void *pb)
{
    const key_at *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    if (c) return c;
    return (a->index > b->index) - (a->index < b->index);
}

/* Finds a key written twice in one mapping, by sorting: a linear search per key
 * made a mapping of 150,000 keys take minutes. Reports the repeat that comes
 * first in the file, with the line of the key it repeats. */
static int duplicate_key(convert_ctx *x, yaml_node_t *yn)
{
    size_t n = (size_t)(yn->data.mapping.pairs.top - yn->data.mapping.pairs.start);
    if (n < 2) return 0;
    key_at *v = malloc(n * sizeof *v);
    if (!v) abort();
    size_t m = 0;
    for (yaml_node_pair_t *p = yn->data.mapping.pairs.start; p < yn->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(x->doc, p->key);
        if (kn->type != YAML_SCALAR_NODE) continue; /* refused when converted */
        v[m++] = (key_at){(const char *)kn->data.scalar.value,
                          (size_t)(p - yn->data.mapping.pairs.start), (int)kn->start_mark.line + 1};
    }
    qsort(v, m, sizeof *v, by_key_then_index);
    const key_at *repeat = NULL, *first = NULL;
    for (size_t i = 1; i < m; i++) {
        if (strcmp(v[i].key, v[i - 1].key) != 0) continue;
        size_t j = i - 1;
        while (j > 0 && strcmp(v[j - 1].key, v[i].key) == 0)
            j--;
        if (!repeat || v[i].index < repeat->index) repeat = &v[i], first = &v[j];
    }
    if (repeat) {
        size_t mark = path_push(x->path, sizeof x->path, repeat->key);
        diag_input(x->d, x->name, repeat->line, x->path, "duplicate key (line %d has it too)",
                   first->line);
        x->path[mark] = '\0';
    }
    free(v);
    return repeat ? -1 : 0;
}

static cfg *convert(convert_ctx *x, yaml_node_t *yn, int depth)
{
    int line = (int)yn->start_mark.line + 1;
    if (depth > CFG_MAX_DEPTH || ++x->count > CFG_MAX_NODES) {
        diag_input(x->d, x->name, line, x->path,
                   "document too deeply nested or too large (aliases?); limits are depth %d "
                   "and %d values",
                   CFG_MAX_DEPTH, CFG_MAX_NODES);
        return NULL;
    }
    cfg *c = NULL;
    switch (yn->type) {
    case YAML_SCALAR_NODE:
        c = node_new(CFG_SCALAR, x->name, line);
        c->text = malloc(yn->data.scalar.length + 1);
        if (!c->text) abort();
        memcpy(c->text, yn->data.scalar.value, yn->data.scalar.length);
        c->text[yn->data.scalar.length] = '\0';
        if (strlen(c->text) != yn->data.scalar.length) {
            diag_input(x->d, x->name, line, x->path, "value contains a NUL byte");
            cfg_free(c);
            return NULL;
        }
        c->plain = yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        return c;
    case YAML_SEQUENCE_NODE:
        c = node_new(CFG_LIST, x->name, line);
        for (yaml_node_item_t *it = yn->data.sequence.items.start; it < yn->data.sequence.items.top;
             it++) {
            char idx[24];
            snprintf(idx, sizeof idx, "%zu", c->n);
            size_t mark = path_push(x->path, sizeof x->path, idx);
            cfg *k = convert(x, yaml_document_get_node(x->doc, *it), depth + 1);
            x->path[mark] = '\0';
            if (!k) goto fail;
            node_add(c, k);
        }
        return c;
    case YAML_MAPPING_NODE:
        if (duplicate_key(x, yn)) return NULL;
        c = node_new(CFG_MAP, x->name, line);
        for (yaml_node_pair_t *p = yn->data.mapping.pairs.start; p < yn->data.mapping.pairs.top;
             p++) {
            yaml_node_t *kn = yaml_document_get_node(x->doc, p->key);
            int kline = (int)kn->start_mark.line + 1;
            if (kn->type != YAML_SCALAR_NODE) {
                diag_input(x->d, x->name, kline, x->path, "mapping keys must be plain names");
                goto fail;
            }
            char *key = (char *)kn->data.scalar.value;
            size_t mark = path_push(x->path, sizeof x->path, key);
            cfg *k = convert(x, yaml_document_get_node(x->doc, p->value), depth + 1);
            x->path[mark] = '\0';
            if (!k) goto fail;
            k->key = dup_str(key);
            k->line = kline;
            node_add(c, k);
        }
        return c;
    default:
        diag_input(x->d, x->name, line, "", "empty YAML node");
        return NULL;
    }
fail:
    cfg_free(c);
    return NULL;
}

/* Where a malformed document breaks: replays the parser's events up to the error
 * and returns (in `out`) the dotted path of the last key seen before it, so the
 * message can name a key as well as a line ("" when the error comes first). */
static void key_before_error(const char *text, size_t len, char *out, size_t cap)
{
    enum { MAX_FRAMES = CFG_MAX_DEPTH + 1 };
    struct frame {
        bool map, want_key;
        size_t index;
        char key[128];
    } fr[MAX_FRAMES];
    int top = -1, deep = 0; /* deep: nesting beyond MAX_FRAMES, not tracked */
    char last[512] = "";
    yaml_parser_t parser;
    yaml_event_t ev;
    if (!yaml_parser_initialize(&parser)) abort();
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    for (bool done = false; !done && yaml_parser_parse(&parser, &ev);) {
        bool value_done = false;
        switch (ev.type) {
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            if (top + 1 >= MAX_FRAMES) {
                deep++;
                break;
            }
            top++;
            fr[top].map = ev.type == YAML_MAPPING_START_EVENT;
            fr[top].want_key = true;
            fr[top].index = 0;
            fr[top].key[0] = '\0';
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            if (deep)
                deep--;
            else if (top >= 0)
                top--;
            value_done = true;
            break;
        case YAML_SCALAR_EVENT:
            if (!deep && top >= 0 && fr[top].map && fr[top].want_key) {
                snprintf(fr[top].key, sizeof fr[top].key, "%s", (const char *)ev.data.scalar.value);
                fr[top].want_key = false;
                /* Remember this key's full path. */
                size_t used = 0;
                last[0] = '\0';
                for (int i = 0; i <= top && used < sizeof last; i++) {
                    char part[128];
                    if (fr[i].map)
                        snprintf(part, sizeof part, "%s", fr[i].key);
                    else
                        snprintf(part, sizeof part, "%zu", fr[i].index);
                    used += (size_t)snprintf(last + used, sizeof last - used, "%s%s",
                                             used ? "." : "", part);
                }
            } else {
                value_done = true;
            }
            break;
        case YAML_ALIAS_EVENT:
            value_done = true;
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        if (value_done && !deep && top >= 0) {
            if (fr[top].map)
                fr[top].want_key = true;
            else
                fr[top].index++;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    snprintf(out, cap, "%s", last);
}

cfg *cfg_parse_text(const char *text, size_t len, const char *name, diag *d)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) abort();
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        int line = (int)parser.problem_mark.line + 1;
        size_t upto = len;
        if (parser.error == YAML_READER_ERROR && parser.problem_offset <= len) {
            /* Encoding errors carry a byte offset, not a mark: the key is the
             * last one before the bad byte. */
            upto = parser.problem_offset;
            line = 1;
            for (size_t i = 0; i < upto; i++)
                line += text[i] == '\n';
        }
        char key[512];
        key_before_error(text, upto, key, sizeof key);
        diag_input(d, name, line, key, "malformed YAML%s: %s%s%s", key[0] ? " after this key" : "",
                   parser.problem ? parser.problem : "syntax error", parser.context ? " " : "",
                   parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return NULL;
    }
    cfg *root = NULL;
    yaml_node_t *top = yaml_document_get_root_node(&doc);
    if (!top) {
        diag_input(d, name, 1, "", "empty file: expected a scenario mapping");
    } else if (top->type != YAML_MAPPING_NODE) {
        diag_input(d, name, (int)top->start_mark.line + 1, "",
                   "expected a mapping of keys at the top level");
    } else {
        convert_ctx x = {&doc, name, 0, d, ""};
        root = convert(&x, top, 0);
    }
    /* A second document in the same file would be silently ignored: refuse it. */
    if (root) {
        yaml_document_t extra;
        if (yaml_parser_load(&parser, &extra)) {
            if (yaml_document_get_root_node(&extra)) {
                diag_input(d, name, (int)parser.mark.line + 1, "",
                           "more than one YAML document in the file");
                cfg_free(root);
                root = NULL;
            }
            yaml_document_delete(&extra);
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return root;
}

cfg *cfg_parse_file(const char *path, diag *d)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        diag_input(d, path, 0, "", "cannot open: %s", strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        diag_input(d, path, 0, "", "not a regular file");
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_input(d, path, 0, "", "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, len = 0;
    char *buf = malloc(cap);
    if (!buf) abort();
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) abort();
        }
    }
    int read_error = ferror(f);
    fclose(f);
    cfg *root = NULL;
    if (read_error)
        diag_input(d, path, 0, "", "cannot read: %s", strerror(errno));
    else if (memchr(buf, '\0', len))
        diag_input(d, path, 1, "", "binary data: not a YAML text file");
    else
        root = cfg_parse_text(buf, len, path, d);
    free(buf);
    return root;
}

/* ---- layering: extends, includes, merge ----------------------------------- */

/* Replaces `base` contents with a merge of `over` into it. */
static void merge_into(cfg *base, const cfg *over)
{
    if (base->kind == CFG_MAP && over->kind == CFG_MAP) {
        for (size_t i = 0; i < over->n; i++) {
            const cfg *o = over->kids[i];
            cfg *b = cfg_child(base, o->key);
            if (b && strcmp(o->key, "timeline") == 0 && b->kind == CFG_LIST &&
                o->kind == CFG_LIST) {
                for (size_t j = 0; j < o->n; j++)
                    node_add(b, cfg_copy(o->kids[j]));
            } else if (b && b->kind == CFG_MAP && o->kind == CFG_MAP) {
                merge_into(b, o);
            } else {
                cfg *k = cfg_copy(o);
                if (b) {
                    size_t idx = 0;
                    while (base->kids[idx] != b)
                        idx++;
                    cfg_free(b);
                    base->kids[idx] = k;
                    k->parent = base;
                } else {
                    node_add(base, k);
                }
            }
        }
        return;
    }
    /* Different kinds or non-maps: the overlay replaces the value in place. */
    for (size_t i = 0; i < base->n; i++)
        cfg_free(base->kids[i]);
    base->n = 0;
    free(base->text);
    base->text = over->text ? dup_str(over->text) : NULL;
    base->kind = over->kind;
    base->plain = over->plain;
    free(base->file);
    base->file = dup_str(over->file);
    base->line = over->line;
    for (size_t i = 0; i < over->n; i++)
        node_add(base, cfg_copy(over->kids[i]));
}

static char *path_relative_to(const char *from_file, const char *rel)
{
    if (rel[0] == '/') return dup_str(rel);
    const char *slash = strrchr(from_file, '/');
    size_t dir = slash ? (size_t)(slash - from_file + 1) : 0;
    char *p = malloc(dir + strlen(rel) + 1);
    if (!p) abort();
    memcpy(p, from_file, dir);
    strcpy(p + dir, rel);
    return p;
}

static cfg *load_layer(const char *path, const char **chain, int depth, diag *d);

/* A `network: FILE` value names a separate YAML file that holds the network. */
static int expand_network(cfg *root, const char *path, diag *d)
{
    cfg *net = cfg_child(root, "network");
    if (!net || net->kind != CFG_SCALAR) return 0;
    char *file = path_relative_to(path, net->text);
    struct stat st;
    int found = stat(file, &st) == 0;
    if (!found || !S_ISREG(st.st_mode)) {
        /* Name the line that asks for the file, not the file that is not there. */
        diag_input(d, net->file, net->line, "network", "network file %s: %s", file,
                   found ? "not a regular file" : strerror(errno));
        free(file);
        return -1;
    }
    cfg *tree = cfg_parse_file(file, d);
    free(file);
    if (!tree) return -1;
    if (cfg_child(tree, "network")) {
        cfg *inner = cfg_child(tree, "network");
        diag_input(d, inner->file, inner->line, "network",
                   "a network file holds nodes and edges, not another network");
        cfg_free(tree);
        return -1;
    }
    net->kind = CFG_MAP;
    free(net->text);
    net->text = NULL;
    free(net->file);
    net->file = dup_str(tree->file);
    net->line = 1;
    for (size_t i = 0; i < tree->n; i++)
        node_add(net, cfg_copy(tree->kids[i]));
    cfg_free(tree);
    return 0;
}

/* True if `path` is the file being loaded (`self`) or one of its descendants. */
static bool in_chain(const char *path, const char *self, const char **chain, int depth)
{
    char *real = realpath(path, NULL);
    bool found = real && self && strcmp(real, self) == 0;
    for (int i = 0; real && !found && i < depth; i++)
        found = strcmp(chain[i], real) == 0;
    free(real);
    return found;
}

static cfg *load_layer(const char *path, const char **chain, int depth, diag *d)
{
    char *real = realpath(path, NULL);
    for (int i = 0; real && i < depth; i++) {
        if (strcmp(chain[i], real) == 0) {
            diag_input(d, path, 1, "extends", "cycle of extends: %s is its own ancestor", path);
            free(real);
            return NULL;
        }
    }
    cfg *tree = cfg_parse_file(path, d);
    if (!tree || expand_network(tree, path, d) != 0) {
        free(real);
        cfg_free(tree);
        return NULL;
    }
    cfg *ext = cfg_child(tree, "extends");
    if (!ext) {
        free(real);
        return tree;
    }
    if (ext->kind != CFG_SCALAR || ext->text[0] == '\0') {
        diag_input(d, ext->file, ext->line, "extends", "expected the path of a parent scenario");
    } else if (depth + 1 >= CFG_MAX_EXTENDS) {
        diag_input(d, ext->file, ext->line, "extends", "more than %d levels of extends",
                   CFG_MAX_EXTENDS);
    } else {
        char *parent_path = path_relative_to(path, ext->text);
        struct stat st;
        if (stat(parent_path, &st) != 0) {
            diag_input(d, ext->file, ext->line, "extends", "parent scenario %s: %s", parent_path,
                       strerror(errno));
            free(parent_path);
        } else if (in_chain(parent_path, real, chain, depth)) {
            diag_input(d, ext->file, ext->line, "extends",
                       "cycle of extends: %s is already being loaded (it extends this file, "
                       "directly or through others)",
                       ext->text);
            free(parent_path);
        } else {
            chain[depth] = real;
            cfg *parent = load_layer(parent_path, chain, depth + 1, d);
            free(parent_path);
            if (parent) {
                cfg_remove(tree, "extends");
                merge_into(parent, tree);
                cfg_free(tree);
                free(real);
                return parent;
            }
        }
    }
    free(real);
    cfg_free(tree);
    return NULL;
}

cfg *cfg_load_scenario(const char *path, diag *d)
{
    const char *chain[CFG_MAX_EXTENDS];
    return load_layer(path, chain, 0, d);
}

/* Splits "a.b.c" and walks/creates maps to the parent of the last part. */
static cfg *walk_create(cfg *root, const char *path, const char *file, int line, char *last,
                        size_t lastlen, diag *d)
{
    cfg *cur = root;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 0 || n >= lastlen) {
            diag_input(d, file, line, path, "empty or over-long part in key path");
            return NULL;
        }
        memcpy(last, p, n);
        last[n] = '\0';
        if (!dot) return cur;
        cfg *next = NULL;
        if (cur->kind == CFG_LIST) {
            char *end;
            long idx = strtol(last, &end, 10);
            if (*end || idx < 0 || (size_t)idx >= cur->n) {
                diag_input(d, file, line, path, "'%s' is not an index of the list", last);
                return NULL;
            }
            next = cur->kids[idx];
        } else if (cur->kind == CFG_MAP) {
            next = cfg_child(cur, last);
            if (!next) {
                next = node_new(CFG_MAP, file, line);
                next->key = dup_str(last);
                node_add(cur, next);
            }
        }
        if (!next || next->kind == CFG_SCALAR) {
            diag_input(d, file, line, path, "'%s' holds a single value, not keys", last);
            return NULL;
        }
        cur = next;
        p = dot + 1;
    }
}

int cfg_apply_at(cfg *root, const char *path, const cfg *overlay, diag *d)
{
    char last[256];
    cfg *parent = walk_create(root, path, overlay->file, overlay->line, last, sizeof last, d);
    if (!parent) return -1;
    cfg *target = NULL;
    if (parent->kind == CFG_LIST) {
        char *end;
        long idx = strtol(last, &end, 10);
        if (*end || idx < 0 || (size_t)idx >= parent->n) {
            diag_input(d, overlay->file, overlay->line, path, "'%s' is not an index of the list",
                       last);
            return -1;
        }
        target = parent->kids[idx];
    } else {
        target = cfg_child(parent, last);
        if (!target) {
            target = node_new(overlay->kind == CFG_MAP ? CFG_MAP : CFG_SCALAR, overlay->file,
                              overlay->line);
            target->key = dup_str(last);
            node_add(parent, target);
        }
    }
    merge_into(target, overlay);
    return 0;
}

int cfg_set_assignment(cfg *root, const char *assignment, int index, diag *d)
{
    const char *eq = strchr(assignment, '=');
    char where[32];
    snprintf(where, sizeof where, "--set #%d", index);
    if (!eq || eq == assignment) {
        diag_input(d, "--set", index, assignment, "expected key.path=value");
        return -1;
    }
    char *path = malloc((size_t)(eq - assignment) + 1);
    if (!path) abort();
    memcpy(path, assignment, (size_t)(eq - assignment));
    path[eq - assignment] = '\0';
    /* The value is parsed as YAML so `--set a={b: 1}` and quoting work as in files. */
    size_t vlen = strlen(eq + 1) + 8;
    char *doc = malloc(vlen);
    if (!doc) abort();
    snprintf(doc, vlen, "v: %s", eq + 1);
    diag parse = {0};
    cfg *tree = cfg_parse_text(doc, strlen(doc), "--set", &parse);
    free(doc);
    int rc = -1;
    if (!tree) {
        /* The parser's line and key refer to the "v: VALUE" wrapper: name the
         * assignment instead, and keep only the parser's reason. */
        const char *why = strstr(parse.msg, "malformed YAML");
        why = why && strstr(why, ": ") ? strstr(why, ": ") + 2 : parse.msg;
        diag_input(d, "--set", index, path, "value '%s' is not valid YAML: %s", eq + 1, why);
    } else if (tree->n != 1 || !cfg_child(tree, "v")) {
        /* A value with a newline could smuggle in more keys ("1\nseed: 3"). */
        diag_input(d, "--set", index, path, "value '%s' must be one YAML value", eq + 1);
    } else {
        cfg *v = cfg_child(tree, "v");
        free(v->file);
        v->file = dup_str("--set");
        v->line = index;
        rc = cfg_apply_at(root, path, v, d);
    }
    (void)where;
    cfg_free(tree);
    free(path);
    return rc;
}

/* ---- typed readers -------------------------------------------------------- */

static int fail_at(const cfg *node, diag *d, const char *fmt, const char *detail)
{
    char path[512];
    cfg_path(node, path, sizeof path);
    diag_input(d, node->file, node->line, path, fmt, detail);
    return -1;
}

/* Edit distance (insertions, deletions, substitutions, swaps of neighbours) between
 * short keys, capped: enough to recognise "per_yer" as a typo of "per_year". */
static int key_distance(const char *a, const char *b)
{
    enum { MAX = 64 };
    size_t n = strlen(a), m = strlen(b);
    if (n >= MAX || m >= MAX) return MAX;
    int dist[MAX][MAX];
    for (size_t i = 0; i <= n; i++)
        dist[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        dist[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int best = dist[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (dist[i - 1][j] + 1 < best) best = dist[i - 1][j] + 1;
            if (dist[i][j - 1] + 1 < best) best = dist[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                dist[i - 2][j - 2] + 1 < best)
                best = dist[i - 2][j - 2] + 1;
            dist[i][j] = best;
        }
    }
    return dist[n][m];
}

/* A key of `map` close enough to `key` to be a misspelling of it, or NULL. Only
 * keys nobody has read qualify (a known key is never someone's typo). */
static cfg *misspelling_of(const cfg *map, const char *key)
{
    cfg *best = NULL;
    int best_d = 3;
    for (size_t i = 0; map && map->kind == CFG_MAP && i < map->n; i++) {
        cfg *c = map->kids[i];
        if (c->used || strcmp(c->key, key) == 0) continue;
        size_t longest = strlen(c->key) > strlen(key) ? strlen(c->key) : strlen(key);
        int dd = key_distance(c->key, key);
        /* At most 2 edits, and at most one per 3 letters: "kms" for "km" is a
         * typo, "q" for "p" is just another key. */
        if (dd < best_d && (size_t)dd * 3 <= longest) best = c, best_d = dd;
    }
    return best;
}

static int missing(cfg *map, const char *key, diag *d)
{
    char path[512];
    cfg *typo = misspelling_of(map, key);
    if (typo) {
        /* Point at the line the user has to fix, not at the map that lacks the key. */
        cfg_path(typo, path, sizeof path);
        typo->used = true;
        diag_input(d, typo->file, typo->line, path,
                   "unknown key (did you mean '%s'? it is required)", key);
        return -1;
    }
    cfg_path(map, path, sizeof path);
    char full[600];
    snprintf(full, sizeof full, "%s%s%s", path, path[0] ? "." : "", key);
    diag_input(d, map->file, map->line, full,
               "missing (required; set it here or in a scenario this one extends)");
    return -1;
}

static cfg *fetch(cfg *map, const char *key)
{
    cfg *c = cfg_child(map, key);
    if (c) c->used = true;
    return c;
}

int cfg_expect(cfg *node, cfg_kind kind, diag *d)
{
    static const char *const kinds[] = {"a single value", "a mapping of keys", "a list"};
    node->used = true;
    if (node->kind == kind) return 0;
    char msg[96];
    snprintf(msg, sizeof msg, "expected %s, found %s", kinds[kind], kinds[node->kind]);
    return fail_at(node, d, "%s", msg);
}

int cfg_get_map(cfg *map, const char *key, cfg **out, diag *d)
{
    cfg *c = fetch(map, key);
    if (!c) return missing(map, key, d);
    if (cfg_expect(c, CFG_MAP, d)) return -1;
    *out = c;
    return 0;
}

int cfg_get_list(cfg *map, const char *key, cfg **out, diag *d)
{
    cfg *c = fetch(map, key);
    if (!c) return missing(map, key, d);
    if (cfg_expect(c, CFG_LIST, d)) return -1;
    *out = c;
    return 0;
}

int cfg_as_double(cfg *c, double lo, double hi, double *out, diag *d)
{
    if (cfg_expect(c, CFG_SCALAR, d)) return -1;
    char *end;
    errno = 0;
    double v = strtod(c->text, &end);
    /* YAML spells infinities and NaN .inf/.nan: name them for what they are. */
    bool yaml_special =
        c->plain && strpbrk(c->text, "iInN") && strchr(c->text, '.') &&
        (strstr(c->text, "inf") || strstr(c->text, "Inf") || strstr(c->text, "INF") ||
         strstr(c->text, "nan") || strstr(c->text, "NaN") || strstr(c->text, "NAN"));
    if (!yaml_special && (end == c->text || *end || !c->plain))
        return fail_at(c, d, "expected a number, found '%s'", c->text);
    if (yaml_special || !isfinite(v) || errno == ERANGE)
        return fail_at(c, d, "'%s' is not a finite number", c->text);
    if (v < lo || v > hi) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s is out of range [%g, %g]", c->text, lo, hi);
        return fail_at(c, d, "%s", msg);
    }
    *out = v;
    return 0;
}

int cfg_as_int(cfg *c, int64_t lo, int64_t hi, int64_t *out, diag *d)
{
    if (cfg_expect(c, CFG_SCALAR, d)) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(c->text, &end, 10);
    if (end == c->text || *end || !c->plain)
        return fail_at(c, d, "expected a whole number, found '%s'", c->text);
    if (errno == ERANGE || v < lo || v > hi) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s is out of range [%lld, %lld]", c->text, (long long)lo,
                 (long long)hi);
        return fail_at(c, d, "%s", msg);
    }
    *out = v;
    return 0;
}

int cfg_get_double(cfg *map, const char *key, double lo, double hi, double *out, diag *d)
{
    cfg *c = fetch(map, key);
    if (!c) return missing(map, key, d);
    return cfg_as_double(c, lo, hi, out, d);
}

int cfg_opt_double(cfg *map, const char *key, double lo, double hi, double *out, diag *d)
{
    cfg *c = fetch(map, key);
    return c ? cfg_as_double(c, lo, hi, out, d) : 0;
}

int cfg_get_int(cfg *map, const char *key, int64_t lo, int64_t hi, int64_t *out, diag *d)
{
    cfg *c = fetch(map, key);
    if (!c) return missing(map, key, d);
    return cfg_as_int(c, lo, hi, out, d);
}

int cfg_opt_int(cfg *map, const char *key, int64_t lo, int64_t hi, int64_t *out, diag *d)
{
    cfg *c = fetch(map, key);
    return c ? cfg_as_int(c, lo, hi, out, d) : 0;
}

static int as_bool(cfg *c, bool *out, diag *d)
{
    if (cfg_expect(c, CFG_SCALAR, d)) return -1;
    if (c->plain && strcmp(c->text, "true") == 0)
        *out = true;
    else if (c->plain && strcmp(c->text, "false") == 0)
        *out = false;
    else
        return fail_at(c, d, "expected true or false, found '%s'", c->text);
    return 0;
}

int cfg_get_bool(cfg *map, const char *key, bool *out, diag *d)
{
    cfg *c = fetch(map, key);
    if (!c) return missing(map, key, d);
    return as_bool(c, out, d);
}

int cfg_opt_bool(cfg *map, const char *key, bool *out, diag *d)
{
    cfg *c = fetch(map, key);
    return c ? as_bool(c, out, d) : 0;
}

int cfg_get_string(cfg *map, const char *key, const char **out, diag *d)
{
    cfg *c = fetch(map, key);
    if (!c) return missing(map, key, d);
    if (cfg_expect(c, CFG_SCALAR, d)) return -1;
    *out = c->text;
    return 0;
}

int cfg_opt_string(cfg *map, const char *key, const char **out, diag *d)
{
    return cfg_child(map, key) ? cfg_get_string(map, key, out, d) : 0;
}

int cfg_get_date(cfg *map, const char *key, int32_t *out, diag *d)
{
    cfg *c = fetch(map, key);
    if (!c) return missing(map, key, d);
    if (cfg_expect(c, CFG_SCALAR, d)) return -1;
    if (date_parse(c->text, out) != 0)
        return fail_at(c, d, "expected a date YYYY-MM-DD, found '%s'", c->text);
    return 0;
}

static int as_enum(cfg *c, const char *const *names, int n, int *out, diag *d)
{
    if (cfg_expect(c, CFG_SCALAR, d)) return -1;
    for (int i = 0; i < n; i++) {
        if (strcmp(c->text, names[i]) == 0) {
            *out = i;
            return 0;
        }
    }
    char msg[512];
    size_t used =
        (size_t)snprintf(msg, sizeof msg, "unknown value '%s' (expected one of:", c->text);
    for (int i = 0; i < n && used < sizeof msg; i++)
        used += (size_t)snprintf(msg + used, sizeof msg - used, " %s", names[i]);
    if (used < sizeof msg) snprintf(msg + used, sizeof msg - used, ")");
    return fail_at(c, d, "%s", msg);
}

int cfg_get_enum(cfg *map, const char *key, const char *const *names, int n, int *out, diag *d)
{
    cfg *c = fetch(map, key);
    if (!c) return missing(map, key, d);
    return as_enum(c, names, n, out, d);
}

int cfg_opt_enum(cfg *map, const char *key, const char *const *names, int n, int *out, diag *d)
{
    cfg *c = fetch(map, key);
    return c ? as_enum(c, names, n, out, d) : 0;
}

void cfg_mark_used(cfg *c)
{
    c->used = true;
    for (size_t i = 0; i < c->n; i++)
        cfg_mark_used(c->kids[i]);
}

int cfg_check_unused(const cfg *c, diag *d)
{
    for (size_t i = 0; i < c->n; i++) {
        const cfg *k = c->kids[i];
        if (!k->used) {
            char path[512], known[400];
            cfg_path(k, path, sizeof path);
            size_t used = 0;
            known[0] = '\0';
            for (size_t j = 0; j < c->n && used < sizeof known; j++)
                if (c->kids[j]->used && c->kids[j]->key)
                    used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
                                             used ? ", " : "", c->kids[j]->key);
            if (c->kind == CFG_MAP)
                diag_input(d, k->file, k->line, path, "unknown key%s%s%s",
                           known[0] ? " (known here: " : "", known, known[0] ? ")" : "");
            else
                diag_input(d, k->file, k->line, path, "unexpected value");
            return -1;
        }
        if (cfg_check_unused(k, d)) return -1;
    }
    return 0;
}

/* ---- emitting ------------------------------------------------------------- */

typedef struct out_buf {
    char *p;
    size_t n, cap;
} out_buf;

static int buf_write(void *data, unsigned char *bytes, size_t size)
{
    out_buf *b = data;
    if (b->n + size + 1 > b->cap) {
        while (b->n + size + 1 > b->cap)
            b->cap = b->cap ? b->cap * 2 : 4096;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->n, bytes, size);
    b->n += size;
    b->p[b->n] = '\0';
    return 1;
}

static void emit_scalar(yaml_emitter_t *em, const char *text, bool plain)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), plain,
                                 !plain,
                                 plain ? YAML_ANY_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
    yaml_emitter_emit(em, &ev);
}

static void emit_node(yaml_emitter_t *em, const cfg *c)
{
    yaml_event_t ev;
    if (c->kind == CFG_SCALAR) {
        emit_scalar(em, c->text, c->plain);
    } else if (c->kind == CFG_LIST) {
        /* Short lists of scalars (edges are maps, so not these) read best inline. */
        yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_ANY_SEQUENCE_STYLE);
        yaml_emitter_emit(em, &ev);
        for (size_t i = 0; i < c->n; i++)
            emit_node(em, c->kids[i]);
        yaml_sequence_end_event_initialize(&ev);
        yaml_emitter_emit(em, &ev);
    } else {
        bool flat = c->n > 0;
        for (size_t i = 0; i < c->n; i++)
            flat = flat && c->kids[i]->kind == CFG_SCALAR;
        flat = flat && c->n <= 6 && c->parent && c->parent->kind == CFG_LIST;
        yaml_mapping_start_event_initialize(
            &ev, NULL, NULL, 1, flat ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
        yaml_emitter_emit(em, &ev);
        for (size_t i = 0; i < c->n; i++) {
            emit_scalar(em, c->kids[i]->key, true);
            emit_node(em, c->kids[i]);
        }
        yaml_mapping_end_event_initialize(&ev);
        yaml_emitter_emit(em, &ev);
    }
}

char *cfg_emit(const cfg *root)
{
    yaml_emitter_t em;
    yaml_event_t ev;
    out_buf b = {0};
    if (!yaml_emitter_initialize(&em)) abort();
    yaml_emitter_set_output(&em, buf_write, &b);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, 100);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    yaml_emitter_emit(&em, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    yaml_emitter_emit(&em, &ev);
    emit_node(&em, root);
    yaml_document_end_event_initialize(&ev, 1);
    yaml_emitter_emit(&em, &ev);
    yaml_stream_end_event_initialize(&ev);
    yaml_emitter_emit(&em, &ev);
    yaml_emitter_flush(&em);
    yaml_emitter_delete(&em);
    if (!b.p) buf_write(&b, (unsigned char *)"", 0);
    return b.p;
}

/* ---- dates ---------------------------------------------------------------- */

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
int32_t date_to_days(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void date_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

int date_parse(const char *text, int32_t *out)
{
    int y, m, d, n = 0;
    if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || text[n] != '\0' || n != 10) return -1;
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return -1;
    int32_t days = date_to_days(y, m, d);
    int yy, mm, dd;
    date_from_days(days, &yy, &mm, &dd);
    if (yy != y || mm != m || dd != d) return -1; /* 2013-02-30 and friends */
    *out = days;
    return 0;
}

void date_format(int32_t days, char buf[11])
{
    int y, m, d;
    date_from_days(days, &y, &m, &d);
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    memcpy(buf, tmp, 10);
    buf[10] = '\0';
}
