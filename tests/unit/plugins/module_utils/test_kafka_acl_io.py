# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils/kafka_acl_io: conversion from and to confluent_kafka objects and the AdminClient calls."""

from __future__ import annotations

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from acl_fakes import acl  # noqa: E402
from confluent_kafka.admin import AclBinding  # noqa: E402
from confluent_kafka.admin import AclOperation  # noqa: E402
from confluent_kafka.admin import AclPermissionType  # noqa: E402
from confluent_kafka.admin import ResourcePatternType  # noqa: E402
from confluent_kafka.admin import ResourceType  # noqa: E402
from kafka_fakes import done  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_acl as ka  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_acl_io as kio  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException


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
    assert kio.binding_from_client(client) == expected


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
    assert kio.binding_from_client(kio.to_client_binding(binding)) == binding
    assert kio.binding_from_client(kio.to_client_filter(binding)) == binding


def test_delegation_token_has_no_client_type():
    assert ka.client_resource_type("delegation_token") is getattr(ResourceType, "DELEGATION_TOKEN", None)


class Admin:
    def __init__(self, fail=None):
        self.fail = fail or {}

    def create_acls(self, bindings, request_timeout):
        return {
            b: done(exception=self.fail[kio.binding_from_client(b)])
            if kio.binding_from_client(b) in self.fail
            else done()
            for b in bindings
        }

    def delete_acls(self, filters, request_timeout):
        return {f: done([AclBinding(*kio._client_args(kio.binding_from_client(f)))]) for f in filters}

    def describe_acls(self, acl_filter, request_timeout):
        return done([kio.to_client_binding(acl("write")), kio.to_client_binding(acl("read"))])


def test_read_acls_sorted():
    assert kio.read_acls(Admin(), 5) == [acl("read"), acl("write")]


def test_create_acls_reports_each_failure_and_what_was_created():
    error = KafkaException(KafkaError(KafkaError.INVALID_REQUEST, "Failed to create ACL"))
    created, failures = kio.create_acls(Admin(fail={acl("write"): error}), [acl("read"), acl("write")], 5)
    assert created == [acl("read")]
    assert failures == [
        "User:alice allow write on topic orders (literal) from host *: Failed to create ACL (INVALID_REQUEST)"
    ]
    assert kio.create_acls(Admin(), [], 5) == ([], [])


def test_delete_acls_returns_deleted():
    assert kio.delete_acls(Admin(), [acl("read")], 5) == ([acl("read")], [])
    assert kio.delete_acls(Admin(), [], 5) == ([], [])


def test_write_failure_names_refusals_outcome_and_skipped():
    error = kio.write_failure("create", [acl("read"), acl("write")], [acl("read")], ["x: refused"], [acl("alter")])
    assert str(error) == "Failed to create 2 ACL(s): x: refused (1 created; not attempted: 1 removal(s))"
    error = kio.write_failure("delete", [acl("read")], [], ["y: refused"])
    assert str(error) == "Failed to delete 1 ACL(s): y: refused (0 deleted)"
