/*
 * Copyright: Contributors to the kafkaops.cluster collection
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */
package io.kafkaops.connect.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class ConnectorTest {

    private static Map<String, String> sink() {
        Map<String, String> m = new HashMap<>();
        m.put("aws.s3.bucket.name", "b");
        m.put("value.converter", S3Config.BYTE_ARRAY_CONVERTER);
        return m;
    }

    private static Map<String, List<String>> errors(Config c) {
        return c.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
            .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
    }

    @Test
    void validSinkConfigHasNoErrors() {
        assertEquals(Map.of(), errors(new S3SinkConnector().validate(sink())));
        S3SinkConfig c = new S3SinkConfig(sink());
        assertEquals("us-east-1", c.getString(S3Config.AWS_S3_REGION));
        assertEquals(0, c.maxRecords());
        assertTrue(c.base64());
        assertEquals("", c.defaultSuffix());
    }

    @Test
    void sinkValidationExplainsProblems() {
        Map<String, String> m = sink();
        m.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        m.put("aws.access.key.id", "AKIA");
        m.put("file.compression.type", "zstd");
        m.put("file.name.template", "{{topic}}");
        m.put("aws.s3.endpoint", "localhost:9000");
        m.remove("aws.s3.bucket.name");
        Map<String, List<String>> e = errors(new S3SinkConnector().validate(m));
        assertEquals(Set.of("format.output.type", "aws.secret.access.key", "file.compression.type", "file.name.template",
            "aws.s3.endpoint", "aws.s3.bucket.name"), e.keySet(), e.toString());
        assertTrue(e.get("format.output.type").get(0).contains("value.converter=org.apache.kafka.connect.json."
            + "JsonConverter is not supported"), e.toString());
        assertThrows(ConfigException.class, () -> new S3SinkConnector().start(m));
    }

    @Test
    void gzipDefaultTemplateEndsInGz() {
        Map<String, String> m = sink();
        m.put("file.compression.type", "gzip");
        assertEquals(".gz", new S3SinkConfig(m).defaultSuffix());
        m.put("file.name.template", "{{topic}}/{{partition}}/{{start_offset}}");
        assertEquals("", new S3SinkConfig(m).defaultSuffix());
    }

    @Test
    void restoreTargets() {
        assertEquals(Map.of("a", "a", "b", "b2"), S3SourceConfig.targets(List.of("a", "b"), null, List.of("b:b2")));
        assertEquals(Map.of("a", "x"), S3SourceConfig.targets(List.of("a"), "x", List.of()));
        assertThrows(IllegalArgumentException.class, () -> S3SourceConfig.targets(List.of("a", "b"), "x", List.of()));
        assertThrows(IllegalArgumentException.class, () -> S3SourceConfig.targets(List.of("a"), "x", List.of("a:y")));
        assertThrows(IllegalArgumentException.class, () -> S3SourceConfig.targets(List.of("a"), null, List.of("c:y")));
        assertThrows(IllegalArgumentException.class, () -> S3SourceConfig.targets(List.of("a"), null, List.of("a")));

        Map<String, String> m = sink();
        m.put("topics", "a,b");
        m.put("restore.target.topic", "x");
        assertTrue(errors(new S3SourceConnector().validate(m)).containsKey("restore.target.topic"));
        m.remove("restore.target.topic");
        assertEquals(Map.of(), errors(new S3SourceConnector().validate(m)));
    }

    @Test
    void sourceTasksSplitPartitions() {
        Map<String, String> m = sink();
        m.put("topics", "a");
        S3SourceConnector c = new S3SourceConnector();
        c.start(m);
        List<Map<String, String>> tasks = c.taskConfigs(3);
        assertEquals(3, tasks.size());
        for (int p = 0; p < 50; p++) {
            int owners = 0;
            for (Map<String, String> t : tasks) {
                int[] slot = S3SourceConfig.taskSlot(t);
                owners += S3SourceTask.mine("a", p, slot[0], slot[1]) ? 1 : 0;
            }
            assertEquals(1, owners);
        }
    }

    @Test
    void resumeSkipsFinishedObjects() {
        S3SourceTask.PartitionState st = new S3SourceTask.PartitionState("b", "", "a", 0, "a");
        S3SourceTask.ObjectRef o0 = new S3SourceTask.ObjectRef(0, "a-0-0");
        S3SourceTask.ObjectRef o1 = new S3SourceTask.ObjectRef(100, "a-0-100");
        S3SourceTask.ObjectRef o2 = new S3SourceTask.ObjectRef(200, "a-0-200");
        st.objects.addAll(List.of(o2, o0, o1));
        assertEquals(o0, st.nextObject());
        st.resume(Map.of("object", "a-0-100", "object_start_offset", 100L, "offset", 150L));
        assertEquals(o1, st.nextObject());
        assertEquals(150, st.lastOffset);
        st.lastFinished = o1;
        assertEquals(o2, st.nextObject());
        st.lastFinished = o2;
        assertNull(st.nextObject());
        st.resume(null);
        assertFalse(st.objects.isEmpty());
    }

    @Test
    void sinkBufferDropsRedeliveredRecords() {
        S3SinkTask.Buffer b = new S3SinkTask.Buffer();
        for (long o = 10; o < 20; o++) {
            b.add(o, "r" + o);
        }
        b.add(15, "again15");
        assertEquals(List.of(10L, 11L, 12L, 13L, 14L, 15L), b.offsets);
        assertEquals("again15", b.lines.get(5));
    }
}
