#include "sim/threads.h"

#include <stdlib.h>
#include <unistd.h>

#include "sim/self.h"

void threads_passive_by_default(char **argv)
{
    if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT")) return;
    const char *self = self_program(); /* NULL under valgrind (or any loader) */
    if (!self) return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1)) return;
    execv(self, argv);
    /* exec failed: carry on with libgomp's default. */
}
