/* Exercise 13: Green but wrong.  Correctness first, then memory.  The
 * starter passes every test here; make memcheck is what fails it. */
#define HB_SUITE_NAME "13-green-but-wrong"
#include "heapbook.h"

#include "pack.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* bytes[0 .. length) in a block of exactly that size, with no '\0' after
 * it, as a file read into memory would be: a read past the end of the
 * input is then a read past the end of a block. */
static char *exact_copy(const char *bytes, size_t length) {
    char *copy = malloc(length);
    HB_ASSERT_NOT_NULL_FATAL(copy);
    memcpy(copy, bytes, length);
    return copy;
}

/* pack() and unpack() have one shape: bytes in, a new string out. */
typedef pack_error coder(const char *in, size_t in_length, char **out, size_t *out_length);

/* `code` turns `input`, read from a block of its exact size, into
 * `expected`. */
static void assert_gives(coder *code, const char *input, const char *expected) {
    size_t input_length = strlen(input), length;
    char *bytes = exact_copy(input, input_length), *output;
    HB_ASSERT_EQ_FATAL(code(bytes, input_length, &output, &length), PACK_OK);
    HB_ASSERT_STR_EQ(output, expected);
    HB_ASSERT_EQ(length, strlen(expected));
    free(output);
    free(bytes);
}

static void assert_unpacks(const char *packed, const char *expected) {
    assert_gives(unpack, packed, expected);
}

static void assert_packs(const char *text, const char *expected) {
    assert_gives(pack, text, expected);
}

static void assert_rejected(const char *packed, pack_error expected, size_t expected_at) {
    size_t packed_length = strlen(packed), at = 99;
    char *input = exact_copy(packed, packed_length), *text = input;
    HB_ASSERT_EQ(unpack(input, packed_length, &text, &at), expected);
    HB_ASSERT_NULL(text);
    HB_ASSERT_EQ(at, expected_at);
    free(input);
}

/* Packs text[0 .. length), unpacks the result, and checks that it is the
 * text again.  Each input is freed as soon as it has been read. */
static void assert_round_trip(const char *text, size_t length) {
    char *input = exact_copy(text, length), *packed, *unpacked;
    size_t packed_length, unpacked_length;
    HB_ASSERT_EQ_FATAL(pack(input, length, &packed, &packed_length), PACK_OK);
    free(input);
    char *packed_input = exact_copy(packed, packed_length);
    free(packed);
    HB_ASSERT_EQ_FATAL(unpack(packed_input, packed_length, &unpacked, &unpacked_length), PACK_OK);
    free(packed_input);
    HB_ASSERT_EQ_FATAL(unpacked_length, length);
    HB_ASSERT(memcmp(unpacked, text, length) == 0);
    free(unpacked);
}

HB_TEST(test_unpack_plain_bytes) {
    assert_unpacks("", "");
    assert_unpacks("hello, world", "hello, world");
    assert_unpacks("a~~b", "a~b");
    assert_unpacks("~~~~", "~~");
}

HB_TEST(test_unpack_back_references) {
    assert_unpacks("one two ~4,4;three", "one two two three");
    assert_unpacks("abc~3,6;", "abcabcabc");
    assert_unpacks("a~1,5;", "aaaaaa");
    assert_unpacks("ab~2,5;", "abababa");
    assert_unpacks("ab~2,1;~~~1,2;", "aba~~~");
}

/* 100 bytes from a 10-byte start: more than the buffer's first 64. */
HB_TEST(test_unpack_a_long_back_reference) {
    char expected[101];
    for (size_t i = 0; i < 100; i++)
        expected[i] = (char)('0' + i % 10);
    expected[100] = '\0';
    assert_unpacks("0123456789~10,90;", expected);
}

HB_TEST(test_unpack_errors_and_where) {
    assert_rejected("~", PACK_BAD_REFERENCE, 0);
    assert_rejected("ab~", PACK_BAD_REFERENCE, 2);
    assert_rejected("ab~x", PACK_BAD_REFERENCE, 2);
    assert_rejected("ab~1", PACK_BAD_REFERENCE, 2);
    assert_rejected("ab~1,", PACK_BAD_REFERENCE, 2);
    assert_rejected("ab~1,2", PACK_BAD_REFERENCE, 2);
    assert_rejected("ab~1,2x", PACK_BAD_REFERENCE, 2);
    assert_rejected("ab~0,1;", PACK_BAD_REFERENCE, 2);
    assert_rejected("ab~1,0;", PACK_BAD_REFERENCE, 2);
    assert_rejected("ab~65536,1;", PACK_BAD_REFERENCE, 2);
    assert_rejected("ab~99999999999999999999999,1;", PACK_BAD_REFERENCE, 2);
    assert_rejected("ab~3,1;", PACK_FAR_REFERENCE, 2);
    assert_rejected("~1,1;", PACK_FAR_REFERENCE, 0);
    assert_rejected("abc~~d~2,2;e~9,1;", PACK_FAR_REFERENCE, 12);
}

