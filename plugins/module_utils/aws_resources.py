# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the collection's AWS info modules read the same way: tags as a dict, every page of a listing."""

from __future__ import annotations


def tags_of(resource):
    """A resource's Tags list (EC2, Route53 tag sets) as a dict; {} when it has none."""
    return {t["Key"]: t["Value"] for t in resource.get("Tags") or []}


def paged(client, method, key, **kwargs):
    """Every item under key of a paginated boto3 listing."""
    return client.get_paginator(method).paginate(**kwargs).build_full_result().get(key, [])
