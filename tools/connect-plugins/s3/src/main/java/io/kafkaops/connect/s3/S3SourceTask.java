/*
 * Copyright: Contributors to the kafkaops.cluster collection
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */
package io.kafkaops.connect.s3;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Restores the topic-partitions that hash to this task. For each one the objects found under
 * file.name.prefix are read in the order of their first offset, and every record whose original
 * offset is above the last one produced is sent to the same partition of the target topic.
 *
 * <p>Source partition: {bucket, prefix, topic, partition} of the backup. Source offset: the
 * object being read and the original offset of the last record produced. After a restart the
 * objects before the stored one are skipped and the stored one is read again from its start,
 * skipping the records already produced; because records are also skipped by original offset,
 * objects that overlap (a backup task rewrote part of a range after a crash) give no duplicates.
 * Delivery is at-least-once for the records produced after the last offset commit, like any
 * source connector without exactly-once support.
 */
public class S3SourceTask extends SourceTask {

    private static final Logger LOG = LoggerFactory.getLogger(S3SourceTask.class);

    static final String SP_BUCKET = "bucket";
    static final String SP_PREFIX = "prefix";
    static final String SP_TOPIC = "topic";
    static final String SP_PARTITION = "partition";
    static final String SO_OBJECT = "object";
    static final String SO_OBJECT_START = "object_start_offset";
    static final String SO_OFFSET = "offset";

    private static final int MAX_REOPEN = 3;

    /** An object of one topic-partition, ordered by first offset (then name). */
    record ObjectRef(long startOffset, String key) implements Comparable<ObjectRef> {
        private static final Comparator<ObjectRef> ORDER =
            Comparator.comparingLong(ObjectRef::startOffset).thenComparing(ObjectRef::key);

        @Override
        public int compareTo(ObjectRef o) {
            return ORDER.compare(this, o);
        }
    }

    /** Restore progress of one backed-up topic-partition. */
    static final class PartitionState {
        final String topic;
        final int partition;
        final String target;
        final Map<String, Object> sourcePartition;
        final TreeSet<ObjectRef> objects = new TreeSet<>();
        /** From the stored offset: objects before this one were restored completely. */
        ObjectRef resumeFrom;
        /** Original offset of the last record produced (stored or in this run); -1 = none. */
        long lastOffset = -1;
        ObjectRef lastFinished;
        ObjectRef current;
        BufferedReader reader;
        int reopened;

        PartitionState(String bucket, String prefix, String topic, int partition, String target) {
            this.topic = topic;
            this.partition = partition;
            this.target = target;
            Map<String, Object> sp = new HashMap<>();
            sp.put(SP_BUCKET, bucket);
            sp.put(SP_PREFIX, prefix);
            sp.put(SP_TOPIC, topic);
            sp.put(SP_PARTITION, partition);
            this.sourcePartition = Map.copyOf(sp);
        }

        /** The next object to read, or null when every known object has been read. */
        ObjectRef nextObject() {
            for (ObjectRef r : lastFinished == null ? objects : objects.tailSet(lastFinished, false)) {
                if (resumeFrom == null || r.compareTo(resumeFrom) >= 0) {
                    return r;
                }
            }
            return null;
        }

        void resume(Map<String, Object> stored) {
            if (stored == null) {
                return;
            }
            Object key = stored.get(SO_OBJECT);
            Object start = stored.get(SO_OBJECT_START);
            Object off = stored.get(SO_OFFSET);
            if (key instanceof String k && start instanceof Number s && off instanceof Number o) {
                resumeFrom = new ObjectRef(s.longValue(), k);
                lastOffset = o.longValue();
            } else {
                throw new ConnectException("Unreadable stored source offset " + stored + " for " + sourcePartition);
            }
        }

        @Override
        public String toString() {
            return topic + "-" + partition;
        }
    }

    private S3SourceConfig config;
    private S3Client s3;
    private RecordCodec codec;
    private FileNameTemplate template;
    private Map<String, Pattern> patterns;
    private int taskIndex;
    private int taskCount;
    private final Map<String, PartitionState> states = new HashMap<>();
    private final List<PartitionState> order = new ArrayList<>();
    private int roundRobin;
    private long nextListAt;
    private boolean caughtUpLogged;
    private long produced;
    private volatile boolean stopping;

