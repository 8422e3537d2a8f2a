/* format.c: values as text, needing nothing else of the harness: sizes
 * parsed and printed, JSON strings, function names (support.h).  The
 * profiler's command line links this alone. */
#include "support.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct unit {
    const char *name;
    uint64_t bytes;
} unit;

static const unit units[] = {
    {"B", 1},      {"KB", 1000},         {"MB", 1000 * 1000},         {"GB", 1000 * 1000 * 1000},
    {"KiB", 1024}, {"MiB", 1024 * 1024}, {"GiB", 1024 * 1024 * 1024},
};

enum { MAX_FRACTION_DIGITS = 9 };

static const char *skip_spaces(const char *s) {
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

/* Reads digits into *value; false on overflow.  Returns the end in *end. */
static bool read_digits(const char *s, uint64_t *value, int *digits, const char **end) {
    *value = 0;
    *digits = 0;
    for (; isdigit((unsigned char)*s); s++, (*digits)++) {
        if (__builtin_mul_overflow(*value, 10, value) ||
            __builtin_add_overflow(*value, (uint64_t)(*s - '0'), value))
            return false;
    }
    *end = s;
    return true;
}

static const unit *find_unit(const char *text) {
    const char *end = text;
    while (isalpha((unsigned char)*end))
        end++;
    size_t length = (size_t)(end - text);
    if (length == 0)
        return &units[0];
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == length && strncasecmp(units[i].name, text, length) == 0 &&
            *skip_spaces(end) == '\0')
            return &units[i];
    return NULL;
}

bool hb_size_parse(const char *text, size_t *bytes, char error[HB_SIZE_ERROR]) {
    const char *s = skip_spaces(text ? text : "");
    uint64_t whole, fraction = 0;
    int whole_digits, fraction_digits = 0;
    const char *end;
    if (!read_digits(s, &whole, &whole_digits, &end)) {
        snprintf(error, HB_SIZE_ERROR, "size \"%s\" is too large", text);
        return false;
    }
    if (*end == '.') {
        s = end + 1;
        if (!read_digits(s, &fraction, &fraction_digits, &end) ||
            fraction_digits > MAX_FRACTION_DIGITS) {
            snprintf(error, HB_SIZE_ERROR, "size \"%s\" has more than %d decimals", text,
                     MAX_FRACTION_DIGITS);
            return false;
        }
    }
    if (whole_digits + fraction_digits == 0) {
        snprintf(error, HB_SIZE_ERROR,
                 "size \"%s\" does not start with a number (write e.g. \"100 KiB\")", text);
        return false;
    }
    const unit *u = find_unit(skip_spaces(end));
    if (u == NULL) {
        snprintf(error, HB_SIZE_ERROR,
                 "size \"%s\" has an unknown unit (use B, KB, MB, GB, KiB, MiB or GiB)", text);
        return false;
    }
    uint64_t scale = 1;
    for (int i = 0; i < fraction_digits; i++)
        scale *= 10;
    /* whole * unit + fraction * unit / scale, all in exact integers. */
    uint64_t result, part;
    if (__builtin_mul_overflow(whole, u->bytes, &result) ||
        __builtin_mul_overflow(fraction, u->bytes, &part) ||
        __builtin_add_overflow(result, part / scale, &result) || result > SIZE_MAX) {
        snprintf(error, HB_SIZE_ERROR, "size \"%s\" is too large", text);
        return false;
    }
    *bytes = (size_t)result;
    return true;
}

bool hb_count_parse(const char *text, size_t *count, char error[HB_SIZE_ERROR]) {
    const char *s = skip_spaces(text ? text : "");
    uint64_t value;
    int digits;
    const char *end;
    if (!read_digits(s, &value, &digits, &end) || value > SIZE_MAX) {
        snprintf(error, HB_SIZE_ERROR, "count \"%s\" is too large", text);
        return false;
    }
    if (digits == 0 || *skip_spaces(end) != '\0') {
        snprintf(error, HB_SIZE_ERROR, "count \"%s\" is not a whole number", text);
        return false;
    }
    *count = (size_t)value;
    return true;
}

const char *hb_size_format(size_t bytes, char text[HB_SIZE_TEXT]) {
    static const char *const names[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
        snprintf(text, HB_SIZE_TEXT, "%zu B", bytes);
        return text;
    }
    int i = 0;
    uint64_t unit_bytes = 1024;
    while (i < 5 && bytes / unit_bytes >= 1024) {
        unit_bytes *= 1024;
        i++;
    }
    /* Tenths, rounded half up, in integers: no floating-point surprises. */
    __uint128_t tenths = ((__uint128_t)bytes * 10 + unit_bytes / 2) / unit_bytes;
    snprintf(text, HB_SIZE_TEXT, "%llu.%llu %s", (unsigned long long)(tenths / 10),
             (unsigned long long)(tenths % 10), names[i]);
    return text;
}

/* ---- JSON */

void hb_json_escape(FILE *out, const char *text) {
    for (; *text; text++) {
        unsigned char c = (unsigned char)*text;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
}

void hb_json_string(FILE *out, const char *text) {
    fputc('"', out);
    hb_json_escape(out, text);
    fputc('"', out);
}

/* ---- XML */

void hb_xml_text(FILE *out, const char *text) {
    for (; *text; text++) {
        switch (*text) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            if ((unsigned char)*text >= 0x20 || *text == '\n' || *text == '\t')
                fputc(*text, out);
        }
    }
}

/* ---- function names */

void hb_name_without_clone_suffix(char *name) {
    static const char *const suffixes[] = {".constprop.", ".isra.", ".part.", ".cold"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char *found = strstr(name, suffixes[i]);
        if (found != NULL && found != name)
            *found = '\0';
    }
}
