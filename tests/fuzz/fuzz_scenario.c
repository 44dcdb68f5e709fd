/* Fuzz target: the scenario and network loaders, end to end.
 *
 * One input is up to four parts separated by lines "#%%":
 *   1. the scenario (written as scenario.yaml)
 *   2. a network file (network.yaml; the scenario may say `network: network.yaml`)
 *   3. a parent scenario (parent.yaml; `extends: parent.yaml`)
 *   4. --set assignments, one a line
 * The files go to a private temporary directory, so extends, the network include,
 * realpath and cycle detection run for real. Each part is also parsed on its own
 * with cfg_parse_text.
 *
 * Besides crashes and sanitizer reports, these properties abort:
 *   - a refusal is bad input (exit 2) with a one-line message "WHERE:LINE: ...";
 *   - an accepted scenario's stored YAML (what every output keeps) loads again
 *     (a run must be repeatable from its output alone);
 *   - an accepted scenario whose run is small simulates a few days cleanly and
 *     gets a memory estimate.
 *
 * Built by -DRUMBO_FUZZ=ON with clang (libFuzzer); tests/fuzz/replay.c calls the
 * same entry point on the saved regressions in every normal build. */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/memory.h"
#include "sim/scenario.h"
#include "sim/sim.h"

enum { MAX_INPUT = 1 << 16, MAX_SETS = 8, MAX_PARTS = 4 };

static const char separator[] = "\n#%%\n";
static char tmpdir[64];

static void remove_tmpdir(void)
{
    if (tmpdir[0]) rmdir(tmpdir);
}

static const char *workdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/rumbo-fuzz-XXXXXX",
                 base && strlen(base) < 32 ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            abort();
        }
        atexit(remove_tmpdir);
    }
    return tmpdir;
}

