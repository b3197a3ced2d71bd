#!/usr/bin/env bash
# The Prometheus JMX exporter's java agent for the labs (make bundle runs it): io.prometheus.jmx:jmx_prometheus_javaagent
# at the version roles/_common pins (kafka_metrics_agent_version), from Maven Central through Maven, into
# build/kafka/jmx_prometheus_javaagent-<version>.jar, checked against the role's pinned SHA-256 (the same checksum the
# role's download from Maven Central checks on hosts without the lab's copy). Cached: a present jar with that
# checksum is kept.
# Usage: tools/kafka-bundle/agent.sh [--out DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=$repo/build/kafka
[[ ${1:-} != --out ]] || out=$2
defaults=$repo/roles/_common/defaults/main.yml
version=$(sed -n 's/^kafka_metrics_agent_version: "\(.*\)"$/\1/p' "$defaults")
sha256=$(sed -n 's/^_kafka_metrics_agent_sha256: "\(.*\)"$/\1/p' "$defaults")
[[ -n $version && -n $sha256 ]] || { echo "metrics agent: no version or checksum in $defaults" >&2; exit 1; }
jar=$out/jmx_prometheus_javaagent-$version.jar
mkdir -p "$out"
if [[ -f $jar ]] && echo "$sha256  $jar" | sha256sum --status -c -; then
  echo "metrics agent: $jar is up to date"
  exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/kafka-agent.XXXXXX")
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2086
"${MVN:-mvn}" -B -q -Dstyle.color=never ${MAVEN_EXTRA_ARGS:-} dependency:copy \
  -Dartifact="io.prometheus.jmx:jmx_prometheus_javaagent:$version" -DoutputDirectory="$work" >"$work/mvn.log" 2>&1 ||
  { tail -n 30 "$work/mvn.log" >&2; echo "metrics agent: Maven could not resolve jmx_prometheus_javaagent $version" >&2; exit 1; }
echo "$sha256  $work/jmx_prometheus_javaagent-$version.jar" | sha256sum --status -c - ||
  { echo "metrics agent: jmx_prometheus_javaagent-$version.jar does not have the pinned SHA-256 $sha256" >&2; exit 1; }
mv "$work/jmx_prometheus_javaagent-$version.jar" "$jar"
echo "metrics agent: $jar (sha256 $sha256)"
