# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Config values: the string sent, normalized comparison, value checks (pure)."""

from __future__ import annotations

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_config as kc


@pytest.mark.parametrize(
    "value, text",
    [
        (True, "true"),
        (False, "false"),
        (604800000, "604800000"),
        (0.5, "0.5"),
        ("compact", "compact"),
        (["compact", "delete"], "compact,delete"),
        ([1, True], "1,true"),
    ],
)
def test_config_string(value, text):
    assert kc.config_string(value) == text


@pytest.mark.parametrize(
    "given, reported",
    [
        (604800000, "604800000"),
        ("604800000", "604800000"),
        (" 604800000 ", "604800000"),
        (True, "true"),
        ("TRUE", "true"),
        (False, "false"),
        (0.5, "0.5"),
        ("0.50", "0.5"),
        (1, "1.0"),
        (["compact", "delete"], "compact,delete"),
        (["delete", "compact"], "compact,delete"),
        ("delete, compact", "compact,delete"),
        (["delete"], "delete"),
        ([], ""),
        ("", ""),
        (None, None),
        ("CreateTime", "CreateTime"),
        (-1, "-1"),
    ],
)
def test_values_equal(given, reported):
    assert kc.values_equal(given, reported)


@pytest.mark.parametrize(
    "given, reported",
    [
        (604800000, "604800001"),
        (True, "false"),
        ("compact", "compact,delete"),
        ("CreateTime", "createtime"),
        (None, ""),
        ("1", "true"),
    ],
)
def test_values_differ(given, reported):
    assert not kc.values_equal(given, reported)


@pytest.mark.parametrize(
    "key, value, problem",
    [
        ("retention.ms", 1, None),
        ("retention.ms", None, None),
        ("cleanup.policy", ["compact", "delete"], None),
        ("x", {"a": 1}, "config x: the value must be a string, number, boolean, list or null, not a dict"),
        ("x", [["a"]], "config x: list values must contain only strings, numbers or booleans"),
        ("", 1, "config keys must be non-empty strings"),
    ],
)
def test_config_value_problem(key, value, problem):
    assert kc.config_value_problem(key, value) == problem