static void write_part(const char *dir, const char *name, const char *text, size_t len, char *path,
                       size_t path_len)
{
    snprintf(path, path_len, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz property violated: %s\n%s\n", what, detail);
    abort();
}

/* A refusal must be bad input with one line that starts "WHERE:LINE: ". */
static void check_refusal(const diag *d)
{
    if (!d->failed || d->exit_code != EXIT_BAD_INPUT) fail("refusal without exit code 2", d->msg);
    if (strchr(d->msg, '\n')) fail("message spans several lines", d->msg);
    const char *colon = strstr(d->msg, ": ");
    const char *p = d->msg;
    /* Find ":<digits>: " somewhere before the problem text. */
    int located = 0;
    for (; *p && (!colon || p <= colon + 1); p++) {
        if (*p != ':') continue;
        const char *q = p + 1;
        if (*q == '-') q++;
        if (*q < '0' || *q > '9') continue;
        while (*q >= '0' && *q <= '9')
            q++;
        if (q[0] == ':' && q[1] == ' ') located = 1;
    }
    if (!located && strncmp(d->msg, "--set", 5) != 0) fail("message names no FILE:LINE", d->msg);
}

static double expected_entries(const scenario *sc)
{
    double total = 0;
    for (int e = 0; e < sc->n_epochs; e++) {
        int from = sc->epoch_day[e];
        int to = e + 1 < sc->n_epochs ? sc->epoch_day[e + 1] : sc->days;
        if (to > sc->days) to = sc->days;
        for (int m = 0; to > from && m < model_count; m++)
            if (model_table[m]->expected_entries)
                total += model_table[m]->expected_entries(scenario_params(sc, e, m),
                                                          sc->start + from, to - from);
    }
    return total;
}

/* The YAML stored in outputs must load again, from anywhere. */
static void check_stored_yaml(const scenario *sc, const char *dir)
{
    char path[128];
    write_part(dir, "stored.yaml", sc->yaml, strlen(sc->yaml), path, sizeof path);
    scenario again;
    diag d = {0};
    scenario_overrides none = {.seed = -1, .days = -1};
    if (scenario_load(&again, path, &none, &d) != 0) {
        char detail[2048];
        snprintf(detail, sizeof detail, "%s\n--- stored YAML ---\n%s", d.msg, sc->yaml);
        fail("the stored scenario does not load again", detail);
    }
    if (again.days != sc->days || again.seed != sc->seed || again.start != sc->start ||
        again.n_epochs != sc->n_epochs || again.net.n_nodes != sc->net.n_nodes ||
        again.net.n_edges != sc->net.n_edges)
        fail("the stored scenario loads as a different run", sc->yaml);
    scenario_free(&again);
    unlink(path);
}

/* Runs a few days of a small scenario: the engine and the modules must cope with
 * any parameters the loaders accept. */
static void simulate_briefly(const scenario *sc)
{
    mem_estimate mem;
    double entries = expected_entries(sc);
    memory_estimate(sc, 1, entries, &mem);
    if (!(mem.total > 0)) fail("memory estimate is not positive", sc->yaml);
    int days = sc->days < 8 ? sc->days : 8;
    double per_day = sc->days > 0 ? entries / sc->days : 0;
    if (per_day * days > 20000 || sc->net.n_nodes > 2000 || sc->net.n_edges > 4000) return;
    sim s;
    diag d = {0};
    if (sim_init(&s, sc, 0, 1, &d) == 0)
        for (int k = 0; k < days; k++)
            sim_step(&s);
    sim_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT) return 0;
    char *text = malloc(size + 1);
    if (!text) abort();
    memcpy(text, data, size);
    text[size] = '\0';

    /* Split into parts (the separator's leading newline stays with no part). */
    const char *part[MAX_PARTS] = {0};
    size_t len[MAX_PARTS] = {0};
    int n = 0;
    const char *p = text, *end = text + size;
    while (n < MAX_PARTS) {
        const char *sep = n + 1 < MAX_PARTS
                              ? memmem(p, (size_t)(end - p), separator, sizeof separator - 1)
                              : NULL;
        part[n] = p;
        len[n] = sep ? (size_t)(sep - p) + 1 : (size_t)(end - p);
        n++;
        if (!sep) break;
        p = sep + sizeof separator - 1;
    }

    /* The parser alone, on every part. */
    for (int k = 0; k < n; k++) {
        diag d = {0};
        cfg *c = cfg_parse_text(part[k], len[k], "part.yaml", &d);
        if (c) {
            char *yaml = cfg_emit(c);
            free(yaml);
        } else {
            check_refusal(&d);
        }
        cfg_free(c);
    }

    /* The whole loader on files. */
    const char *dir = workdir();
    char scen_path[128], net_path[128], parent_path[128];
    write_part(dir, "scenario.yaml", part[0], len[0], scen_path, sizeof scen_path);
    write_part(dir, "network.yaml", n > 1 ? part[1] : "", n > 1 ? len[1] : 0, net_path,
               sizeof net_path);
    write_part(dir, "parent.yaml", n > 2 ? part[2] : "", n > 2 ? len[2] : 0, parent_path,
               sizeof parent_path);
    const char *sets[MAX_SETS];
    char *set_text = NULL;
    scenario_overrides ov = {.sets = sets, .n_sets = 0, .seed = -1, .days = -1};
    if (n > 3) {
        set_text = strndup(part[3], len[3]);
        if (!set_text) abort();
        for (char *line = strtok(set_text, "\n"); line && ov.n_sets < MAX_SETS;
             line = strtok(NULL, "\n"))
            sets[ov.n_sets++] = line;
    }
    scenario sc;
    diag d = {0};
    int loaded = scenario_load(&sc, scen_path, &ov, &d) == 0;
    if (getenv("RUMBO_FUZZ_VERBOSE")) fprintf(stderr, "  %s\n", loaded ? "accepted" : d.msg);
    if (loaded) {
        check_stored_yaml(&sc, dir);
        simulate_briefly(&sc);
    } else {
        check_refusal(&d);
    }
    scenario_free(&sc);
    unlink(scen_path);
    unlink(net_path);
    unlink(parent_path);
    free(set_text);
    free(text);
    return 0;
}
