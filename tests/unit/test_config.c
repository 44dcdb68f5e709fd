/* Scenario parsing: the YAML tree, typed readers, layering, and their errors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/params.h"
#include "sim/config.h"
#include "sim/scenario.h"

static cfg *parse(const char *text, diag *d)
{
    return cfg_parse_text(text, strlen(text), "t.yaml", d);
}

static char tmpdir[64];

static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/rumbo-cfg-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

Test(config, typed_readers_accept_good_values)
{
    diag d = {0};
    cfg *root = parse("a: 1.5\nb: 42\nc: true\nd: hello\ne: 2014-07-07\nf: rail\n", &d);
    cr_assert_not_null(root, "%s", d.msg);
    double a;
    int64_t b;
    bool c;
    const char *s;
    int32_t date;
    int mode;
    static const char *const modes[] = {"foot", "rail"};
    cr_assert_eq(cfg_get_double(root, "a", 0, 2, &a, &d), 0);
    cr_assert_float_eq(a, 1.5, 1e-12);
    cr_assert_eq(cfg_get_int(root, "b", 0, 100, &b, &d), 0);
    cr_assert_eq(b, 42);
    cr_assert_eq(cfg_get_bool(root, "c", &c, &d), 0);
    cr_assert(c);
    cr_assert_eq(cfg_get_string(root, "d", &s, &d), 0);
    cr_assert_str_eq(s, "hello");
    cr_assert_eq(cfg_get_date(root, "e", &date, &d), 0);
    cr_assert_eq(date, date_to_days(2014, 7, 7));
    cr_assert_eq(cfg_get_enum(root, "f", modes, 2, &mode, &d), 0);
    cr_assert_eq(mode, 1);
    cr_assert_eq(cfg_check_unused(root, &d), 0, "%s", d.msg);
    cfg_free(root);
}

/* Each bad value must be refused with the file, the line and the full key path. */
Test(config, readers_name_file_line_and_key)
{
    struct {
        const char *yaml, *expect;
        double lo, hi;
    } cases[] = {
        {"x:\n  p: .nan\n", "t.yaml:2: key 'x.p': '.nan' is not a finite number", 0, 1},
        {"x:\n  p: nan\n", "t.yaml:2: key 'x.p': 'nan' is not a finite number", 0, 1},
        {"x:\n  p: 1.5\n", "t.yaml:2: key 'x.p': 1.5 is out of range [0, 1]", 0, 1},
        {"x:\n  p: -3\n", "t.yaml:2: key 'x.p': -3 is out of range [0, 1]", 0, 1},
        {"x:\n  p: lots\n", "t.yaml:2: key 'x.p': expected a number, found 'lots'", 0, 1},
        {"x:\n  p: \"0.5\"\n", "t.yaml:2: key 'x.p': expected a number", 0, 1},
        {"x:\n  p: [1, 2]\n", "t.yaml:2: key 'x.p': expected a single value, found a list", 0, 1},
        {"x:\n  q: 1\n", "t.yaml:1: key 'x.p': missing", 0, 1},
        {"x:\n  p: 1e999\n", "t.yaml:2: key 'x.p': '1e999' is not a finite number", 0, 1e300},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        diag d = {0};
        cfg *root = parse(cases[k].yaml, &d);
        cr_assert_not_null(root);
        cfg *x;
        double v;
        cr_assert_eq(cfg_get_map(root, "x", &x, &d), 0);
        cr_assert_neq(cfg_get_double(x, "p", cases[k].lo, cases[k].hi, &v, &d), 0, "case %zu", k);
        cr_assert(strstr(d.msg, cases[k].expect), "case %zu: got '%s'", k, d.msg);
        cr_assert_eq(d.exit_code, EXIT_BAD_INPUT);
        cfg_free(root);
    }
}

