/*
 * Copyright: Contributors to the kafkaops.cluster collection
 * GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
 */
package io.kafkaops.connect.s3;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Configuration shared by the sink (backup) and source (restore) connectors. Key names follow
 * Aiven's s3-connector-for-apache-kafka where the meaning is the same.
 */
abstract class S3Config extends AbstractConfig {

    static final String AWS_ACCESS_KEY_ID = "aws.access.key.id";
    static final String AWS_SECRET_ACCESS_KEY = "aws.secret.access.key";
    static final String AWS_S3_BUCKET = "aws.s3.bucket.name";
    static final String AWS_S3_REGION = "aws.s3.region";
    static final String AWS_S3_ENDPOINT = "aws.s3.endpoint";
    static final String FILE_NAME_PREFIX = "file.name.prefix";
    static final String FILE_NAME_TEMPLATE = "file.name.template";
    static final String FORMAT_OUTPUT_TYPE = "format.output.type";
    static final String VALUE_ENCODING = "format.output.fields.value.encoding";

    static final String GROUP_AWS = "AWS";
    static final String GROUP_FILE = "File";
    static final String GROUP_FORMAT = "Format";

    static final String BYTE_ARRAY_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";
    static final List<String> CONVERTER_KEYS = List.of("key.converter", "value.converter", "header.converter");

    static final String VERSION = loadVersion();

    S3Config(ConfigDef def, Map<String, String> props) {
        super(def, props);
        String id = password(AWS_ACCESS_KEY_ID);
        String secret = password(AWS_SECRET_ACCESS_KEY);
        if (id.isEmpty() != secret.isEmpty()) {
            throw new ConfigException(credentialsPairMessage());
        }
    }

    /** The keys both connectors understand. */
    static ConfigDef commonDef() {
        ConfigDef def = new ConfigDef();
        int o = 0;
        def.define(AWS_ACCESS_KEY_ID, Type.PASSWORD, null, Importance.MEDIUM,
            "AWS access key id. Leave unset (together with aws.secret.access.key) to use the AWS SDK's "
                + "default credentials chain: environment, system properties, ~/.aws profile, container or "
                + "EC2 instance profile credentials.",
            GROUP_AWS, ++o, Width.NONE, AWS_ACCESS_KEY_ID);
        def.define(AWS_SECRET_ACCESS_KEY, Type.PASSWORD, null, Importance.MEDIUM,
            "AWS secret access key; set together with aws.access.key.id. Use a config provider "
                + "(e.g. ${file:/etc/kafka-connect/s3.properties:aws.secret.access.key}) rather than the literal.",
            GROUP_AWS, ++o, Width.NONE, AWS_SECRET_ACCESS_KEY);
        def.define(AWS_S3_BUCKET, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
            Importance.HIGH, "Name of the S3 bucket (it must exist).", GROUP_AWS, ++o, Width.LONG, AWS_S3_BUCKET);
        def.define(AWS_S3_REGION, Type.STRING, "us-east-1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
            "AWS region of the bucket, e.g. eu-west-1.", GROUP_AWS, ++o, Width.SHORT, AWS_S3_REGION);
        def.define(AWS_S3_ENDPOINT, Type.STRING, null, new EndpointValidator(), Importance.LOW,
            "S3 endpoint URL (http:// or https://) for S3-compatible stores such as MinIO or moto; "
                + "path-style requests are used when it is set. Leave unset for AWS S3.",
            GROUP_AWS, ++o, Width.LONG, AWS_S3_ENDPOINT);
        o = 0;
        def.define(FILE_NAME_PREFIX, Type.STRING, "", new PrefixValidator(), Importance.MEDIUM,
            "Prefix of every object name, e.g. 'backups/prod/'. Object names are prefix + template.",
            GROUP_FILE, ++o, Width.LONG, FILE_NAME_PREFIX);
        def.define(FILE_NAME_TEMPLATE, Type.STRING, null, new TemplateValidator(), Importance.MEDIUM,
            "Object name template. Variables: {{topic}}, {{partition}} ({{partition:padding=true}} pads to "
                + "10 digits), {{start_offset}} (offset of the first record, zero-padded to 20 digits so names "
                + "sort; {{start_offset:padding=false}} for plain digits), {{timestamp:unit=yyyy|MM|dd|HH}} "
                + "(UTC write time). {{topic}}, {{partition}} and {{start_offset}} are required. Default: "
                + FileNameTemplate.DEFAULT + ", plus '.gz' when file.compression.type=gzip.",
            GROUP_FILE, ++o, Width.LONG, FILE_NAME_TEMPLATE);
        o = 0;
        def.define(FORMAT_OUTPUT_TYPE, Type.STRING, "jsonl", ConfigDef.ValidString.in("jsonl"), Importance.LOW,
            "Object format. Only 'jsonl': one JSON object per record and line, with the members key, "
                + "value, offset, timestamp and headers.",
            GROUP_FORMAT, ++o, Width.SHORT, FORMAT_OUTPUT_TYPE);
        def.define(VALUE_ENCODING, Type.STRING, "base64", ConfigDef.ValidString.in("base64", "none"),
            Importance.MEDIUM,
            "How record keys, values and header values are written: 'base64' (lossless for any bytes) or "
                + "'none' (as a UTF-8 string; bytes that are not valid UTF-8 are not restored exactly). "
                + "The restore connector must use the value the backup used.",
            GROUP_FORMAT, ++o, Width.SHORT, VALUE_ENCODING);
        return def;
    }

