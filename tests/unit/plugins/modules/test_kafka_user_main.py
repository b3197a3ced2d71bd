# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_user main() against an in-memory SCRAM credential store (no network)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from confluent_kafka.admin import AclOperation  # noqa: E402
from confluent_kafka.admin import ScramCredentialInfo  # noqa: E402
from confluent_kafka.admin import ScramMechanism  # noqa: E402
from kafka_fakes import done  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_scram  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_user  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException

ADMIN_PASSWORD = "admin-pw-9f3"
PASSWORD = "alice-pw-1a2b"
OTHER_PASSWORD = "alice-pw-3c4d"
ALL_OPERATIONS = [AclOperation.DESCRIBE, AclOperation.ALTER, AclOperation.CREATE]


class ScramAdmin:
    """Credentials per user: ``{user: {mechanism name: (iterations, password)}}``."""

    def __init__(self, users=None, operations=tuple(ALL_OPERATIONS), alter_error=None):
        self.users = {user: dict(creds) for user, creds in (users or {}).items()}
        self.operations = list(operations) if operations is not None else None
        self.alter_error = alter_error
        self.alterations = []
        self.describes = 0

    def describe_cluster(self, request_timeout, include_authorized_operations=False):
        node = SimpleNamespace(id=0, host="kafka-0", port=9092, rack=None)
        return done(
            SimpleNamespace(
                cluster_id="cid",
                controller=node,
                nodes=[node],
                authorized_operations=self.operations if include_authorized_operations else None,
            )
        )

    def poll(self, timeout):
        return 0

    def describe_user_scram_credentials(self, users, request_timeout):
        self.describes += 1
        result = {}
        for user in users:
            creds = self.users.get(user)
            if not creds:
                err = KafkaError(
                    KafkaError.RESOURCE_NOT_FOUND, f"Attempt to describe a user credential that does not exist: {user}"
                )
                result[user] = done(exception=KafkaException(err))
            else:
                infos = [
                    ScramCredentialInfo(ScramMechanism[mechanism.replace("-", "_")], iterations)
                    for mechanism, (iterations, _password) in creds.items()
                ]
                result[user] = done(SimpleNamespace(user=user, scram_credential_infos=infos))
        return result

    def alter_user_scram_credentials(self, alterations, request_timeout):
        self.alterations.extend(alterations)
        user = alterations[0].user
        if self.alter_error is not None:
            return {user: done(exception=KafkaException(self.alter_error))}
        for alteration in alterations:
            creds = self.users.setdefault(alteration.user, {})
            if hasattr(alteration, "password"):
                info = alteration.scram_credential_info
                creds[kafka_scram.mechanism_name(info.mechanism)] = (info.iterations, alteration.password.decode())
            else:
                creds.pop(kafka_scram.mechanism_name(alteration.mechanism), None)
        return {user: done()}


@pytest.fixture
def cluster(monkeypatch):
    """Install an in-memory cluster; logins check the stored password."""
    holder = {}

    def install(**kwargs):
        admin = ScramAdmin(**kwargs)
        holder["logins"] = []

        def admin_client(module):
            return admin

        def login(params, name, password, mechanism, logger=None):
            holder["logins"].append((name, mechanism))
            if params["security_protocol"] not in ("SASL_PLAINTEXT", "SASL_SSL"):
                return kafka_scram.NOT_CHECKED
            stored = admin.users.get(name, {}).get(mechanism)
            return kafka_scram.VERIFIED if stored and stored[1] == password else kafka_scram.REJECTED

        monkeypatch.setattr(KafkaModule, "admin_client", admin_client)
        monkeypatch.setattr(kafka_user, "password_authenticates", login)
        admin.logins = holder["logins"]
        return admin

    return install


SASL = dict(
    bootstrap_servers=["kafka-0:9093"],
    security_protocol="SASL_PLAINTEXT",
    sasl_mechanism="PLAIN",
    sasl_username="admin",
    sasl_password=ADMIN_PASSWORD,
)
PLAINTEXT = dict(bootstrap_servers=["kafka-0:9092"])
ALICE_512 = {"SCRAM-SHA-512": (4096, PASSWORD)}
C512 = dict(mechanism="SCRAM-SHA-512", iterations=4096)


