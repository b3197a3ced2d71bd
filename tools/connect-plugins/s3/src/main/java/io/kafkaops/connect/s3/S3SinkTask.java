/*
 * Copyright: Contributors to the kafkaops.cluster collection
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */
package io.kafkaops.connect.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Buffers the records of each topic-partition and writes them when Connect commits offsets
 * ({@link #preCommit}, every offset.flush.interval.ms, or earlier when file.max.records is
 * reached). Offsets are committed only for records that are in S3: after a crash the same
 * records are consumed again from the last committed offset and written under the same object
 * names (the name holds the first offset), so objects are overwritten rather than duplicated.
 */
public class S3SinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(S3SinkTask.class);

    /** Encoded records of one topic-partition not yet written. */
    static final class Buffer {
        final List<String> lines = new ArrayList<>();
        final List<Long> offsets = new ArrayList<>();

        void add(long offset, String line) {
            // A redelivery (the consumer was rewound): forget what is buffered from there on.
            if (!offsets.isEmpty() && offset <= offsets.get(offsets.size() - 1)) {
                int keep = 0;
                while (keep < offsets.size() && offsets.get(keep) < offset) {
                    keep++;
                }
                lines.subList(keep, lines.size()).clear();
                offsets.subList(keep, offsets.size()).clear();
            }
            offsets.add(offset);
            lines.add(line);
        }

        void clear() {
            lines.clear();
            offsets.clear();
        }
    }

    private S3SinkConfig config;
    private S3Client s3;
    private RecordCodec codec;
    private FileNameTemplate template;
    private String suffix;
    private int maxRecords;
    private final Map<TopicPartition, Buffer> buffers = new HashMap<>();
    private boolean commitRequested;

    @Override
    public String version() {
        return S3Config.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        S3Config.requireByteArrayConverters(props);
        config = new S3SinkConfig(props);
        codec = new RecordCodec(config.base64());
        template = config.template();
        suffix = config.defaultSuffix();
        maxRecords = config.maxRecords();
        s3 = config.newClient();
        LOG.info("S3 sink task started: s3://{}/{}{}{} (format jsonl, encoding {}, compression {}, max records {})",
            config.bucket(), config.prefix(), template.template(), suffix, config.base64() ? "base64" : "none",
            config.gzip() ? "gzip" : "none", maxRecords == 0 ? "unlimited" : maxRecords);
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            buffers.computeIfAbsent(tp, k -> new Buffer());
        }
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        // Connect committed what it could before revoking; anything still buffered was not
        // committed and will be consumed again by the partition's next owner.
        for (TopicPartition tp : partitions) {
            buffers.remove(tp);
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        for (SinkRecord r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.kafkaPartition());
            Buffer b = buffers.computeIfAbsent(tp, k -> new Buffer());
            b.add(r.kafkaOffset(), codec.encode(r));
            if (maxRecords > 0 && b.lines.size() >= maxRecords && !commitRequested) {
                // Write (in preCommit) as soon as this put returns rather than at the next interval.
                context.requestCommit();
                commitRequested = true;
            }
        }
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        commitRequested = false;
        long start = System.nanoTime();
        int objects = 0;
        int records = 0;
        // Connect may commit a subset (the partitions being revoked): write and clear only those.
        try {
            for (TopicPartition tp : currentOffsets.keySet()) {
                Buffer b = buffers.get(tp);
                if (b == null) {
                    continue;
                }
                int n = b.lines.size();
                int chunk = maxRecords > 0 ? maxRecords : Math.max(n, 1);
                for (int from = 0; from < n; from += chunk) {
                    int to = Math.min(n, from + chunk);
                    write(tp, b.offsets.get(from), b.lines.subList(from, to));
                    objects++;
                    records += to - from;
                }
                b.clear();
            }
        } catch (RuntimeException e) {
            // Connect does not commit and rewinds these partitions to their last committed
            // offsets: their records will be delivered again.
            for (TopicPartition tp : currentOffsets.keySet()) {
                Buffer b = buffers.get(tp);
                if (b != null) {
                    b.clear();
                }
            }
            throw e;
        }
        if (objects > 0) {
            LOG.info("Wrote {} records in {} objects to s3://{}/{} in {} ms", records, objects, config.bucket(),
                config.prefix(), (System.nanoTime() - start) / 1_000_000);
        }
        // Every record of these partitions handed to put() is now in S3: commit all of them.
        return currentOffsets;
    }

    private void write(TopicPartition tp, long startOffset, List<String> lines) {
        String key = objectKey(tp.topic(), tp.partition(), startOffset);
        byte[] body = body(lines);
        try {
            s3.putObject(PutObjectRequest.builder()
                    .bucket(config.bucket())
                    .key(key)
                    .contentType(config.gzip() ? "application/gzip" : "application/x-ndjson")
                    .build(),
                RequestBody.fromBytes(body));
        } catch (SdkException e) {
            throw new ConnectException("Could not write s3://" + config.bucket() + "/" + key + " (" + lines.size()
                + " records of " + tp + "): " + e.getMessage(), e);
        }
        LOG.debug("Wrote s3://{}/{} ({} records, {} bytes)", config.bucket(), key, lines.size(), body.length);
    }

    String objectKey(String topic, int partition, long startOffset) {
        return config.prefix() + template.render(topic, partition, startOffset, Instant.now()) + suffix;
    }

    private byte[] body(List<String> lines) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = config.gzip() ? new GZIPOutputStream(bytes, 65536) : bytes) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                out.write(it.next().getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not expected: in-memory streams
        }
        return bytes.toByteArray();
    }

    @Override
    public void stop() {
        buffers.clear();
        if (s3 != null) {
            s3.close();
            s3 = null;
        }
    }
}
