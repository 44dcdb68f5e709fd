#include "sim/threads.h"

#include <stdlib.h>
#include <unistd.h>

void threads_passive_by_default(char **argv)
{
    if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT")) return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1)) return;
    execv("/proc/self/exe", argv);
    /* exec failed (no /proc): carry on with libgomp's default. */
}