def assert_no_secret(result):
    text = str(result)
    for secret in (PASSWORD, OTHER_PASSWORD, ADMIN_PASSWORD):
        assert secret not in text


@pytest.mark.parametrize("check_mode", [False, True])
def test_create(run_module, cluster, check_mode):
    admin = cluster()
    failed, result = run_module(kafka_user.main, dict(SASL, name="alice", password=PASSWORD), check_mode, diff=True)
    assert not failed
    assert result["changed"] is True
    assert result["actions"] == ["upsert SCRAM-SHA-512"]
    assert result["user"] == dict(name="alice", credentials=[C512])
    assert result["diff"] == dict(
        before=dict(name="alice", credentials=[]), after=dict(name="alice", credentials=[C512])
    )
    assert result["password_check"] == "not checked"
    assert admin.logins == []  # nothing to verify for a new credential
    assert ("alice" in admin.users) is not check_mode
    assert_no_secret(result)


@pytest.mark.parametrize("check_mode", [False, True])
def test_same_password_always_is_verified_not_changed(run_module, cluster, check_mode):
    admin = cluster(users={"alice": ALICE_512})
    failed, result = run_module(kafka_user.main, dict(SASL, name="alice", password=PASSWORD), check_mode)
    assert not failed
    assert result["changed"] is False
    assert result["actions"] == []
    assert result["password_check"] == "verified"
    assert admin.logins == [("alice", "SCRAM-SHA-512")]
    assert admin.alterations == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_other_password_always_is_changed(run_module, cluster, check_mode):
    admin = cluster(users={"alice": ALICE_512})
    failed, result = run_module(
        kafka_user.main, dict(SASL, name="alice", password=OTHER_PASSWORD), check_mode, diff=True
    )
    assert not failed
    assert result["changed"] is True
    assert result["password_check"] == "rejected"
    assert result["actions"] == ["upsert SCRAM-SHA-512"]
    assert result["diff"]["before"] == result["diff"]["after"]  # only the password differs
    expected = OTHER_PASSWORD if not check_mode else PASSWORD
    assert admin.users["alice"]["SCRAM-SHA-512"] == (4096, expected)
    assert_no_secret(result)


def test_on_create_leaves_existing_password(run_module, cluster):
    admin = cluster(users={"alice": ALICE_512})
    failed, result = run_module(
        kafka_user.main, dict(SASL, name="alice", password=OTHER_PASSWORD, update_password="on_create")
    )
    assert not failed
    assert result["changed"] is False
    assert admin.logins == []
    assert admin.alterations == []


def test_on_create_rewrites_other_iterations(run_module, cluster):
    admin = cluster(users={"alice": ALICE_512})
    failed, result = run_module(
        kafka_user.main, dict(SASL, name="alice", password=PASSWORD, update_password="on_create", iterations=8192)
    )
    assert not failed
    assert result["changed"] is True
    assert result["user"]["credentials"] == [dict(mechanism="SCRAM-SHA-512", iterations=8192)]
    assert admin.users["alice"]["SCRAM-SHA-512"] == (8192, PASSWORD)


def test_always_without_sasl_warns_and_rewrites(run_module, cluster):
    admin = cluster(users={"alice": ALICE_512})
    failed, result = run_module(kafka_user.main, dict(PLAINTEXT, name="alice", password=PASSWORD))
    assert not failed
    assert result["changed"] is True
    assert result["password_check"] == "not checked"
    # ansible-core 2.19 returns structured warnings ({"event": {"msg": ...}}), older releases strings.
    assert "update_password=always cannot check the password of user alice" in str(result["warnings"])
    assert len(admin.alterations) == 1


def test_second_mechanism_is_added(run_module, cluster):
    admin = cluster(users={"alice": ALICE_512})
    failed, result = run_module(kafka_user.main, dict(SASL, name="alice", password=PASSWORD, mechanism="SCRAM-SHA-256"))
    assert not failed
    assert result["actions"] == ["upsert SCRAM-SHA-256"]
    assert [c["mechanism"] for c in result["user"]["credentials"]] == ["SCRAM-SHA-256", "SCRAM-SHA-512"]
    assert set(admin.users["alice"]) == {"SCRAM-SHA-256", "SCRAM-SHA-512"}


