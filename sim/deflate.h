/* A deflate encoder (RFC 1951) for the shuffled planes of output chunks
 * (sim/chunk_codec.c).
 *
 * zlib's deflate, even with its run-length strategy at level 1, took two thirds of
 * the time spent compressing a small run's output, most of it on planes that are long
 * runs of zeros with scattered bytes between. This encoder parses as that strategy
 * does (a byte, or a copy of the byte before repeated 3 to 258 times), finds runs a
 * word at a time, and codes each block with Huffman codes made for it, or with the
 * fixed codes when those come out shorter. Any inflate reads the stream; the default
 * run's file is 9% smaller than with zlib (larger blocks, a code for each plane).
 *
 * The stream is written into a buffer of deflate_bound bytes; the caller feeds it
 * bytes and runs of zeros, may end a block where the statistics change (a new plane),
 * and finishes it. */
#ifndef RUMBO_DEFLATE_H
#define RUMBO_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

/* Symbols (bytes or repeats) per block at most: enough for Huffman codes to pay for
 * their header, few enough to follow a plane's statistics. */
enum { DEFLATE_BLOCK_TOKENS = 1 << 15 };
/* Literal/length symbols: bytes, the end of a block, 29 lengths. The fixed code has
 * two more, never sent, that shape the other codes (RFC 1951, 3.2.6). */
enum { DEFLATE_LITLEN_SYMBOLS = 286, DEFLATE_FIXED_SYMBOLS = 288 };

/* Where bits go: whole 32-bit words to `next`, the rest in `acc` (first bit lowest). */
typedef struct bit_sink {
    unsigned char *next;
    uint64_t acc;
    int bits;
} bit_sink;

typedef struct deflate_stream {
    unsigned char *out;
    bit_sink sink;
    uint16_t *tokens; /* the block so far: a byte (< 256) or 256 + a repeat's length */
    size_t n_tokens;
    uint32_t freq[DEFLATE_LITLEN_SYMBOLS];    /* of each symbol in the block so far */
    int prev;                                 /* the stream's last byte, -1 before the first */
    uint8_t length_slot[256];                 /* repeat length - 3 -> its length code (0 to 28) */
    uint8_t fixed_len[DEFLATE_FIXED_SYMBOLS]; /* the fixed literal/length code */
    uint16_t fixed_code[DEFLATE_FIXED_SYMBOLS];
} deflate_stream;

/* Scratch kept by one thread from stream to stream. Aborts when out of memory. */
void deflate_init(deflate_stream *d);
void deflate_free(deflate_stream *d);

/* Bytes a stream of n input bytes, with at most `block_ends` calls of
 * deflate_end_block, can take. */
size_t deflate_bound(size_t n, size_t block_ends);

/* Starts a stream written to out (deflate_bound bytes). */
void deflate_start(deflate_stream *d, unsigned char *out);
/* Adds n bytes, or n zero bytes. */
void deflate_bytes(deflate_stream *d, const unsigned char *p, size_t n);
void deflate_zeros(deflate_stream *d, size_t n);
/* Writes the bytes added since the last block as a block of their own (nothing if
 * none). */
void deflate_end_block(deflate_stream *d);
/* Writes the last block; returns the stream's size in bytes. */
size_t deflate_finish(deflate_stream *d);

#endif