Test(config, unknown_key_is_reported_where_written)
{
    diag d = {0};
    cfg *root = parse("inflow:\n  per_year: 10\n  per_yaer: 11\n", &d);
    cfg *inflow;
    double v;
    cr_assert_eq(cfg_get_map(root, "inflow", &inflow, &d), 0);
    cr_assert_eq(cfg_get_double(inflow, "per_year", 0, 1e9, &v, &d), 0);
    cr_assert_neq(cfg_check_unused(root, &d), 0);
    cr_assert(strstr(d.msg, "t.yaml:3: key 'inflow.per_yaer': unknown key"), "%s", d.msg);
    cr_assert(strstr(d.msg, "per_year"), "should list the known keys: %s", d.msg);
    cfg_free(root);
}

Test(config, malformed_empty_duplicate_and_binary_input)
{
    diag d = {0};
    cr_assert_null(parse("a: [1, 2\nb: 3\n", &d));
    cr_assert(strstr(d.msg, "t.yaml:") && strstr(d.msg, "malformed YAML"), "%s", d.msg);
    d = (diag){0};
    cr_assert_null(parse("", &d));
    cr_assert(strstr(d.msg, "empty file"), "%s", d.msg);
    d = (diag){0};
    cr_assert_null(parse("a: 1\nb: 2\na: 3\n", &d));
    cr_assert(strstr(d.msg, "t.yaml:3: key 'a': duplicate key"), "%s", d.msg);
    d = (diag){0};
    cr_assert_null(parse("- 1\n- 2\n", &d));
    cr_assert(strstr(d.msg, "expected a mapping"), "%s", d.msg);
    d = (diag){0};
    cr_assert_null(cfg_parse_text("a: \xff\xfe\x01", 6, "t.yaml", &d));
    cr_assert_eq(d.exit_code, EXIT_BAD_INPUT);
}

Test(config, alias_bombs_are_refused)
{
    /* Nine levels of ten-fold aliases would be 10^9 values. */
    char yaml[2048] = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int k = 1; k < 9; k++) {
        char line[200];
        snprintf(line, sizeof line,
                 "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", k, k,
                 k - 1, k - 1, k - 1, k - 1, k - 1, k - 1, k - 1, k - 1, k - 1, k - 1);
        strcat(yaml, line);
    }
    diag d = {0};
    cr_assert_null(parse(yaml, &d));
    cr_assert(strstr(d.msg, "too large"), "%s", d.msg);
}

Test(config, dates_are_checked_for_existence)
{
    int32_t day;
    cr_assert_eq(date_parse("2012-02-29", &day), 0);
    cr_assert_neq(date_parse("2013-02-29", &day), 0);
    cr_assert_neq(date_parse("2013-02-30", &day), 0);
    cr_assert_neq(date_parse("2013-13-01", &day), 0);
    cr_assert_neq(date_parse("13-01-01", &day), 0);
    cr_assert_neq(date_parse("2013-01-01x", &day), 0);
    int y, m, dd;
    date_from_days(date_to_days(2014, 7, 7) + 365, &y, &m, &dd);
    cr_assert(y == 2015 && m == 7 && dd == 7);
    char buf[11];
    date_format(date_to_days(2005, 10, 4), buf);
    cr_assert_str_eq(buf, "2005-10-04");
}

Test(config, extends_merges_maps_and_replaces_values)
{
    make_tmpdir();
    write_file("parent.yaml", "a: 1\nm: {x: 1, y: 2}\nl: [1, 2, 3]\n"
                              "timeline:\n  - {date: 2014-01-01, a: 5}\n");
    write_file("child.yaml", "extends: parent.yaml\nm: {y: 20, z: 30}\nl: [9]\n"
                             "timeline:\n  - {date: 2013-01-01, a: 4}\n");
    char path[256];
    snprintf(path, sizeof path, "%s/child.yaml", tmpdir);
    diag d = {0};
    cfg *root = cfg_load_scenario(path, &d);
    cr_assert_not_null(root, "%s", d.msg);
    cr_assert_null(cfg_child(root, "extends"));
    cfg *m = cfg_child(root, "m");
    cr_assert_str_eq(cfg_child(m, "x")->text, "1");
    cr_assert_str_eq(cfg_child(m, "y")->text, "20");
    cr_assert_str_eq(cfg_child(m, "z")->text, "30");
    cr_assert_eq(cfg_child(root, "l")->n, 1);
    cr_assert_eq(cfg_child(root, "timeline")->n, 2, "timelines are concatenated");
    cfg_free(root);
    remove_tmpdir();
}

