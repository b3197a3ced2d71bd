# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure planning and checks of kafka_scram (no confluent-kafka needed; the rest: test_kafka_scram_login.py)."""

from __future__ import annotations

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_scram as ks
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError

SHA512 = "SCRAM-SHA-512"
SHA256 = "SCRAM-SHA-256"
C512 = dict(mechanism=SHA512, iterations=4096)
C512_8K = dict(mechanism=SHA512, iterations=8192)
C256 = dict(mechanism=SHA256, iterations=4096)


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("value, name", [("SCRAM_SHA_512", SHA512)])
def test_mechanism_name(value, name):
    assert ks.mechanism_name(value) == name


# ---------------------------------------------------------------------------
# planning
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "current, iterations, update_password, check, actions",
    [
        # missing credential: always created, whatever update_password says
        ([], 4096, "always", ks.NOT_CHECKED, [("upsert", SHA512)]),
        ([], 4096, "on_create", ks.NOT_CHECKED, [("upsert", SHA512)]),
        ([C256], 4096, "on_create", ks.NOT_CHECKED, [("upsert", SHA512)]),
        # on_create leaves an existing password alone
        ([C512], 4096, "on_create", ks.NOT_CHECKED, []),
        # ... unless the iteration count differs (rewritten with the given password)
        ([C512], 8192, "on_create", ks.NOT_CHECKED, [("upsert", SHA512)]),
        ([C512_8K], 4096, "always", ks.VERIFIED, [("upsert", SHA512)]),
        # always: the login decides
        ([C512], 4096, "always", ks.VERIFIED, []),
        ([C512], 4096, "always", ks.REJECTED, [("upsert", SHA512)]),
        # always without a possible login (no SASL): rewritten, reported as changed
        ([C512], 4096, "always", ks.NOT_CHECKED, [("upsert", SHA512)]),
        ([C256, C512], 4096, "always", ks.VERIFIED, []),
    ],
)
def test_plan_present(current, iterations, update_password, check, actions):
    assert ks.plan_present(current, SHA512, iterations, update_password, check) == actions


@pytest.mark.parametrize(
    "current, iterations, update_password, expected",
    [
        ([], 4096, "always", False),
        ([C512], 4096, "always", True),
        ([C512], 8192, "always", False),  # rewritten anyway
        ([C512], 4096, "on_create", False),
        ([C256], 4096, "always", False),
    ],
)
def test_needs_password_check(current, iterations, update_password, expected):
    assert ks.needs_password_check(current, SHA512, iterations, update_password) is expected


@pytest.mark.parametrize(
    "current, mechanism, actions",
    [
        ([], None, []),
        ([], SHA512, []),
        ([C512], SHA512, [("delete", SHA512)]),
        ([C256], SHA512, []),
        ([C256, C512], None, [("delete", SHA256), ("delete", SHA512)]),
        ([C256, C512], SHA256, [("delete", SHA256)]),
    ],
)
def test_plan_absent(current, mechanism, actions):
    assert ks.plan_absent(current, mechanism) == actions


@pytest.mark.parametrize(
    "current, actions, iterations, expected",
    [
        ([], [("upsert", SHA512)], 4096, [C512]),
        ([C512], [("upsert", SHA512)], 8192, [C512_8K]),
        ([C512], [("upsert", SHA256)], 4096, [C256, C512]),
        ([C256, C512], [("delete", SHA256), ("delete", SHA512)], 4096, []),
        ([C512], [], 8192, [C512]),
    ],
)
def test_predict(current, actions, iterations, expected):
    before = [dict(c) for c in current]
    assert ks.predict(current, actions, iterations) == expected
    assert current == before  # input untouched


def test_action_labels():
    assert ks.action_labels([("upsert", SHA512), ("delete", SHA256)]) == [
        "upsert SCRAM-SHA-512",
        "delete SCRAM-SHA-256",
    ]


def test_user_state_sorts_credentials():
    assert ks.user_state("alice", [C512, C256]) == dict(name="alice", credentials=[C256, C512])


def test_password_check_needs_sasl():
    params = dict(security_protocol="SSL", bootstrap_servers=["k:9093"], request_timeout=5)
    assert ks.password_authenticates(params, "alice", "pw", SHA512) == ks.NOT_CHECKED


# ---------------------------------------------------------------------------
# authorization pre-check
# ---------------------------------------------------------------------------


def test_require_cluster_operation_passes():
    ks.require_cluster_operation(dict(authorized_operations=["ALTER", "DESCRIBE"]), "DESCRIBE", "read x")


@pytest.mark.parametrize(
    "operations, allowed",
    [(None, "nothing"), ([], "nothing"), (["DESCRIBE", "IDEMPOTENT_WRITE"], "DESCRIBE, IDEMPOTENT_WRITE")],
)
def test_require_cluster_operation_fails(operations, allowed):
    with pytest.raises(KafkaOpsError) as info:
        ks.require_cluster_operation(
            dict(authorized_operations=operations), "ALTER", "alter SCRAM credentials of user bob", "User:alice"
        )
    assert str(info.value) == (
        "Failed to alter SCRAM credentials of user bob: User:alice is not allowed to ALTER the cluster resource "
        f"(allowed: {allowed}); use a super user or grant it an ACL on the cluster"
    )


@pytest.mark.parametrize(
    "params, label",
    [
        (dict(security_protocol="SASL_SSL", sasl_username="admin"), "User:admin"),
        (dict(security_protocol="PLAINTEXT", sasl_username="admin"), "the principal of this connection"),
    ],
)
def test_principal_label(params, label):
    assert ks.principal_label(params) == label
