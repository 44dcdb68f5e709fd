#include "sim/chunk_codec.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Values are read as words whose byte j is bits 8j to 8j+7, as the file stores them. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "chunk_codec.c shuffles little-endian values: little-endian hosts only"
#endif

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
 * a million-agent run, two threads' whole chunks were 1 MB. A byte that is 0 in every
 * value (`bytes_used`: the or of them all) gives a plane of zeros, not gathered: counts
 * use two or three of the eight. */
static void shuffled_piece(const uint64_t *in, size_t have, size_t n, uint64_t bytes_used,
                           size_t from, size_t len, unsigned char *out)
{
    if (len == 0) return;              /* n may be 0 */
    size_t j = from / n, i = from % n; /* plane (byte) and value */
    for (size_t k = 0; k < len;) {
        size_t run = n - i < len - k ? n - i : len - k; /* to the end of plane j */
        size_t given = i >= have ? 0 : have - i < run ? have - i : run;
        if (!(bytes_used >> (8 * j) & 0xFF)) given = 0;
        unsigned shift = (unsigned)(8 * j);
        for (size_t e = 0; e < given; e++)
            out[k + e] = (unsigned char)(in[i + e] >> shift);
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

/* ---- planes of zeros, written by hand -------------------------------------------
 * A byte that no value uses gives a plane of n zeros (six of the eight planes of a
 * count). Deflating them byte by byte was most of the cost of output in small runs, so
 * such planes are written directly as one fixed-Huffman block of distance-1 matches
 * (RFC 1951: 13 bits per 258 zeros), between the zlib-deflated planes; inflate sees one
 * stream of blocks. Every segment ends on a byte boundary (zlib's with Z_SYNC_FLUSH,
 * ours with an empty stored block), so the next one can start there. */

typedef struct bit_writer {
    unsigned char *out;
    size_t pos;
    uint64_t acc; /* bits not yet written, first bit lowest */
    int n;
} bit_writer;

static void put_bits(bit_writer *w, uint32_t value, int len)
{
    w->acc |= (uint64_t)value << w->n;
    w->n += len;
    while (w->n >= 8) {
        w->out[w->pos++] = (unsigned char)w->acc;
        w->acc >>= 8;
        w->n -= 8;
    }
}

static void align_to_byte(bit_writer *w)
{
    if (w->n > 0) put_bits(w, 0, 8 - w->n);
}

/* A Huffman code goes out from its most significant bit (RFC 1951, 3.1.1). */
static void put_code(bit_writer *w, uint32_t code, int len)
{
    uint32_t reversed = 0;
    for (int k = 0; k < len; k++)
        reversed |= ((code >> k) & 1u) << (len - 1 - k);
    put_bits(w, reversed, len);
}

/* A literal or length symbol in the fixed code (RFC 1951, 3.2.6). */
static void put_symbol(bit_writer *w, unsigned sym)
{
    if (sym < 144)
        put_code(w, 0x30 + sym, 8);
    else if (sym < 256)
        put_code(w, 0x190 + (sym - 144), 9);
    else if (sym < 280)
        put_code(w, sym - 256, 7);
    else
        put_code(w, 0xC0 + (sym - 280), 8);
}

/* A copy of `len` (3 to 258) bytes from distance 1: the previous byte, repeated. */
static void put_repeat(bit_writer *w, size_t len)
{
    static const uint16_t base[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                      15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
    static const uint8_t extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    int k = 28;
    while (base[k] > len)
        k--;
    put_symbol(w, 257 + (unsigned)k);
    if (extra[k]) put_bits(w, (uint32_t)(len - base[k]), extra[k]);
    put_code(w, 0, 5); /* distance code 0: distance 1 */
}

/* m zero bytes as one block; `after_zero`: the byte before them is a 0. */
static void put_zeros(bit_writer *w, size_t m, bool after_zero, bool final)
{
    put_bits(w, final, 1);
    put_bits(w, 1, 2); /* fixed Huffman codes */
    if (!after_zero) put_symbol(w, 0), m--;
    for (; m >= 258; m -= 258)
        put_repeat(w, 258);
    if (m >= 3)
        put_repeat(w, m);
    else
        for (; m > 0; m--)
            put_symbol(w, 0);
    put_symbol(w, 256); /* end of block */
    if (!final) {       /* an empty stored block: to the next byte boundary */
        put_bits(w, 0, 3);
        align_to_byte(w);
        put_bits(w, 0x0000, 16);
        put_bits(w, 0xFFFF, 16);
    }
    align_to_byte(w);
}

static void adler_add_zeros(adler *s, size_t m)
{
    s->b = (s->b + (uint64_t)(m % 65521) * s->a) % 65521;
}

/* Planes [j0, j1) of the shuffled chunk through zlib, from out[*used] on. */
static void deflate_planes(chunk_codec *c, const uint64_t *words, size_t have, size_t n,
                           uint64_t bytes_used, int j0, int j1, bool final, adler *check,
                           size_t *used)
{
    z_stream *z = c->z;
    if (deflateReset(z) != Z_OK) abort();
    z->next_out = c->packed + *used;
    z->avail_out = (uInt)(c->packed_cap - *used - 4);
    size_t from = (size_t)j0 * n, end = (size_t)j1 * n;
    do {
        size_t len = end - from < PIECE ? end - from : PIECE;
        shuffled_piece(words, have, n, bytes_used, from, len, c->shuffled);
        adler_add(check, c->shuffled, len);
        z->next_in = c->shuffled;
        z->avail_in = (uInt)len;
        from += len;
        int flush = from < end ? Z_NO_FLUSH : final ? Z_FINISH : Z_SYNC_FLUSH;
        int rc = deflate(z, flush);
        /* The buffer has room for everything (chunk_encode): each piece is taken whole
         * and each flush completes; anything else is a broken stream, not a condition
         * of the run. */
        if (z->avail_in != 0 || z->avail_out == 0 ||
            rc != (flush == Z_FINISH ? Z_STREAM_END : Z_OK))
            abort();
    } while (from < end);
    *used += z->total_out;
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
    /* zlib's bound for the whole, plus the flushes and blocks between segments. */
    reserve(&c->packed, &c->packed_cap,
            deflateBound(c->z, (uLong)bytes) + bytes / 64 + 256 + ZLIB_WRAPPER);
    memcpy(c->packed, ZLIB_HEADER, sizeof ZLIB_HEADER);
    size_t used = sizeof ZLIB_HEADER;
    /* Values as 8-byte words (little-endian: byte j is bits 8j to 8j+7). */
    const uint64_t *words = values;
    if (have > n) have = n;
    uint64_t bytes_used = 0;
    for (size_t i = 0; i < have; i++)
        bytes_used |= words[i];
    adler check = {1, 0};
    if (n == 0) deflate_planes(c, words, 0, 0, 0, 0, 0, true, &check, &used);
    /* Segments of planes, all zero or not. */
    for (int j = 0; j < 8 && n > 0;) {
        bool zero = !(bytes_used >> (8 * j) & 0xFF);
        int j1 = j + 1;
        while (j1 < 8 && !(bytes_used >> (8 * j1) & 0xFF) == zero)
            j1++;
        if (zero) {
            /* The byte before: the last value's byte j - 1. */
            bool after_zero = j > 0 && !(have == n && (words[n - 1] >> (8 * (j - 1)) & 0xFF));
            bit_writer w = {.out = c->packed, .pos = used};
            put_zeros(&w, (size_t)(j1 - j) * n, after_zero, j1 == 8);
            used = w.pos;
            adler_add_zeros(&check, (size_t)(j1 - j) * n);
        } else {
            deflate_planes(c, words, have, n, bytes_used, j, j1, j1 == 8, &check, &used);
        }
        j = j1;
    }
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
