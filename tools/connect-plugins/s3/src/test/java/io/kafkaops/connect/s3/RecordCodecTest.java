/*
 * Copyright: Contributors to the kafkaops.cluster collection
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */
package io.kafkaops.connect.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    private static SinkRecord record(Object key, Object value, Long ts, ConnectHeaders headers) {
        return new SinkRecord("t", 1, Schema.OPTIONAL_BYTES_SCHEMA, key, Schema.OPTIONAL_BYTES_SCHEMA, value, 42L, ts,
            ts == null ? TimestampType.NO_TIMESTAMP_TYPE : TimestampType.CREATE_TIME, headers);
    }

    @Test
    void base64RoundTripsArbitraryBytes() {
        byte[] key = {0, 1, (byte) 0xff, '\n', '"'};
        byte[] value = {(byte) 0xc3, (byte) 0x28, 0x7f}; // not valid UTF-8
        ConnectHeaders h = new ConnectHeaders();
        h.addBytes("h1", new byte[] {(byte) 0x80});
        h.addString("h2", "x");
        h.add("h3", null, Schema.OPTIONAL_BYTES_SCHEMA);
        RecordCodec c = new RecordCodec(true);
        String line = c.encode(record(key, value, 1700000000000L, h));
        assertEquals("{\"key\":\"AAH/CiI=\",\"value\":\"wyh/\",\"offset\":42,\"timestamp\":1700000000000,"
            + "\"headers\":[{\"key\":\"h1\",\"value\":\"gA==\"},{\"key\":\"h2\",\"value\":\"eA==\"},"
            + "{\"key\":\"h3\",\"value\":null}]}", line);
        RecordCodec.Decoded d = c.decode(line);
        assertArrayEquals(key, d.key());
        assertArrayEquals(value, d.value());
        assertEquals(42, d.offset());
        assertEquals(1700000000000L, d.timestamp());
        assertEquals(3, d.headers().size());
        assertEquals("h1", d.headers().get(0).getKey());
        assertArrayEquals(new byte[] {(byte) 0x80}, d.headers().get(0).getValue());
        assertNull(d.headers().get(2).getValue());
    }

    @Test
    void noneEncodingWritesStringsWithEscapes() {
        RecordCodec c = new RecordCodec(false);
        String line = c.encode(record(null, "a\"b\\c\nd\u0001é", null, new ConnectHeaders()));
        assertEquals("{\"key\":null,\"value\":\"a\\\"b\\\\c\\nd\\u0001é\",\"offset\":42,\"timestamp\":null,\"headers\":[]}",
            line);
        RecordCodec.Decoded d = c.decode(line);
        assertNull(d.key());
        assertNull(d.timestamp());
        assertEquals("a\"b\\c\nd\u0001é", new String(d.value(), StandardCharsets.UTF_8));
    }

    @Test
    void tombstoneIsNull() {
        RecordCodec.Decoded d = new RecordCodec(true).decode(new RecordCodec(true).encode(
            record("k".getBytes(StandardCharsets.UTF_8), null, 5L, new ConnectHeaders())));
        assertNull(d.value());
        assertArrayEquals("k".getBytes(StandardCharsets.UTF_8), d.key());
    }

    @Test
    void structValuesAskForByteArrayConverter() {
        Schema s = SchemaBuilder.struct().field("a", Schema.INT32_SCHEMA).build();
        SinkRecord r = new SinkRecord("t", 0, null, null, s, new Struct(s).put("a", 1), 0);
        DataException e = assertThrows(DataException.class, () -> new RecordCodec(true).encode(r));
        assertTrue(e.getMessage().contains("value.converter=org.apache.kafka.connect.converters.ByteArrayConverter"),
            e.getMessage());
    }

    @Test
    void rejectsForeignLines() {
        RecordCodec c = new RecordCodec(true);
        assertThrows(IllegalArgumentException.class, () -> c.decode("{\"value\":\"eA==\"}"));
        assertThrows(IllegalArgumentException.class, () -> c.decode("[1]"));
        assertThrows(IllegalArgumentException.class, () -> c.decode("{\"offset\":1,\"value\":\"not base64!\"}"));
        assertThrows(IllegalArgumentException.class, () -> c.decode("{\"offset\":1"));
    }

    @Test
    void jsonParserHandlesEscapesAndNesting() {
        Object o = Json.parse(" {\"a\" : [1, -2, true, false, null, \"\\u00e9\\ud83d\\ude00\\/\"], \"b\": {}} ");
        assertEquals(Map.of("a", java.util.Arrays.asList(1L, -2L, true, false, null, "é\ud83d\ude00/"), "b", Map.of()), o);
        StringBuilder b = new StringBuilder();
        Json.quote(b, "\u2028\t");
        assertEquals("\"\\u2028\\t\"", b.toString());
    }
}
