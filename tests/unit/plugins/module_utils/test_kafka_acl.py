# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from confluent_kafka.admin import AclBinding  # noqa: E402
from confluent_kafka.admin import AclOperation  # noqa: E402
from confluent_kafka.admin import AclPermissionType  # noqa: E402
from confluent_kafka.admin import ResourcePatternType  # noqa: E402
from confluent_kafka.admin import ResourceType  # noqa: E402
from kafka_fakes import done  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_acl as ka  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException


def acl(operation="read", principal="User:alice", resource_type="topic", name="orders", pattern="literal", **kw):
    return ka.Acl(
        resource_type, name, pattern, principal, kw.get("host", "*"), operation, kw.get("permission", "allow")
    )


def entry(**kw):
    base = dict(principal="User:alice", resource_type="topic", resource_name="orders", operations=["read"])
    base.update(kw)
    return base


# ---------------------------------------------------------------------------
# normalization
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource_type, raw, expected",
    [
        ("topic", "Read", "read"),
        ("topic", "READ", "read"),
        ("topic", "DescribeConfigs", "describe_configs"),
        ("topic", "describe-configs", "describe_configs"),
        ("cluster", "IDEMPOTENT_WRITE", "idempotent_write"),
        ("cluster", "ClusterAction", "cluster_action"),
        ("group", "All", "all"),
    ],
)
def test_operation_aliases(resource_type, raw, expected):
    name = None if resource_type == "cluster" else "orders"
    bindings, errors = ka.normalize_entries(
        [entry(resource_type=resource_type, resource_name=name, operations=[raw])], "present"
    )
    assert errors == []
    assert [b.operation for b in bindings] == [expected]


def test_entry_expands_to_one_binding_per_operation_sorted_and_deduplicated():
    bindings, errors = ka.normalize_entries(
        [entry(operations=["write", "Read", "READ"]), entry(operations=["read"])], "present"
    )
    assert errors == []
    assert bindings == [acl("read"), acl("write")]


@pytest.mark.parametrize(
    "fields, expected",
    [
        (dict(resource_type="Topic"), acl()),
        (dict(resource_type="TRANSACTIONAL-ID", operations=["write"]), acl("write", resource_type="transactional_id")),
        (dict(principal="user:alice"), acl()),
        (dict(principal=" User:alice "), acl()),
        (dict(pattern_type="PREFIXED"), acl(pattern="prefixed")),
        (dict(permission="DENY"), acl(permission="deny")),
        (dict(host="10.0.0.5"), acl(host="10.0.0.5")),
        (dict(host="::1"), acl(host="0:0:0:0:0:0:0:1")),
        (dict(host="FE80::0A:1"), acl(host="fe80:0:0:0:0:0:a:1")),
        (
            dict(resource_type="cluster", resource_name=None, operations=["alter"]),
            acl("alter", resource_type="cluster", name="kafka-cluster"),
        ),
        (dict(resource_name="*"), acl(name="*")),
        (dict(principal="User:*"), acl(principal="User:*")),
        (dict(principal="User:CN=alice,OU=apps"), acl(principal="User:CN=alice,OU=apps")),
    ],
)
def test_normalize_entry(fields, expected):
    bindings, errors = ka.normalize_entries([entry(**fields)], "present")
    assert errors == []
    assert bindings == [expected]


