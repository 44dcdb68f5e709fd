/* Counter-based random numbers (Philox4x32-10 from Random123).
 *
 * Determinism contract (DESIGN.md): every draw is a pure function of
 * (seed, member) as the key and (subject id, day, purpose, index) as the counter.
 * No generator state is carried between draws, so the result never depends on
 * which thread handles an agent, how many threads there are, or whether the run
 * was restarted from a checkpoint. One Philox call yields four 32-bit words;
 * callers take all four uniforms at once rather than calling again per decision. */
#ifndef RUMBO_RNG_H
#define RUMBO_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>
#include <Random123/philox.h>

/* Purposes keep independent decisions on independent streams. Each module owns a
 * block of purposes; add new ones at the end of a block, never renumber (renumbering
 * changes every result). */
enum rng_purpose {
    RNG_INFLOW = 1,       /* daily entry counts (subject = crossing x nationality) */
    RNG_ATTRIBUTES = 2,   /* attributes of a new agent (subject = agent id) */
    RNG_MOVE = 3,         /* route choice, boarding (subject = agent id) */
    RNG_PRIORITY = 4,     /* priority for capacity-limited resources */
    RNG_ENFORCEMENT = 16, /* 16..31: enforcement */
    RNG_CRIME = 32,       /* 32..47: criminal networks */
    RNG_HAZARD = 48,      /* 48..63: hurricanes and disruptions */
    RNG_LABOUR = 64,      /* 64..79: labour and money */
    RNG_BEHAVIOUR = 80,   /* 80..95: behaviour extras */
};

typedef struct rng_key {
    uint64_t seed;
    uint32_t member;
} rng_key;

/* Four uniforms in [0, 1) (never exactly 1). `index` selects further blocks of
 * four for the same purpose. */
static inline void rng_uniform4(rng_key k, uint32_t subject, uint32_t day, uint32_t purpose,
                                uint32_t index, double u[4])
{
    philox4x32_ctr_t c = {{subject, day, purpose | (k.member << 16), index}};
    philox4x32_key_t key = {{(uint32_t)k.seed, (uint32_t)(k.seed >> 32)}};
    philox4x32_ctr_t r = philox4x32(c, key);
    for (int i = 0; i < 4; i++) u[i] = r.v[i] * (1.0 / 4294967296.0);
}

/* Four raw 32-bit words, e.g. for priorities. */
static inline void rng_bits4(rng_key k, uint32_t subject, uint32_t day, uint32_t purpose,
                             uint32_t index, uint32_t out[4])
{
    philox4x32_ctr_t c = {{subject, day, purpose | (k.member << 16), index}};
    philox4x32_key_t key = {{(uint32_t)k.seed, (uint32_t)(k.seed >> 32)}};
    philox4x32_ctr_t r = philox4x32(c, key);
    for (int i = 0; i < 4; i++) out[i] = r.v[i];
}

/* A gsl_rng backed by Philox, for GSL's distributions (Poisson, gamma...). Reset it to
 * a counter before each use; it may then be drawn from up to 2^32 times. */
gsl_rng *rng_gsl_alloc(void);
void rng_gsl_reset(gsl_rng *r, rng_key k, uint32_t subject, uint32_t day, uint32_t purpose);

#endif
