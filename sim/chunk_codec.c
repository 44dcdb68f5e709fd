#include "sim/chunk_codec.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Runs only (the shuffled high bytes are long runs of zeros): the default run's file
 * is 11% smaller than with the default strategy, and no slower. Any zlib inflate
 * reads it. */
#define DEFLATE_STRATEGY Z_RLE
/* The zlib header deflate itself writes for a 32 kB window at levels below 2 or with
 * Z_RLE: the stream below is deflated raw and wrapped here, so that the checksum is
 * chunk_adler32's rather than zlib's byte-at-a-time one. */
static const unsigned char ZLIB_HEADER[2] = {0x78, 0x01};
enum { ZLIB_WRAPPER = 6 }; /* header and Adler-32 trailer */

void chunk_codec_init(chunk_codec *c)
{
    memset(c, 0, sizeof *c);
}

void chunk_codec_free(chunk_codec *c)
{
    if (c->z) deflateEnd(c->z);
    free(c->z);
    free(c->shuffled);
    free(c->packed);
    memset(c, 0, sizeof *c);
}

static void reserve(unsigned char **buf, size_t *cap, size_t need)
{
    if (*cap >= need) return;
    free(*buf);
    *buf = malloc(need);
    if (!*buf) abort();
    *cap = need;
}

uint32_t chunk_adler32(const unsigned char *p, size_t n)
{
    enum { MOD = 65521, SPAN = 1 << 20 };
    /* Reduced every SPAN bytes: a stays below 2^29 and b below 2^50. */
    uint64_t a = 1, b = 0;
    while (n > 0) {
        size_t len = n < SPAN ? n : SPAN, i = 0;
        for (; i + 8 <= len; i += 8) {
            uint64_t word;
            memcpy(&word, p + i, 8);
            if (word == 0) {
                b += 8 * a;
                continue;
            }
            for (size_t j = 0; j < 8; j++) {
                a += p[i + j];
                b += a;
            }
        }
        for (; i < len; i++) {
            a += p[i];
            b += a;
        }
        a %= MOD;
        b %= MOD;
        p += len;
        n -= len;
    }
    return (uint32_t)(b << 16 | a);
}

/* HDF5's shuffle: byte j of value i goes to j * n + i, so the high bytes, mostly 0,
 * line up. Four values in five are 0 (counts of rare events per node and day): the
 * chunk is cleared at once and only the others are scattered. */
static void shuffle(const unsigned char *in, size_t have, size_t n, unsigned char *out)
{
    memset(out, 0, n * 8);
    for (size_t i = 0; i < have; i++) {
        uint64_t value;
        memcpy(&value, in + i * 8, 8);
        if (value)
            for (size_t j = 0; j < 8; j++)
                out[j * n + i] = in[i * 8 + j];
    }
}

static void unshuffle(const unsigned char *in, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < 8; j++)
            out[i * 8 + j] = in[j * n + i];
}

unsigned char *chunk_encode(chunk_codec *c, const void *values, size_t have, size_t n, size_t *size)
{
    size_t bytes = n * 8;
    if (bytes > UINT_MAX / 2) abort(); /* zlib counts in uInt; chunks are far smaller */
    if (!c->z) {
        c->z = calloc(1, sizeof *c->z);
        if (!c->z ||
            deflateInit2(c->z, CHUNK_DEFLATE_LEVEL, Z_DEFLATED, -15, 8, DEFLATE_STRATEGY) != Z_OK)
            abort();
    }
    reserve(&c->shuffled, &c->shuffled_cap, bytes ? bytes : 1);
    reserve(&c->packed, &c->packed_cap, deflateBound(c->z, (uLong)bytes) + ZLIB_WRAPPER);
    shuffle(values, have < n ? have : n, n, c->shuffled);
    unsigned char *out = c->packed;
    memcpy(out, ZLIB_HEADER, sizeof ZLIB_HEADER);
    if (deflateReset(c->z) != Z_OK) abort();
    c->z->next_in = c->shuffled;
    c->z->avail_in = (uInt)bytes;
    c->z->next_out = out + sizeof ZLIB_HEADER;
    c->z->avail_out = (uInt)(c->packed_cap - ZLIB_WRAPPER);
    /* With deflateBound's room, Z_FINISH completes in one call; anything else is a
     * broken stream, not a condition of the run. */
    if (deflate(c->z, Z_FINISH) != Z_STREAM_END) abort();
    size_t used = sizeof ZLIB_HEADER + c->z->total_out;
    uint32_t check = chunk_adler32(c->shuffled, bytes);
    for (int k = 0; k < 4; k++)
        out[used++] = (unsigned char)(check >> (24 - 8 * k)); /* big-endian */
    unsigned char *copy = malloc(used);
    if (!copy) abort();
    memcpy(copy, out, used);
    *size = used;
    return copy;
}

int chunk_decode(const unsigned char *packed, size_t size, void *values, size_t n)
{
    size_t bytes = n * 8;
    unsigned char *shuffled = malloc(bytes ? bytes : 1);
    if (!shuffled) abort();
    uLongf len = (uLongf)bytes;
    int ok = uncompress(shuffled, &len, packed, (uLong)size) == Z_OK && len == bytes;
    if (ok) unshuffle(shuffled, n, values);
    free(shuffled);
    return ok ? 0 : -1;
}
