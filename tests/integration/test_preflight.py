# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bad input is refused by the roles' preflight before anything is touched.

Each case runs a real playbook of the collection against throw-away inventory hosts that
connect locally, in check mode (so even a preflight bug could not change this machine), and
asserts the play failed in a preflight task with a clear message and that no install task ran.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
from playbook_check import run_check

PYTHON = sys.executable
# Test-only values so the secret checks pass and the case under test is the one refused.
SECRETS = {
    "kafkaops_admin_password": "test-admin-secret",
    "kafkaops_broker_password": "test-broker-secret",
    "kafkaops_zookeeper_password": "test-zk-secret",
    "kafkaops_zookeeper_quorum_password": "test-quorum-secret",
    "kafka_tls_ca_passphrase": "test-ca-passphrase",
    "kafka_tls_keystore_password": "test-keystore-secret",
}


def _hosts(prefix, count, **extra):
    return {
        f"{prefix}-{i}": {
            "ansible_connection": "local",
            "ansible_python_interpreter": PYTHON,
            "kafkaops_fqdn": f"{prefix}-{i}",
            **{k: (v(i) if callable(v) else v) for k, v in extra.items()},
        }
        for i in range(count)
    }


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """A fake archive with a correct .sha512 next to it."""
    path = tmp_path_factory.mktemp("dist") / "kafka_2.13-3.9.2.tgz"
    path.write_bytes(b"not really kafka")
    digest = hashlib.sha512(path.read_bytes()).hexdigest()
    Path(str(path) + ".sha512").write_text(f"{digest}  {path.name}\n")
    return path


def run_playbook(tmp_path, playbook, zookeeper_hosts, kafka_hosts, extra_vars):
    inventory = {
        "all": {
            "children": {
                "zookeeper": {"hosts": zookeeper_hosts},
                "kafka": {"hosts": kafka_hosts},
            }
        }
    }
    return run_check(tmp_path, playbook, inventory, {**SECRETS, **extra_vars})


def assert_refused(rc, output, *fragments):
    assert rc != 0, output
    flat = " ".join(output.split())
    for fragment in fragments:
        assert fragment in flat, f"expected {fragment!r} in:\n{output}"
    # Nothing past preflight ran: no install task was even attempted.
    assert "Install Java" not in output, output
    assert "Create the service user" not in output, output


@pytest.mark.parametrize("count", [1, 2, 4])
def test_zookeeper_ensemble_size_refused(tmp_path, archive, count):
    rc, out = run_playbook(tmp_path, "zookeeper.yml", _hosts("zk", count), {}, {"kafka_archive_src": str(archive)})
    assert_refused(rc, out, f"has {count} members", "odd number of at least 3", "zookeeper_allow_small_ensemble")


# "true" is what -e zookeeper_allow_small_ensemble=true gives: a string.
@pytest.mark.parametrize("allow", [True, "true"])
def test_small_ensemble_allowed_explicitly(tmp_path, archive, allow):
    rc, out = run_playbook(
        tmp_path,
        "zookeeper.yml",
        _hosts("zk", 1),
        {},
        {"kafka_archive_src": str(archive), "zookeeper_allow_small_ensemble": allow, "zookeeper_heap_mb": 99999999},
    )
    # The size check passes; the next refusal (the heap) proves preflight went on.
    assert_refused(rc, out, "does not fit")
    assert "has 1 members" not in out


def test_duplicate_zookeeper_ids_refused(tmp_path, archive):
    rc, out = run_playbook(
        tmp_path, "zookeeper.yml", _hosts("zk", 3, zookeeper_id=7), {}, {"kafka_archive_src": str(archive)}
    )
    assert_refused(rc, out, "ZooKeeper ids must be unique")


def test_duplicate_broker_ids_refused(tmp_path, archive):
    rc, out = run_playbook(
        tmp_path,
        "kafka.yml",
        _hosts("zk", 3),
        _hosts("kafka", 3, kafka_broker_id=lambda i: min(i, 1)),
        {"kafka_archive_src": str(archive)},
    )
    assert_refused(rc, out, "Broker ids must be set (kafka_broker_id) and unique")


def test_missing_archive_refused(tmp_path):
    rc, out = run_playbook(
        tmp_path,
        "kafka.yml",
        _hosts("zk", 3),
        _hosts("kafka", 3, kafka_broker_id=lambda i: i),
        {"kafka_archive_src": str(tmp_path / "nowhere" / "kafka_2.13-3.9.2.tgz")},
    )
    assert_refused(rc, out, "does not exist on the controller", "make bundle")


def test_checksum_mismatch_refused(tmp_path, archive):
    rc, out = run_playbook(
        tmp_path,
        "kafka.yml",
        _hosts("zk", 3),
        _hosts("kafka", 3, kafka_broker_id=lambda i: i),
        {"kafka_archive_src": str(archive), "kafka_archive_checksum": "sha512:" + "0" * 128},
    )
    assert_refused(rc, out, "Checksum mismatch for", "0" * 128)


def test_download_without_checksum_refused(tmp_path):
    rc, out = run_playbook(
        tmp_path,
        "zookeeper.yml",
        _hosts("zk", 3),
        {},
        {},
    )
    assert_refused(rc, out, "kafka_archive_checksum must be 'sha512:<128 hex digits>'")


def test_heap_larger_than_memory_refused(tmp_path, archive):
    rc, out = run_playbook(
        tmp_path,
        "kafka.yml",
        _hosts("zk", 3),
        _hosts("kafka", 3, kafka_broker_id=lambda i: i),
        {"kafka_archive_src": str(archive), "kafka_heap_mb": 99999999},
    )
    assert_refused(rc, out, "Kafka heap 99999999 MB does not fit")


@pytest.mark.parametrize(
    "playbook, missing, message",
    [
        ("zookeeper.yml", "kafkaops_zookeeper_quorum_password", "Set kafkaops_zookeeper_quorum_password"),
        (
            "zookeeper.yml",
            "kafkaops_zookeeper_password",
            "Set kafkaops_zookeeper_quorum_password and kafkaops_zookeeper_password",
        ),
        ("kafka.yml", "kafkaops_admin_password", "Set kafkaops_admin_password, kafkaops_broker_password"),
        ("kafka.yml", "kafkaops_broker_password", "Set kafkaops_admin_password, kafkaops_broker_password"),
    ],
)
def test_missing_secret_refused(tmp_path, archive, playbook, missing, message):
    rc, out = run_playbook(
        tmp_path,
        playbook,
        _hosts("zk", 3),
        _hosts("kafka", 3, kafka_broker_id=lambda i: i),
        {"kafka_archive_src": str(archive), missing: ""},
    )
    assert_refused(rc, out, message)


def test_short_secret_refused(tmp_path, archive):
    rc, out = run_playbook(
        tmp_path,
        "kafka.yml",
        _hosts("zk", 3),
        _hosts("kafka", 3, kafka_broker_id=lambda i: i),
        {"kafka_archive_src": str(archive), "kafkaops_admin_password": "short"},
    )
    assert_refused(rc, out, "8+ characters")