    @Override
    public String version() {
        return S3Config.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        S3Config.requireByteArrayConverters(props);
        config = new S3SourceConfig(props);
        int[] slot = S3SourceConfig.taskSlot(props);
        taskIndex = slot[0];
        taskCount = slot[1];
        codec = new RecordCodec(config.base64());
        template = config.template();
        patterns = new HashMap<>();
        for (String topic : config.targets().keySet()) {
            patterns.put(topic, template.patternFor(topic));
        }
        s3 = config.newClient();
        nextListAt = 0;
        LOG.info("S3 source task {}/{} started: restoring {} from s3://{}/{}{}", taskIndex + 1, taskCount,
            config.targets(), config.bucket(), config.prefix(), template.template());
    }

    static boolean mine(String topic, int partition, int index, int count) {
        return Math.floorMod(31 * topic.hashCode() + partition, count) == index;
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        if (stopping) {
            return null;
        }
        try {
            long now = System.currentTimeMillis();
            if (now >= nextListAt) {
                list();
                nextListAt = System.currentTimeMillis() + config.pollIntervalMs();
            }
            List<SourceRecord> out = new ArrayList<>();
            int n = order.size();
            for (int i = 0; i < n && out.size() < config.batchSize(); i++) {
                fill(order.get((roundRobin + i) % n), out, config.batchSize());
            }
            roundRobin = n == 0 ? 0 : (roundRobin + 1) % n;
            if (!out.isEmpty()) {
                produced += out.size();
                caughtUpLogged = false;
                return out;
            }
            if (!caughtUpLogged) {
                LOG.info("S3 source task {}/{}: every object found is restored ({} records produced by this task "
                    + "so far, {} topic-partitions); listing again in {} s", taskIndex + 1, taskCount, produced,
                    order.size(), Math.max(0, nextListAt - System.currentTimeMillis()) / 1000);
                caughtUpLogged = true;
            }
            // Nothing to do until the next listing: wait a little instead of spinning.
            long wait = Math.min(1000, Math.max(0, nextListAt - System.currentTimeMillis()));
            if (wait > 0) {
                Thread.sleep(wait);
            }
            return null;
        } catch (RuntimeException e) {
            if (stopping) {
                return null; // resources were closed under us by stop()
            }
            throw e;
        }
    }

