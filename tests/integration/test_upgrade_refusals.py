# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""playbooks/upgrade.yml and playbooks/decommission_zookeeper.yml refuse, before any change and with every reason,
what they cannot do: the real playbooks in check mode against throw-away inventory hosts that connect locally (their
server.properties in a temporary directory). The upgrade itself runs in make migration-tests."""

from __future__ import annotations

import sys

from playbook_check import run_check

PYTHON = sys.executable


def _inventory(tmp_path, mode, broker_configs, **group_vars):
    def host(name, **extra):
        return {
            "ansible_connection": "local",
            "ansible_python_interpreter": PYTHON,
            "ansible_become": False,
            "kafkaops_fqdn": name,
            **extra,
        }

    brokers = {}
    for i, content in enumerate(broker_configs):
        conf = tmp_path / f"kafka-{i}"
        conf.mkdir()
        (conf / "server.properties").write_text(content)
        brokers[f"kafka-{i}"] = host(f"kafka-{i}", kafka_broker_id=i, kafka_conf_dir=str(conf))
    return {
        "all": {
            "vars": {"kafka_metadata_mode": mode, "kafka_install_root": str(tmp_path / "opt"), **group_vars},
            "children": {
                "kafka": {"hosts": brokers},
                "zookeeper": {"hosts": {f"zk-{i}": host(f"zk-{i}", zookeeper_id=i + 1) for i in range(3)}},
            },
        }
    }


def flat(output):
    return " ".join(output.split())


def test_upgrade_of_a_zookeeper_cluster_is_refused(tmp_path):
    inventory = _inventory(tmp_path, "zookeeper", ["broker.id=0\nzookeeper.connect=zk-0:2181/kafka\n"])
    rc, out = run_check(tmp_path, "upgrade.yml", inventory, {"kafka_version": "4.3.1"})
    assert rc != 0, out
    assert "Refusing to upgrade to Kafka 4.3.1, nothing was changed: the cluster runs in ZooKeeper mode" in flat(out), (
        out
    )
    assert "migrate it to KRaft first" in flat(out), out
    assert "PLAY [Configure the KRaft controllers]" not in out, out


def test_upgrade_needs_a_release_version(tmp_path):
    inventory = _inventory(tmp_path, "kraft", ["process.roles=broker\n"])
    rc, out = run_check(tmp_path, "upgrade.yml", inventory, {"kafka_version": "latest"})
    assert rc != 0, out
    assert "kafka_version must be a release such as 4.3.1, not latest" in flat(out), out


def test_decommission_refuses_with_every_reason(tmp_path):
    inventory = _inventory(
        tmp_path,
        "zookeeper",
        ["process.roles=broker\nnode.id=0\n", "broker.id=1\nzookeeper.connect=zk-0:2181/kafka\n"],
    )
    rc, out = run_check(tmp_path, "decommission_zookeeper.yml", inventory, {})
    assert rc != 0, out
    text = flat(out)
    assert "Refusing to decommission ZooKeeper, nothing was changed:" in text, out
    assert "say so with -e zookeeper_decommission=true" in text, out
    assert "the cluster runs in ZooKeeper mode" in text, out
    assert "still configured with zookeeper.connect: kafka-1 (finalize the migration" in text, out
    assert "TASK [Stop and disable ZooKeeper]" not in out, out


def test_decommission_refuses_a_node_still_using_zookeeper_in_kraft_mode(tmp_path):
    inventory = _inventory(
        tmp_path, "kraft", ["process.roles=broker\nnode.id=0\n", "broker.id=1\nzookeeper.connect=zk-0:2181/kafka\n"]
    )
    rc, out = run_check(tmp_path, "decommission_zookeeper.yml", inventory, {"zookeeper_decommission": True})
    assert rc != 0, out
    text = flat(out)
    assert "nothing was changed: still configured with zookeeper.connect: kafka-1" in text, out
    assert "ZooKeeper mode" not in text, out
