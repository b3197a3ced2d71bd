/*
 * Copyright: Contributors to the kafkaops.cluster collection
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */
package io.kafkaops.connect.s3;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Restores topics backed up by {@link S3SinkConnector}: reads the objects of each
 * topic-partition in offset order and produces the original key, value, headers and timestamp
 * to the same partition of the target topic (see {@link S3SourceTask}).
 */
public class S3SourceConnector extends SourceConnector {

    private Map<String, String> props;

    @Override
    public String version() {
        return S3Config.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        S3Config.requireByteArrayConverters(props);
        new S3SourceConfig(props); // fail now on an invalid configuration
        this.props = new HashMap<>(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return S3SourceTask.class;
    }

    /** Every task lists the bucket and takes the topic-partitions that hash to its index. */
    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> c = new HashMap<>(props);
            c.put(S3SourceConfig.TASK_INDEX, Integer.toString(i));
            c.put(S3SourceConfig.TASK_COUNT, Integer.toString(maxTasks));
            configs.add(c);
        }
        return configs;
    }

    /**
     * A task re-reads from its stored source offset (object + original offset) and produces the
     * same records again, so offsets committed in the producer transaction give exactly once.
     */
    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        return ExactlyOnceSupport.SUPPORTED;
    }

    @Override
    public void stop() {
        // Nothing to release: the tasks own the S3 clients.
    }

    @Override
    public ConfigDef config() {
        return S3SourceConfig.CONFIG_DEF;
    }

    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config result = super.validate(connectorConfigs);
        S3Config.validateCommon(connectorConfigs, result);
        S3SourceConfig.validateTargets(connectorConfigs, result);
        return result;
    }
}
