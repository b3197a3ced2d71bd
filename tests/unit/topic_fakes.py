# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Topic states, specs and metadata for the topic unit tests (importable: conftest.py's folder is on sys.path)."""

from __future__ import annotations

from types import SimpleNamespace


def state(partitions=3, replication_factor=3, config=None, effective=None):
    config = dict(config or {})
    merged = {"retention.ms": "604800000", "cleanup.policy": "delete", "segment.bytes": "1073741824"}
    merged.update(effective or {})
    merged.update(config)
    return dict(partitions=partitions, replication_factor=replication_factor, config=config, effective=merged)


def spec(name="orders", partitions=None, replication_factor=None, config=None, state="present"):
    return dict(
        name=name, partitions=partitions, replication_factor=replication_factor, config=config or {}, state=state
    )


DEFAULTS = dict(partitions=1, replication_factor=3)


def public(partitions=3, replication_factor=3, **config):
    return dict(partitions=partitions, replication_factor=replication_factor, config=config)


def partition(leader, replicas, isrs):
    return SimpleNamespace(leader=leader, replicas=list(replicas), isrs=list(isrs), error=None)
