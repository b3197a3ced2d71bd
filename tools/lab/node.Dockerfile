# Lab node: what an EC2 instance of the AWS layout looks like to the roles
# (systemd as PID 1, python3 and python3-apt for Ansible, Java for Kafka and ZooKeeper). Built with tools/zipcache as
# its context.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG JAVA_PACKAGE=openjdk-17-jre-headless
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        ${JAVA_PACKAGE} python3-venv python3-pip python3-apt tar gzip \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && systemctl mask systemd-logind.service getty.target console-getty.service systemd-udevd.service \
        systemd-udev-trigger.service systemd-resolved.service apt-daily.timer apt-daily-upgrade.timer \
        2>/dev/null || true
# Ansible's module payloads: tools/zipcache (a byte-code cache for what Python imports from zip files).
COPY kafkaops_zipcache.py kafkaops_zipcache.pth install.sh /tmp/zipcache/
RUN sh /tmp/zipcache/install.sh python3 && rm -rf /tmp/zipcache
STOPSIGNAL SIGRTMIN+3
CMD ["/sbin/init"]
