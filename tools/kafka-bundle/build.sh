#!/usr/bin/env bash
# Build an offline Apache Kafka binary bundle from Maven Central: Kafka 3.x (ZooKeeper or KRaft)
# or Kafka 4.x (KRaft only).
#
#   tools/kafka-bundle/build.sh [--version 3.9.2|4.3.1] [--out DIR]
#
# Writes DIR/kafka_2.13-<version>.tgz and DIR/kafka_2.13-<version>.tgz.sha512
# (default DIR: <repo>/build/kafka).  The tarball has Apache's release layout:
#   kafka_2.13-<version>/libs/*.jar   every runtime jar (mvn dependency:copy-dependencies)
#   kafka_2.13-<version>/config/      our own sample config + logging files
#   kafka_2.13-<version>/bin/         our own small scripts for people (kafka-run-class.sh and
#                                     wrappers such as kafka-topics.sh, mode 0755)
#   kafka_2.13-<version>/BUNDLE.txt   provenance (Maven coordinates, build command)
# What differs per Kafka major version is chosen in two places only: the pom.xml profile
# kafka-<major> (artifacts, logging backend) and the source directories of bin/ and config/:
#   3.x: bin/ and config/ (reload4j, log4j.properties; ZooKeeper wrappers, and the KRaft wrappers
#        kafka-storage.sh, kafka-metadata-quorum.sh, kafka-features.sh, kafka-cluster.sh: 3.9 runs KRaft
#        too, and a ZooKeeper cluster's migration needs them)
#   4.x: kafka-4/bin/ and kafka-4/config/ (Log4j 2, log4j2.yaml; no ZooKeeper), plus the files of
#        bin/ and config/ that are the same in both (SHARED below: the KRaft wrappers among them)
# The systemd units do not use bin/; they start java directly, e.g.
#   java -cp 'kafka_2.13-<v>/libs/*' -Dlog4j.configuration=file:.../config/log4j.properties kafka.Kafka server.properties
#   java -cp 'kafka_2.13-<v>/libs/*' -Dlog4j2.configurationFile=.../config/log4j2.yaml kafka.Kafka server.properties  (4.x)
#
# The tarball is reproducible (sorted names, mtime 0, uid/gid 0, fixed modes, gzip -n), so the
# same version + pom + config + bin + this script always give a byte-identical file and checksum.
# If the outputs exist and the stamp file records the same version and input hash,
# nothing is rebuilt and Maven is not run.
#
# Environment: MVN (maven command, default "mvn"), MAVEN_EXTRA_ARGS (extra mvn args,
# e.g. "-o" or "-Dmaven.repo.local=/path").
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"

VERSION=""
OUT="$REPO/build/kafka"

usage() {
  # The comment block at the top of this file.
  sed -n '2,/^[^#]/{/^#/p;}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}
die() { echo "kafka bundle: ERROR: $*" >&2; exit 1; }
# The main class a bin/ wrapper runs: the CLASS of its line  exec "$bin/kafka-run-class.sh" CLASS ...
wrapper_class() {
  # shellcheck disable=SC2016  # '$bin' is literal text here
  sed -n 's:^exec "\$bin/kafka-run-class\.sh" \([A-Za-z0-9_.$]*\).*:\1:p' "$1"
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --version) [[ $# -ge 2 ]] || die "--version needs a value"; VERSION="$2"; shift 2 ;;
    --version=*) VERSION="${1#*=}"; shift ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a value"; OUT="$2"; shift 2 ;;
    --out=*) OUT="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

# Default version = the kafka.version property in pom.xml.
if [[ -z "$VERSION" ]]; then
  VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml" | head -n1)"
  [[ -n "$VERSION" ]] || die "cannot read <kafka.version> from $HERE/pom.xml"
fi
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+([.-][A-Za-z0-9.-]+)?$ ]] || die "bad version '$VERSION'"

