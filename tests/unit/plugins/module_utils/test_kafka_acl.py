# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils/kafka_acl: normalization and validation of task entries and the purge scope.

Validation asks the installed confluent_kafka which resource types it can name, so these tests skip without it.
"""

from __future__ import annotations

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from acl_fakes import acl  # noqa: E402
from acl_fakes import entry  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_acl as ka  # noqa: E402


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
