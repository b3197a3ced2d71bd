#!/usr/bin/env bash
# Build the Docker lab images without any registry:
#   kafkaops/lab-base:bookworm  from debootstrap (Debian packages only)
#   kafkaops/lab-node:bookworm  FROM the base: systemd, python3, OpenJDK 17 headless
#   kafkaops/lab-base:trixie, kafkaops/lab-node:trixie  the same on Debian 13 (OpenJDK 21: trixie has no 17);
#                               the replication scenario's nodes
#   kafkaops/lab-node:kafka-<version>  FROM the node: the golden image (a baked AMI's equivalent) with
#                               the Kafka bundle unpacked and the admin venv built (kafka-node.Dockerfile);
#                               only with --bundle PATH (a tools/kafka-bundle tarball with its .sha512)
# Each image carries a label with the hash of its inputs; an image whose label matches is reused.
# Usage: tools/lab/build-images.sh [--bundle build/kafka/kafka_2.13-<version>.tgz]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
node_image=kafkaops/lab-node:bookworm
bundle=""
if [ "${1:-}" = --bundle ]; then bundle=$2; fi
base_packages=systemd,systemd-sysv,python3,sudo,iproute2,procps,ca-certificates

"$here/ensure-docker.sh"

label_of() {
    docker image inspect --format '{{ index .Config.Labels "kafkaops.inputs" }}' "$1" 2>/dev/null || true
}

# The Debian mirror this machine uses (never hard-coded).
mirror=""
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || { echo "build-images: no Debian mirror found in the host's apt sources" >&2; exit 1; }

# tools/zipcache, installed into the node image's Python and the golden image's admin venv.
zipcache=("$repo"/tools/zipcache/{install.sh,kafkaops_zipcache.pth,kafkaops_zipcache.py})

host_suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")

# build_node SUITE JAVA_PACKAGE: kafkaops/lab-base:SUITE from debootstrap, then kafkaops/lab-node:SUITE
# (node.Dockerfile); each skipped when its label matches its inputs.
build_node() {
    local suite=$1 java=$2 base_image=kafkaops/lab-base:$1 node_image=kafkaops/lab-node:$1 base_hash node_hash rootfs
    base_hash=$(printf '%s\n' "$suite $base_packages $mirror" | sha256sum | cut -c1-16)
    if [ "$(label_of "$base_image")" != "$base_hash" ]; then
        command -v debootstrap >/dev/null 2>&1 || {
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null; }
        rootfs=$(mktemp -d /tmp/kafkaops-rootfs.XXXXXX)
        # shellcheck disable=SC2064  # the path is fixed now
        trap "rm -rf '$rootfs'" EXIT
        echo "build-images: debootstrap $suite from $mirror" >&2
        debootstrap --variant=minbase --include="$base_packages" "$suite" "$rootfs" "$mirror" \
            >"/tmp/kafkaops-debootstrap-$suite.log" 2>&1 || { tail -20 "/tmp/kafkaops-debootstrap-$suite.log" >&2; exit 1; }
        # The host's apt sources, with the node's suite in place of the host's (bookworm-security ->
        # trixie-security, ...).
        if [ -f /etc/apt/sources.list.d/debian.sources ]; then
            sed -E "s/\\b$host_suite(-|\\b)/$suite\\1/g" /etc/apt/sources.list.d/debian.sources \
                >"$rootfs/etc/apt/sources.list.d/debian.sources"
            rm -f "$rootfs/etc/apt/sources.list"
        fi
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
        tar -C "$rootfs" -c . | docker import \
            -c 'CMD ["/sbin/init"]' -c "LABEL kafkaops.inputs=$base_hash" - "$base_image" >/dev/null
        rm -rf "$rootfs"
        trap - EXIT
    fi
    node_hash=$( (echo "$base_hash $java"; cat "$here/node.Dockerfile" "${zipcache[@]}") | sha256sum | cut -c1-16)
    if [ "$(label_of "$node_image")" != "$node_hash" ]; then
        echo "build-images: building $node_image" >&2
        DOCKER_BUILDKIT=0 docker build -q --build-arg BASE_IMAGE="$base_image" --build-arg JAVA_PACKAGE="$java" \
            --label kafkaops.inputs="$node_hash" -t "$node_image" -f "$here/node.Dockerfile" "$repo/tools/zipcache" >/dev/null
    fi
    echo "build-images: $node_image ready" >&2
}

build_node trixie openjdk-21-jre-headless
build_node bookworm openjdk-17-jre-headless

[ -n "$bundle" ] || exit 0
[ -f "$bundle" ] && [ -f "$bundle.sha512" ] || { echo "build-images: no bundle $bundle (+ .sha512); run make bundle" >&2; exit 1; }
dist=$(basename "$bundle" .tgz)
kafka_version=${dist#kafka_*-}
kafka_image=kafkaops/lab-node:kafka-$kafka_version
sha512=$(cut -d' ' -f1 "$bundle.sha512")
requirements=$repo/roles/admin_host/files/requirements.txt
# The stamp name roles/admin_host/vars/main.yml computes: sha1 of the file without its final newline.
req_stamp=$(printf %s "$(cat "$requirements")" | sha1sum | cut -c1-16)
# The golden image is built FROM the bookworm node: its inputs hash is that image's label.
node_hash=$(label_of "$node_image")
kafka_hash=$( (echo "$node_hash $sha512 $req_stamp"; cat "$here/kafka-node.Dockerfile") | sha256sum | cut -c1-16)
if [ "$(label_of "$kafka_image")" != "$kafka_hash" ]; then
    echo "build-images: building $kafka_image (Kafka $kafka_version unpacked, admin venv)" >&2
    context=$(mktemp -d /tmp/kafkaops-bake.XXXXXX)
    trap 'rm -rf "$context"' EXIT
    cp "$bundle" "$context/kafka.tgz"
    cp "$requirements" "$context/requirements.txt"
    cp "${zipcache[@]}" "$context/"
    # pip inside the build trusts what the host trusts (a TLS-intercepting proxy, see ENVIRONMENT).
    cp /etc/ssl/certs/ca-certificates.crt "$context/pip-ca.crt"
    DOCKER_BUILDKIT=0 docker build -q --build-arg NODE_IMAGE="$node_image" --build-arg KAFKA_DIST="$dist" \
        --build-arg KAFKA_SHA512="$sha512" --build-arg REQUIREMENTS_STAMP="$req_stamp" \
        --label kafkaops.inputs="$kafka_hash" -t "$kafka_image" -f "$here/kafka-node.Dockerfile" "$context" >/dev/null
    rm -rf "$context"
    trap - EXIT
fi
echo "build-images: $kafka_image ready" >&2