Test(config, extends_cycle_and_missing_parent)
{
    make_tmpdir();
    write_file("a.yaml", "extends: b.yaml\nx: 1\n");
    write_file("b.yaml", "extends: a.yaml\ny: 1\n");
    write_file("c.yaml", "x: 1\nextends: nowhere.yaml\n");
    char path[256];
    diag d = {0};
    snprintf(path, sizeof path, "%s/a.yaml", tmpdir);
    cr_assert_null(cfg_load_scenario(path, &d));
    cr_assert(strstr(d.msg, "cycle of extends"), "%s", d.msg);
    d = (diag){0};
    snprintf(path, sizeof path, "%s/c.yaml", tmpdir);
    cr_assert_null(cfg_load_scenario(path, &d));
    cr_assert(strstr(d.msg, "c.yaml:2: key 'extends': parent scenario"), "%s", d.msg);
    remove_tmpdir();
}

Test(config, set_assignments_reach_nested_values_and_lists)
{
    diag d = {0};
    cfg *root = parse("a: {b: {c: 1}}\nl: [{k: 1}, {k: 2}]\n", &d);
    cr_assert_eq(cfg_set_assignment(root, "a.b.c=7", 1, &d), 0, "%s", d.msg);
    cr_assert_eq(cfg_set_assignment(root, "l.1.k=9", 2, &d), 0, "%s", d.msg);
    cr_assert_eq(cfg_set_assignment(root, "a.new={p: 1}", 3, &d), 0, "%s", d.msg);
    cr_assert_str_eq(cfg_child(cfg_child(cfg_child(root, "a"), "b"), "c")->text, "7");
    cr_assert_str_eq(cfg_child(cfg_child(root, "l")->kids[1], "k")->text, "9");
    cr_assert_str_eq(cfg_child(cfg_child(cfg_child(root, "a"), "new"), "p")->file, "--set");
    cr_assert_neq(cfg_set_assignment(root, "novalue", 4, &d), 0);
    cr_assert(strstr(d.msg, "expected key.path=value"), "%s", d.msg);
    d = (diag){0};
    cr_assert_neq(cfg_set_assignment(root, "a.b.c.d=1", 5, &d), 0);
    cr_assert(strstr(d.msg, "holds a single value"), "%s", d.msg);
    d = (diag){0};
    cr_assert_neq(cfg_set_assignment(root, "l.5.k=1", 6, &d), 0);
    cr_assert(strstr(d.msg, "not an index"), "%s", d.msg);
    cfg_free(root);
}

Test(config, emitted_yaml_parses_back_to_the_same_tree)
{
    diag d = {0};
    cfg *root = parse("name: \"x: y\"\nn: 1.5e3\nl: [a, \"yes\", 3]\n"
                      "m: {k: \"Tecún Umán (GT)\", e: [{from: a, to: b}]}\n",
                      &d);
    char *text = cfg_emit(root);
    cfg *again = cfg_parse_text(text, strlen(text), "emitted", &d);
    cr_assert_not_null(again, "%s\n%s", d.msg, text);
    char *text2 = cfg_emit(again);
    cr_assert_str_eq(text, text2);
    cr_assert_str_eq(cfg_child(again, "name")->text, "x: y");
    cr_assert_not(cfg_child(again, "l")->kids[1]->plain, "quoted strings stay strings");
    free(text);
    free(text2);
    cfg_free(root);
    cfg_free(again);
}

