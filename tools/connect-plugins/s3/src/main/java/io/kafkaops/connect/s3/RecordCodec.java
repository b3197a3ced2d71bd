/*
 * Copyright: Contributors to the kafkaops.cluster collection
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */
package io.kafkaops.connect.s3;

import java.nio.ByteBuffer;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Values;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

/**
 * One record as one JSON line:
 * <pre>
 * {"key":"azE=","value":"dmFsdWU=","offset":42,"timestamp":1700000000000,"headers":[{"key":"h","value":"eA=="}]}
 * </pre>
 * key, value and header values are base64 (or UTF-8 strings with encoding 'none'); a null key
 * or value (tombstone) is JSON null; timestamp is epoch milliseconds or null.
 */
final class RecordCodec {

    /** A record read back from a line. */
    record Decoded(byte[] key, byte[] value, long offset, Long timestamp, List<Map.Entry<String, byte[]>> headers) {
    }

    private final boolean base64;

    RecordCodec(boolean base64) {
        this.base64 = base64;
    }

    String encode(SinkRecord r) {
        StringBuilder b = new StringBuilder(128);
        b.append("{\"key\":");
        bytes(b, bytesOf(r.key(), r.keySchema(), "key"));
        b.append(",\"value\":");
        bytes(b, bytesOf(r.value(), r.valueSchema(), "value"));
        b.append(",\"offset\":").append(r.kafkaOffset());
        b.append(",\"timestamp\":").append(r.timestamp() == null ? "null" : r.timestamp().toString());
        b.append(",\"headers\":[");
        boolean first = true;
        for (Header h : r.headers()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append("{\"key\":");
            Json.quote(b, h.key());
            b.append(",\"value\":");
            bytes(b, headerBytes(h));
            b.append('}');
        }
        b.append("]}");
        return b.toString();
    }

    private void bytes(StringBuilder b, byte[] v) {
        if (v == null) {
            b.append("null");
        } else if (base64) {
            b.append('"').append(Base64.getEncoder().encodeToString(v)).append('"');
        } else {
            Json.quote(b, new String(v, StandardCharsets.UTF_8));
        }
    }

    /** The bytes of a key or value as ByteArrayConverter (or StringConverter) hands them over. */
    static byte[] bytesOf(Object v, Schema schema, String what) {
        if (v == null) {
            return null;
        }
        if (v instanceof byte[] a) {
            return a;
        }
        if (v instanceof ByteBuffer bb) {
            ByteBuffer d = bb.duplicate();
            byte[] a = new byte[d.remaining()];
            d.get(a);
            return a;
        }
        if (v instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        throw new DataException("record " + what + " is a " + v.getClass().getName() + " (schema "
            + (schema == null ? "none" : schema.type()) + "), not bytes: configure " + what + ".converter="
            + S3Config.BYTE_ARRAY_CONVERTER + " for this connector");
    }

    private static byte[] headerBytes(Header h) {
        Object v = h.value();
        if (v == null || v instanceof byte[] || v instanceof ByteBuffer || v instanceof String) {
            return bytesOf(v, h.schema(), "header");
        }
        // A typed header from SimpleHeaderConverter: keep its string form (header.converter=
        // ByteArrayConverter keeps the exact bytes instead).
        return Values.convertToString(h.schema(), v).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @throws IllegalArgumentException when the line is not a record of this format
     */
    Decoded decode(String line) {
        Object parsed = Json.parse(line);
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        Object offset = m.get("offset");
        if (!(offset instanceof Long off)) {
            throw new IllegalArgumentException("no integer 'offset' member");
        }
        Object ts = m.get("timestamp");
        if (ts != null && !(ts instanceof Long)) {
            throw new IllegalArgumentException("'timestamp' is not an integer");
        }
        List<Map.Entry<String, byte[]>> headers = new ArrayList<>();
        Object hs = m.get("headers");
        if (hs instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> h) || !(h.get("key") instanceof String hk)) {
                    throw new IllegalArgumentException("a header is not {\"key\": string, \"value\": ...}");
                }
                headers.add(new SimpleImmutableEntry<>(hk, fromJson(h.get("value"), "header value")));
            }
        } else if (hs != null) {
            throw new IllegalArgumentException("'headers' is not an array");
        }
        return new Decoded(fromJson(m.get("key"), "key"), fromJson(m.get("value"), "value"), off, (Long) ts, headers);
    }

    private byte[] fromJson(Object v, String what) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("'" + what + "' is not a string or null");
        }
        if (!base64) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + what + "' is not base64 (was the backup written with "
                + S3Config.VALUE_ENCODING + "=none?)");
        }
    }
}
