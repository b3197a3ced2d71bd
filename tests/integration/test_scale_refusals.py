# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""playbooks/scale.yml refuses a controller count it cannot reach safely before it touches anything.

Each case runs the real playbook against throw-away inventory hosts (brokers and KRaft controllers that
connect locally), in check mode, and asserts the plan play failed with a clear message and that no later
play (drain, voters, provider) started.
"""

from __future__ import annotations

import sys

import pytest
from playbook_check import run_check

PYTHON = sys.executable


def _inventory(mode, brokers=3, controllers=3, **group_vars):
    def hosts(prefix, count, id_var, first):
        return {
            f"{prefix}-{i}": {
                "ansible_connection": "local",
                "ansible_python_interpreter": PYTHON,
                "kafkaops_fqdn": f"{prefix}-{i}",
                id_var: first + i,
            }
            for i in range(count)
        }

    return {
        "all": {
            "vars": {"kafka_metadata_mode": mode, **group_vars},
            "children": {
                "kafka": {"hosts": hosts("kafka", brokers, "kafka_broker_id", 0)},
                "kafka_controller": {"hosts": hosts("controller", controllers, "kafka_controller_id", 1001)},
            },
        }
    }


def run_scale(tmp_path, inventory, extra_vars):
    return run_check(tmp_path, "scale.yml", inventory, extra_vars)


def assert_refused(rc, output, *fragments):
    assert rc != 0, output
    flat = " ".join(output.split())
    for fragment in fragments:
        assert fragment in flat, f"expected {fragment!r} in:\n{output}"
    assert "Nothing was changed." in flat, output
    # The plan play stopped the run: no later play started.
    assert "PLAY [Drain the brokers to retire]" not in output, output


@pytest.mark.parametrize(
    ("count", "extra", "message"),
    [
        (4, {}, "only with an odd N >= 3"),
        (1, {}, "kafka_controller_allow_small_quorum=true allows fewer"),
    ],
)
def test_unsafe_controller_count_refused(tmp_path, count, extra, message):
    rc, out = run_scale(
        tmp_path, _inventory("kraft"), {"kafka_broker_count": 3, "kafka_controller_count": count, **extra}
    )
    assert_refused(rc, out, message)


def test_brokers_and_controllers_in_one_run_refused(tmp_path):
    rc, out = run_scale(tmp_path, _inventory("kraft"), {"kafka_broker_count": 4, "kafka_controller_count": 5})
    assert_refused(rc, out, "Change the brokers (3 -> 4) and the controllers (3 -> 5) in separate runs")


def test_static_quorum_refused(tmp_path):
    inventory = _inventory("kraft", kafka_controller_quorum="static")
    rc, out = run_scale(tmp_path, inventory, {"kafka_broker_count": 3, "kafka_controller_count": 5})
    assert_refused(rc, out, "The quorum is static", "Kafka cannot change its voters")


def test_controllers_in_zookeeper_mode_refused(tmp_path):
    inventory = _inventory("zookeeper", controllers=0)
    rc, out = run_scale(tmp_path, inventory, {"kafka_broker_count": 3, "kafka_controller_count": 3})
    assert_refused(rc, out, "runs in ZooKeeper mode: it has no KRaft controllers to scale")


def test_brokers_frozen_during_a_migration_to_kraft(tmp_path):
    inventory = _inventory("zookeeper")
    rc, out = run_scale(tmp_path, inventory, {"kafka_broker_count": 4})
    assert_refused(rc, out, "its migration to KRaft is planned or under way", "roll it back")
    rc, out = run_check(tmp_path, "replace_broker.yml", inventory, {"broker_id": 1})
    assert_refused(rc, out, "its migration to KRaft is planned or under way", "roll it back")