# Per major version: the Maven profile, the bin/ + config/ sources and the jars that must resolve.
MAJOR="${VERSION%%.*}"
case "$MAJOR" in
  3)
    SRC_BIN="$HERE/bin" SRC_CONFIG="$HERE/config" SHARED=()
    # Logging: SLF4J 1.7 -> reload4j (log4j 1.2 API); ZooKeeper is still part of 3.x.
    MUST_JARS=(zookeeper- slf4j-api- slf4j-reload4j- reload4j-)
    NOT_JARS=(logback-classic- slf4j-log4j12- 'log4j-slf4j*-impl-') ;;
  4)
    SRC_BIN="$HERE/kafka-4/bin" SRC_CONFIG="$HERE/kafka-4/config"
    # Wrappers and configs that are the same in 3.x and 4.x come from bin/ and config/; kafka-4/ holds
    # only what differs (Log4j 2, moved main classes) and the KRaft tools.
    SHARED=(bin/kafka-configs.sh bin/kafka-console-consumer.sh bin/kafka-consumer-groups.sh
            bin/kafka-consumer-perf-test.sh bin/kafka-get-offsets.sh bin/kafka-producer-perf-test.sh
            bin/kafka-reassign-partitions.sh bin/kafka-topics.sh
            bin/kafka-storage.sh bin/kafka-metadata-quorum.sh bin/kafka-features.sh bin/kafka-cluster.sh
            config/connect-distributed.properties config/connect-mirror-maker.properties)
    # KRaft only (kafka-metadata, kafka-raft); logging: SLF4J 1.7 -> log4j-slf4j-impl -> Log4j 2.
    MUST_JARS=("kafka-metadata-$VERSION" "kafka-raft-$VERSION" slf4j-api- log4j-slf4j-impl- log4j-api- log4j-core-
               jackson-dataformat-yaml-)
    NOT_JARS=(logback-classic- slf4j-log4j12- slf4j-reload4j- reload4j- log4j-slf4j2-impl- zookeeper-) ;;
  *) die "unsupported Kafka major version $MAJOR (in '$VERSION'); this tool builds 3.x and 4.x" ;;
esac

export LC_ALL=C
umask 022

NAME="kafka_2.13-$VERSION"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
TGZ="$OUT/$NAME.tgz"
SUM="$TGZ.sha512"
STAMP="$OUT/.$NAME.stamp"

# Hash of every input that shapes the tarball (sorted, names included).
inputs_hash() {
  (
    cd "$HERE"
    find pom.xml build.sh config bin kafka-4 -type f | sort | while IFS= read -r f; do
      printf '%s\n' "$f"
      sha256sum <"$f"
    done
  ) | sha256sum | cut -d' ' -f1
}
INPUTS="$(inputs_hash)"
STAMP_WANT="version=$VERSION
inputs=$INPUTS"

if [[ -f "$TGZ" && -f "$SUM" && -f "$STAMP" ]] \
   && [[ "$(cat "$STAMP")" == "$STAMP_WANT" ]] \
   && (cd "$OUT" && sha512sum --status -c "$(basename "$SUM")"); then
  echo "kafka bundle: cached $TGZ"
  echo "sha512: $(cut -d' ' -f1 "$SUM")"
  exit 0
fi

MVN="${MVN:-mvn}"
command -v "$MVN" >/dev/null 2>&1 \
  || die "Maven ('$MVN') not found on PATH; install it (e.g. apt-get install -y maven) or set MVN=/path/to/mvn"
command -v java >/dev/null 2>&1 || die "java not found on PATH (Maven needs a JDK)"
tar --version 2>/dev/null | grep -q 'GNU tar' || die "GNU tar is required (for --sort=name)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kafka-bundle.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/stage/$NAME"
mkdir -p "$STAGE/libs" "$STAGE/config" "$STAGE/bin" "$WORK/mvn"
cp "$HERE/pom.xml" "$WORK/mvn/pom.xml"

start=$SECONDS
echo "kafka bundle: resolving Kafka $VERSION from Maven Central ..."
# shellcheck disable=SC2086
if ! (cd "$WORK/mvn" && "$MVN" -B -q -Dstyle.color=never ${MAVEN_EXTRA_ARGS:-} \
        -P "kafka-$MAJOR" -Dkafka.version="$VERSION" \
        -DoutputDirectory="$STAGE/libs" \
        -DoutputFile="$WORK/deps.txt" \
        -DoutputAbsoluteArtifactFilename=false \
        dependency:copy-dependencies dependency:list) >"$WORK/mvn.log" 2>&1; then
  tail -n 40 "$WORK/mvn.log" >&2
  die "Maven could not resolve Kafka $VERSION (see the output above; is Maven Central reachable and does $VERSION exist?)"
fi