Test(scenario, timeline_epochs_and_their_errors)
{
    make_tmpdir();
    /* The tiny scenario's network file, next to our test scenario. */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cp scenarios/tiny.yaml scenarios/tiny_network.yaml %s/", tmpdir);
    cr_assert_eq(system(cmd), 0, "tests run from tests/");
    write_file("t.yaml", "extends: tiny.yaml\n"
                         "timeline:\n"
                         "  - date: 2013-01-11\n"
                         "    movement.trains.south.speed_kmh: 30\n"
                         "  - date: 2013-01-21\n"
                         "    inflow: {per_year: 0}\n");
    char path[256];
    snprintf(path, sizeof path, "%s/t.yaml", tmpdir);
    scenario sc;
    scenario_overrides ov = {.seed = -1, .days = -1};
    diag d = {0};
    cr_assert_eq(scenario_load(&sc, path, &ov, &d), 0, "%s", d.msg);
    cr_assert_eq(sc.n_epochs, 3);
    cr_assert_eq(scenario_epoch_of_day(&sc, 9), 0);
    cr_assert_eq(scenario_epoch_of_day(&sc, 10), 1);
    cr_assert_eq(scenario_epoch_of_day(&sc, 20), 2);
    scenario_free(&sc);

    struct {
        const char *yaml, *expect;
    } bad[] = {
        {"extends: tiny.yaml\ntimeline:\n  - date: 2013-02-01\n    inflow.per_year: 1\n"
         "  - date: 2013-01-01\n    inflow.per_year: 2\n",
         "t2.yaml:5: key 'timeline.1.date': dates out of order"},
        {"extends: tiny.yaml\ntimeline:\n  - date: 2013-02-01\n    inflow.per_yer: 1\n",
         "t2.yaml:4: key 'inflow.per_yer': unknown key"},
        {"extends: tiny.yaml\ntimeline:\n  - date: 2013-02-01\n    inflow.per_year: -1\n",
         "t2.yaml:4: key 'inflow.per_year': -1 is out of range"},
        {"extends: tiny.yaml\ntimeline:\n  - date: 2013-02-01\n    days: 5\n",
         "t2.yaml:4: key 'timeline.0.days': 'days' defines the run"},
        {"extends: tiny.yaml\ntimeline:\n  - date: 2013-02-30\n    inflow.per_year: 1\n",
         "t2.yaml:3: key 'timeline.0.date': expected a date"},
        {"extends: tiny.yaml\ninflow:\n  crossings: {origin: 0.5, nowhere: 0.5}\n",
         "t2.yaml:3: key 'inflow.crossings.nowhere': unknown node 'nowhere'"},
        {"extends: tiny.yaml\ninflow:\n  crossings: {origin: 0.5}\n",
         "key 'inflow.crossings': shares must add up to 1"},
        {"extends: tiny.yaml\nmovement:\n  trains: {express: {speed_kmh: 1}}\n",
         "t2.yaml:3: key 'movement.trains.express': no rail edge of the network uses line"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        write_file("t2.yaml", bad[k].yaml);
        snprintf(path, sizeof path, "%s/t2.yaml", tmpdir);
        d = (diag){0};
        int rc = scenario_load(&sc, path, &ov, &d);
        scenario_free(&sc);
        cr_assert_neq(rc, 0, "case %zu accepted", k);
        cr_assert(strstr(d.msg, bad[k].expect), "case %zu: got '%s'", k, d.msg);
    }
    remove_tmpdir();
}

/* population_scale: absent is 1; capacities scale, and below 1 a facility keeps at
 * least one place (a 10% sample of a 5-bed shelter still has a bed). */
Test(config, population_scale_and_scaled_capacities)
{
    diag d = {0};
    double scale;
    cfg *root = parse("a: 1\n", &d);
    cr_assert_eq(params_population_scale(root, &scale, &d), 0);
    cr_assert_eq(scale, 1);
    cfg_free(root);
    root = parse("population_scale: 0.1\n", &d);
    cr_assert_eq(params_population_scale(root, &scale, &d), 0);
    cr_assert_float_eq(scale, 0.1, 1e-15);
    cfg_free(root);
    cr_assert_eq(params_scale_capacity(300, 1), 300, "scale 1 changes nothing");
    cr_assert_eq(params_scale_capacity(300, 2.5), 750);
    cr_assert_float_eq(params_scale_capacity(300, 0.1), 30, 1e-12);
    cr_assert_eq(params_scale_capacity(5, 0.1), 1, "a shelter keeps a bed");
    cr_assert_eq(params_scale_capacity(0, 0.1), 0, "no facility stays none");
    root = parse("population_scale: 0\n", &d);
    cr_assert_neq(params_population_scale(root, &scale, &d), 0);
    cr_assert(strstr(d.msg, "population_scale"), "%s", d.msg);
    cfg_free(root);
}
