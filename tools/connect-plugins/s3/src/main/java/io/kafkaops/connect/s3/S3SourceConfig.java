/*
 * Copyright: Contributors to the kafkaops.cluster collection
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */
package io.kafkaops.connect.s3;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;

/** Configuration of {@link S3SourceConnector} (restore). */
final class S3SourceConfig extends S3Config {

    static final String TOPICS = "topics";
    static final String TARGET_TOPIC = "restore.target.topic";
    static final String TOPIC_RENAME = "restore.topic.rename";
    static final String BATCH_SIZE = "restore.batch.size";
    static final String POLL_INTERVAL = "restore.poll.interval.ms";
    /** Set by the connector for each task (not in the ConfigDef: not a user setting). */
    static final String TASK_INDEX = "restore.task.index";
    static final String TASK_COUNT = "restore.task.count";

    static final String GROUP_RESTORE = "Restore";

    static final ConfigDef CONFIG_DEF = define();

    private final Map<String, String> targets;

    S3SourceConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        try {
            targets = targets(getList(TOPICS), getString(TARGET_TOPIC), getList(TOPIC_RENAME));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static ConfigDef define() {
        ConfigDef def = commonDef();
        int o = 0;
        def.define(TOPICS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, new NonEmptyList(), Importance.HIGH,
            "Topics whose backup is restored: the topic names in the object names written by the S3 sink.",
            GROUP_RESTORE, ++o, Width.LONG, TOPICS);
        def.define(TARGET_TOPIC, Type.STRING, null, Importance.MEDIUM,
            "Topic to write the records to when exactly one topic is restored. Default: the original name.",
            GROUP_RESTORE, ++o, Width.LONG, TARGET_TOPIC);
        def.define(TOPIC_RENAME, Type.LIST, "", Importance.MEDIUM,
            "Target topics as a list of original:target pairs, e.g. 'orders:orders-restored,users:users-restored'. "
                + "Topics not listed keep their name. Not together with " + TARGET_TOPIC + ".",
            GROUP_RESTORE, ++o, Width.LONG, TOPIC_RENAME);
        def.define(BATCH_SIZE, Type.INT, 500, ConfigDef.Range.between(1, 100_000), Importance.LOW,
            "Most records returned by one poll of a task.", GROUP_RESTORE, ++o, Width.SHORT, BATCH_SIZE);
        def.define(POLL_INTERVAL, Type.LONG, 60_000L, ConfigDef.Range.atLeast(1000), Importance.LOW,
            "After every object found has been restored, list the bucket again this often (ms) for new objects.",
            GROUP_RESTORE, ++o, Width.SHORT, POLL_INTERVAL);
        return def;
    }

    /** Original topic -> target topic, in the order of {@code topics}. */
    static Map<String, String> targets(List<String> topics, String target, List<String> rename) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String t : topics) {
            m.put(t.trim(), t.trim());
        }
        if (target != null && !target.isBlank()) {
            if (!rename.isEmpty()) {
                throw new IllegalArgumentException("set either " + TARGET_TOPIC + " or " + TOPIC_RENAME + ", not both");
            }
            if (m.size() != 1) {
                throw new IllegalArgumentException(TARGET_TOPIC + " needs exactly one topic in " + TOPICS
                    + "; use " + TOPIC_RENAME + " for several");
            }
            m.replaceAll((k, v) -> target.trim());
        }
        for (String pair : rename) {
            String[] kv = pair.split(":", -1);
            if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
                throw new IllegalArgumentException(TOPIC_RENAME + ": '" + pair + "' is not original:target");
            }
            if (!m.containsKey(kv[0].trim())) {
                throw new IllegalArgumentException(TOPIC_RENAME + ": '" + kv[0].trim() + "' is not in " + TOPICS);
            }
            m.put(kv[0].trim(), kv[1].trim());
        }
        return m;
    }

    /** Adds the cross-key errors to a validation result. */
    static void validateTargets(Map<String, String> props, Config result) {
        List<String> topics = split(props.get(TOPICS));
        try {
            targets(topics, props.get(TARGET_TOPIC), split(props.get(TOPIC_RENAME)));
        } catch (IllegalArgumentException e) {
            addError(result, props.get(TOPIC_RENAME) != null && !props.get(TOPIC_RENAME).isBlank()
                ? TOPIC_RENAME : TARGET_TOPIC, e.getMessage());
        }
    }

    private static List<String> split(String s) {
        List<String> l = new ArrayList<>();
        if (s != null) {
            for (String p : s.split(",")) {
                if (!p.isBlank()) {
                    l.add(p.trim());
                }
            }
        }
        return l;
    }

    Map<String, String> targets() {
        return targets;
    }

    int batchSize() {
        return getInt(BATCH_SIZE);
    }

    long pollIntervalMs() {
        return getLong(POLL_INTERVAL);
    }

    /** This task's index and the number of tasks (set by the connector; not user settings). */
    static int[] taskSlot(Map<String, String> props) {
        try {
            int index = Integer.parseInt(props.getOrDefault(TASK_INDEX, "0"));
            int count = Integer.parseInt(props.getOrDefault(TASK_COUNT, "1"));
            if (count < 1 || index < 0 || index >= count) {
                throw new NumberFormatException();
            }
            return new int[] {index, count};
        } catch (NumberFormatException e) {
            throw new ConfigException("bad task slot " + props.get(TASK_INDEX) + "/" + props.get(TASK_COUNT));
        }
    }

    static final class NonEmptyList implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            List<String> l = (List<String>) value;
            if (l == null || l.isEmpty() || l.stream().anyMatch(String::isBlank)) {
                throw new ConfigException(name, value, "give at least one topic name");
            }
        }

        @Override
        public String toString() {
            return "a non-empty list of topic names";
        }
    }
}
