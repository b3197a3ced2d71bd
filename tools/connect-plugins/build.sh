#!/usr/bin/env bash
# Build the kafkaops S3 connector (Kafka Connect plugin: S3 backup sink + restore source) from
# tools/connect-plugins/s3 with Maven, and pack it as a Connect plugin directory.
#
#   tools/connect-plugins/build.sh [--out DIR]
#
# Writes DIR/kafkaops-s3-connector-<version>.tgz and DIR/kafkaops-s3-connector-<version>.tgz.sha512
# (default DIR: <repo>/build/connect-plugins; <version> is the <version> of s3/pom.xml).
# The tarball holds one plugin directory; unpack it into a directory on the worker's plugin.path:
#   kafkaops-s3-connector-<version>/lib/*.jar    the connector jar + its runtime dependencies
#                                                (AWS SDK v2 s3 + url-connection-client); no
#                                                Kafka or slf4j jars: the worker provides those
#   kafkaops-s3-connector-<version>/manifest.json  provenance: classes, Maven coordinates and
#                                                sha256 of every jar, input hash
#   kafkaops-s3-connector-<version>/README.md    tools/connect-plugins/README.md (configuration)
# Connector classes: io.kafkaops.connect.s3.S3SinkConnector, io.kafkaops.connect.s3.S3SourceConnector.
#
# The tarball is reproducible (sorted names, mtime 0, uid/gid 0, fixed modes, gzip -n; the jar
# has fixed entry times), so the same sources always give the same file and checksum. If the
# outputs exist and the stamp file records the same input hash, nothing is rebuilt and Maven is
# not run. Maven runs `package` (compile + unit tests) in a scratch copy of s3/.
#
# Environment: MVN (maven command, default "mvn"), MAVEN_EXTRA_ARGS (extra mvn args,
# e.g. "-o" or "-Dmaven.repo.local=/path").
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PROJECT="$HERE/s3"
ARTIFACT="kafkaops-s3-connector"

OUT="$REPO/build/connect-plugins"

usage() {
  # The comment block at the top of this file.
  sed -n '2,/^[^#]/{/^#/p;}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}
die() { echo "connect plugins: ERROR: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) [[ $# -ge 2 ]] || die "--out needs a value"; OUT="$2"; shift 2 ;;
    --out=*) OUT="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

# The project version: the <version> right after <artifactId>kafkaops-s3-connector</artifactId>.
VERSION="$(sed -n "/<artifactId>$ARTIFACT<\/artifactId>/{n;s:.*<version>\(.*\)</version>.*:\1:p;}" "$PROJECT/pom.xml" | head -n1)"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+([.-][A-Za-z0-9.-]+)?$ ]] \
  || die "cannot read the project <version> from $PROJECT/pom.xml (got '$VERSION')"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$PROJECT/pom.xml" | head -n1)"

export LC_ALL=C
umask 022

NAME="$ARTIFACT-$VERSION"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
TGZ="$OUT/$NAME.tgz"
SUM="$TGZ.sha512"
STAMP="$OUT/.$NAME.stamp"

