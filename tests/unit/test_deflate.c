/* Tests for sim/deflate: whatever is fed, in whatever pieces, zlib's own inflate must
 * give it back, within deflate_bound, and the stream must be as small as zlib's with
 * the strategy it replaces. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sim/deflate.h"

/* A test's own pseudo-random numbers (xorshift). */
static uint64_t next_random(uint64_t *x)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return *x;
}

/* Inflates a raw deflate stream with zlib; returns the bytes (free them), *n of them. */
static unsigned char *inflate_raw(const unsigned char *in, size_t size, size_t expect, size_t *n)
{
    unsigned char *out = malloc(expect + 1);
    z_stream z = {0};
    cr_assert_eq(inflateInit2(&z, -15), Z_OK);
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)size;
    z.next_out = out;
    z.avail_out = (uInt)expect + 1;
    int rc = inflate(&z, Z_FINISH);
    cr_assert_eq(rc, Z_STREAM_END, "inflate: %d (%s)", rc, z.msg ? z.msg : "");
    cr_expect_eq(z.avail_in, 0, "bytes after the final block");
    *n = z.total_out;
    inflateEnd(&z);
    return out;
}

/* A stream being built and the bytes it should inflate to. */
typedef struct trial {
    deflate_stream d;
    unsigned char *out, *want;
    size_t bound, n, cap, block_ends;
} trial;

static void trial_start(trial *t, size_t cap, size_t block_ends)
{
    deflate_init(&t->d);
    t->cap = cap;
    t->block_ends = block_ends;
    t->bound = deflate_bound(cap, block_ends);
    t->out = malloc(t->bound);
    t->want = malloc(cap + 1);
    t->n = 0;
    deflate_start(&t->d, t->out);
}

static void trial_bytes(trial *t, const unsigned char *p, size_t n)
{
    cr_assert_leq(t->n + n, t->cap);
    memcpy(t->want + t->n, p, n);
    t->n += n;
    deflate_bytes(&t->d, p, n);
}

static void trial_zeros(trial *t, size_t n)
{
    cr_assert_leq(t->n + n, t->cap);
    memset(t->want + t->n, 0, n);
    t->n += n;
    deflate_zeros(&t->d, n);
}

/* Finishes, checks, frees; returns the stream's size. */
static size_t trial_finish(trial *t, const char *what)
{
    size_t size = deflate_finish(&t->d), got_n;
    cr_expect_leq(size, t->bound, "%s: %zu bytes, bound %zu", what, size, t->bound);
    unsigned char *got = inflate_raw(t->out, size, t->n, &got_n);
    cr_expect_eq(got_n, t->n, "%s: %zu bytes back of %zu", what, got_n, t->n);
    cr_expect(got_n == t->n && memcmp(got, t->want, t->n) == 0, "%s: bytes differ", what);
    free(got);
    free(t->out);
    free(t->want);
    deflate_free(&t->d);
    return size;
}

Test(deflate, empty_stream)
{
    trial t;
    trial_start(&t, 0, 0);
    trial_finish(&t, "empty");
}

/* Uniform random bytes: no repeats, a flat code; never much above the input. */
Test(deflate, random_bytes_within_bound)
{
    enum { N = 200000 };
    unsigned char *p = malloc(N);
    uint64_t x = 99;
    for (size_t i = 0; i < N; i++)
        p[i] = (unsigned char)next_random(&x);
    trial t;
    trial_start(&t, N, 0);
    trial_bytes(&t, p, N);
    size_t size = trial_finish(&t, "random");
    cr_expect_leq(size, N + N / 100, "%zu bytes for %d random", size, N);
    free(p);
}

/* Symbol counts in the Fibonacci sequence (1, 2, 3, 5, ...; with the end of block's 1,
 * each merged node pairs with the next leaf) make a Huffman code as deep as there are
 * symbols, 20 bits here, so the code lengths must be limited to deflate's 15. No byte
 * follows an equal one, so none is a repeat. */
Test(deflate, skewed_counts_limit_code_lengths)
{
    enum { K = 20 }; /* 28,655 bytes: one block */
    size_t count[K], total = 0;
    for (int s = 0; s < K; s++) {
        count[s] = s == 0 ? 1 : s == 1 ? 2 : count[s - 1] + count[s - 2];
        total += count[s];
    }
    /* Most frequent first, into even places, then odd ones: no two equal neighbours
     * while the largest count is at most half. */
    unsigned char *p = malloc(total);
    size_t place = 0;
    for (int s = K - 1; s >= 0; s--)
        for (size_t k = 0; k < count[s]; k++) {
            p[place] = (unsigned char)(s * 7 + 1);
            place += 2;
            if (place >= total) place = 1;
        }
    for (size_t i = 1; i < total; i++)
        cr_assert_neq(p[i], p[i - 1]);
    trial t;
    trial_start(&t, total, 0);
    trial_bytes(&t, p, total);
    trial_finish(&t, "fibonacci");
    free(p);
}