HB_TEST(test_error_messages) {
    HB_ASSERT_STR_EQ(pack_error_message(PACK_OK), "no error");
    HB_ASSERT_STR_EQ(pack_error_message(PACK_FAR_REFERENCE),
                     "a back-reference reaches back before the first byte");
    HB_ASSERT_STR_EQ(pack_error_message(PACK_OUT_OF_MEMORY), "out of memory");
}

HB_TEST(test_pack_plain_bytes) {
    assert_packs("", "");
    assert_packs("hello", "hello");
    assert_packs("a~b", "a~~b");
    /* A repeat no longer than its back-reference is left as it is. */
    assert_packs("abc, abc.", "abc, abc.");
}

HB_TEST(test_pack_repeats) {
    assert_packs("abcabcabcabc", "abc~3,9;");
    assert_packs("aaaaaaaaaa", "a~1,9;");
    assert_packs("~~~~~~~~~~", "~~~1,9;");
    assert_packs("one two two three", "one two~4,6;hree");
    assert_packs("the cat sat on the mat; the cat sat on the hat",
                 "the cat sat on the mat; ~24,19;hat");
}

HB_TEST(test_round_trips) {
    static const char *const texts[] = {
        "",
        "x",
        "~",
        "no repeats here",
        "to be or not to be, that is the question: to be or not to be",
        "ab~2,5; is how \"abababa\" packs, and ~~ how \"~\" does: ~~~~~~~~~~~~~~~~",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        assert_round_trip(texts[i], strlen(texts[i]));
    const char bytes[] = {'\0', '\1', '\0', '\1', '\0', '\1', '\0', '\1', '\0', '\1', (char)0xFD};
    assert_round_trip(bytes, sizeof bytes);
}

/* ---- Texts made up for the memory tests, without the heap ---------------
 * A packed text is written item by item, and beside it what it must unpack
 * to, so the answer is known without running unpack(). */

enum { SAMPLE_CAPACITY = 64 * 1024 };

typedef struct sample {
    char packed[SAMPLE_CAPACITY];
    char text[SAMPLE_CAPACITY];
    size_t packed_length, length;
} sample;

/* A draw from `state`: a 64-bit linear congruential generator (Knuth's
 * MMIX constants), for the fixed samples. */
static unsigned next_draw(uint64_t *state, unsigned below) {
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return (unsigned)(*state >> 33) % below;
}

static const char *const words[] = {
    "buffer", "pointer", "realloc", "moved", "freed", "stale", "green", "tests", "pass", "memcheck",
    "reads",  "past",    "the",     "end",   "of",    "a",     "block", "~",     "and",  "still",
};
enum { WORD_COUNT = sizeof words / sizeof words[0] };

static void add_bytes(sample *s, const char *bytes, size_t length) {
    for (size_t i = 0; i < length; i++) {
        if (bytes[i] == '~')
            s->packed[s->packed_length++] = '~';
        s->packed[s->packed_length++] = bytes[i];
        s->text[s->length++] = bytes[i];
    }
}

static void add_reference(sample *s, size_t distance, size_t count) {
    s->packed_length +=
        (size_t)snprintf(s->packed + s->packed_length, SAMPLE_CAPACITY - s->packed_length,
                         "~%zu,%zu;", distance, count);
    for (size_t i = 0; i < count; i++, s->length++)
        s->text[s->length] = s->text[s->length - distance];
}

/* A packed text of `items` items after a start of 16 bytes: a word and a
 * space, or a back-reference of 8 to 199 bytes reaching at most 400 bytes
 * back, each about half the time.  The first back-reference copies 120
 * bytes, more than the buffer's first 64: the buffer grows during a copy. */
static void make_sample(sample *s, size_t items, unsigned (*draw)(void *state, unsigned below),
                        void *state) {
    s->packed_length = s->length = 0;
    add_bytes(s, "heapbook sample:", 16);
    add_reference(s, 16, 120);
    for (size_t i = 0; i < items; i++) {
        if (draw(state, 2) == 0) {
            const char *word = words[draw(state, WORD_COUNT)];
            add_bytes(s, word, strlen(word));
            add_bytes(s, " ", 1);
        } else {
            size_t reach = s->length < 400 ? s->length : 400;
            /* One draw a statement: the same sample whatever order a
             * compiler evaluates arguments in. */
            size_t distance = 1 + draw(state, (unsigned)reach);
            size_t count = 8 + draw(state, 192);
            add_reference(s, distance, count);
        }
    }
}

static unsigned fixed_draw(void *state, unsigned below) { return next_draw(state, below); }
static unsigned random_draw(void *state, unsigned below) {
    (void)state;
    return (unsigned)hb_random_named("draw", 0, below - 1);
}

/* Unpacks s->packed and checks it gives s->text. */
static void assert_sample_unpacks(const sample *s) {
    char *input = exact_copy(s->packed, s->packed_length), *text;
    size_t length;
    HB_ASSERT_EQ_FATAL(unpack(input, s->packed_length, &text, &length), PACK_OK);
    HB_ASSERT_EQ_FATAL(length, s->length);
    HB_ASSERT(memcmp(text, s->text, length) == 0);
    free(text);
    free(input);
}

/* Words drawn one after another, a line break now and then, and at the
 * end the 24 bytes that came 100 bytes before again: so the text always
 * ends in a repeat, as real text often does. */
static size_t make_words(char *text, size_t words_wanted,
                         unsigned (*draw)(void *state, unsigned below), void *state) {
    size_t length = 0;
    for (size_t i = 0; i < words_wanted; i++) {
        const char *word = words[draw(state, WORD_COUNT)];
        memcpy(text + length, word, strlen(word));
        length += strlen(word);
        text[length++] = draw(state, 8) == 0 ? '\n' : ' ';
    }
    memcpy(text + length, text + length - 100, 24);
    return length + 24;
}

/* The memory tests' fixed texts, made once per test process. */
static sample fixed;
static char fixed_words[SAMPLE_CAPACITY];

/* The memory limits are not what this exercise is about; they keep a fix
 * honest.  48 KiB holds the packed input and an output buffer that doubles
 * up to 32 KiB, and not a buffer made big enough never to move: a
 * back-reference may stand for 65,535 bytes.
 *
 * 400 items: 18,986 bytes, packed into 2,745. */
HB_MEMORY_TEST(test_unpack_memory, .peak = "48 KiB", .leaks = "0 B") {
    uint64_t state = 13;
    make_sample(&fixed, 400, fixed_draw, &state);
    assert_sample_unpacks(&fixed);
}

/* 2000 words, packed, then unpacked. */
HB_MEMORY_TEST(test_pack_memory, .peak = "48 KiB", .leaks = "0 B") {
    uint64_t state = 13;
    size_t length = make_words(fixed_words, 2000, fixed_draw, &state);
    assert_round_trip(fixed_words, length);
}

/* From 100 to 160 items, drawn on every run: at most 31,976 bytes. */
HB_MEMORY_TEST(test_random_unpack_memory, .peak = "48 KiB", .leaks = "0 B") {
    make_sample(&fixed, hb_random_named("sample lines", 100, 160), random_draw, NULL);
    assert_sample_unpacks(&fixed);
}

/* From 500 to 2500 words, drawn on every run: at most 22,524 bytes. */
HB_MEMORY_TEST(test_random_round_trip_memory, .peak = "48 KiB", .leaks = "0 B") {
    size_t length = make_words(fixed_words, hb_random_named("words", 500, 2500), random_draw, NULL);
    assert_round_trip(fixed_words, length);
}

/* ---- Out of memory ------------------------------------------------------ */

static void unpack_while_memory_runs_out(void) {
    static const char packed[] = "0123456789~10,90;~~~100,300;";
    char *text;
    size_t length;
    pack_error error = unpack(packed, sizeof packed - 1, &text, &length);
    if (error == PACK_OK) {
        HB_ASSERT_EQ(length, 401);
        free(text);
    } else {
        HB_ASSERT_EQ(error, PACK_OUT_OF_MEMORY);
        HB_ASSERT_NULL(text);
        HB_ASSERT_EQ(length, 0);
    }
}

HB_TEST(test_unpack_copes_when_memory_runs_out) {
    hb_fail_each_allocation(unpack_while_memory_runs_out);
}

/* Packs a text of more than 64 bytes (so the packed one outgrows the
 * buffer's first block), with each allocation made to fail in turn. */
static void pack_while_memory_runs_out(void) {
    static const char text[] =
        "The buffer grew and moved away, the pointer stayed where it had been; it read "
        "the bytes of yesterday, and every test came back as green: ~~ green, green!";
    char *packed;
    size_t length;
    pack_error error = pack(text, sizeof text - 1, &packed, &length);
    if (error == PACK_OK) {
        HB_ASSERT_EQ(length, 154);
        HB_ASSERT(strcmp(packed + 130, "green: ~~~~ green,~7,6;!") == 0);
        free(packed);
    } else {
        HB_ASSERT_EQ(error, PACK_OUT_OF_MEMORY);
        HB_ASSERT_NULL(packed);
        HB_ASSERT_EQ(length, 0);
    }
}

HB_TEST(test_pack_copes_when_memory_runs_out) {
    hb_fail_each_allocation(pack_while_memory_runs_out);
}
