/* The test protocol (runner/protocol.c): what the child encodes, the
 * parent decodes to the same values; every malformed message is refused
 * with its reason, never read past. */
#define HB_SUITE_NAME "protocol"
#include "measure.h"

#include <string.h>

static uint8_t wire[HB_WIRE_HEADER + HB_WIRE_MAX_BODY];
static hb_measurement sent, received;

/* Decodes the message in `out`; NULL or the reason it is refused. */
static const char *decode(const hb_wire_out *out, hb_message *message) {
    enum hb_message_kind kind;
    uint32_t length;
    const char *error = hb_wire_read_header(out->buffer, &kind, &length);
    if (error != NULL)
        return error;
    if (length != out->length - HB_WIRE_HEADER)
        return "length differs";
    message->measurement = &received;
    return hb_wire_decode(kind, out->buffer + HB_WIRE_HEADER, length, message);
}

static void a_measurement(void) {
    sent = (hb_measurement){.events = HB_EVENT_MEASURED, .part_failures = 3, .part_reports = 1};
    sent.usage = (hb_usage){.peak_bytes = 4096,
                            .live_bytes = 16,
                            .total_bytes = 8192,
                            .allocations = 5,
                            .frees = 4,
                            .live_blocks = 1};
    sent.stack_bytes = 1234;
    sent.draw_count = 2;
    sent.draws[0] = (hb_draw){.value = 7, .name = "length"};
    sent.draws[1] = (hb_draw){.value = 1ULL << 60};
    hb_raw_sites *peak = &sent.sites[HB_SITES_AT_PEAK];
    peak->total = 3;
    peak->count = 2;
    peak->site[0] =
        (hb_raw_site){.bytes = 4000, .blocks = 1, .depth = 2, .frames = {0x401000, 0x402000}};
    peak->site[1] = (hb_raw_site){.bytes = 96, .blocks = 4, .depth = 1, .frames = {UINTPTR_MAX}};
}

HB_TEST(test_a_measurement_arrives_as_it_was_sent) {
    a_measurement();
    hb_wire_out out;
    hb_wire_begin(&out, wire, sizeof wire, HB_MSG_MEASURED);
    hb_wire_measurement(&out, &sent);
    CU_ASSERT_TRUE_FATAL(hb_wire_end(&out));
    hb_message message;
    CU_ASSERT_PTR_NULL_FATAL(decode(&out, &message));
    CU_ASSERT_EQUAL(message.kind, HB_MSG_MEASURED);
#define SAME_FIGURE(name, field) CU_ASSERT_EQUAL(received.field, sent.field);
    HB_MEASURED_FIGURES(SAME_FIGURE)
#undef SAME_FIGURE
    CU_ASSERT_EQUAL(received.events, sent.events);
    CU_ASSERT_EQUAL(received.part_failures, 0); /* the judge's own, never sent */
    CU_ASSERT_EQUAL(received.draw_count, 2);
    CU_ASSERT_STRING_EQUAL(received.draws[0].name, "length");
    CU_ASSERT_EQUAL(received.draws[1].value, 1ULL << 60);
    CU_ASSERT_STRING_EQUAL(received.draws[1].name, "");
    CU_ASSERT_EQUAL(received.sites[HB_SITES_AT_PEAK].total, 3);
    CU_ASSERT_EQUAL(received.sites[HB_SITES_AT_PEAK].count, 2);
    CU_ASSERT_EQUAL(received.sites[HB_SITES_AT_PEAK].site[0].frames[1], 0x402000);
    CU_ASSERT_EQUAL(received.sites[HB_SITES_AT_PEAK].site[1].frames[0], UINTPTR_MAX);
    CU_ASSERT_EQUAL(received.sites[HB_SITES_LIVE].count, 0);
}

