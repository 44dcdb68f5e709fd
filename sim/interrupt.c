#include "sim/interrupt.h"

#include <signal.h>
#include <string.h>

/* The one piece of global mutable state in rumbo: a signal handler can reach nothing
 * else. It is written only by the handler and read at safe points. */
static volatile sig_atomic_t pending_signal;

static void on_signal(int sig)
{
    pending_signal = sig;
}

void interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND; /* a second signal gets the default action: stop now */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

bool interrupt_requested(void)
{
    return pending_signal != 0;
}

int interrupt_signal(void)
{
    return (int)pending_signal;
}