/* Runs of every length around the limits (2 is no repeat, 3 the shortest, 258 the
 * longest, 259 two tokens), of zero and non-zero bytes, fed whole, a byte at a time,
 * and as zeros; runs that continue across calls and blocks. */
Test(deflate, runs_of_every_length_in_any_pieces)
{
    const size_t lengths[] = {1, 2, 3, 4, 10, 11, 257, 258, 259, 516, 517, 1000, 70000};
    size_t cap = 0;
    for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++)
        cap += 6 * lengths[k] + 4;
    unsigned char *run = malloc(70000);
    trial t;
    trial_start(&t, cap, 64);
    for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
        size_t n = lengths[k];
        memset(run, 0x5A, n);
        trial_bytes(&t, run, n); /* non-zero, whole */
        for (size_t i = 0; i < n; i++)
            trial_bytes(&t, run, 1); /* the same run continued, a byte at a time */
        trial_zeros(&t, n);          /* zeros after a non-zero byte */
        memset(run, 0, n);
        trial_bytes(&t, run, n); /* zeros continued, as bytes */
        deflate_end_block(&t.d);
        deflate_end_block(&t.d); /* nothing pending: no block */
        trial_zeros(&t, n);
        unsigned char one = 1;
        trial_bytes(&t, &one, 1);
        trial_zeros(&t, n);
        trial_bytes(&t, &one, 1);
        trial_bytes(&t, &one, 1);
        if (k % 3 == 0) deflate_end_block(&t.d);
    }
    trial_finish(&t, "runs");
    free(run);
}

/* Streams made of random operations: bytes dense or sparse, zeros, block ends. */
Test(deflate, random_streams)
{
    uint64_t x = 2024;
    enum { OPS = 40, MAX_PIECE = 50000 };
    unsigned char *p = malloc(MAX_PIECE);
    for (int trial_no = 0; trial_no < 60; trial_no++) {
        trial t;
        trial_start(&t, (size_t)OPS * MAX_PIECE, OPS);
        for (int op = 0; op < OPS; op++) {
            size_t n = next_random(&x) % (next_random(&x) % 2 ? 300 : MAX_PIECE);
            unsigned kind = (unsigned)(next_random(&x) % 5),
                     one_in = 1 + (unsigned)(next_random(&x) % 20);
            if (kind == 0) {
                trial_zeros(&t, n);
            } else if (kind == 1) {
                deflate_end_block(&t.d);
            } else {
                for (size_t i = 0; i < n; i++) {
                    uint64_t r = next_random(&x);
                    /* sparse small values, dense random ones, or few distinct */
                    p[i] = kind == 2   ? (r % one_in == 0 ? (unsigned char)(r >> 40) % 7 : 0)
                           : kind == 3 ? (unsigned char)(r >> 30)
                                       : (unsigned char)("ab\0c"[(r >> 20) % 4]);
                }
                trial_bytes(&t, p, n);
            }
        }
        char what[32];
        snprintf(what, sizeof what, "stream %d", trial_no);
        trial_finish(&t, what);
    }
    free(p);
}

/* Sparse small values, as the planes of counts are: no larger than zlib's deflate at
 * level 1 with its run-length strategy, which this encoder replaced. */
Test(deflate, as_small_as_zlib_run_length)
{
    enum { N = 300000 };
    unsigned char *p = malloc(N);
    uint64_t x = 7;
    for (size_t i = 0; i < N; i++) {
        uint64_t r = next_random(&x);
        p[i] = r % 9 == 0 ? (unsigned char)(1 + (r >> 32) % 40) : 0;
    }
    trial t;
    trial_start(&t, N, 0);
    trial_bytes(&t, p, N);
    size_t ours = trial_finish(&t, "sparse");

    z_stream z = {0};
    cr_assert_eq(deflateInit2(&z, 1, Z_DEFLATED, -15, 8, Z_RLE), Z_OK);
    unsigned char *out = malloc(deflateBound(&z, N));
    z.next_in = p;
    z.avail_in = N;
    z.next_out = out;
    z.avail_out = (uInt)deflateBound(&z, N);
    cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t zlibs = z.total_out;
    deflateEnd(&z);
    cr_expect_leq(ours, zlibs, "%zu bytes against zlib's %zu", ours, zlibs);
    free(out);
    free(p);
}