@pytest.mark.parametrize(
    "fields, state, message",
    [
        (dict(operations=["raed"]), "present", "acls[0].operations[0]: unknown operation 'raed' (expected one of all,"),
        (dict(operations=[]), "present", "acls[0]: operations must list at least one operation"),
        (
            dict(resource_type="group", operations=["write"]),
            "present",
            "acls[0].operations[0]: operation write does not apply to resource_type group (it takes all, read, "
            "describe, delete)",
        ),
        (dict(resource_type="topics"), "present", "acls[0]: unknown resource_type 'topics' (expected one of topic,"),
        (dict(principal="alice"), "present", "principal 'alice' is not of the form '<Type>:<name>'"),
        (dict(principal="User:"), "present", "principal 'User:' is not of the form"),
        (dict(principal=":alice"), "present", "principal ':alice' is not of the form"),
        (dict(principal=""), "present", "acls[0]: principal must be a non-empty string"),
        (dict(host="client.example.com"), "present", "host 'client.example.com' is not '*' or an IP address"),
        (
            dict(pattern_type="match"),
            "present",
            "acls[0]: pattern_type match is a filter, not an ACL pattern: it is only allowed with state=absent",
        ),
        (dict(pattern_type="any"), "present", "pattern_type any is a filter"),
        (dict(pattern_type="glob"), "absent", "unknown pattern_type 'glob' (expected one of literal, prefixed,"),
        (dict(permission="grant"), "present", "unknown permission 'grant' (expected allow or deny)"),
        (dict(resource_name=None), "present", "acls[0]: resource_name is required for resource_type topic"),
        (dict(resource_name="a/b"), "present", "resource_name 'a/b' must not contain '/'"),
        (
            dict(resource_type="cluster", resource_name="prod", operations=["alter"]),
            "present",
            "the cluster resource is always named 'kafka-cluster', got 'prod'",
        ),
        (
            dict(resource_type="cluster", resource_name=None, pattern_type="prefixed", operations=["alter"]),
            "present",
            "the cluster resource only takes pattern_type literal",
        ),
        (
            dict(resource_type="delegation_token", resource_name="t", operations=["describe"]),
            "present",
            "resource_type delegation_token is not supported by the installed confluent-kafka",
        ),
    ],
)
def test_invalid_entry(fields, state, message):
    bindings, errors = ka.normalize_entries([entry(**fields)], state)
    assert bindings == []
    assert any(message in error for error in errors), errors


def test_whole_batch_is_validated_and_every_problem_reported():
    bindings, errors = ka.normalize_entries(
        [entry(), entry(operations=["raed"]), entry(principal="bob"), "not a dict"], "present"
    )
    assert bindings == [acl()]  # the caller refuses the batch because errors is not empty
    assert [e.split(":")[0].split(".")[0] for e in errors] == ["acls[1]", "acls[2]", "acls[3]"]


@pytest.mark.parametrize("pattern", ["match", "any", "literal", "prefixed"])
def test_absent_accepts_filters(pattern):
    bindings, errors = ka.normalize_entries([entry(pattern_type=pattern)], "absent")
    assert errors == []
    assert bindings[0].pattern_type == pattern


# ---------------------------------------------------------------------------
# purge scope
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "purge, principals, resources, state, message",
    [
        (True, None, None, "present", "purge=true needs an explicit scope"),
        (True, [], [], "present", "refusing to purge every ACL of the cluster"),
        (True, ["User:alice"], None, "absent", "purge=true is only allowed with state=present"),
        (False, ["User:alice"], None, "present", "purge_principals and purge_resources are only used with purge=true"),
        (True, ["alice"], None, "present", "purge_principals[0]: principal 'alice' is not of the form"),
        (
            True,
            None,
            [dict(resource_type="topic", resource_name="x", pattern_type="match")],
            "present",
            "purge_resources[0]: pattern_type match is not allowed here (expected one of literal, prefixed, any)",
        ),
        (True, None, [dict(resource_type="topic")], "present", "purge_resources[0]: resource_name is required"),
    ],
)
def test_purge_scope_refusals(purge, principals, resources, state, message):
    scope, errors = ka.normalize_purge_scope(purge, principals, resources, state)
    assert scope is None
    assert any(message in error for error in errors), errors


def test_purge_scope_normalized():
    scope, errors = ka.normalize_purge_scope(
        True,
        ["user:bob", "User:alice"],
        [dict(resource_type="Topic", resource_name="orders", pattern_type="ANY"), dict(resource_type="cluster")],
        "present",
    )
    assert errors == []
    assert scope == dict(
        principals=["User:alice", "User:bob"],
        resources=[("cluster", "kafka-cluster", "literal"), ("topic", "orders", "any")],
    )


def test_no_purge_no_scope():
    assert ka.normalize_purge_scope(False, None, None, "present") == (None, [])


# ---------------------------------------------------------------------------
# matching, planning, view
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, binding, matches",
    [
        (("topic", "orders", "literal"), acl(), True),
        (("topic", "orders", "literal"), acl(pattern="prefixed"), False),
        (("group", "orders", "literal"), acl(), False),
        (("topic", "orders", "any"), acl(pattern="prefixed"), True),
        (("topic", "orders", "any"), acl(name="*"), False),
        (("topic", "orders", "match"), acl(name="*"), True),
        (("topic", "orders", "match"), acl(name="ord", pattern="prefixed"), True),
        (("topic", "orders", "match"), acl(name="orders-eu", pattern="prefixed"), False),
        (("topic", "orders", "match"), acl(name="orders-eu"), False),
        (("topic", "ord", "prefixed"), acl(name="ord", pattern="prefixed"), True),
    ],
)
def test_resource_matches(spec, binding, matches):
    assert ka.resource_matches(spec, binding) is matches


