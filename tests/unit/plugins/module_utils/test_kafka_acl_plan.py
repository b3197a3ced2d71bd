# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils/kafka_acl_plan (pure): selection of bindings, the plan, prediction, the diff's view, labels."""

from __future__ import annotations

import pytest
from acl_fakes import acl

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_acl_plan as kap


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
    assert kap.resource_matches(spec, binding) is matches


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
    added, removed, skipped = kap.plan(CURRENT, wanted, "present", scope)
    assert (added, removed, skipped) == (sorted(to_add), sorted(to_remove), [])


def test_plan_purge_skips_bindings_the_client_cannot_delete():
    token = acl("describe", resource_type="unknown", name="tok1")
    added, removed, skipped = kap.plan(CURRENT + [token], [], "present", dict(principals=["User:alice"], resources=[]))
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
    assert kap.plan(CURRENT, wanted, "absent") == ([], sorted(to_remove), [])


def test_plan_absent_match_includes_wildcard_and_prefixes():
    current = [acl(name="*"), acl(name="ord", pattern="prefixed"), acl(name="orders-eu", pattern="prefixed")]
    _added, removed, _skipped = kap.plan(current, [acl(pattern="match")], "absent")
    assert removed == sorted([acl(name="*"), acl(name="ord", pattern="prefixed")])


def test_predict():
    assert kap.predict(CURRENT, [acl("write")], [acl("read")]) == sorted(set(CURRENT) - {acl("read")} | {acl("write")})


def test_view_shows_pairs_named_and_purge_scope():
    wanted = [acl("read")]
    assert kap.view(CURRENT, wanted) == [acl("describe"), acl("read")]
    scoped = kap.view(CURRENT, wanted, dict(principals=["User:bob"], resources=[]))
    assert scoped == sorted([acl("describe"), acl("read"), CURRENT[2], CURRENT[4]])


def test_view_with_filter_entries():
    assert kap.view(CURRENT, [acl("read", pattern="any")]) == [acl("describe"), acl("read")]


def test_labels_and_dicts():
    assert kap.action_labels([acl("write")], [acl("read", permission="deny")]) == [
        "add User:alice allow write on topic orders (literal) from host *",
        "remove User:alice deny read on topic orders (literal) from host *",
    ]
    assert kap.as_dicts([acl()]) == [
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
