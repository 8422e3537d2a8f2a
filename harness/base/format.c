/* format.c: values as text, needing nothing else of the harness: sizes
 * parsed and printed, UTF-8, JSON strings, function names (base.h).  The
 * profiler's command line links this alone. */
#include "base.h"

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

/* What every rejected size's message ends with: the whole grammar. */
#define SIZE_FORMS                                                                                 \
    "write digits, an optional fraction after a dot, an optional space and a unit (B, KB, MB, "    \
    "GB, KiB, MiB or GiB, any case), nothing else: \"100 KiB\", \"1.5MiB\", \"2048\""
#define COUNT_FORMS "write digits only, nothing else: \"1000\""

/* `text` for an error message: a byte that is not printable ASCII shows as
 * \xNN, so a no-break space or a tab reads as what it is, not as a space. */
static void quote(const char *text, char *out, size_t size) {
    size_t used = 0;
    const unsigned char *c = (const unsigned char *)text;
    for (; *c && used + sizeof "\\xNN..." < size; c++) {
        if (*c >= 0x20 && *c < 0x7f && *c != '"' && *c != '\\')
            out[used++] = (char)*c;
        else
            used += (size_t)snprintf(out + used, size - used, "\\x%02x", *c);
    }
    snprintf(out + used, size - used, "%s", *c ? "..." : "");
}

/* Reads digits into *value; false on overflow.  Returns the end in *end. */
static bool read_digits(const char *s, uint64_t *value, int *digits, const char **end) {
    *value = 0;
    *digits = 0;
    for (; *s >= '0' && *s <= '9'; s++, (*digits)++) {
        if (__builtin_mul_overflow(*value, 10, value) ||
            __builtin_add_overflow(*value, (uint64_t)(*s - '0'), value))
            return false;
    }
    *end = s;
    return true;
}

static bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* The unit that is the whole of `text`; NULL if none is. */
static const unit *find_unit(const char *text) {
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcasecmp(units[i].name, text) == 0)
            return &units[i];
    return NULL;
}

/* The grammar, whole, in ASCII only (no locale, no strtod):
 *   DIGITS [ "." DIGITS ] [ " " ] [ UNIT ]
 * with one space at most, and a space only before a unit.  Whatever else
 * (a comma, a second dot, a dash, brackets, a tab or a no-break space, a
 * sign, a space at either end) is an error, never a partial reading. */
bool hb_size_parse(const char *text, size_t *bytes, char error[HB_SIZE_ERROR]) {
    char shown[HB_SIZE_ERROR / 4];
    quote(text ? text : "", shown, sizeof shown);
    const char *s = text ? text : "";
    uint64_t whole, fraction = 0;
    int whole_digits, fraction_digits = 0;
    const char *end;
    if (!read_digits(s, &whole, &whole_digits, &end)) {
        snprintf(error, HB_SIZE_ERROR, "size \"%s\" is too large", shown);
        return false;
    }
    if (whole_digits == 0) {
        snprintf(error, HB_SIZE_ERROR, "size \"%s\" does not start with a number: " SIZE_FORMS,
                 shown);
        return false;
    }
    bool fraction_written = *end == '.';
    if (fraction_written) {
        if (!read_digits(end + 1, &fraction, &fraction_digits, &end) ||
            fraction_digits > MAX_FRACTION_DIGITS) {
            snprintf(error, HB_SIZE_ERROR, "size \"%s\" has more than %d decimals", shown,
                     MAX_FRACTION_DIGITS);
            return false;
        }
    }
    const char *unit_text = *end == ' ' ? end + 1 : end;
    const char *unit_end = unit_text;
    while (is_letter(*unit_end))
        unit_end++;
    const unit *u = &units[0];
    bool malformed = (fraction_written && fraction_digits == 0) || *end == '.' ||
                     *unit_end != '\0' || (unit_text != end && unit_end == unit_text);
    if (malformed) {
        snprintf(error, HB_SIZE_ERROR, "size \"%s\" is not a number and a unit: " SIZE_FORMS,
                 shown);
        return false;
    }
    if (unit_end != unit_text && (u = find_unit(unit_text)) == NULL) {
        snprintf(error, HB_SIZE_ERROR,
                 "size \"%s\" has an unknown unit (use B, KB, MB, GB, KiB, MiB or GiB)", shown);
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
        snprintf(error, HB_SIZE_ERROR, "size \"%s\" is too large", shown);
        return false;
    }
    *bytes = (size_t)result;
    return true;
}