CURRENT = [
    acl("read"),
    acl("describe"),
    acl("read", principal="User:bob"),
    acl("write", name="payments"),
    acl("read", principal="User:bob", resource_type="group", name="bob-app"),
]


@pytest.mark.parametrize(
    "wanted, scope, to_add, to_remove",
    [
        # nothing to do
        ([acl("read"), acl("describe")], None, [], []),
        # one more operation: only that one is added
        ([acl("read"), acl("describe"), acl("write")], None, [acl("write")], []),
        # without purge nothing unlisted is removed
        ([acl("read")], None, [], []),
        # purge by principal: alice's unlisted ACLs go, bob's stay
        (
            [acl("read")],
            dict(principals=["User:alice"], resources=[]),
            [],
            [acl("describe"), acl("write", name="payments")],
        ),
        # purge by resource: every principal's unlisted ACLs on topic orders
        (
            [acl("read")],
            dict(principals=[], resources=[("topic", "orders", "literal")]),
            [],
            [acl("describe"), acl("read", principal="User:bob")],
        ),
        # both: the intersection
        ([acl("read")], dict(principals=["User:bob"], resources=[("topic", "orders", "literal")]), [], [CURRENT[2]]),
        # empty wanted list with a scope removes the whole scope, nothing else
        ([], dict(principals=["User:bob"], resources=[]), [], [CURRENT[2], CURRENT[4]]),
        # a principal nobody has: nothing
        ([], dict(principals=["User:carol"], resources=[]), [], []),
    ],
)
def test_plan_present(wanted, scope, to_add, to_remove):
    added, removed, skipped = ka.plan(CURRENT, wanted, "present", scope)
    assert (added, removed, skipped) == (sorted(to_add), sorted(to_remove), [])


def test_plan_purge_skips_bindings_the_client_cannot_delete():
    token = acl("describe", resource_type="unknown", name="tok1")
    added, removed, skipped = ka.plan(CURRENT + [token], [], "present", dict(principals=["User:alice"], resources=[]))
    assert token not in removed
    assert skipped == [token]


@pytest.mark.parametrize(
    "wanted, to_remove",
    [
        ([acl("read")], [acl("read")]),
        ([acl("alter")], []),  # not there: nothing to do
        ([acl("read", principal="User:bob", pattern="any")], [CURRENT[2]]),
        ([acl("write", name="payments", pattern="match")], [acl("write", name="payments")]),
        ([acl("read", name="orders", pattern="match", principal="User:bob")], [CURRENT[2]]),
    ],
)
def test_plan_absent(wanted, to_remove):
    assert ka.plan(CURRENT, wanted, "absent") == ([], sorted(to_remove), [])


def test_plan_absent_match_includes_wildcard_and_prefixes():
    current = [acl(name="*"), acl(name="ord", pattern="prefixed"), acl(name="orders-eu", pattern="prefixed")]
    _added, removed, _skipped = ka.plan(current, [acl(pattern="match")], "absent")
    assert removed == sorted([acl(name="*"), acl(name="ord", pattern="prefixed")])


def test_predict():
    assert ka.predict(CURRENT, [acl("write")], [acl("read")]) == sorted(set(CURRENT) - {acl("read")} | {acl("write")})


def test_view_shows_pairs_named_and_purge_scope():
    wanted = [acl("read")]
    assert ka.view(CURRENT, wanted) == [acl("describe"), acl("read")]
    scoped = ka.view(CURRENT, wanted, dict(principals=["User:bob"], resources=[]))
    assert scoped == sorted([acl("describe"), acl("read"), CURRENT[2], CURRENT[4]])


def test_view_with_filter_entries():
    assert ka.view(CURRENT, [acl("read", pattern="any")]) == [acl("describe"), acl("read")]


