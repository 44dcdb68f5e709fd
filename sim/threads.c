#include "sim/threads.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void threads_passive_by_default(char **argv)
{
    if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT")) return;
    /* Under valgrind (or any loader) /proc/self/exe is not rumbo: do not re-exec. */
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0 || !argv[0]) return;
    self[len] = '\0';
    if (strcmp(base_name(self), base_name(argv[0])) != 0) return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1)) return;
    execv(self, argv);
    /* exec failed: carry on with libgomp's default. */
}
