/* HDF5's shuffle and deflate filters, applied by rumbo itself to whole chunks of
 * 8-byte values.
 *
 * Output series are compressed by the run's threads (the HDF5 library is not
 * thread-safe) and kept compressed during the run (sim/series.h), then stored with
 * H5Dwrite_chunk. The bytes are what the datasets' filter pipeline declares
 * (sim/output.c: shuffle, then deflate in the zlib format), so every HDF5 reader
 * decodes them with its own filters. The deflate stream is rumbo's own (sim/deflate.h),
 * faster than zlib's on these planes; decoding is zlib's inflate. */
#ifndef RUMBO_CHUNK_CODEC_H
#define RUMBO_CHUNK_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "sim/deflate.h"

/* The deflate level the datasets' pipelines record, used if a reader appends to them:
 * the fastest. The chunks rumbo writes are deflated by sim/deflate.c, as zlib's
 * level 1 with its run-length strategy would (and as small). */
enum { CHUNK_DEFLATE_LEVEL = 1 };

/* Scratch for encoding, kept from chunk to chunk by one thread: fresh buffers cost a
 * page fault per 4 kB (the deflate stream holds a block's symbols, 64 kB). */
typedef struct chunk_codec {
    unsigned char *shuffled; /* a piece of the shuffled chunk */
    unsigned char *packed;   /* the compressed chunk, before it is copied out */
    size_t shuffled_cap, packed_cap;
    deflate_stream deflate; /* its tables and symbols made on first use */
} chunk_codec;

void chunk_codec_init(chunk_codec *c);
void chunk_codec_free(chunk_codec *c);

/* Encodes a chunk of n values, the first `have` from `values` and the rest 0.
 * Returns a new buffer (free it) of *size bytes. Aborts when out of memory. */
unsigned char *chunk_encode(chunk_codec *c, const void *values, size_t have, size_t n,
                            size_t *size);

/* Decodes a chunk made by chunk_encode (or by HDF5 with the same filters) into n
 * values. 0 ok, -1 if the bytes are not such a chunk. */
int chunk_decode(const unsigned char *packed, size_t size, void *values, size_t n);

/* zlib's Adler-32 of n bytes, fast over the long runs of zero bytes a shuffled chunk
 * holds: a zero byte leaves the first sum as it is, so 8 of them add 8 times it to
 * the second. */
uint32_t chunk_adler32(const unsigned char *p, size_t n);

#endif
