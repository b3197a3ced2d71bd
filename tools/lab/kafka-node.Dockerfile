# Golden lab node (the lab's equivalent of a baked AMI): the plain node plus the Kafka
# distribution unpacked exactly where and how roles/_common installs it (with its archive marker),
# and the admin host's venv with its requirements stamp (roles/admin_host) and tools/zipcache's byte-code cache. The roles detect both
# and skip copying, unpacking and pip; a host without them installs from the archive as usual.
# Also the monitoring role's Debian packages (Prometheus, Alertmanager, the blackbox and node exporters), installed
# but disabled (no daemon starts during the build: policy-rc.d): the role sets their flags and starts those a host
# runs, without apt.
ARG NODE_IMAGE
FROM ${NODE_IMAGE}
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d \
 && apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        prometheus prometheus-alertmanager prometheus-blackbox-exporter prometheus-node-exporter \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d \
 && systemctl disable prometheus prometheus-alertmanager prometheus-blackbox-exporter prometheus-node-exporter
ARG KAFKA_DIST
ARG KAFKA_SHA512
ARG REQUIREMENTS_STAMP
COPY kafka.tgz requirements.txt pip-ca.crt kafkaops_zipcache.py kafkaops_zipcache.pth install.sh /tmp/bake/
RUN tar -xzf /tmp/bake/kafka.tgz -C /opt --no-same-owner \
 && printf '%s\n' "${KAFKA_SHA512}" >"/opt/${KAFKA_DIST}/.kafkaops-archive-$(printf %s "${KAFKA_SHA512}" | cut -c1-32)" \
 && mkdir -p /opt/kafkaops \
 && python3 -m venv /opt/kafkaops/venv \
 && PIP_CERT=/tmp/bake/pip-ca.crt PIP_DISABLE_PIP_VERSION_CHECK=1 /opt/kafkaops/venv/bin/pip install -q --no-cache-dir \
        -r /tmp/bake/requirements.txt \
 && sh /tmp/bake/install.sh /opt/kafkaops/venv/bin/python \
 && cp /tmp/bake/requirements.txt "/opt/kafkaops/venv/.kafkaops-requirements-${REQUIREMENTS_STAMP}" \
 && rm -rf /tmp/bake