# Hash of every input that shapes the tarball (sorted, names included; build output excluded).
inputs_hash() {
  (
    cd "$HERE"
    { find s3/pom.xml s3/src -type f; echo build.sh; echo README.md; } | sort | while IFS= read -r f; do
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
  echo "connect plugins: cached $TGZ"
  echo "sha512: $(cut -d' ' -f1 "$SUM")"
  exit 0
fi

MVN="${MVN:-mvn}"
command -v "$MVN" >/dev/null 2>&1 \
  || die "Maven ('$MVN') not found on PATH; install it (e.g. apt-get install -y maven) or set MVN=/path/to/mvn"
command -v java >/dev/null 2>&1 || die "java not found on PATH (Maven needs a JDK 17+)"
command -v unzip >/dev/null 2>&1 || die "unzip is required (apt-get install -y unzip)"
tar --version 2>/dev/null | grep -q 'GNU tar' || die "GNU tar is required (for --sort=name)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/connect-plugins.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/stage/$NAME"
mkdir -p "$STAGE/lib" "$WORK/mvn"
cp -R "$PROJECT/pom.xml" "$PROJECT/src" "$WORK/mvn/"

start=$SECONDS
echo "connect plugins: building $NAME (mvn package) ..."
# shellcheck disable=SC2086
if ! (cd "$WORK/mvn" && "$MVN" -B -q -Dstyle.color=never ${MAVEN_EXTRA_ARGS:-} package) >"$WORK/mvn.log" 2>&1; then
  tail -n 60 "$WORK/mvn.log" >&2
  die "Maven build of $PROJECT failed (see the output above; is Maven Central reachable?)"
fi
TARGET="$WORK/mvn/target"
[[ -f "$TARGET/$NAME.jar" ]] || die "Maven did not produce target/$NAME.jar"
[[ -f "$TARGET/lib.txt" ]] || die "Maven did not produce target/lib.txt (dependency:list)"

# Sanity: the connector jar registers both connectors, and the worker's own jars are not bundled
# (a second copy of connect-api, kafka-clients or slf4j in a plugin breaks class loading).
for f in io/kafkaops/connect/s3/S3SinkConnector.class io/kafkaops/connect/s3/S3SourceConnector.class \
         META-INF/services/org.apache.kafka.connect.sink.SinkConnector \
         META-INF/services/org.apache.kafka.connect.source.SourceConnector; do
  unzip -l "$TARGET/$NAME.jar" "$f" >/dev/null 2>&1 || die "$NAME.jar lacks $f"
done
for bad in 'kafka-*' 'connect-*' 'slf4j-*' 'log4j*' 'reload4j*' 'netty-*' 'httpclient*' 'apache-client*'; do
  if compgen -G "$TARGET/lib/$bad.jar" >/dev/null; then
    die "runtime dependencies include $(compgen -G "$TARGET/lib/$bad.jar" | xargs -n1 basename | tr '\n' ' '): exclude them in s3/pom.xml"
  fi
done

cp "$TARGET/$NAME.jar" "$STAGE/lib/"
cp "$TARGET"/lib/*.jar "$STAGE/lib/"
cp "$HERE/README.md" "$STAGE/README.md"

# Maven coordinates of the dependency jars, by file name (artifactId-version[-classifier].jar).
coordinates() {
  grep -E '^ +[^ ]+:[^ ]+:jar:' "$TARGET/lib.txt" | awk '{print $1}' | sort -u \
    | awk -F: '{ if (NF == 6) printf "%s-%s-%s.jar %s:%s:%s:%s\n", $2, $5, $4, $1, $2, $4, $5;
                 else printf "%s-%s.jar %s:%s:%s\n", $2, $4, $1, $2, $4 }'
}
coordinates >"$WORK/coords.txt"

# manifest.json: deterministic (no dates, no host names), jars sorted by name.
{
  printf '{\n'
  printf '  "name": "%s",\n' "$ARTIFACT"
  printf '  "version": "%s",\n' "$VERSION"
  printf '  "description": "Kafka Connect S3 backup (sink) and restore (source) connectors, JSON-lines objects",\n'
  printf '  "connector_classes": {\n'
  printf '    "sink": "io.kafkaops.connect.s3.S3SinkConnector",\n'
  printf '    "source": "io.kafkaops.connect.s3.S3SourceConnector"\n'
  printf '  },\n'
  printf '  "required_converters": "key.converter, value.converter and header.converter = org.apache.kafka.connect.converters.ByteArrayConverter",\n'
  printf '  "built_against": "org.apache.kafka:connect-api:%s (provided by the worker), Java 17",\n' "$KAFKA_VERSION"
  printf '  "license": "GPL-3.0-or-later (connector); each dependency jar keeps its own license (AWS SDK for Java v2: Apache-2.0)",\n'
  printf '  "source": "kafkaops.cluster tools/connect-plugins/s3",\n'
  printf '  "built_with": "tools/connect-plugins/build.sh (mvn -B -q package)",\n'
  printf '  "inputs_sha256": "%s",\n' "$INPUTS"
  printf '  "jars": [\n'
  first=1
  while IFS= read -r j; do
    if [[ "$j" == "$NAME.jar" ]]; then
      coord="io.kafkaops:$ARTIFACT:$VERSION (built from source)"
    else
      coord="$(awk -v f="$j" '$1 == f {print $2}' "$WORK/coords.txt")"
      [[ -n "$coord" ]] || die "no Maven coordinates for lib/$j in dependency:list"
      coord="$coord (Maven Central, unmodified)"
    fi
    [[ $first -eq 1 ]] || printf ',\n'
    first=0
    printf '    {"file": "lib/%s", "maven": "%s", "sha256": "%s"}' "$j" "$coord" "$(sha256sum <"$STAGE/lib/$j" | cut -d' ' -f1)"
  done < <(find "$STAGE/lib" -maxdepth 1 -name '*.jar' -printf '%f\n' | sort)
  printf '\n  ]\n}\n'
} >"$STAGE/manifest.json"
NJARS="$(find "$STAGE/lib" -name '*.jar' | wc -l)"

# Normalise permissions so the umask/checkout mode of the builder does not leak in.
find "$WORK/stage" -type d -exec chmod 0755 {} +
find "$WORK/stage" -type f -exec chmod 0644 {} +

tar -C "$WORK/stage" --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    -cf - "$NAME" | gzip -n -9 >"$WORK/$NAME.tgz"
(cd "$WORK" && sha512sum "$NAME.tgz" >"$NAME.tgz.sha512")

mv -f "$WORK/$NAME.tgz" "$TGZ"
mv -f "$WORK/$NAME.tgz.sha512" "$SUM"
printf '%s\n' "$STAMP_WANT" >"$STAMP"

echo "connect plugins: built $TGZ ($NJARS jars, $(du -h "$TGZ" | cut -f1), $((SECONDS - start)) s)"
echo "sha512: $(cut -d' ' -f1 "$SUM")"