def test_labels_and_dicts():
    assert ka.action_labels([acl("write")], [acl("read", permission="deny")]) == [
        "add User:alice allow write on topic orders (literal) from host *",
        "remove User:alice deny read on topic orders (literal) from host *",
    ]
    assert ka.as_dicts([acl()]) == [
        dict(
            resource_type="topic",
            resource_name="orders",
            pattern_type="literal",
            principal="User:alice",
            host="*",
            operation="read",
            permission="allow",
        )
    ]


# ---------------------------------------------------------------------------
# conversions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "client, expected",
    [
        (
            AclBinding(
                ResourceType.BROKER,
                "kafka-cluster",
                ResourcePatternType.LITERAL,
                "User:a",
                "*",
                AclOperation.CLUSTER_ACTION,
                AclPermissionType.ALLOW,
            ),
            ka.Acl("cluster", "kafka-cluster", "literal", "User:a", "*", "cluster_action", "allow"),
        ),
        (
            AclBinding(
                ResourceType.TRANSACTIONAL_ID,
                "tx",
                ResourcePatternType.PREFIXED,
                "User:a",
                "10.0.0.1",
                AclOperation.WRITE,
                AclPermissionType.DENY,
            ),
            ka.Acl("transactional_id", "tx", "prefixed", "User:a", "10.0.0.1", "write", "deny"),
        ),
        (
            AclBinding(
                ResourceType.UNKNOWN,
                "tok",
                ResourcePatternType.LITERAL,
                "User:a",
                "*",
                AclOperation.DESCRIBE,
                AclPermissionType.ALLOW,
            ),
            ka.Acl("unknown", "tok", "literal", "User:a", "*", "describe", "allow"),
        ),
    ],
)
def test_binding_from_client(client, expected):
    assert ka.binding_from_client(client) == expected


@pytest.mark.parametrize(
    "binding",
    [
        acl(),
        acl("idempotent_write", resource_type="cluster", name="kafka-cluster"),
        acl("write", resource_type="transactional_id", name="tx", pattern="prefixed", permission="deny"),
        acl("all", resource_type="group", name="g", host="10.1.2.3"),
    ],
)
def test_client_round_trip(binding):
    assert ka.binding_from_client(ka.to_client_binding(binding)) == binding
    assert ka.binding_from_client(ka.to_client_filter(binding)) == binding


def test_delegation_token_has_no_client_type():
    assert ka.client_resource_type("delegation_token") is getattr(ResourceType, "DELEGATION_TOKEN", None)


# ---------------------------------------------------------------------------
# client calls against a minimal fake
# ---------------------------------------------------------------------------


class Admin:
    def __init__(self, fail=None):
        self.fail = fail or {}

    def create_acls(self, bindings, request_timeout):
        return {
            b: done(exception=self.fail[ka.binding_from_client(b)])
            if ka.binding_from_client(b) in self.fail
            else done()
            for b in bindings
        }

    def delete_acls(self, filters, request_timeout):
        return {f: done([AclBinding(*ka._client_args(ka.binding_from_client(f)))]) for f in filters}

    def describe_acls(self, acl_filter, request_timeout):
        return done([ka.to_client_binding(acl("write")), ka.to_client_binding(acl("read"))])


def test_read_acls_sorted():
    assert ka.read_acls(Admin(), 5) == [acl("read"), acl("write")]


def test_create_acls_reports_each_failure_and_what_was_created():
    error = KafkaException(KafkaError(KafkaError.INVALID_REQUEST, "Failed to create ACL"))
    created, failures = ka.create_acls(Admin(fail={acl("write"): error}), [acl("read"), acl("write")], 5)
    assert created == [acl("read")]
    assert failures == [
        "User:alice allow write on topic orders (literal) from host *: Failed to create ACL (INVALID_REQUEST)"
    ]
    assert ka.create_acls(Admin(), [], 5) == ([], [])


def test_delete_acls_returns_deleted():
    assert ka.delete_acls(Admin(), [acl("read")], 5) == ([acl("read")], [])
    assert ka.delete_acls(Admin(), [], 5) == ([], [])


def test_write_failure_names_refusals_outcome_and_skipped():
    error = ka.write_failure("create", [acl("read"), acl("write")], [acl("read")], ["x: refused"], [acl("alter")])
    assert str(error) == "Failed to create 2 ACL(s): x: refused (1 created; not attempted: 1 removal(s))"
    error = ka.write_failure("delete", [acl("read")], [], ["y: refused"])
    assert str(error) == "Failed to delete 1 ACL(s): y: refused (0 deleted)"
