/* Exercise 16: Bytes nobody wrote.  A tally of short words (tally.h).
 *
 * Each word lives in a slot of fixed size, its bytes and a '\0' in a
 * 16-byte array, beside its count; the slots are one array that doubles
 * with realloc when it is full.  A word is found by comparing whole slots:
 * the word to find is first written into 16 bytes the same way. */
#include "tally.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
    char word[TALLY_LONGEST_WORD + 1];
    unsigned count;
} slot;

struct tally {
    slot *slots;
    size_t used, capacity;
};

enum { FIRST_CAPACITY = 8 };

tally *tally_new(void) {
    tally *t = malloc(sizeof *t);
    if (t != NULL) {
        t->slots = NULL;
        t->used = t->capacity = 0;
    }
    return t;
}

/* `word` as a slot holds it: its bytes, then '\0's up to the end. */
static bool as_key(const char *word, char key[TALLY_LONGEST_WORD + 1]) {
    size_t length = strlen(word);
    if (length == 0 || length > TALLY_LONGEST_WORD)
        return false;
    memset(key, 0, TALLY_LONGEST_WORD + 1);
    memcpy(key, word, length);
    return true;
}

static slot *find(const tally *t, const char key[TALLY_LONGEST_WORD + 1]) {
    for (size_t i = 0; i < t->used; i++)
        if (strcmp(t->slots[i].word, key) == 0)
            return &t->slots[i];
    return NULL;
}

static bool grow(tally *t) {
    size_t capacity = t->capacity ? 2 * t->capacity : FIRST_CAPACITY;
    slot *slots = realloc(t->slots, capacity * sizeof *slots);
    if (slots == NULL)
        return false;
    t->slots = slots;
    t->capacity = capacity;
    return true;
}

bool tally_add(tally *t, const char *word) {
    char key[TALLY_LONGEST_WORD + 1];
    if (!as_key(word, key))
        return false;
    slot *s = find(t, key);
    if (s == NULL) {
        if (t->used == t->capacity && !grow(t))
            return false;
        s = &t->slots[t->used++];
        strcpy(s->word, word);
    }
    s->count++;
    return true;
}

unsigned tally_count(const tally *t, const char *word) {
    char key[TALLY_LONGEST_WORD + 1];
    if (!as_key(word, key))
        return 0;
    const slot *s = find(t, key);
    return s != NULL ? s->count : 0;
}

size_t tally_words(const tally *t) { return t->used; }

const char *tally_word(const tally *t, size_t i) { return t->slots[i].word; }

void tally_free(tally *t) {
    if (t == NULL)
        return;
    free(t->slots);
    free(t);
}
