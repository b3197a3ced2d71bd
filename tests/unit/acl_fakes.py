# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ACL bindings and task entries for the ACL unit tests (importable: conftest.py's folder is on sys.path)."""

from __future__ import annotations

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_acl as ka


def acl(operation="read", principal="User:alice", resource_type="topic", name="orders", pattern="literal", **kw):
    return ka.Acl(
        resource_type, name, pattern, principal, kw.get("host", "*"), operation, kw.get("permission", "allow")
    )


def entry(**kw):
    base = dict(principal="User:alice", resource_type="topic", resource_name="orders", operations=["read"])
    base.update(kw)
    return base
