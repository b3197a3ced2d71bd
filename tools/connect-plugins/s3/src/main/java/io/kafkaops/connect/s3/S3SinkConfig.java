/*
 * Copyright: Contributors to the kafkaops.cluster collection
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */
package io.kafkaops.connect.s3;

import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/** Configuration of {@link S3SinkConnector} (backup). */
final class S3SinkConfig extends S3Config {

    static final String FILE_MAX_RECORDS = "file.max.records";
    static final String FILE_COMPRESSION_TYPE = "file.compression.type";

    static final ConfigDef CONFIG_DEF = define();

    S3SinkConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
    }

    private static ConfigDef define() {
        ConfigDef def = commonDef();
        def.define(FILE_MAX_RECORDS, Type.INT, 0, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
            "Most records in one object. 0 = no limit: each offset commit (every offset.flush.interval.ms "
                + "of the worker, default 60000) writes one object per topic-partition with everything received "
                + "since the last one. When a topic-partition reaches the limit an early commit is requested "
                + "and the records are written in objects of at most this many records.",
            GROUP_FILE, 10, Width.SHORT, FILE_MAX_RECORDS);
        def.define(FILE_COMPRESSION_TYPE, Type.STRING, "none", ConfigDef.ValidString.in("none", "gzip"),
            Importance.MEDIUM,
            "Compression of each object: 'none' or 'gzip' (the default template then ends in '.gz').",
            GROUP_FILE, 11, Width.SHORT, FILE_COMPRESSION_TYPE);
        return def;
    }

    int maxRecords() {
        return getInt(FILE_MAX_RECORDS);
    }

    boolean gzip() {
        return "gzip".equals(getString(FILE_COMPRESSION_TYPE));
    }

    /** Like Aiven's connector: the default template gets the compression's extension. */
    String defaultSuffix() {
        return getString(FILE_NAME_TEMPLATE) == null && gzip() ? ".gz" : "";
    }
}