    String bucket() {
        return getString(AWS_S3_BUCKET);
    }

    String prefix() {
        return getString(FILE_NAME_PREFIX);
    }

    boolean base64() {
        return "base64".equals(getString(VALUE_ENCODING));
    }

    /** The template without a compression suffix (subclasses add one for the default). */
    FileNameTemplate template() {
        String t = getString(FILE_NAME_TEMPLATE);
        return FileNameTemplate.of(t == null ? FileNameTemplate.DEFAULT : t);
    }

    private String password(String key) {
        Password p = getPassword(key);
        return p == null || p.value() == null ? "" : p.value();
    }

    /** An S3 client for this configuration (the caller closes it). */
    S3Client newClient() {
        S3ClientBuilder b = S3Client.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .region(Region.of(getString(AWS_S3_REGION)))
            .credentialsProvider(credentials());
        String endpoint = getString(AWS_S3_ENDPOINT);
        if (endpoint != null && !endpoint.isBlank()) {
            // S3-compatible stores: path-style addressing, and checksums only where S3 requires
            // them (not every implementation understands the SDK's default trailing checksums).
            b.endpointOverride(URI.create(endpoint.trim()))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return b.build();
    }

    private AwsCredentialsProvider credentials() {
        String id = password(AWS_ACCESS_KEY_ID);
        if (id.isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(id, password(AWS_SECRET_ACCESS_KEY)));
    }

    private static String credentialsPairMessage() {
        return AWS_ACCESS_KEY_ID + " and " + AWS_SECRET_ACCESS_KEY
            + " must be set together (or both left unset to use the default AWS credentials chain)";
    }

    /**
     * Checks a connector's configuration beyond single keys: converters that would not give
     * this connector raw bytes (reported on format.output.type), and the access key pair.
     * Errors are added to {@code result}.
     */
    static void validateCommon(Map<String, String> props, Config result) {
        for (String key : CONVERTER_KEYS) {
            String v = props.get(key);
            if (v != null && !v.trim().equals(BYTE_ARRAY_CONVERTER)) {
                // Reported on format.output.type: the worker owns the converter keys' results
                // (and expects class values there).
                addError(result, FORMAT_OUTPUT_TYPE, key + "=" + v.trim() + " is not supported: this connector "
                    + "copies the record bytes unchanged, set " + key + "=" + BYTE_ARRAY_CONVERTER);
            }
        }
        boolean id = notBlank(props.get(AWS_ACCESS_KEY_ID));
        boolean secret = notBlank(props.get(AWS_SECRET_ACCESS_KEY));
        if (id != secret) {
            addError(result, id ? AWS_SECRET_ACCESS_KEY : AWS_ACCESS_KEY_ID, credentialsPairMessage());
        }
    }

    /** Throws the same converter error validateCommon reports, for start(). */
    static void requireByteArrayConverters(Map<String, String> props) {
        for (String key : CONVERTER_KEYS) {
            String v = props.get(key);
            if (v != null && !v.trim().equals(BYTE_ARRAY_CONVERTER)) {
                throw new ConfigException(key, v, "this connector copies the record bytes unchanged, set "
                    + key + "=" + BYTE_ARRAY_CONVERTER);
            }
        }
    }

    static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    static void addError(Config result, String key, String message) {
        for (ConfigValue cv : result.configValues()) {
            if (cv.name().equals(key)) {
                cv.addErrorMessage(message);
                return;
            }
        }
        ConfigValue cv = new ConfigValue(key);
        cv.addErrorMessage(message);
        result.configValues().add(cv);
    }

    static boolean hasErrors(Config result) {
        return result.configValues().stream().anyMatch(cv -> !cv.errorMessages().isEmpty());
    }

    private static String loadVersion() {
        try (InputStream in = S3Config.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static final class TemplateValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return;
            }
            try {
                FileNameTemplate.of((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "a template with {{topic}}, {{partition}} and {{start_offset}}";
        }
    }

    static final class PrefixValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String s = (String) value;
            if (s != null && (s.startsWith("/") || s.contains("{{"))) {
                throw new ConfigException(name, value, "the prefix must not start with '/' or contain variables");
            }
        }

        @Override
        public String toString() {
            return "a plain string, e.g. 'backups/prod/'";
        }
    }

    static final class EndpointValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            String s = (String) value;
            if (s == null || s.isBlank()) {
                return;
            }
            try {
                URI u = new URI(s.trim());
                if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                    throw new ConfigException(name, value, "expected an http:// or https:// URL with a host");
                }
            } catch (URISyntaxException e) {
                throw new ConfigException(name, value, "not a URL: " + e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "an http:// or https:// URL, e.g. http://127.0.0.1:9000";
        }
    }
}
