# Golden lab node (the lab's equivalent of a baked AMI): the plain node plus the Kafka
# distribution unpacked exactly where and how roles/_common installs it (with its archive marker),
# and the admin host's venv with its requirements stamp (roles/admin_host) and tools/zipcache's byte-code cache. The roles detect both
# and skip copying, unpacking and pip; a host without them installs from the archive as usual.
ARG NODE_IMAGE
FROM ${NODE_IMAGE}
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
