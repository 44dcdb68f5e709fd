#include "sim/chunk_codec.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Values are read as words whose byte j is bits 8j to 8j+7, as the file stores them. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "chunk_codec.c shuffles little-endian values: little-endian hosts only"
#endif

/* The zlib header for a 32 kB window and the fastest level, as the datasets'
 * pipelines record it (CHUNK_DEFLATE_LEVEL); then a raw deflate stream and the
 * Adler-32 of the shuffled bytes. */
static const unsigned char ZLIB_HEADER[2] = {0x78, 0x01};
enum { ZLIB_WRAPPER = 6 }; /* header and Adler-32 trailer */
enum { PIECE = 16 << 10 }; /* bytes of the shuffled chunk made and deflated at a time */
/* Planes from this size are deflated as blocks of their own; smaller chunks (fewer
 * than 64 values a day) are one block: their Huffman codes cost more to make than
 * they save (a 395-day run's series: 0.6% larger, and faster). */
enum { OWN_BLOCK_BYTES = 4096 };

void chunk_codec_init(chunk_codec *c)
{
    memset(c, 0, sizeof *c);
}

void chunk_codec_free(chunk_codec *c)
{
    if (c->deflate.tokens) deflate_free(&c->deflate);
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

/* Bytes [first, first + len) of plane j of HDF5's shuffle of the values (the first
 * `have` given, the rest 0): byte j of value i sits at j * n + i, so the high bytes,
 * mostly 0, line up. Made a piece at a time, the chunk is never held shuffled whole:
 * at the peak of a million-agent run, two threads' whole chunks were 1 MB. */
static void plane_piece(const uint64_t *in, size_t have, int j, size_t first, size_t len,
                        unsigned char *out)
{
    size_t given = first >= have ? 0 : have - first < len ? have - first : len;
    unsigned shift = (unsigned)(8 * j);
    for (size_t e = 0; e < given; e++)
        out[e] = (unsigned char)(in[first + e] >> shift);
    memset(out + given, 0, len - given);
}

static void unshuffle(const unsigned char *in, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < 8; j++)
            out[i * 8 + j] = in[j * n + i];
}

static void adler_add_zeros(adler *s, size_t m)
{
    s->b = (s->b + (uint64_t)(m % 65521) * s->a) % 65521;
}

unsigned char *chunk_encode(chunk_codec *c, const void *values, size_t have, size_t n, size_t *size)
{
    size_t bytes = n * 8;
    if (!c->deflate.tokens) deflate_init(&c->deflate);
    reserve(&c->shuffled, &c->shuffled_cap, PIECE);
    /* Blocks end around each plane that holds values: 16 calls at most. */
    reserve(&c->packed, &c->packed_cap, deflate_bound(bytes, 16) + ZLIB_WRAPPER);
    memcpy(c->packed, ZLIB_HEADER, sizeof ZLIB_HEADER);
    deflate_stream *d = &c->deflate;
    deflate_start(d, c->packed + sizeof ZLIB_HEADER);
    /* Values as 8-byte words (little-endian: byte j is bits 8j to 8j+7). */
    const uint64_t *words = values;
    if (have > n) have = n;
    uint64_t bytes_used = 0;
    for (size_t i = 0; i < have; i++)
        bytes_used |= words[i];
    adler check = {1, 0};
    for (int j = 0; j < 8 && n > 0; j++) {
        if (!(bytes_used >> (8 * j) & 0xFF)) {
            /* A byte no value uses: a plane of zeros, never gathered. Such planes
             * (six of a count's eight) share a block. */
            deflate_zeros(d, n);
            adler_add_zeros(&check, n);
            continue;
        }
        /* A plane of values: a block (or more) of its own, its statistics are its own,
         * unless it is too small to pay for the Huffman codes and their making. */
        bool own_block = n >= OWN_BLOCK_BYTES;
        if (own_block) deflate_end_block(d);
        for (size_t first = 0; first < n; first += PIECE) {
            size_t len = n - first < PIECE ? n - first : PIECE;
            plane_piece(words, have, j, first, len, c->shuffled);
            adler_add(&check, c->shuffled, len);
            deflate_bytes(d, c->shuffled, len);
        }
        if (own_block) deflate_end_block(d);
    }
    size_t used = sizeof ZLIB_HEADER + deflate_finish(d);
    uint32_t sum = (uint32_t)(check.b << 16 | check.a);
    for (int k = 0; k < 4; k++)
        c->packed[used++] = (unsigned char)(sum >> (24 - 8 * k)); /* big-endian */
    unsigned char *copy = malloc(used);
    if (!copy) abort();
    memcpy(copy, c->packed, used);
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
