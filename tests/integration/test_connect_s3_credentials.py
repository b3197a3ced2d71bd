# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where the S3 backup's credentials come from, as kafka_connect's connectors entry point decides it.

Without static keys the S3 sink connector uses the AWS SDK's default chain, which on an EC2 worker is its instance
profile. On AWS (kafkaops_provider aws) a worker whose inventory entry has no ``iam_instance_profile`` (the aws_ec2
inventory's host variable) is refused before any connector is touched. The play runs in check mode against a
throw-away host that connects locally; nothing listens on the REST port, so a play that gets past the check fails
later, at the REST API, which the second case asserts.
"""

from __future__ import annotations

import re
import sys

import yaml
from playbook_check import ansible_playbook

PYTHON = sys.executable
CHECK = "Assert the worker has an instance profile for the S3 backups"
REFUSAL = (
    "without static keys, so the connector needs the EC2 instance profile of the Connect hosts, "
    "but this instance has none"
)

PLAYBOOK = """\
- name: Connectors of a Connect worker
  hosts: worker
  gather_facts: false
  tasks:
    - name: Apply the connectors and S3 backups
      ansible.builtin.include_role:
        name: kafkaops.cluster.kafka_connect
        tasks_from: connectors
"""


def _run(tmp_path, **host_vars):
    host = {
        "ansible_connection": "local",
        "ansible_python_interpreter": PYTHON,
        "kafkaops_provider": "aws",
        "kafkaops_admin_password": "test-admin-secret",
        "kafka_connect_rest_password": "test-rest-secret",
        "kafka_connect_rest_keystore_password": "test-keystore-secret",
        "kafka_connect_rest_port": 9,  # discard: nothing answers on loopback
        "kafka_connect_s3_bucket": "backup",
        "kafka_connect_s3_backups": [{"name": "s3-sink-agency", "topics": ["agency"]}],
        **host_vars,
    }
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"worker": host}}}))
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAYBOOK)
    rc, output = ansible_playbook(["-i", str(inventory), str(playbook), "--check"])
    return rc, " ".join(output.split())


def test_refuses_s3_backups_on_aws_without_instance_profile(tmp_path):
    rc, out = _run(tmp_path)
    assert rc != 0, out
    assert f"TASK [kafkaops.cluster.kafka_connect : {CHECK}] *" in out, out
    assert f"worker runs S3 backups (s3-sink-agency) {REFUSAL}" in out, out
    assert "Apply the connectors through the REST API" not in out, out


def test_instance_profile_or_static_keys_pass(tmp_path):
    profile = {"arn": "arn:aws:iam::123456789012:instance-profile/kafkaops-prod-connect", "id": "AIPAEXAMPLE"}
    keys = {"kafka_connect_s3_access_key_id": "AKIAEXAMPLE", "kafka_connect_s3_secret_access_key": "test-secret-key"}
    for host_vars in ({"iam_instance_profile": profile}, keys):
        rc, out = _run(tmp_path, **host_vars)
        assert REFUSAL not in out, out
        # Past the check, the play goes on to the REST API (nothing listens there).
        assert re.search(rf"{CHECK}\] \*+ (ok|skipping): \[worker\]", out), out
        assert "Check whether a worker answers" in out, out
