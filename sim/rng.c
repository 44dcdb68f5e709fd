#include "sim/rng.h"

#include <Random123/gsl_microrng.h>

/* The macro defines the gsl_rng_type for Philox; the micro-RNG puts its own draw
 * count in the last counter word, which is why rng_gsl_reset leaves it zero. */
GSL_MICRORNG(rumbo_philox, philox4x32);

gsl_rng *rng_gsl_alloc(void)
{
    return gsl_rng_alloc(gsl_rng_rumbo_philox);
}

void rng_gsl_reset(gsl_rng *r, rng_key k, uint32_t subject, uint32_t day, uint32_t purpose)
{
    philox4x32_ctr_t c = {{subject, day, purpose | (k.member << 16), 0}};
    philox4x32_key_t key = {{(uint32_t)k.seed, (uint32_t)(k.seed >> 32)}};
    rumbo_philox_reset(r, c, key);
}
