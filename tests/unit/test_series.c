/* Tests for sim/chunk_codec and the blocks of sim/series: chunks must inflate with
 * zlib's own inflate (HDF5's deflate filter) to HDF5's shuffle of the values, whatever
 * planes are zero, and a series must give back every value whether its blocks are
 * open, sealed or never touched. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sim/chunk_codec.h"
#include "sim/series.h"

/* A test's own pseudo-random bytes (xorshift), sparse: about one value in `one_in`
 * is non-zero, and those are small, as counts are. */
static void sparse_values(uint64_t *v, size_t n, unsigned one_in, uint64_t seed)
{
    uint64_t x = seed | 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        v[i] = x % one_in == 0 ? (x >> 20) % 5000 : 0;
    }
}

/* HDF5's shuffle, written plainly: what the chunk must inflate to. */
static unsigned char *reference_shuffle(const uint64_t *v, size_t n)
{
    const unsigned char *in = (const unsigned char *)v;
    unsigned char *shuffled = malloc(n * 8 + 1);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < 8; j++)
            shuffled[j * n + i] = in[i * 8 + j];
    return shuffled;
}

/* Encodes v, checks that zlib's own inflate (HDF5's deflate filter) gives the shuffled
 * bytes, that chunk_decode gives v back and that a damaged checksum is refused. */
static void check_chunk(chunk_codec *c, uint64_t *v, size_t n, const char *what)
{
    size_t size;
    unsigned char *chunk = chunk_encode(c, v, n, n, &size);
    unsigned char *want = reference_shuffle(v, n), *got = malloc(n * 8 + 1);
    uLongf len = n * 8;
    cr_assert_eq(uncompress(got, &len, chunk, size), Z_OK, "%s: n %zu", what, n);
    cr_assert_eq(len, n * 8, "%s", what);
    cr_expect_eq(memcmp(got, want, n * 8), 0, "%s: n %zu", what, n);
    uint64_t *back = malloc(n * 8 + 8);
    cr_assert_eq(chunk_decode(chunk, size, back, n), 0, "%s", what);
    cr_expect_eq(memcmp(back, v, n * 8), 0, "%s", what);
    chunk[size - 1] ^= 1; /* the checksum */
    cr_expect_eq(chunk_decode(chunk, size, back, n), -1, "%s", what);
    free(chunk), free(want), free(got), free(back);
}

Test(chunk_adler32, equals_zlib)
{
    size_t big = (3u << 20) + 5; /* past the reduction span, odd length */
    unsigned char *p = malloc(big);
    memset(p, 0xFF, big); /* the largest sums */
    cr_expect_eq(chunk_adler32(p, big), adler32(1, p, (uInt)big));
    sparse_values((uint64_t *)p, big / 8, 3, 7);
    for (size_t n = 0; n < 100; n++)
        cr_expect_eq(chunk_adler32(p + 3, n), adler32(1, p + 3, (uInt)n), "length %zu", n);
    cr_expect_eq(chunk_adler32(p, big), adler32(1, p, (uInt)big));
    free(p);
}

/* Planes of zeros are never gathered and share blocks, planes of values have their
 * own: every mix of zero and non-zero planes, first, last and between, must inflate
 * with zlib. */
Test(chunk_codec, inflates_with_zlib_whatever_planes_are_zero)
{
    chunk_codec c;
    chunk_codec_init(&c);
    const size_t sizes[] = {1, 2, 3, 7, 64 * 46, 64 * 990};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        uint64_t *v = malloc(n * 8);
        sparse_values(v, n, 5, 11 + k); /* counts: planes 2-7 zero */
        check_chunk(&c, v, n, "counts");
        for (size_t i = 0; i < n; i++)
            v[i] <<= 8; /* plane 0 zero, before a non-zero one */
        check_chunk(&c, v, n, "multiples of 256");
        for (size_t i = 0; i < n; i++)
            v[i] = i % 3 ? (uint64_t) - (int64_t)(v[i] >> 8) : 0; /* negative: plane 7 used */
        check_chunk(&c, v, n, "negative");
        for (size_t i = 0; i < n; i++) {
            double x = (double)i / 7.0;
            memcpy(&v[i], &x, 8); /* every plane used */
        }
        check_chunk(&c, v, n, "doubles");
        for (size_t i = 0; i < n; i++)
            v[i] = (i % 2) << 40; /* planes 0-4 and 6-7 zero around plane 5 */
        check_chunk(&c, v, n, "one plane");
        memset(v, 0, n * 8);
        check_chunk(&c, v, n, "zeros");
        for (size_t i = 0; i < n; i++)
            v[i] = 0x0101010101010101u * (i % 2 + 1); /* no zero plane */
        check_chunk(&c, v, n, "dense");
        free(v);
    }
    chunk_codec_free(&c);
}

Test(chunk_codec, empty_chunk)
{
    chunk_codec c;
    chunk_codec_init(&c);
    size_t size;
    unsigned char *chunk = chunk_encode(&c, NULL, 0, 0, &size);
    unsigned char out[1];
    uLongf len = 0;
    cr_expect_eq(uncompress(out, &len, chunk, size), Z_OK);
    cr_expect_eq(len, 0);
    cr_expect_eq(chunk_decode(chunk, size, out, 0), 0);
    free(chunk);
    chunk_codec_free(&c);
}

/* Fewer days than a block, and a whole number of blocks: one block of `days` days,
 * and blocks that end with the run. */