    /** Lists the prefix and adds the objects of this task's topic-partitions. */
    private void list() {
        List<PartitionState> added = new ArrayList<>();
        int found = 0;
        String prefix = config.prefix();
        try {
            ListObjectsV2Request req = ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix).build();
            for (S3Object o : s3.listObjectsV2Paginator(req).contents()) {
                String name = o.key().substring(prefix.length());
                for (Map.Entry<String, Pattern> e : patterns.entrySet()) {
                    FileNameTemplate.Parsed p = template.parse(e.getValue(), e.getKey(), name).orElse(null);
                    if (p == null || !mine(p.topic(), p.partition(), taskIndex, taskCount)) {
                        continue;
                    }
                    String id = p.topic() + "\u0000" + p.partition();
                    PartitionState st = states.get(id);
                    if (st == null) {
                        st = new PartitionState(config.bucket(), prefix, p.topic(), p.partition(),
                            config.targets().get(p.topic()));
                        states.put(id, st);
                        added.add(st);
                    }
                    if (st.objects.add(new ObjectRef(p.startOffset(), o.key()))) {
                        found++;
                    }
                    break;
                }
            }
        } catch (SdkException e) {
            throw s3Error("list s3://" + config.bucket() + "/" + prefix, e);
        }
        if (!added.isEmpty()) {
            List<Map<String, Object>> keys = new ArrayList<>();
            for (PartitionState st : added) {
                keys.add(st.sourcePartition);
            }
            Map<Map<String, Object>, Map<String, Object>> stored = context.offsetStorageReader().offsets(keys);
            for (PartitionState st : added) {
                st.resume(stored == null ? null : stored.get(st.sourcePartition));
                if (st.resumeFrom != null) {
                    LOG.info("Resuming {} after original offset {} (object {})", st, st.lastOffset, st.resumeFrom.key());
                }
            }
            order.addAll(added);
            order.sort(Comparator.comparing((PartitionState s) -> s.topic).thenComparingInt(s -> s.partition));
        }
        if (found > 0) {
            LOG.info("S3 source task {}/{}: {} new objects under s3://{}/{} for {} topic-partitions", taskIndex + 1,
                taskCount, found, config.bucket(), prefix, order.size());
        }
    }

    /** Adds up to {@code max - out.size()} records of one topic-partition to {@code out}. */
    private void fill(PartitionState st, List<SourceRecord> out, int max) {
        while (out.size() < max) {
            if (st.reader == null) {
                ObjectRef next = st.nextObject();
                if (next == null) {
                    return;
                }
                if (!open(st, next)) {
                    st.lastFinished = next; // deleted since the listing
                    continue;
                }
            }
            String line;
            try {
                line = st.reader.readLine();
            } catch (IOException | SdkException e) {
                reopen(st, e);
                continue;
            }
            if (line == null) {
                closeReader(st);
                st.lastFinished = st.current;
                st.current = null;
                st.reopened = 0;
                continue;
            }
            if (line.isBlank()) {
                continue;
            }
            RecordCodec.Decoded d;
            try {
                d = codec.decode(line);
            } catch (IllegalArgumentException e) {
                throw new ConnectException("s3://" + config.bucket() + "/" + st.current.key()
                    + " is not a backup of this format: " + e.getMessage());
            }
            if (d.offset() <= st.lastOffset) {
                continue; // produced before (restart, or an object overlapping the previous one)
            }
            st.lastOffset = d.offset();
            out.add(toRecord(st, d));
        }
    }

    private SourceRecord toRecord(PartitionState st, RecordCodec.Decoded d) {
        Map<String, Object> offset = Map.of(SO_OBJECT, st.current.key(), SO_OBJECT_START, st.current.startOffset(),
            SO_OFFSET, d.offset());
        ConnectHeaders headers = new ConnectHeaders();
        for (Map.Entry<String, byte[]> h : d.headers()) {
            headers.add(h.getKey(), new SchemaAndValue(Schema.OPTIONAL_BYTES_SCHEMA, h.getValue()));
        }
        return new SourceRecord(st.sourcePartition, offset, st.target, st.partition, Schema.OPTIONAL_BYTES_SCHEMA,
            d.key(), Schema.OPTIONAL_BYTES_SCHEMA, d.value(), d.timestamp(), headers);
    }

    /** Opens an object for reading; false when it no longer exists. */
    private boolean open(PartitionState st, ObjectRef ref) {
        InputStream in;
        try {
            in = s3.getObject(GetObjectRequest.builder().bucket(config.bucket()).key(ref.key()).build());
        } catch (NoSuchKeyException e) {
            LOG.warn("s3://{}/{} was deleted after it was listed; skipped", config.bucket(), ref.key());
            return false;
        } catch (SdkException e) {
            throw s3Error("read s3://" + config.bucket() + "/" + ref.key(), e);
        }
        try {
            BufferedInputStream b = new BufferedInputStream(in, 65536);
            b.mark(2);
            int b1 = b.read();
            int b2 = b.read();
            b.reset();
            InputStream data = b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(b, 65536) : b;
            st.reader = new BufferedReader(new InputStreamReader(data, StandardCharsets.UTF_8), 65536);
            st.current = ref;
            return true;
        } catch (IOException e) {
            closeQuietly(in);
            st.current = ref;
            reopen(st, e);
            return st.reader != null;
        }
    }

    /** After a read error: read the object again from the start (records produced are skipped). */
    private void reopen(PartitionState st, Exception cause) {
        closeReader(st);
        ObjectRef ref = Objects.requireNonNull(st.current);
        if (++st.reopened > MAX_REOPEN) {
            st.reopened = 0; // Connect polls again after a RetriableException: fresh attempts then
            throw new RetriableException("Reading s3://" + config.bucket() + "/" + ref.key() + " failed "
                + MAX_REOPEN + " times: " + cause.getMessage(), cause);
        }
        LOG.warn("Reading s3://{}/{} failed ({}); reading it again", config.bucket(), ref.key(), cause.toString());
        if (!open(st, ref)) {
            st.lastFinished = ref;
            st.current = null;
        }
    }

    private RuntimeException s3Error(String what, SdkException e) {
        boolean transientError = e instanceof SdkClientException
            || (e instanceof S3Exception s && (s.statusCode() >= 500 || s.statusCode() == 429));
        String msg = "Could not " + what + ": " + e.getMessage();
        return transientError ? new RetriableException(msg, e) : new ConnectException(msg, e);
    }

    private static void closeReader(PartitionState st) {
        if (st.reader != null) {
            closeQuietly(st.reader);
            st.reader = null;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close failed", e);
        }
    }

    @Override
    public void stop() {
        stopping = true;
        for (PartitionState st : order) {
            closeReader(st);
        }
        if (s3 != null) {
            s3.close();
        }
    }
}
