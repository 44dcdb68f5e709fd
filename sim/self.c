#include "sim/self.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char self_path[PATH_MAX];
static int have_self;

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Valgrind shows the program it runs as /proc/self/exe, and preloads its own core
 * library into it (vgpreload_core-PLATFORM.so, whatever the tool). */
static int under_valgrind(void)
{
    const char *preload = getenv("LD_PRELOAD");
    return preload && strstr(preload, "/vgpreload_core-") != NULL;
}

void self_init(const char *argv0)
{
    have_self = 0;
    if (under_valgrind()) return;
    ssize_t len = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    if (len <= 0 || !argv0) return;
    self_path[len] = '\0';
    have_self = strcmp(base_name(self_path), base_name(argv0)) == 0;
}

const char *self_program(void)
{
    return have_self ? self_path : NULL;
}
