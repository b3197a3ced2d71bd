# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures shared by the module tests."""

from __future__ import annotations

import pytest

REGION = "eu-central-1"


@pytest.fixture
def aws(monkeypatch):
    """moto's in-process AWS in eu-central-1 with dummy credentials: (ec2 client, route53 client)."""
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_URL", "EC2_URL", "AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)  # amazon.aws would send the calls to that endpoint instead of moto
    with moto.mock_aws():
        yield boto3.client("ec2", region_name=REGION), boto3.client("route53", region_name=REGION)
