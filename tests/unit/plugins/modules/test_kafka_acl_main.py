# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_acl main() against an in-memory ACL store (no network)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from confluent_kafka.admin import AclOperation  # noqa: E402
from kafka_fakes import done  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_acl as ka  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_acl_io as kio  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_acl  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException

ADMIN_PASSWORD = "admin-pw-77x"
SASL = dict(
    bootstrap_servers=["kafka-0:9093"],
    security_protocol="SASL_PLAINTEXT",
    sasl_mechanism="PLAIN",
    sasl_username="admin",
    sasl_password=ADMIN_PASSWORD,
)
CLUSTER_OPERATIONS = (AclOperation.DESCRIBE, AclOperation.ALTER)


def acl(operation="read", principal="User:alice", resource_type="topic", name="orders", pattern="literal", **kw):
    return ka.Acl(
        resource_type, name, pattern, principal, kw.get("host", "*"), operation, kw.get("permission", "allow")
    )


def as_dict(binding):
    return binding.as_dict()


class AclAdmin:
    """The cluster's ACLs as a set of normalized ``Acl`` tuples."""

    def __init__(self, acls=(), operations=CLUSTER_OPERATIONS, create_error=None, refuse=(), delete_error=None):
        self.acls = set(acls)
        self.operations = operations
        self.create_error = create_error
        # Bindings the broker refuses to create (a per-binding error, as for a group named "." on ZooKeeper).
        self.refuse = set(refuse)
        self.delete_error = delete_error
        self.created = []
        self.deleted = []
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

    def describe_acls(self, acl_filter, request_timeout):
        self.describes += 1
        return done([kio.to_client_binding(b) for b in self.acls])

    def create_acls(self, bindings, request_timeout):
        result = {}
        for binding in bindings:
            if self.create_error is not None or kio.binding_from_client(binding) in self.refuse:
                error = self.create_error or KafkaError(KafkaError.UNKNOWN, "Unknown broker error")
                result[binding] = done(exception=KafkaException(error))
                continue
            self.created.append(kio.binding_from_client(binding))
            self.acls.add(kio.binding_from_client(binding))
            result[binding] = done()
        return result

    def delete_acls(self, filters, request_timeout):
        result = {}
        for acl_filter in filters:
            if self.delete_error is not None:
                result[acl_filter] = done(exception=KafkaException(self.delete_error))
                continue
            exact = kio.binding_from_client(acl_filter)
            matched = [b for b in self.acls if b == exact]
            self.acls -= set(matched)
            self.deleted.extend(matched)
            result[acl_filter] = done([kio.to_client_binding(b) for b in matched])
        return result


@pytest.fixture
def cluster(monkeypatch):
    def install(**kwargs):
        admin = AclAdmin(**kwargs)
        monkeypatch.setattr(KafkaModule, "admin_client", lambda module: admin)
        return admin

    return install


ALICE_READ = dict(
    principal="User:alice", resource_type="topic", resource_name="orders", operations=["Read", "DESCRIBE"]
)


@pytest.mark.parametrize("check_mode", [False, True])
def test_create(run_module, cluster, check_mode):
    admin = cluster()
    failed, result = run_module(kafka_acl.main, dict(SASL, acls=[ALICE_READ]), check_mode, diff=True)
    assert not failed
    assert result["changed"] is True
    assert result["acls_added"] == [as_dict(acl("describe")), as_dict(acl("read"))]
    assert result["acls_removed"] == []
    assert result["actions"] == [
        "add User:alice allow describe on topic orders (literal) from host *",
        "add User:alice allow read on topic orders (literal) from host *",
    ]
    assert result["diff"] == dict(before=dict(acls=[]), after=dict(acls=result["acls_added"]))
    assert result["acls"] == result["acls_added"]
    assert admin.acls == (set() if check_mode else {acl("read"), acl("describe")})


@pytest.mark.parametrize("check_mode", [False, True])
def test_unchanged(run_module, cluster, check_mode):
    admin = cluster(acls=[acl("read"), acl("describe")])
    failed, result = run_module(kafka_acl.main, dict(SASL, acls=[ALICE_READ]), check_mode, diff=True)
    assert not failed
    assert result["changed"] is False
    assert result["actions"] == []
    assert result["diff"]["before"]["acls"] == result["diff"]["after"]["acls"]
    assert admin.created == admin.deleted == []


def test_added_operation_only_in_diff(run_module, cluster):
    admin = cluster(acls=[acl("read"), acl("describe")])
    wanted = dict(ALICE_READ, operations=["read", "describe", "write"])
    failed, result = run_module(kafka_acl.main, dict(SASL, acls=[wanted]), diff=True)
    assert not failed
    assert result["actions"] == ["add User:alice allow write on topic orders (literal) from host *"]
    before = result["diff"]["before"]["acls"]
    after = result["diff"]["after"]["acls"]
    assert [b for b in after if b not in before] == [as_dict(acl("write"))]
    assert [b for b in before if b not in after] == []
    assert admin.created == [acl("write")]