HB_TEST(test_a_failure_keeps_its_texts) {
    hb_wire_out out;
    hb_wire_begin(&out, wire, sizeof wire, HB_MSG_FAILURE);
    hb_wire_u32(&out, 42);
    hb_wire_text(&out, "tests/x.c");
    hb_wire_text(&out, "CU_ASSERT(a == b)");
    CU_ASSERT_TRUE_FATAL(hb_wire_end(&out));
    hb_message message;
    CU_ASSERT_PTR_NULL_FATAL(decode(&out, &message));
    CU_ASSERT_EQUAL(message.number, 42);
    CU_ASSERT_STRING_EQUAL(message.file, "tests/x.c");
    CU_ASSERT_STRING_EQUAL(message.text, "CU_ASSERT(a == b)");
}

/* A message with `body` of `length` bytes, kind `kind`. */
static const char *raw(enum hb_message_kind kind, const void *body, uint32_t length) {
    memcpy(wire, (uint8_t[]){'h', 'b', HB_WIRE_VERSION, (uint8_t)kind}, 4);
    for (int i = 0; i < 4; i++)
        wire[4 + i] = (uint8_t)(length >> (8 * i));
    memcpy(wire + HB_WIRE_HEADER, body, length);
    hb_wire_out out = {.buffer = wire, .capacity = sizeof wire, .length = HB_WIRE_HEADER + length};
    hb_message message;
    return decode(&out, &message);
}

static bool refused_for(const char *error, const char *reason) {
    return error != NULL && strstr(error, reason) != NULL;
}

HB_TEST(test_malformed_headers_are_refused) {
    enum hb_message_kind kind;
    uint32_t length;
    CU_ASSERT_TRUE(
        refused_for(hb_wire_read_header((uint8_t *)"xb\1D\0\0\0\0", &kind, &length), "mark"));
    CU_ASSERT_TRUE(
        refused_for(hb_wire_read_header((uint8_t *)"hb\7D\0\0\0\0", &kind, &length), "version"));
    CU_ASSERT_TRUE(refused_for(hb_wire_read_header((uint8_t *)"hb\1Z\0\0\0\0", &kind, &length),
                               "unknown kind"));
    CU_ASSERT_TRUE(refused_for(hb_wire_read_header((uint8_t *)"hb\1D\0\0\0\1", &kind, &length),
                               "longer than any"));
}

HB_TEST(test_malformed_bodies_are_refused) {
    /* cut short, too long, a text over its bound or with a NUL, too deep */
    CU_ASSERT_TRUE(refused_for(raw(HB_MSG_PASSES, "\1\0\0", 3), "shorter"));
    CU_ASSERT_TRUE(refused_for(raw(HB_MSG_DONE, "x", 1), "longer than its fields"));
    CU_ASSERT_TRUE(refused_for(raw(HB_MSG_NOTE, "\5\0\0\0ab", 6), "shorter"));
    CU_ASSERT_TRUE(refused_for(raw(HB_MSG_NOTE, "\1\0\1\0", 4), "text longer"));
    CU_ASSERT_TRUE(refused_for(raw(HB_MSG_NOTE, "\3\0\0\0a\0b", 7), "NUL"));
    CU_ASSERT_TRUE(refused_for(raw(HB_MSG_SIGNAL, "\xff\0\0\0", 4), "deeper"));
    CU_ASSERT_TRUE(refused_for(raw(HB_MSG_PASSES, "\0\0\0\0\0\0\0\1", 8), "more assertions"));
    CU_ASSERT_PTR_NULL(raw(HB_MSG_NOTE, "\2\0\0\0ab", 6));
}

/* Figures no scope could have counted: the parent does not believe them. */
HB_TEST(test_contradicting_figures_are_refused) {
    hb_wire_out out;
    hb_message message;
    a_measurement();
    sent.usage.live_bytes = sent.usage.peak_bytes + 1;
    hb_wire_begin(&out, wire, sizeof wire, HB_MSG_MEASURED);
    hb_wire_measurement(&out, &sent);
    hb_wire_end(&out);
    CU_ASSERT_TRUE(refused_for(decode(&out, &message), "contradict"));

    a_measurement();
    sent.sites[HB_SITES_AT_PEAK].site[0].bytes = sent.usage.peak_bytes;
    hb_wire_begin(&out, wire, sizeof wire, HB_MSG_MEASURED);
    hb_wire_measurement(&out, &sent);
    hb_wire_end(&out);
    CU_ASSERT_TRUE(refused_for(decode(&out, &message), "sites"));
}

