/* libFuzzer target over the output's compression (sim/deflate.c, sim/chunk_codec.c):
 * whatever it is given, zlib's own inflate (HDF5's deflate filter) must give it back,
 * within the encoder's bound, and chunk_decode must give the values back.
 *
 * The first byte picks the mode. Even: the rest is a program for the deflate stream,
 * one operation per byte (low two bits): bytes (two bytes of length and one of a
 * period, then the period's bytes, repeated to that length: long streams from short
 * inputs, past a block's 32,768 symbols), zeros (two bytes of length), a block's end,
 * or a run (two bytes of length, then the byte). Odd: the rest is a chunk of 8-byte
 * values, tiled 1 to 16 times (the first byte's high bits; large planes are blocks of
 * their own), the first value's low byte saying how many are given (the rest zero).
 * Streams stop at 1 MB. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sim/chunk_codec.h"
#include "sim/deflate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_deflate: %s\n", what);
    abort();
}

/* The stream inflated must be want[0..n). */
static void check_inflates(const unsigned char *stream, size_t size, const unsigned char *want,
                           size_t n, int raw)
{
    unsigned char *got = malloc(n + 1);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, raw ? -15 : 15) != Z_OK) fail("inflateInit2");
    z.next_in = (unsigned char *)stream;
    z.avail_in = (uInt)size;
    z.next_out = got;
    z.avail_out = (uInt)n + 1;
    int rc = inflate(&z, Z_FINISH);
    if (rc != Z_STREAM_END) fail(z.msg ? z.msg : "inflate did not reach the stream's end");
    if (z.avail_in != 0) fail("bytes after the stream");
    if (z.total_out != n || memcmp(got, want, n) != 0) fail("inflated bytes differ");
    inflateEnd(&z);
    free(got);
}

static size_t take16(const uint8_t **p, const uint8_t *end)
{
    size_t v = 0;
    for (int k = 0; k < 2 && *p < end; k++)
        v = v << 8 | *(*p)++;
    return v;
}

/* Streams of at most this many bytes: enough for several blocks. */
enum { STREAM_CAP = 1 << 20 };

static void fuzz_stream(const uint8_t *p, const uint8_t *end)
{
    size_t ends = (size_t)(end - p), bound = deflate_bound(STREAM_CAP, ends);
    unsigned char *want = malloc(STREAM_CAP), *out = malloc(bound);
    deflate_stream d;
    deflate_init(&d);
    deflate_start(&d, out);
    size_t n = 0, block_ends = 0;
    while (p < end) {
        int op = *p++ & 3;
        size_t len = op == 2 ? 0 : take16(&p, end);
        if (len > STREAM_CAP - n) len = STREAM_CAP - n;
        if (op == 0) {
            size_t period = p < end ? *p++ : 0;
            if (period > (size_t)(end - p)) period = (size_t)(end - p);
            if (period == 0) continue;
            for (size_t k = 0; k < len; k++)
                want[n + k] = p[k % period];
            deflate_bytes(&d, want + n, len);
            p += period;
        } else if (op == 1) {
            memset(want + n, 0, len);
            deflate_zeros(&d, len);
        } else if (op == 2) {
            deflate_end_block(&d);
            block_ends++;
        } else {
            memset(want + n, p < end ? *p++ : 0, len);
            deflate_bytes(&d, want + n, len);
        }
        n += len;
    }
    size_t size = deflate_finish(&d);
    if (size > deflate_bound(n, block_ends)) fail("stream longer than deflate_bound");
    check_inflates(out, size, want, n, 1);
    deflate_free(&d);
    free(want);
    free(out);
}

static void fuzz_chunk(uint8_t mode, const uint8_t *p, const uint8_t *end)
{
    size_t given = (size_t)(end - p) / 8, n = given * (1 + (size_t)(mode >> 4));
    size_t have = n ? (p < end ? *p : 0) % (n + 1) : 0;
    uint64_t *values = calloc(n + 1, 8), *back = calloc(n + 1, 8);
    for (size_t i = 0; i < n; i++)
        memcpy(&values[i], p + 8 * (i % given), 8);
    chunk_codec c;
    chunk_codec_init(&c);
    size_t size;
    unsigned char *chunk = chunk_encode(&c, values, have, n, &size);
    /* What the chunk must inflate to: HDF5's shuffle of the values, zeros after `have`. */
    memset(values + have, 0, (n - have) * 8);
    unsigned char *shuffled = malloc(n * 8 + 1);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < 8; j++)
            shuffled[j * n + i] = (unsigned char)(values[i] >> (8 * j));
    check_inflates(chunk, size, shuffled, n * 8, 0);
    if (chunk_decode(chunk, size, back, n) != 0 || memcmp(back, values, n * 8) != 0)
        fail("chunk_decode does not give the values back");
    free(chunk);
    free(shuffled);
    free(values);
    free(back);
    chunk_codec_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    if (data[0] % 2 == 0)
        fuzz_stream(data + 1, data + size);
    else
        fuzz_chunk(data[0], data + 1, data + size);
    return 0;
}