def test_purge_scoped_to_principal(run_module, cluster):
    other = acl("read", principal="User:bob")
    admin = cluster(acls=[acl("read"), acl("write"), acl("describe", name="payments"), other])
    failed, result = run_module(
        kafka_acl.main,
        dict(SASL, acls=[dict(ALICE_READ, operations=["read"])], purge=True, purge_principals=["User:alice"]),
        diff=True,
    )
    assert not failed
    assert result["changed"] is True
    assert result["acls_removed"] == [as_dict(acl("write")), as_dict(acl("describe", name="payments"))]
    assert admin.acls == {acl("read"), other}
    assert result["diff"]["after"]["acls"] == [as_dict(acl("read"))]


def test_purge_scoped_to_resource(run_module, cluster):
    elsewhere = acl("describe", name="payments")
    admin = cluster(acls=[acl("read"), acl("write"), acl("read", principal="User:bob"), elsewhere])
    failed, result = run_module(
        kafka_acl.main,
        dict(
            SASL,
            acls=[dict(ALICE_READ, operations=["read"])],
            purge=True,
            purge_resources=[dict(resource_type="topic", resource_name="orders")],
        ),
    )
    assert not failed
    assert admin.acls == {acl("read"), elsewhere}
    assert len(result["acls_removed"]) == 2


def test_purge_warns_about_bindings_it_cannot_delete(run_module, cluster, monkeypatch):
    token = acl("describe", resource_type="unknown", name="tok")
    admin = cluster(acls=[acl("read")])
    # What confluent-kafka reports for a DELEGATION_TOKEN ACL; the fake store cannot hold it.
    real_read = kio.read_acls
    monkeypatch.setattr(kafka_acl, "read_acls", lambda a, t: sorted(real_read(a, t) + [token]))
    failed, result = run_module(kafka_acl.main, dict(SASL, acls=[], purge=True, purge_principals=["User:alice"]))
    assert not failed
    assert admin.deleted == [acl("read")]
    assert result["acls_removed"] == [as_dict(acl("read"))]
    assert "purge leaves these ACLs alone" in str(result["warnings"])


@pytest.mark.parametrize("check_mode", [False, True])
def test_absent(run_module, cluster, check_mode):
    admin = cluster(acls=[acl("read"), acl("describe"), acl("read", principal="User:bob")])
    failed, result = run_module(
        kafka_acl.main, dict(SASL, acls=[dict(ALICE_READ, operations=["read"])], state="absent"), check_mode, diff=True
    )
    assert not failed
    assert result["changed"] is True
    assert result["acls_removed"] == [as_dict(acl("read"))]
    assert result["actions"] == ["remove User:alice allow read on topic orders (literal) from host *"]
    assert result["diff"]["after"]["acls"] == [as_dict(acl("describe"))]
    assert (acl("read") in admin.acls) is check_mode


def test_absent_match_filter(run_module, cluster):
    admin = cluster(acls=[acl("read", name="*"), acl("read", name="ord", pattern="prefixed"), acl("read", name="x")])
    failed, result = run_module(
        kafka_acl.main, dict(SASL, acls=[dict(ALICE_READ, operations=["read"], pattern_type="match")], state="absent")
    )
    assert not failed
    assert admin.acls == {acl("read", name="x")}
    assert len(result["acls_removed"]) == 2


def test_absent_missing_is_no_op(run_module, cluster):
    admin = cluster()
    failed, result = run_module(kafka_acl.main, dict(SASL, acls=[ALICE_READ], state="absent"))
    assert not failed
    assert result["changed"] is False
    assert admin.deleted == []


@pytest.mark.parametrize(
    "args, message",
    [
        (dict(acls=[dict(ALICE_READ, operations=["raed"])]), "acls[0].operations[0]: unknown operation 'raed'"),
        (dict(acls=[dict(ALICE_READ, principal="alice")]), "acls[0]: principal 'alice' is not of the form"),
        (
            dict(acls=[dict(ALICE_READ, pattern_type="match")]),
            "pattern_type match is a filter, not an ACL pattern: it is only allowed with state=absent",
        ),
        (dict(acls=[ALICE_READ], purge=True), "purge=true needs an explicit scope"),
        (dict(acls=[ALICE_READ], purge=True, purge_principals=[]), "refusing to purge every ACL of the cluster"),
        (dict(acls=[ALICE_READ], purge_principals=["User:alice"]), "only used with purge=true"),
    ],
)
def test_bad_input_changes_nothing_and_reads_nothing(run_module, cluster, args, message):
    admin = cluster(acls=[acl("write")])
    failed, result = run_module(kafka_acl.main, dict(SASL, **args))
    assert failed
    assert result["msg"].startswith("Invalid ACL request, nothing was changed: ")
    assert message in result["msg"]
    assert admin.describes == 0
    assert admin.acls == {acl("write")}