@pytest.mark.parametrize(
    "mechanism, actions, left",
    [
        (None, ["delete SCRAM-SHA-256", "delete SCRAM-SHA-512"], []),
        ("SCRAM-SHA-256", ["delete SCRAM-SHA-256"], [C512]),
    ],
)
@pytest.mark.parametrize("check_mode", [False, True])
def test_absent(run_module, cluster, mechanism, actions, left, check_mode):
    users = {"alice": {"SCRAM-SHA-256": (4096, PASSWORD), "SCRAM-SHA-512": (4096, PASSWORD)}}
    admin = cluster(users=users)
    args = dict(SASL, name="alice", state="absent")
    if mechanism:
        args["mechanism"] = mechanism
    failed, result = run_module(kafka_user.main, args, check_mode, diff=True)
    assert not failed
    assert result["changed"] is True
    assert result["actions"] == actions
    assert result["user"]["credentials"] == left
    assert "password_check" not in result
    assert len(admin.users["alice"]) == (2 if check_mode else 2 - len(actions))


def test_absent_missing_user_is_no_op(run_module, cluster):
    admin = cluster()
    failed, result = run_module(kafka_user.main, dict(SASL, name="alice", state="absent"))
    assert not failed
    assert result["changed"] is False
    assert result["actions"] == []
    assert admin.alterations == []


def test_refuses_before_describing_without_describe_permission(run_module, cluster):
    admin = cluster(operations=None)
    failed, result = run_module(kafka_user.main, dict(SASL, name="bob", password=PASSWORD))
    assert failed
    assert result["msg"] == (
        "Failed to read SCRAM credentials of user bob: User:admin is not allowed to DESCRIBE the cluster resource "
        "(allowed: nothing); use a super user or grant it an ACL on the cluster"
    )
    assert admin.describes == 0  # librdkafka would abort the process on a refused describe


@pytest.mark.parametrize("check_mode", [False, True])
def test_refuses_change_without_alter_permission(run_module, cluster, check_mode):
    admin = cluster(operations=[AclOperation.DESCRIBE])
    failed, result = run_module(kafka_user.main, dict(SASL, name="bob", password=PASSWORD), check_mode)
    assert failed
    assert "User:admin is not allowed to ALTER the cluster resource (allowed: DESCRIBE)" in result["msg"]
    assert admin.alterations == []


def test_alter_error_is_reported_without_secrets(run_module, cluster):
    cluster(alter_error=KafkaError(KafkaError.UNACCEPTABLE_CREDENTIAL, f"Too few iterations for {PASSWORD}"))
    failed, result = run_module(kafka_user.main, dict(SASL, name="alice", password=PASSWORD))
    assert failed
    assert result["msg"].startswith(
        "Failed to alter SCRAM credentials of user alice (upsert SCRAM-SHA-512): Too few iterations for ********"
    )
    assert result["error_code"] == "UNACCEPTABLE_CREDENTIAL"
    assert_no_secret(result)


@pytest.mark.parametrize(
    "args, message",
    [
        (dict(name="alice", password=PASSWORD, iterations=1000), "iterations must be between 4096 and 16384, got 1000"),
        (dict(name="alice", password=PASSWORD, iterations=20000), "iterations must be between 4096 and 16384"),
        (dict(name="alice"), "state is present but all of the following are missing: password"),
        (dict(name="", password=PASSWORD), "name must not be empty"),
    ],
)
def test_argument_validation(run_module, cluster, args, message):
    cluster()
    failed, result = run_module(kafka_user.main, dict(SASL, **args))
    assert failed
    assert message in result["msg"]


def test_user_alias(run_module, cluster):
    cluster()
    failed, result = run_module(kafka_user.main, dict(SASL, user="alice", password=PASSWORD))
    assert not failed
    assert result["user"]["name"] == "alice"
