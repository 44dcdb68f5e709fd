#include "sim/deflate.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Bits go out as little-endian words, and runs are found from the lowest byte of a
 * word: little-endian hosts only. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "deflate.c writes and scans little-endian words: little-endian hosts only"
#endif

/* RFC 1951's alphabets: 286 literal/length symbols (256 is the end of a block, 257 on
 * lengths), 30 distances (only distance 1 is used here: a repeat of the byte before),
 * 19 code-length symbols. */
enum {
    LITLEN = DEFLATE_LITLEN_SYMBOLS,
    FIXED_LITLEN = DEFLATE_FIXED_SYMBOLS,
    END_OF_BLOCK = 256,
    CODELEN = 19,
    MAX_BITS = 15,   /* longest literal/length or distance code */
    MAX_CL_BITS = 7, /* longest code-length code */
    MIN_REPEAT = 3,
    MAX_REPEAT = 258,
};

static const uint16_t LENGTH_BASE[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                         15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                         67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t LENGTH_EXTRA[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                         2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
/* The order in which a dynamic block gives its code-length code's lengths. */
static const uint8_t CODELEN_ORDER[CODELEN] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                               11, 4,  12, 3, 13, 2, 14, 1, 15};

static void canonical_codes(const uint8_t *len, int n, uint16_t *code);

void deflate_init(deflate_stream *d)
{
    memset(d, 0, sizeof *d);
    d->tokens = malloc(DEFLATE_BLOCK_TOKENS * sizeof *d->tokens);
    if (!d->tokens) abort();
    for (int slot = 0, len = MIN_REPEAT; len <= MAX_REPEAT; len++) {
        while (slot < 28 && LENGTH_BASE[slot + 1] <= len)
            slot++;
        d->length_slot[len - MIN_REPEAT] = (uint8_t)slot;
    }
    for (int s = 0; s < FIXED_LITLEN; s++)
        d->fixed_len[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
    canonical_codes(d->fixed_len, FIXED_LITLEN, d->fixed_code);
}

void deflate_free(deflate_stream *d)
{
    free(d->tokens);
    memset(d, 0, sizeof *d);
}

size_t deflate_bound(size_t n, size_t block_ends)
{
    /* A block is never longer than with the fixed codes: at most 9 bits a byte (a
     * repeat takes at most 18 bits for 3 bytes or more), 10 bits of header and end. */
    size_t blocks = n / DEFLATE_BLOCK_TOKENS + block_ends + 2;
    return n + n / 8 + 2 * blocks + 8;
}

void deflate_start(deflate_stream *d, unsigned char *out)
{
    d->out = out;
    d->sink = (bit_sink){.next = out};
    d->n_tokens = 0;
    memset(d->freq, 0, sizeof d->freq);
    d->prev = -1;
}

/* ---- bits ---------------------------------------------------------------------- */

/* len <= 32 bits, least significant first. The sink is the caller's local copy, so
 * that its fields stay in registers. */
static inline void put_bits(bit_sink *s, uint64_t value, int len)
{
    s->acc |= value << s->bits;
    s->bits += len;
    if (s->bits >= 32) {
        uint32_t word = (uint32_t)s->acc; /* its first byte first: little-endian */
        memcpy(s->next, &word, 4);
        s->next += 4;
        s->acc >>= 32;
        s->bits -= 32;
    }
}

static void flush_bits(bit_sink *s)
{
    for (; s->bits > 0; s->bits -= 8) {
        *s->next++ = (unsigned char)s->acc;
        s->acc >>= 8;
    }
    s->bits = 0;
    s->acc = 0;
}

/* ---- Huffman codes -------------------------------------------------------------- */

/* Shell sort (Ciura's gaps) of at most 286 keys: inlined, it is several times faster
 * than qsort through a comparison function on blocks that use few symbols. */
static void sort_keys(uint32_t *key, int m)
{
    static const int gaps[] = {132, 57, 23, 10, 4, 1};
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        int gap = gaps[g];
        for (int i = gap; i < m; i++) {
            uint32_t k = key[i];
            int j = i;
            for (; j >= gap && key[j - gap] > k; j -= gap)
                key[j] = key[j - gap];
            key[j] = k;
        }
    }
}

/* Code lengths of a Huffman code for freq[0..n), none longer than max_bits; unused
 * symbols get 0. Too long a code (a very skewed block) is fixed by halving the
 * frequencies and building again: deterministic, and rarely needed. At least two
 * symbols get a code, so that every code is complete (inflate requires it). */
static void code_lengths(const uint32_t *freq, int n, int max_bits, uint8_t *len)
{
    /* Leaves as keys: frequency above the symbol, so that sorting orders them by
     * frequency, then symbol. A block holds at most 2^15 + 1 symbols. */
    enum { SYMBOL_BITS = 9 };
    uint32_t key[LITLEN];
    int m = 0;
    for (int s = 0; s < n; s++) {
        len[s] = 0;
        if (freq[s]) key[m++] = freq[s] << SYMBOL_BITS | (uint32_t)s;
    }
    if (m < 2) {
        int first = m ? (int)(key[0] & ((1u << SYMBOL_BITS) - 1)) : 0;
        len[first] = 1;
        len[first == 0 ? 1 : 0] = 1;
        return;
    }
    for (;;) {
        sort_keys(key, m);
        /* Two queues: the sorted leaves, and the merged nodes (made in order of
         * weight). Nodes 0..m-1 are leaves, m.. merged ones; the root is made last. */
        uint32_t weight[2 * LITLEN];
        int parent[2 * LITLEN];
        for (int i = 0; i < m; i++)
            weight[i] = key[i] >> SYMBOL_BITS;
        int next_leaf = 0, next_node = m, made = m;
        for (int k = 0; k < m - 1; k++) {
            int pick[2];
            for (int c = 0; c < 2; c++) {
                bool take_leaf =
                    next_leaf < m && (next_node == made || weight[next_leaf] <= weight[next_node]);
                pick[c] = take_leaf ? next_leaf++ : next_node++;
            }
            weight[made] = weight[pick[0]] + weight[pick[1]];
            parent[pick[0]] = parent[pick[1]] = made;
            made++;
        }
        int depth[2 * LITLEN];
        depth[made - 1] = 0;
        int longest = 0;
        for (int i = made - 2; i >= 0; i--) {
            depth[i] = depth[parent[i]] + 1;
            if (i < m && depth[i] > longest) longest = depth[i];
        }
        if (longest <= max_bits) {
            for (int i = 0; i < m; i++)
                len[key[i] & ((1u << SYMBOL_BITS) - 1)] = (uint8_t)depth[i];
            return;
        }
        for (int i = 0; i < m; i++) {
            uint32_t f = key[i] >> SYMBOL_BITS, s = key[i] & ((1u << SYMBOL_BITS) - 1);
            key[i] = (f + 1) / 2 << SYMBOL_BITS | s;
        }
    }
}

/* The canonical code of each length (RFC 1951, 3.2.2), bit-reversed: Huffman codes go
 * out from their most significant bit. */
static void canonical_codes(const uint8_t *len, int n, uint16_t *code)
{
    uint16_t count[MAX_BITS + 1] = {0}, next[MAX_BITS + 1];
    for (int s = 0; s < n; s++)
        count[len[s]]++;
    count[0] = 0;
    uint16_t c = 0;
    for (int b = 1; b <= MAX_BITS; b++) {
        c = (uint16_t)((c + count[b - 1]) << 1);
        next[b] = c;
    }
    for (int s = 0; s < n; s++) {
        if (!len[s]) continue;
        uint32_t v = next[len[s]]++; /* reversed in 16 bits, then shifted down */
        v = (v >> 1 & 0x5555) | (v & 0x5555) << 1;
        v = (v >> 2 & 0x3333) | (v & 0x3333) << 2;
        v = (v >> 4 & 0x0F0F) | (v & 0x0F0F) << 4;
        v = (v >> 8 & 0x00FF) | (v & 0x00FF) << 8;
        code[s] = (uint16_t)(v >> (16 - len[s]));
    }
}

/* ---- a block's header ------------------------------------------------------------ */

/* The literal/length and distance code lengths as code-length symbols (RFC 1951,
 * 3.2.7): 16 repeats the previous length 3-6 times, 17 and 18 give 3-10 and 11-138
 * zeros. */
typedef struct cl_symbol {
    uint8_t symbol, extra;
} cl_symbol;

static int code_length_symbols(const uint8_t *lens, int n, cl_symbol *out)
{
    int k = 0;
    for (int i = 0; i < n;) {
        int v = lens[i], run = 1;
        while (i + run < n && lens[i + run] == v)
            run++;
        i += run;
        if (v == 0) {
            for (; run >= 11; run -= run < 138 ? run : 138)
                out[k++] = (cl_symbol){18, (uint8_t)((run < 138 ? run : 138) - 11)};
            if (run >= 3) out[k++] = (cl_symbol){17, (uint8_t)(run - 3)}, run = 0;
        } else {
            out[k++] = (cl_symbol){(uint8_t)v, 0};
            run--;
            for (; run >= 3; run -= run < 6 ? run : 6)
                out[k++] = (cl_symbol){16, (uint8_t)((run < 6 ? run : 6) - 3)};
        }
        for (; run > 0; run--)
            out[k++] = (cl_symbol){(uint8_t)v, 0};
    }
    return k;
}

static const uint8_t CL_EXTRA_BITS[CODELEN] = {[16] = 2, [17] = 3, [18] = 7};

/* ---- blocks ---------------------------------------------------------------------- */

static void write_block(deflate_stream *d, bool final)
{
    uint32_t *freq = d->freq;
    freq[END_OF_BLOCK] = 1;
    uint64_t extra_bits = 0, repeats = 0;
    for (int slot = 0; slot < 29; slot++) {
        repeats += freq[257 + slot];
        extra_bits += (uint64_t)freq[257 + slot] * LENGTH_EXTRA[slot];
    }

    /* Dynamic codes, and what they would cost against the fixed ones. */
    uint8_t dyn_len[FIXED_LITLEN] = {0};
    const uint8_t *fix_len = d->fixed_len;
    code_lengths(freq, LITLEN, MAX_BITS, dyn_len);
    int n_litlen = LITLEN;
    while (n_litlen > 257 && dyn_len[n_litlen - 1] == 0)
        n_litlen--;
    /* The header's lengths: the literal/length code's, then the one distance code
     * (distance 1) in one bit. */
    uint8_t header_len[LITLEN + 1];
    memcpy(header_len, dyn_len, (size_t)n_litlen);
    header_len[n_litlen] = 1;
    cl_symbol cls[LITLEN + 1];
    int n_cls = code_length_symbols(header_len, n_litlen + 1, cls);
    uint32_t cl_freq[CODELEN] = {0};
    for (int i = 0; i < n_cls; i++)
        cl_freq[cls[i].symbol]++;
    uint8_t cl_len[CODELEN];
    code_lengths(cl_freq, CODELEN, MAX_CL_BITS, cl_len);
    int n_cl_lens = CODELEN;
    while (n_cl_lens > 4 && cl_len[CODELEN_ORDER[n_cl_lens - 1]] == 0)
        n_cl_lens--;

    uint64_t dyn_bits = 3 + 5 + 5 + 4 + 3 * (uint64_t)n_cl_lens + repeats * 1 + extra_bits;
    uint64_t fix_bits = 3 + repeats * 5 + extra_bits;
    for (int i = 0; i < n_cls; i++)
        dyn_bits += cl_len[cls[i].symbol] + CL_EXTRA_BITS[cls[i].symbol];
    for (int s = 0; s < LITLEN; s++) {
        dyn_bits += (uint64_t)freq[s] * dyn_len[s];
        fix_bits += (uint64_t)freq[s] * fix_len[s];
    }
    bool dynamic = dyn_bits < fix_bits;

    const uint8_t *len = dynamic ? dyn_len : fix_len;
    uint16_t dyn_code[FIXED_LITLEN];
    const uint16_t *code = d->fixed_code;
    if (dynamic) canonical_codes(dyn_len, FIXED_LITLEN, dyn_code), code = dyn_code;
    bit_sink sink = d->sink, *out = &sink;
    put_bits(out, final, 1);
    put_bits(out, dynamic ? 2 : 1, 2);
    int dist_bits = 5; /* the fixed code of distance code 0: 00000 */
    if (dynamic) {
        dist_bits = 1; /* the dynamic one: a single code, 0 */
        put_bits(out, (uint64_t)(n_litlen - 257), 5);
        put_bits(out, 0, 5); /* one distance code */
        put_bits(out, (uint64_t)(n_cl_lens - 4), 4);
        for (int i = 0; i < n_cl_lens; i++)
            put_bits(out, cl_len[CODELEN_ORDER[i]], 3);
        uint16_t cl_code[CODELEN];
        canonical_codes(cl_len, CODELEN, cl_code);
        for (int i = 0; i < n_cls; i++) {
            int s = cls[i].symbol;
            put_bits(out, cl_code[s], cl_len[s]);
            if (CL_EXTRA_BITS[s]) put_bits(out, cls[i].extra, CL_EXTRA_BITS[s]);
        }
    }
    for (size_t i = 0; i < d->n_tokens; i++) {
        unsigned t = d->tokens[i];
        if (t < 256) {
            put_bits(out, code[t], len[t]);
            continue;
        }
        /* A repeat in one write: length code, its extra bits, distance code 0. */
        unsigned length = t - 256;
        int slot = d->length_slot[length - MIN_REPEAT], s = 257 + slot;
        uint64_t bits = code[s];
        int n = len[s];
        bits |= (uint64_t)(length - LENGTH_BASE[slot]) << n;
        n += LENGTH_EXTRA[slot] + dist_bits; /* the distance code's bits are all 0 */
        put_bits(out, bits, n);
    }
    put_bits(out, code[END_OF_BLOCK], len[END_OF_BLOCK]);
    d->sink = sink;
    d->n_tokens = 0;
    memset(freq, 0, sizeof d->freq);
}

void deflate_end_block(deflate_stream *d)
{
    if (d->n_tokens) write_block(d, false);
}

size_t deflate_finish(deflate_stream *d)
{
    write_block(d, true);
    flush_bits(&d->sink);
    return (size_t)(d->sink.next - d->out);
}

/* ---- parsing --------------------------------------------------------------------- */

/* How many of p[0..max) equal b, up to MAX_REPEAT, a word at a time. */
static size_t run_of(const unsigned char *p, size_t max, unsigned char b)
{
    if (max > MAX_REPEAT) max = MAX_REPEAT;
    uint64_t pattern = 0x0101010101010101ull * b;
    size_t k = 0;
    for (; k + 8 <= max; k += 8) {
        uint64_t word;
        memcpy(&word, p + k, 8);
        uint64_t differ = word ^ pattern;
        if (differ) return k + (size_t)__builtin_ctzll(differ) / 8; /* little-endian */
    }
    while (k < max && p[k] == b)
        k++;
    return k;
}

void deflate_bytes(deflate_stream *d, const unsigned char *p, size_t n)
{
    while (n > 0) {
        if (d->n_tokens == DEFLATE_BLOCK_TOKENS) write_block(d, false);
        /* At most one token per byte: a slice never overfills the block. */
        size_t room = DEFLATE_BLOCK_TOKENS - d->n_tokens;
        size_t len = n < room ? n : room, i = 0;
        uint16_t *tok = d->tokens + d->n_tokens;
        uint32_t *freq = d->freq;
        int prev = d->prev;
        while (i < len) {
            unsigned char b = p[i];
            if (b == prev) {
                size_t run = run_of(p + i, len - i, b);
                if (run >= MIN_REPEAT) {
                    *tok++ = (uint16_t)(256 + run);
                    freq[257 + d->length_slot[run - MIN_REPEAT]]++;
                    i += run;
                    continue;
                }
            }
            *tok++ = b;
            freq[b]++;
            prev = b;
            i++;
        }
        d->n_tokens = (size_t)(tok - d->tokens);
        d->prev = prev;
        p += len;
        n -= len;
    }
}

void deflate_zeros(deflate_stream *d, size_t n)
{
    while (n > 0) {
        if (d->n_tokens == DEFLATE_BLOCK_TOKENS) write_block(d, false);
        size_t run = n < MAX_REPEAT ? n : MAX_REPEAT;
        if (d->prev != 0 || run < MIN_REPEAT) {
            d->tokens[d->n_tokens++] = 0;
            d->freq[0]++;
            d->prev = 0;
            n--;
        } else {
            d->tokens[d->n_tokens++] = (uint16_t)(256 + run);
            d->freq[257 + d->length_slot[run - MIN_REPEAT]]++;
            n -= run;
        }
    }
}