def test_one_bad_entry_refuses_the_whole_batch(run_module, cluster):
    admin = cluster()
    good = dict(ALICE_READ, resource_name="fine")
    failed, result = run_module(kafka_acl.main, dict(SASL, acls=[good, dict(ALICE_READ, operations=["fly"])]))
    assert failed
    assert "acls[1].operations[0]" in result["msg"]
    assert admin.created == []


def test_missing_required_suboption(run_module, cluster):
    cluster()
    failed, result = run_module(kafka_acl.main, dict(SASL, acls=[dict(resource_type="topic", operations=["read"])]))
    assert failed
    assert "principal" in result["msg"]


def test_refuses_without_describe_permission(run_module, cluster):
    admin = cluster(operations=None)
    failed, result = run_module(kafka_acl.main, dict(SASL, acls=[ALICE_READ]))
    assert failed
    assert result["msg"] == (
        "Failed to describe ACLs: User:admin is not allowed to DESCRIBE the cluster resource (allowed: nothing); "
        "use a super user or grant it an ACL on the cluster"
    )
    assert admin.describes == 0


@pytest.mark.parametrize("check_mode", [False, True])
def test_refuses_change_without_alter_permission(run_module, cluster, check_mode):
    admin = cluster(operations=[AclOperation.DESCRIBE])
    failed, result = run_module(kafka_acl.main, dict(SASL, acls=[ALICE_READ]), check_mode)
    assert failed
    assert result["msg"].startswith("Failed to change ACLs: User:admin is not allowed to ALTER the cluster resource")
    assert admin.created == []


def test_no_alter_needed_when_nothing_changes(run_module, cluster):
    cluster(acls=[acl("read"), acl("describe")], operations=[AclOperation.DESCRIBE])
    failed, result = run_module(kafka_acl.main, dict(SASL, acls=[ALICE_READ]))
    assert not failed
    assert result["changed"] is False


def test_create_error_is_reported(run_module, cluster):
    cluster(create_error=KafkaError(KafkaError.INVALID_REQUEST, "Failed to create ACL"))
    failed, result = run_module(kafka_acl.main, dict(SASL, acls=[dict(ALICE_READ, operations=["read"])]))
    assert failed
    assert result["msg"] == (
        "Failed to create 1 ACL(s): User:alice allow read on topic orders (literal) from host *: "
        "Failed to create ACL (INVALID_REQUEST) (0 created)"
    )
    assert result["actions"] == []
    assert result["changed"] is False
    assert ADMIN_PASSWORD not in str(result)


def test_partial_create_reports_changed_and_what_was_done(run_module, cluster):
    """Issue 13 item 8: the broker creates one binding of the request and refuses the other."""
    admin = cluster(acls=[acl("write")], refuse=[acl("read", resource_type="group", name=".")])
    args = dict(
        SASL,
        acls=[
            dict(principal="User:alice", resource_type="topic", resource_name="orders", operations=["describe"]),
            dict(principal="User:alice", resource_type="group", resource_name=".", operations=["read"]),
        ],
        purge=True,
        purge_principals=["User:alice"],
    )
    failed, result = run_module(kafka_acl.main, args)
    assert failed
    assert result["changed"] is True
    assert result["acls_added"] == [as_dict(acl("describe"))]
    assert result["acls_removed"] == []
    assert result["actions"] == ["add User:alice allow describe on topic orders (literal) from host *"]
    assert result["msg"] == (
        "Failed to create 2 ACL(s): User:alice allow read on group . (literal) from host *: "
        "Unknown broker error (UNKNOWN) (1 created; not attempted: 1 removal(s))"
    )
    # The refused creation stops the run before the purge deletes anything.
    assert admin.deleted == []
    assert result["acls"] == [as_dict(acl("describe")), as_dict(acl("write"))]


def test_failed_delete_after_create_reports_changed(run_module, cluster):
    admin = cluster(acls=[acl("write")], delete_error=KafkaError(KafkaError.CLUSTER_AUTHORIZATION_FAILED, "denied"))
    args = dict(SASL, acls=[dict(ALICE_READ, operations=["read"])], purge=True, purge_principals=["User:alice"])
    failed, result = run_module(kafka_acl.main, args)
    assert failed
    assert result["changed"] is True
    assert result["acls_added"] == [as_dict(acl("read"))]
    assert result["acls_removed"] == []
    assert result["actions"] == ["add User:alice allow read on topic orders (literal) from host *"]
    assert result["msg"].startswith(
        "Failed to delete 1 ACL(s): User:alice allow write on topic orders (literal) from host *: "
    )
    assert result["msg"].endswith(" (0 deleted)")
    assert admin.acls == {acl("read"), acl("write")}