Test(series, short_and_whole_block_runs)
{
    const size_t lengths[] = {10, 128};
    for (int k = 0; k < 2; k++) {
        size_t days = lengths[k];
        series_set ss;
        series_init(&ss, days);
        const char *dims[] = {NULL};
        series *s = series_add(&ss, "s", SERIES_INT64, "", "", dims);
        cr_assert_eq(s->block_days, days < 64 ? days : 64);
        cr_assert_eq(s->n_blocks, days < 64 ? 1 : days / 64);
        for (size_t day = 0; day < days; day++) {
            series_i64(s, day)[0] = (int64_t)day + 1;
            series_seal(&ss, day + 1, 1);
        }
        for (size_t b = 0; b < s->n_blocks; b++)
            cr_expect(s->blocks[b].packed && !s->blocks[b].values, "every block sealed at the end");
        int64_t back[128];
        cr_assert_eq(series_read(s, back), 0);
        for (size_t day = 0; day < days; day++)
            cr_expect_eq(back[day], (int64_t)day + 1);
        series_free(&ss);
    }
}

Test(chunk_codec, missing_values_are_zero)
{
    chunk_codec c;
    chunk_codec_init(&c);
    uint64_t v[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, back[10];
    size_t size;
    unsigned char *chunk = chunk_encode(&c, v, 4, 10, &size);
    cr_assert_eq(chunk_decode(chunk, size, back, 10), 0);
    for (int i = 0; i < 10; i++)
        cr_expect_eq(back[i], i < 4 ? v[i] : 0);
    free(chunk);
    chunk_codec_free(&c);
}

/* 150 days of 3 values: blocks of 64, 64 and 22 days. */
static series *three_blocks(series_set *ss)
{
    series_init(ss, 150);
    const char *labels[] = {"a", "b", "c"};
    series_add_dim(ss, "x", "", "", 3, labels);
    const char *dims[] = {"x", NULL};
    return series_add(ss, "s", SERIES_INT64, "", "", dims);
}

static int64_t value_of(size_t day, size_t k)
{
    return (int64_t)(day * 7 + k) * (day % 3 == 0);
}

Test(series, blocks_sealed_and_read_back)
{
    series_set ss;
    series *s = three_blocks(&ss);
    cr_assert_eq(s->n_blocks, 3);
    for (size_t day = 0; day < 130; day++) {
        for (size_t k = 0; k < 3; k++)
            series_i64(s, day)[k] = value_of(day, k);
        series_seal(&ss, day + 1, 2);
    }
    /* Past blocks are sealed; the third, today's and the run's last, is open. */
    cr_expect(s->blocks[0].packed && !s->blocks[0].values);
    cr_expect(s->blocks[1].packed && !s->blocks[1].values);
    cr_expect(!s->blocks[2].packed && s->blocks[2].values);
    int64_t all[150 * 3];
    cr_assert_eq(series_read(s, all), 0);
    for (size_t day = 0; day < 150; day++)
        for (size_t k = 0; k < 3; k++)
            cr_expect_eq(all[day * 3 + k], day < 130 ? value_of(day, k) : 0, "day %zu", day);
    /* Writing into a sealed day opens its block again, values kept. */
    series_i64(s, 10)[1] += 1000;
    cr_expect(s->blocks[0].values && !s->blocks[0].packed);
    cr_expect_eq(series_i64(s, 9)[0], value_of(9, 0));
    cr_expect_eq(series_i64(s, 10)[1], value_of(10, 1) + 1000);
    /* A damaged sealed block is refused (checkpoints and sweeps read through this). */
    cr_assert(s->blocks[1].packed && s->blocks[1].packed_size > 8);
    s->blocks[1].packed[s->blocks[1].packed_size / 2] ^= 0x5a;
    cr_expect_eq(series_read(s, all), -1);
    series_free(&ss);
}

Test(series, seal_is_the_same_with_any_threads)
{
    series_set one, two;
    series *a = three_blocks(&one), *b = three_blocks(&two);
    for (size_t day = 0; day < 150; day++)
        for (size_t k = 0; k < 3; k++)
            series_i64(a, day)[k] = series_i64(b, day)[k] = value_of(day, k);
    series_seal(&one, 150, 1);
    series_seal(&two, 150, 2);
    /* Blocks 0 and 1 end by day 150 and are sealed; block 2 (days 128-191) is open. */
    cr_assert(a->blocks[2].values && b->blocks[2].values);
    for (size_t blk = 0; blk < 2; blk++) {
        cr_assert(a->blocks[blk].packed && b->blocks[blk].packed);
        cr_assert_eq(a->blocks[blk].packed_size, b->blocks[blk].packed_size);
        cr_expect_eq(
            memcmp(a->blocks[blk].packed, b->blocks[blk].packed, a->blocks[blk].packed_size), 0);
    }
    series_free(&one);
    series_free(&two);
}

Test(series, write_keeps_zero_blocks_untouched)
{
    series_set ss;
    series *s = three_blocks(&ss);
    int64_t all[150 * 3] = {0};
    all[70 * 3 + 2] = 5; /* only the second block holds anything */
    series_write(s, all);
    cr_expect(!s->blocks[0].values && !s->blocks[0].packed);
    cr_expect(s->blocks[1].values);
    cr_expect(!s->blocks[2].values && !s->blocks[2].packed);
    int64_t back[150 * 3];
    cr_assert_eq(series_read(s, back), 0);
    cr_expect_eq(memcmp(back, all, sizeof all), 0);
    /* A block never touched is still stored: as a chunk of zeros. */
    chunk_codec c;
    chunk_codec_init(&c);
    size_t size;
    unsigned char *owned;
    const unsigned char *bytes = series_chunk(s, 2, &c, &size, &owned);
    int64_t zeros[64 * 3];
    cr_assert_eq(chunk_decode(bytes, size, zeros, 64 * 3), 0);
    for (size_t i = 0; i < 64 * 3; i++)
        cr_expect_eq(zeros[i], 0);
    free(owned);
    chunk_codec_free(&c);
    series_free(&ss);
}
