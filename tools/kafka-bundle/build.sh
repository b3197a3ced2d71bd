#!/usr/bin/env bash
# Build an offline Apache Kafka binary bundle (ZooKeeper mode) from Maven Central.
#
#   tools/kafka-bundle/build.sh [--version 3.9.2] [--out DIR]
#
# Writes DIR/kafka_2.13-<version>.tgz and DIR/kafka_2.13-<version>.tgz.sha512
# (default DIR: <repo>/build/kafka).  The tarball has Apache's release layout:
#   kafka_2.13-<version>/libs/*.jar   every runtime jar (mvn dependency:copy-dependencies)
#   kafka_2.13-<version>/config/      our own sample config + log4j files
#   kafka_2.13-<version>/bin/         our own small scripts for people (kafka-run-class.sh and
#                                     wrappers such as kafka-topics.sh, mode 0755)
#   kafka_2.13-<version>/BUNDLE.txt   provenance (Maven coordinates, build command)
# The systemd units do not use bin/; they start java directly, e.g.
#   java -cp 'kafka_2.13-<v>/libs/*' -Dlog4j.configuration=file:.../config/log4j.properties kafka.Kafka server.properties
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
    find pom.xml build.sh config bin -type f | sort | while IFS= read -r f; do
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
        -Dkafka.version="$VERSION" \
        -DoutputDirectory="$STAGE/libs" \
        -DoutputFile="$WORK/deps.txt" \
        -DoutputAbsoluteArtifactFilename=false \
        dependency:copy-dependencies dependency:list) >"$WORK/mvn.log" 2>&1; then
  tail -n 40 "$WORK/mvn.log" >&2
  die "Maven could not resolve Kafka $VERSION (see the output above; is Maven Central reachable and does $VERSION exist?)"
fi

# Sanity: the jars the roles rely on must be there, and exactly one SLF4J binding.
for j in "kafka_2.13-$VERSION" "kafka-clients-$VERSION" "kafka-tools-$VERSION" "kafka-storage-$VERSION" \
         "kafka-server-$VERSION" "connect-runtime-$VERSION" "connect-mirror-$VERSION" \
         "connect-mirror-client-$VERSION" "connect-file-$VERSION" "connect-json-$VERSION" \
         "connect-transforms-$VERSION" zookeeper- slf4j-api- slf4j-reload4j- reload4j-; do
  compgen -G "$STAGE/libs/$j*.jar" >/dev/null || die "expected jar $j*.jar missing from the resolved set"
done
if compgen -G "$STAGE/libs/logback-classic-*.jar" >/dev/null || compgen -G "$STAGE/libs/slf4j-log4j12-*.jar" >/dev/null \
   || compgen -G "$STAGE/libs/log4j-slf4j*-impl-*.jar" >/dev/null; then
  die "a second SLF4J binding was resolved: $(cd "$STAGE/libs" && find . -name 'logback-classic-*' -o -name 'slf4j-log4j12-*' -o -name 'log4j-slf4j*-impl-*' | tr '\n' ' ')"
fi

cp "$HERE"/config/* "$STAGE/config/"
cp "$HERE"/bin/* "$STAGE/bin/"

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
  echo "  org.apache.kafka:{kafka_2.13,kafka-storage,kafka-tools,connect-runtime,connect-mirror,"
  echo "  connect-mirror-client,connect-file,connect-json,connect-transforms}:$VERSION"
  echo "  org.slf4j:slf4j-reload4j, ch.qos.reload4j:reload4j (logging, as in Apache's release)"
  echo "and their transitive runtime dependencies, downloaded unmodified from"
  echo "https://repo.maven.apache.org/maven2/ (each jar keeps its own LICENSE/NOTICE entries)."
  echo "Apache Kafka, Apache ZooKeeper: Apache License 2.0. See each jar for third-party licenses."
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
  echo
  echo "Built with:  tools/kafka-bundle/build.sh --version $VERSION"
  echo "  (= mvn -B -q -Dkafka.version=$VERSION dependency:copy-dependencies on tools/kafka-bundle/pom.xml)"
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
