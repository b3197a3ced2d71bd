/*
 * Copyright: Contributors to the kafkaops.cluster collection
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */
package io.kafkaops.connect.s3;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Object names from {@code file.name.template} (the syntax of Aiven's S3 connector):
 * <ul>
 *   <li>{@code {{topic}}} the record's topic;</li>
 *   <li>{@code {{partition}}} its partition, {@code {{partition:padding=true}}} zero-padded to 10 digits;</li>
 *   <li>{@code {{start_offset}}} the offset of the first record in the object, zero-padded to 20 digits
 *       so that names sort by offset ({@code {{start_offset:padding=false}}} for plain digits);</li>
 *   <li>{@code {{timestamp:unit=yyyy|MM|dd|HH}}} the UTC wall-clock time the object is written.</li>
 * </ul>
 * topic, partition and start_offset are required: they make every object name unique and let
 * the restore side find the records of a topic-partition again.
 */
final class FileNameTemplate {

    static final String DEFAULT = "{{topic}}-{{partition}}-{{start_offset}}";
    static final int PARTITION_DIGITS = 10;
    static final int OFFSET_DIGITS = 20;

    private static final Pattern VARIABLE =
        Pattern.compile("\\{\\{\\s*([a-z_]+)\\s*(?::\\s*([a-z_]+)\\s*=\\s*([A-Za-z0-9_]+)\\s*)?}}");
    private static final DateTimeFormatter YEAR = utc("yyyy");
    private static final DateTimeFormatter MONTH = utc("MM");
    private static final DateTimeFormatter DAY = utc("dd");
    private static final DateTimeFormatter HOUR = utc("HH");

    private enum Kind { LITERAL, TOPIC, PARTITION, START_OFFSET, TIMESTAMP }

    private record Part(Kind kind, String text, boolean padding) {
    }

    /** Topic, partition and first offset recovered from an object name. */
    record Parsed(String topic, int partition, long startOffset) {
    }

    private final String template;
    private final List<Part> parts;

    private FileNameTemplate(String template, List<Part> parts) {
        this.template = template;
        this.parts = parts;
    }

    /**
     * @throws IllegalArgumentException with a message for the user when the template is invalid
     */
    static FileNameTemplate of(String template) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("the template is empty");
        }
        List<Part> parts = new ArrayList<>();
        Matcher m = VARIABLE.matcher(template);
        int last = 0;
        boolean topic = false;
        boolean partition = false;
        boolean offset = false;
        while (m.find()) {
            if (m.start() > last) {
                parts.add(literal(template.substring(last, m.start())));
            }
            last = m.end();
            String name = m.group(1);
            String param = m.group(2);
            String value = m.group(3);
            switch (name) {
                case "topic" -> {
                    noParameter(name, param);
                    parts.add(new Part(Kind.TOPIC, null, false));
                    topic = true;
                }
                case "partition" -> {
                    parts.add(new Part(Kind.PARTITION, null, padding(name, param, value, false)));
                    partition = true;
                }
                case "start_offset" -> {
                    parts.add(new Part(Kind.START_OFFSET, null, padding(name, param, value, true)));
                    offset = true;
                }
                case "timestamp" -> {
                    if (!"unit".equals(param) || !List.of("yyyy", "MM", "dd", "HH").contains(value)) {
                        throw new IllegalArgumentException(
                            "{{timestamp}} needs a unit: {{timestamp:unit=yyyy}}, MM, dd or HH");
                    }
                    parts.add(new Part(Kind.TIMESTAMP, value, false));
                }
                case "key" -> throw new IllegalArgumentException(
                    "{{key}} (one object per record key) is not supported by this connector");
                default -> throw new IllegalArgumentException("unknown variable {{" + name + "}}; known: "
                    + "{{topic}}, {{partition}}, {{start_offset}}, {{timestamp:unit=...}}");
            }
        }
        if (last < template.length()) {
            parts.add(literal(template.substring(last)));
        }
        if (!topic || !partition || !offset) {
            throw new IllegalArgumentException(
                "the template must contain {{topic}}, {{partition}} and {{start_offset}}");
        }
        return new FileNameTemplate(template, List.copyOf(parts));
    }

    private static DateTimeFormatter utc(String pattern) {
        return DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC);
    }

    private static Part literal(String text) {
        if (text.contains("{{") || text.contains("}}")) {
            throw new IllegalArgumentException("malformed variable near '" + text + "'");
        }
        return new Part(Kind.LITERAL, text, false);
    }

    private static void noParameter(String name, String param) {
        if (param != null) {
            throw new IllegalArgumentException("{{" + name + "}} takes no parameter");
        }
    }

    private static boolean padding(String name, String param, String value, boolean dflt) {
        if (param == null) {
            return dflt;
        }
        if (!"padding".equals(param) || !("true".equals(value) || "false".equals(value))) {
            throw new IllegalArgumentException("{{" + name + "}} takes only padding=true or padding=false");
        }
        return Boolean.parseBoolean(value);
    }

    String template() {
        return template;
    }

    /** The object name (without file.name.prefix) for records of topic-partition starting at startOffset. */
    String render(String topic, int partition, long startOffset, Instant now) {
        StringBuilder b = new StringBuilder();
        for (Part p : parts) {
            switch (p.kind) {
                case LITERAL -> b.append(p.text);
                case TOPIC -> b.append(topic);
                case PARTITION -> b.append(p.padding ? pad(partition, PARTITION_DIGITS) : Integer.toString(partition));
                case START_OFFSET -> b.append(p.padding ? pad(startOffset, OFFSET_DIGITS) : Long.toString(startOffset));
                case TIMESTAMP -> b.append(switch (p.text) {
                    case "yyyy" -> YEAR.format(now);
                    case "MM" -> MONTH.format(now);
                    case "dd" -> DAY.format(now);
                    default -> HOUR.format(now);
                });
                default -> throw new IllegalStateException(p.kind.toString());
            }
        }
        return b.toString();
    }

    static String pad(long n, int width) {
        String s = Long.toString(n);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    /**
     * A matcher for the names of one topic's objects. The topic is matched literally, so topic
     * names with dashes or digits cannot be confused with the partition or offset fields. A
     * trailing {@code .gz} is accepted in addition to the template.
     */
    Pattern patternFor(String topic) {
        StringBuilder re = new StringBuilder("^");
        boolean partitionSeen = false;
        boolean offsetSeen = false;
        for (Part p : parts) {
            switch (p.kind) {
                case LITERAL -> re.append(Pattern.quote(p.text));
                case TOPIC -> re.append(Pattern.quote(topic));
                case PARTITION -> {
                    re.append(partitionSeen ? "\\k<partition>" : "(?<partition>[0-9]+)");
                    partitionSeen = true;
                }
                case START_OFFSET -> {
                    re.append(offsetSeen ? "\\k<offset>" : "(?<offset>[0-9]+)");
                    offsetSeen = true;
                }
                case TIMESTAMP -> re.append("yyyy".equals(p.text) ? "[0-9]{4}" : "[0-9]{2}");
                default -> throw new IllegalStateException(p.kind.toString());
            }
        }
        re.append("(?:\\.gz)?$");
        return Pattern.compile(re.toString());
    }

    /** Parses an object name (without prefix) made by {@link #render} for {@code topic}. */
    Optional<Parsed> parse(Pattern topicPattern, String topic, String name) {
        Matcher m = topicPattern.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Parsed(topic, Integer.parseInt(m.group("partition")),
                Long.parseLong(m.group("offset"))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