# Sanity: the jars the roles rely on must be there, and exactly one SLF4J binding (and, on 4.x,
# neither log4j 1 nor ZooKeeper).
for j in "kafka_2.13-$VERSION" "kafka-clients-$VERSION" "kafka-tools-$VERSION" "kafka-storage-$VERSION" \
         "kafka-server-$VERSION" "connect-runtime-$VERSION" "connect-mirror-$VERSION" \
         "connect-mirror-client-$VERSION" "connect-file-$VERSION" "connect-json-$VERSION" \
         "connect-transforms-$VERSION" "${MUST_JARS[@]}"; do
  compgen -G "$STAGE/libs/$j*.jar" >/dev/null || die "expected jar $j*.jar missing from the resolved set"
done
for j in "${NOT_JARS[@]}"; do
  if compgen -G "$STAGE/libs/$j*.jar" >/dev/null; then
    die "unexpected jar for Kafka $MAJOR.x resolved (a second SLF4J binding or a wrong logging/ZooKeeper jar): $(cd "$STAGE/libs" && compgen -G "$j*.jar" | tr '\n' ' ')"
  fi
done

for f in "${SHARED[@]}"; do cp "$HERE/$f" "$STAGE/$f"; done
cp "$SRC_CONFIG"/* "$STAGE/config/"
cp "$SRC_BIN"/* "$STAGE/bin/"

# Every wrapper must name a main class that the resolved jars provide (java --dry-run loads
# the class and checks its main method without running it).
[[ -f "$STAGE/bin/kafka-run-class.sh" ]] || die "bin/kafka-run-class.sh missing"
for w in "$STAGE"/bin/*; do
  [[ "$(basename "$w")" == kafka-run-class.sh ]] && continue
  cls="$(wrapper_class "$w")"
  [[ -n "$cls" && "$cls" != *$'\n'* ]] \
    || die "bin/$(basename "$w"): expected one line 'exec \"\$bin/kafka-run-class.sh\" CLASS ...'"
  java --dry-run -Xshare:auto -cp "$STAGE/libs/*" "$cls" >/dev/null 2>"$WORK/dry-run.err" \
    || die "bin/$(basename "$w"): main class $cls not loadable: $(head -n2 "$WORK/dry-run.err" | tr '\n' ' ')"
done

# Provenance file (deterministic: no dates, no host names).
NJARS="$(find "$STAGE/libs" -name '*.jar' | wc -l)"
{
  echo "Apache Kafka $VERSION (Scala 2.13) - offline binary bundle built by kafkaops.cluster"
  echo
  echo "libs/ holds the $NJARS runtime jars of the Maven Central artifacts"
  if [[ "$MAJOR" == 3 ]]; then
    echo "  org.apache.kafka:{kafka_2.13,kafka-storage,kafka-tools,connect-runtime,connect-mirror,"
    echo "  connect-mirror-client,connect-file,connect-json,connect-transforms}:$VERSION"
    echo "  org.slf4j:slf4j-reload4j, ch.qos.reload4j:reload4j (logging, as in Apache's release)"
  else
    echo "  org.apache.kafka:{kafka_2.13,kafka-server,kafka-metadata,kafka-raft,kafka-storage,kafka-tools,"
    echo "  connect-runtime,connect-mirror,connect-mirror-client,connect-file,connect-json,connect-transforms}:$VERSION"
    echo "  org.apache.logging.log4j:{log4j-api,log4j-core,log4j-slf4j-impl} (logging, as in Apache's release)"
  fi
  echo "and their transitive runtime dependencies, downloaded unmodified from"
  echo "https://repo.maven.apache.org/maven2/ (each jar keeps its own LICENSE/NOTICE entries)."
  if [[ "$MAJOR" == 3 ]]; then
    echo "Apache Kafka, Apache ZooKeeper: Apache License 2.0. See each jar for third-party licenses."
  else
    echo "Apache Kafka, Apache Log4j: Apache License 2.0. See each jar for third-party licenses."
  fi
  echo
  echo "config/ holds short sample files written for this bundle (not Apache's copies);"
  echo "the kafkaops.cluster Ansible roles render the real configuration."
  echo
  echo "bin/ holds short scripts written for this bundle (not Apache's copies) for the usual"
  echo "command line tools: bin/kafka-run-class.sh CLASS ARGS... runs java with libs/* on the"
  echo "classpath (JAVA_HOME, KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_LOG4J_OPTS,"
  echo "KAFKA_OPTS, LOG_DIR), and one wrapper per tool calls it:"
  for w in "$STAGE"/bin/*; do
    [[ "$(basename "$w")" == kafka-run-class.sh ]] && continue
    printf '  %-34s %s\n' "bin/$(basename "$w")" "$(wrapper_class "$w")"
  done
  if [[ "$MAJOR" == 3 ]]; then
    echo "zookeeper-shell.sh is meant for non-interactive use (no jline jar: no prompt/line editing);"
    echo "give the command as arguments, e.g. bin/zookeeper-shell.sh zk-1:2181 ls /kafka/brokers/ids"
    echo
    echo "The kafkaops.cluster systemd units do not use bin/; they run java directly, e.g."
    echo "  java -cp 'libs/*' -Dlog4j.configuration=file:config/log4j.properties -Dkafka.logs.dir=logs \\"
    echo "       org.apache.zookeeper.server.quorum.QuorumPeerMain config/zookeeper.properties"
    echo "  java -cp 'libs/*' -Dlog4j.configuration=file:config/log4j.properties -Dkafka.logs.dir=logs \\"
    echo "       kafka.Kafka config/server.properties"
    echo "  java -cp 'libs/*' -Dlog4j.configuration=file:config/connect-log4j.properties \\"
    echo "       org.apache.kafka.connect.cli.ConnectDistributed config/connect-distributed.properties"
    echo "  java -cp 'libs/*' -Dlog4j.configuration=file:config/connect-log4j.properties \\"
    echo "       org.apache.kafka.connect.mirror.MirrorMaker config/connect-mirror-maker.properties"
    echo "  java -cp 'libs/*' -Dlog4j.configuration=file:config/tools-log4j.properties \\"
    echo "       org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list"
  else
    echo
    echo "The kafkaops.cluster systemd units do not use bin/; they run java directly, e.g."
    echo "  java -cp 'libs/*' -Dlog4j2.configurationFile=config/log4j2.yaml -Dkafka.logs.dir=logs \\"
    echo "       kafka.Kafka config/server.properties"
    echo "  java -cp 'libs/*' -Dlog4j2.configurationFile=config/connect-log4j2.yaml \\"
    echo "       org.apache.kafka.connect.cli.ConnectDistributed config/connect-distributed.properties"
    echo "  java -cp 'libs/*' -Dlog4j2.configurationFile=config/connect-log4j2.yaml \\"
    echo "       org.apache.kafka.connect.mirror.MirrorMaker config/connect-mirror-maker.properties"
    echo "  java -cp 'libs/*' -Dlog4j2.configurationFile=config/tools-log4j2.yaml \\"
    echo "       org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list"
    echo "A KRaft node formats its storage once before the first start:"
    echo "  bin/kafka-storage.sh format -t \"\$(bin/kafka-storage.sh random-uuid)\" -c config/server.properties --standalone"
  fi
  echo
  echo "Built with:  tools/kafka-bundle/build.sh --version $VERSION"
  if [[ "$MAJOR" == 3 ]]; then
    echo "  (= mvn -B -q -Dkafka.version=$VERSION dependency:copy-dependencies on tools/kafka-bundle/pom.xml)"
  else
    echo "  (= mvn -B -q -P kafka-4 -Dkafka.version=$VERSION dependency:copy-dependencies on tools/kafka-bundle/pom.xml)"
  fi
  echo
  echo "Resolved artifacts (groupId:artifactId:type:version:scope):"
  grep -E '^ +[^ ]+:[^ ]+:' "$WORK/deps.txt" | awk '{print "  " $1}' | sort -u
} >"$STAGE/BUNDLE.txt"

# Normalise permissions so the umask/checkout mode of the builder does not leak in.
find "$WORK/stage" -type d -exec chmod 0755 {} +
find "$WORK/stage" -type f -exec chmod 0644 {} +
chmod 0755 "$STAGE"/bin/*

tar -C "$WORK/stage" --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    -cf - "$NAME" | gzip -n -9 >"$WORK/$NAME.tgz"
(cd "$WORK" && sha512sum "$NAME.tgz" >"$NAME.tgz.sha512")

mv -f "$WORK/$NAME.tgz" "$TGZ"
mv -f "$WORK/$NAME.tgz.sha512" "$SUM"
printf '%s\n' "$STAMP_WANT" >"$STAMP"

echo "kafka bundle: built $TGZ ($NJARS jars, $(du -h "$TGZ" | cut -f1), $((SECONDS - start)) s)"
echo "sha512: $(cut -d' ' -f1 "$SUM")"
