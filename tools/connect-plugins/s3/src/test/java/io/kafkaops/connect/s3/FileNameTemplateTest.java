/*
 * Copyright: Contributors to the kafkaops.cluster collection
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */
package io.kafkaops.connect.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FileNameTemplateTest {

    private static final Instant T = Instant.parse("2024-03-05T07:08:09Z");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{{topic}}-{{partition}}-{{start_offset}}                       | orders-3-00000000000000000042",
        "{{topic}}-{{partition:padding=true}}-{{start_offset:padding=false}} | orders-0000000003-42",
        "{{topic}}/{{timestamp:unit=yyyy}}/{{timestamp:unit=MM}}/{{timestamp:unit=dd}}/{{timestamp:unit=HH}}/{{partition}}-{{start_offset}}"
            + " | orders/2024/03/05/07/3-00000000000000000042",
    })
    void renders(String template, String expected) {
        assertEquals(expected, FileNameTemplate.of(template.trim()).render("orders", 3, 42, T));
    }

    @Test
    void paddedOffsetsSortLikeNumbers() {
        FileNameTemplate t = FileNameTemplate.of(FileNameTemplate.DEFAULT);
        String a = t.render("t", 0, 9, T);
        String b = t.render("t", 0, 10, T);
        String c = t.render("t", 0, Long.MAX_VALUE, T);
        assertTrue(a.compareTo(b) < 0 && b.compareTo(c) < 0);
        assertEquals("t-0-09223372036854775807", c);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a-1", "a-1-2", "a.b_c", "x"})
    void parsesBackTopicsWithDashesAndDigits(String topic) {
        FileNameTemplate t = FileNameTemplate.of(FileNameTemplate.DEFAULT);
        Pattern p = t.patternFor(topic);
        String name = t.render(topic, 7, 1234, T);
        FileNameTemplate.Parsed parsed = t.parse(p, topic, name).orElseThrow();
        assertEquals(new FileNameTemplate.Parsed(topic, 7, 1234), parsed);
        assertEquals(parsed, t.parse(p, topic, name + ".gz").orElseThrow());
        // A topic whose name extends this one does not match.
        assertTrue(t.parse(p, topic, t.render(topic + "-9", 7, 1234, T)).isEmpty());
    }

    @Test
    void parsesTimestampTemplates() {
        FileNameTemplate t = FileNameTemplate.of("{{timestamp:unit=yyyy}}/{{topic}}/{{partition}}/{{start_offset}}.jsonl");
        String name = t.render("orders", 2, 5, T);
        assertEquals("2024/orders/2/00000000000000000005.jsonl", name);
        assertEquals(new FileNameTemplate.Parsed("orders", 2, 5), t.parse(t.patternFor("orders"), "orders", name).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "{{topic}}-{{partition}}", "{{topic}}-{{start_offset}}", "{{topic}}-{{partition}}-{{start_offset}}-{{key}}",
        "{{topic}}-{{partition}}-{{start_offset}}-{{foo}}", "{{topic}}-{{partition:padding=yes}}-{{start_offset}}",
        "{{topic}}-{{partition}}-{{start_offset}}-{{timestamp}}", "{{topic}}-{{partition}}-{{start_offset}}{{",
    })
    void rejectsBadTemplates(String template) {
        assertThrows(IllegalArgumentException.class, () -> FileNameTemplate.of(template));
    }
}
