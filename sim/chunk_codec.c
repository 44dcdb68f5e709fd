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
enum { PIECE = 16 << 10 }; /* bytes of the shuffled chunk made and deflated at a time */

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

/* Adler-32's two sums, carried from piece to piece of a stream. */
typedef struct adler {
    uint64_t a, b;
} adler;

static void adler_add(adler *s, const unsigned char *p, size_t n)
{
    enum { MOD = 65521, SPAN = 1 << 20 };
    /* Reduced every SPAN bytes: a stays below 2^29 and b below 2^50. */
    uint64_t a = s->a, b = s->b;
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
    s->a = a;
    s->b = b;
}

uint32_t chunk_adler32(const unsigned char *p, size_t n)
{
    adler s = {1, 0};
    adler_add(&s, p, n);
    return (uint32_t)(s.b << 16 | s.a);
}

/* Bytes [from, from + len) of HDF5's shuffle of n values (the first `have` given,
 * the rest 0): byte j of value i sits at j * n + i, so the high bytes, mostly 0, line
 * up. Made a piece at a time, the chunk is never held shuffled whole: at the peak of
 * a million-agent run, two threads' whole chunks were 1 MB. */
static void shuffled_piece(const unsigned char *in, size_t have, size_t n, size_t from, size_t len,
                           unsigned char *out)
{
    size_t j = from / n, i = from % n; /* plane (byte) and value */
    for (size_t k = 0; k < len;) {
        size_t run = n - i < len - k ? n - i : len - k; /* to the end of plane j */
        size_t given = i >= have ? 0 : have - i < run ? have - i : run;
        const unsigned char *src = in + i * 8 + j;
        for (size_t e = 0; e < given; e++)
            out[k + e] = src[e * 8];
        memset(out + k + given, 0, run - given);
        k += run;
        i += run;
        if (i == n) i = 0, j++;
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
    reserve(&c->shuffled, &c->shuffled_cap, PIECE);
    reserve(&c->packed, &c->packed_cap, deflateBound(c->z, (uLong)bytes) + ZLIB_WRAPPER);
    unsigned char *out = c->packed;
    memcpy(out, ZLIB_HEADER, sizeof ZLIB_HEADER);
    if (deflateReset(c->z) != Z_OK) abort();
    c->z->next_out = out + sizeof ZLIB_HEADER;
    c->z->avail_out = (uInt)(c->packed_cap - ZLIB_WRAPPER);
    adler check = {1, 0};
    size_t from = 0;
    do {
        size_t len = bytes - from < PIECE ? bytes - from : PIECE;
        shuffled_piece(values, have < n ? have : n, n, from, len, c->shuffled);
        adler_add(&check, c->shuffled, len);
        c->z->next_in = c->shuffled;
        c->z->avail_in = (uInt)len;
        from += len;
        /* With deflateBound's room every piece is taken whole and Z_FINISH completes;
         * anything else is a broken stream, not a condition of the run. The bytes are
         * those of one call on the whole chunk (tested). */
        int last = from == bytes;
        int rc = deflate(c->z, last ? Z_FINISH : Z_NO_FLUSH);
        if (last ? rc != Z_STREAM_END : (rc != Z_OK || c->z->avail_in != 0)) abort();
    } while (from < bytes);
    size_t used = sizeof ZLIB_HEADER + c->z->total_out;
    uint32_t sum = (uint32_t)(check.b << 16 | check.a);
    for (int k = 0; k < 4; k++)
        out[used++] = (unsigned char)(sum >> (24 - 8 * k)); /* big-endian */
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
