/* Exercise 17: Memory you asked a library for.  An archive of log lines,
 * compressed by channel with zlib (archive.h).
 *
 * Each channel has a zlib deflate stream of its own, opened on its first
 * line and ended by archive_finish(): the lines go in as they come, and
 * what zlib gives back is appended to the channel's output buffer. */
#include "archive.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct channel {
    char *name;
    z_stream zlib;      /* zlib's state: allocated by deflateInit(), freed by deflateEnd() */
    bool zlib_open;     /* deflateInit() done, deflateEnd() not yet */
    unsigned char *out; /* the compressed stream so far */
    size_t length, capacity;
} channel;

struct archive {
    channel *channels[ARCHIVE_MOST_CHANNELS];
    size_t count;
    bool finished;
};

/* zlib writes its output in pieces of at most this many bytes. */
enum { OUTPUT_PIECE = 512 };

/* zlib's memory for a stream: a window of 2^WINDOW_BITS bytes (9, 512
 * bytes, is its smallest) and a hash table set by MEMORY_LEVEL (1 to 9):
 * a few KiB, against about 256 KiB for deflateInit()'s 15 and 8. */
enum { WINDOW_BITS = 9, MEMORY_LEVEL = 1 };

archive *archive_new(void) { return calloc(1, sizeof(archive)); }

static channel *channel_open(const char *name) {
    channel *ch = calloc(1, sizeof *ch);
    if (ch == NULL)
        return NULL;
    ch->name = malloc(strlen(name) + 1);
    if (ch->name == NULL || deflateInit2(&ch->zlib, Z_DEFAULT_COMPRESSION, Z_DEFLATED, WINDOW_BITS,
                                         MEMORY_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(ch->name);
        free(ch);
        return NULL;
    }
    strcpy(ch->name, name);
    ch->zlib_open = true;
    return ch;
}

static void channel_free(channel *ch) {
    free(ch->out);
    free(ch->name);
    free(ch);
}

static channel *find_or_open(archive *a, const char *name) {
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->channels[i]->name, name) == 0)
            return a->channels[i];
    if (a->count == ARCHIVE_MOST_CHANNELS)
        return NULL;
    channel *ch = channel_open(name);
    if (ch != NULL)
        a->channels[a->count++] = ch;
    return ch;
}

/* Room for at least one more piece of output after what is there. */
static bool reserve_piece(channel *ch) {
    if (ch->capacity - ch->length >= OUTPUT_PIECE)
        return true;
    size_t capacity = ch->capacity ? 2 * ch->capacity : OUTPUT_PIECE;
    while (capacity - ch->length < OUTPUT_PIECE)
        capacity *= 2;
    unsigned char *out = realloc(ch->out, capacity);
    if (out == NULL)
        return false;
    ch->out = out;
    ch->capacity = capacity;
    return true;
}

/* Feeds bytes[0 .. length) to the channel's stream, with `flush`
 * (Z_NO_FLUSH, or Z_FINISH to end it), keeping all zlib gives back. */
static bool compress_into(channel *ch, const void *bytes, size_t length, int flush) {
    ch->zlib.next_in = (Bytef *)bytes;
    ch->zlib.avail_in = (uInt)length;
    for (;;) {
        if (!reserve_piece(ch))
            return false;
        ch->zlib.next_out = ch->out + ch->length;
        ch->zlib.avail_out = OUTPUT_PIECE;
        int status = deflate(&ch->zlib, flush);
        ch->length += OUTPUT_PIECE - ch->zlib.avail_out;
        if (status == Z_STREAM_END)
            return true;
        if (status != Z_OK && status != Z_BUF_ERROR)
            return false;
        if (flush == Z_NO_FLUSH && ch->zlib.avail_in == 0 && ch->zlib.avail_out > 0)
            return true;
    }
}

bool archive_append(archive *a, const char *name, const char *line) {
    if (a->finished)
        return false;
    channel *ch = find_or_open(a, name);
    return ch != NULL && compress_into(ch, line, strlen(line), Z_NO_FLUSH) &&
           compress_into(ch, "\n", 1, Z_NO_FLUSH);
}

bool archive_finish(archive *a) {
    for (size_t i = 0; i < a->count; i++) {
        channel *ch = a->channels[i];
        if (!ch->zlib_open)
            continue;
        if (!compress_into(ch, "", 0, Z_FINISH))
            return false;
        deflateEnd(&ch->zlib);
        ch->zlib_open = false;
    }
    a->finished = true;
    return true;
}

size_t archive_channels(const archive *a) { return a->count; }

const char *archive_channel_name(const archive *a, size_t i) { return a->channels[i]->name; }

const unsigned char *archive_channel_stream(const archive *a, size_t i, size_t *length) {
    *length = a->channels[i]->length;
    return a->channels[i]->out;
}

void archive_free(archive *a) {
    if (a == NULL)
        return;
    for (size_t i = 0; i < a->count; i++)
        channel_free(a->channels[i]);
    free(a);
}