/* The encoder never writes past its buffer: a message that does not fit
 * is not sent. */
HB_TEST(test_a_message_too_big_for_its_buffer_is_not_sent) {
    uint8_t small[HB_WIRE_HEADER + 6];
    hb_wire_out out;
    hb_wire_begin(&out, small, sizeof small, HB_MSG_FAILURE);
    hb_wire_u32(&out, 1);
    hb_wire_u32(&out, 2);
    CU_ASSERT_FALSE(hb_wire_end(&out));
    CU_ASSERT_TRUE(out.length <= sizeof small);
}

/* A fault injection's part sends raw figures (its judge is the parent's):
 * they arrive as sent, or not at all if they contradict each other. */
static hb_part_figures part_sent, part_received;

static void a_part(void) {
    part_sent = (hb_part_figures){.allocation = 7,
                                  .below_the_code = 0x401234,
                                  .live_bytes = 40,
                                  .live_blocks = 2,
                                  .failed_depth = 1,
                                  .failed_frames = {0x401000},
                                  .total_sites = 3,
                                  .count = 2};
    part_sent.site[0] = (hb_raw_site){.bytes = 24, .blocks = 1, .depth = 1, .frames = {0x402000}};
    part_sent.site[1] = (hb_raw_site){.bytes = 16, .blocks = 1, .depth = 1, .frames = {0x403000}};
}

static const char *decode_part(hb_message *message) {
    hb_wire_out out;
    hb_wire_begin(&out, wire, sizeof wire, HB_MSG_PART);
    hb_wire_part(&out, &part_sent);
    CU_ASSERT_TRUE(hb_wire_end(&out));
    message->part = &part_received;
    return decode(&out, message);
}

HB_TEST(test_a_parts_figures_arrive_as_they_were_sent) {
    hb_message message;
    a_part();
    CU_ASSERT_PTR_NULL_FATAL(decode_part(&message));
    CU_ASSERT_EQUAL(part_received.allocation, 7);
    CU_ASSERT_EQUAL(part_received.below_the_code, 0x401234);
    CU_ASSERT_EQUAL(part_received.live_bytes, 40);
    CU_ASSERT_EQUAL(part_received.failed_frames[0], 0x401000);
    CU_ASSERT_EQUAL(part_received.total_sites, 3);
    CU_ASSERT_EQUAL(part_received.count, 2);
    CU_ASSERT_EQUAL(part_received.site[1].frames[0], 0x403000);
}

HB_TEST(test_contradicting_part_figures_are_refused) {
    hb_message message;
    a_part();
    part_sent.site[0].bytes = 100; /* more than the part left live */
    CU_ASSERT_TRUE(refused_for(decode_part(&message), "add up"));
    a_part();
    part_sent.total_sites = 1; /* fewer sites than it sent */
    CU_ASSERT_TRUE(refused_for(decode_part(&message), "more sites"));
    a_part();
    part_sent.live_blocks = 0; /* bytes in no block */
    part_sent.site[0].blocks = part_sent.site[1].blocks = 0;
    CU_ASSERT_TRUE(refused_for(decode_part(&message), "add up"));

    hb_wire_out out;
    hb_wire_begin(&out, wire, sizeof wire, HB_MSG_FAULT_END);
    hb_wire_fault_end(&out, &(hb_fault_end){.allocations = 2, .tried = 3});
    CU_ASSERT_TRUE(hb_wire_end(&out));
    CU_ASSERT_TRUE(refused_for(decode(&out, &message), "contradict"));
}