bool hb_count_parse(const char *text, size_t *count, char error[HB_SIZE_ERROR]) {
    char shown[HB_SIZE_ERROR / 4];
    quote(text ? text : "", shown, sizeof shown);
    uint64_t value;
    int digits;
    const char *end;
    if (!read_digits(text ? text : "", &value, &digits, &end) || value > SIZE_MAX) {
        snprintf(error, HB_SIZE_ERROR, "count \"%s\" is too large", shown);
        return false;
    }
    if (digits == 0 || *end != '\0') {
        snprintf(error, HB_SIZE_ERROR, "count \"%s\" is not a whole number: " COUNT_FORMS, shown);
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

/* ---- UTF-8 */

size_t hb_utf8_sequence(const char *text, uint32_t *code_point) {
    const unsigned char *s = (const unsigned char *)text;
    if (s[0] < 0x80) {
        *code_point = s[0];
        return 1;
    }
    /* The lead byte gives the length and the range its second byte must be
     * in (RFC 3629, table 3-7 of Unicode): no overlong form, no surrogate,
     * nothing past U+10FFFF. */
    size_t length;
    unsigned char low = 0x80, high = 0xbf;
    uint32_t value;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        length = 2;
        value = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        length = 3;
        value = s[0] & 0x0f;
        low = s[0] == 0xe0 ? 0xa0 : 0x80;
        high = s[0] == 0xed ? 0x9f : 0xbf;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        length = 4;
        value = s[0] & 0x07;
        low = s[0] == 0xf0 ? 0x90 : 0x80;
        high = s[0] == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    for (size_t i = 1; i < length; i++) {
        unsigned char first_low = i == 1 ? low : 0x80, first_high = i == 1 ? high : 0xbf;
        if (s[i] < first_low || s[i] > first_high) /* a NUL ends it here too */
            return 0;
        value = value << 6 | (s[i] & 0x3f);
    }
    *code_point = value;
    return length;
}

/* ---- JSON */

void hb_json_escape(FILE *out, const char *text) {
    while (*text) {
        unsigned char c = (unsigned char)*text;
        uint32_t code_point;
        size_t length = hb_utf8_sequence(text, &code_point);
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f)
            fprintf(out, "\\u%04x", c);
        else if (length == 0)
            fputs("\\ufffd", out); /* not UTF-8: JSON must be (RFC 8259, 8.1) */
        else
            fwrite(text, 1, length, out);
        text += length ? length : 1;
    }
}

void hb_json_string(FILE *out, const char *text) {
    fputc('"', out);
    hb_json_escape(out, text);
    fputc('"', out);
}

/* ---- XML */

/* XML 1.0 (section 2.2) allows tab, line feed and carriage return of the
 * C0 controls, written as references so that an attribute keeps them;
 * any other control, and any byte that is not valid UTF-8 (or U+FFFE,
 * U+FFFF), becomes U+FFFD: a parser rejects the whole file for one. */
void hb_xml_text(FILE *out, const char *text) {
    static const char replacement[] = "\xef\xbf\xbd";
    while (*text) {
        uint32_t code_point;
        size_t length = hb_utf8_sequence(text, &code_point);
        switch (length ? code_point : 0xfffd) {
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
        case '\t':
        case '\n':
        case '\r':
            fprintf(out, "&#%u;", (unsigned)code_point);
            break;
        default:
            if (length == 0 || code_point < 0x20 || code_point == 0xfffe || code_point == 0xffff)
                fputs(replacement, out);
            else
                fwrite(text, 1, length, out);
        }
        text += length ? length : 1;
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
