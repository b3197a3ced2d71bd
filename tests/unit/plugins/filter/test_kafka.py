# -*- coding: utf-8 -*-
# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The filters of plugins/filter/kafka.py: every filter, its edge cases, and its documentation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ansible_collections.kafkaops.cluster.plugins.filter.kafka import FilterModule
from ansible_collections.kafkaops.cluster.plugins.filter.kafka import jaas_config
from ansible_collections.kafkaops.cluster.plugins.filter.kafka import jaas_quote
from ansible_collections.kafkaops.cluster.plugins.filter.kafka import java_properties_value
from ansible_collections.kafkaops.cluster.plugins.filter.kafka import quorum_summary

FILTER_DIR = Path(__file__).resolve().parents[4] / "plugins" / "filter"

SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule"
PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule"


def java_properties_unescape(text):
    """What java.util.Properties reads back for the escapes java_properties_value writes."""
    out, chars = [], iter(text)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        escaped = next(chars)
        out.append({"n": "\n", "r": "\r", "t": "\t"}.get(escaped, escaped))
    return "".join(out)


def jaas_unquote(text):
    """What the JAAS parser reads back for a value jaas_quote wrote."""
    assert text.startswith('"') and text.endswith('"')
    out, chars = [], iter(text[1:-1])
    for char in chars:
        if char == '"':
            raise AssertionError(f"unescaped quote in {text!r}")
        out.append(next(chars) if char == "\\" else char)
    return "".join(out)


# jaas_quote


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("secret", '"secret"'),
        ("", '""'),
        (None, '""'),
        ('pa"ss', '"pa\\"ss"'),
        ("back\\slash", '"back\\\\slash"'),
        # A trailing backslash must not escape the closing quote.
        ("ends\\", '"ends\\\\"'),
        ('\\"', '"\\\\\\""'),
        ("with space; and=equals", '"with space; and=equals"'),
        ("ünïcødé €", '"ünïcødé €"'),
        (4711, '"4711"'),
        (True, '"True"'),
    ],
)
def test_jaas_quote(value, expected):
    assert jaas_quote(value) == expected


@pytest.mark.parametrize("value", ["plain", 'q"uote', "b\\s", 'mix\\"ed\\', '""', "\\\\", "x;y"])
def test_jaas_quote_reads_back(value):
    assert jaas_unquote(jaas_quote(value)) == value


# jaas_config


def test_jaas_config_sorts_options_and_quotes_every_value():
    options = {"username": "admin", "password": 'p"w\\', "user_admin": "x"}
    assert jaas_config(options, PLAIN) == (f'{PLAIN} required password="p\\"w\\\\" user_admin="x" username="admin";')


def test_jaas_config_same_text_whatever_the_insertion_order():
    first = jaas_config({"b": "2", "a": "1", "c": "3"}, SCRAM)
    second = jaas_config({"c": "3", "a": "1", "b": "2"}, SCRAM)
    assert first == second == f'{SCRAM} required a="1" b="2" c="3";'


@pytest.mark.parametrize("options", [{}, None])
def test_jaas_config_without_options(options):
    assert jaas_config(options, SCRAM) == f"{SCRAM} required;"


@pytest.mark.parametrize("flag", ["requisite", "sufficient", "optional"])
def test_jaas_config_flag(flag):
    assert jaas_config({"username": "u"}, SCRAM, flag) == f'{SCRAM} {flag} username="u";'


def test_jaas_config_non_string_values():
    assert jaas_config({"debug": True, "retries": 3, "empty": None}, SCRAM) == (
        f'{SCRAM} required debug="True" empty="" retries="3";'
    )


# java_properties_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/data/kafka", "/data/kafka"),
        ("", ""),
        (None, ""),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (604800000, "604800000"),
        (1.5, "1.5"),
        ("C:\\dir", "C:\\\\dir"),
        ("a\nb", "a\\nb"),
        ("a\r\nb", "a\\r\\nb"),
        ("a\tb", "a\\tb"),
        # A literal backslash followed by n is not a line break.
        ("a\\nb", "a\\\\nb"),
        (" leading", "\\ leading"),
        ("  two leading", "\\  two leading"),
        ("inner blanks stay", "inner blanks stay"),
        ("trailing ", "trailing "),
        # Separators and comment characters are literal inside a value.
        ("a=b:c#d!e", "a=b:c#d!e"),
        ("ünïcødé", "ünïcødé"),
        (["a", "b"], "['a', 'b']"),
    ],
)
def test_java_properties_value(value, expected):
    assert java_properties_value(value) == expected


@pytest.mark.parametrize(
    "value",
    ["plain", " lead", "multi\nline\r\n", "tab\there", "back\\slash\\", "\\n literal", "\t", "a\\\\b"],
)
def test_java_properties_value_reads_back(value):
    escaped = java_properties_value(value)
    assert "\n" not in escaped and "\r" not in escaped
    assert java_properties_unescape(escaped) == value


def test_java_properties_value_bool_is_not_the_python_spelling():
    # Kafka parses "True" as an invalid boolean; the filter writes Java's spelling.
    assert java_properties_value(True) != str(True)


# FilterModule and the documentation


def test_filter_module_maps_every_filter():
    assert FilterModule().filters() == {
        "jaas_quote": jaas_quote,
        "jaas_config": jaas_config,
        "java_properties_value": java_properties_value,
        "quorum_summary": quorum_summary,
    }


@pytest.mark.parametrize("name", sorted(FilterModule().filters()))
def test_every_filter_is_documented(name):
    doc = yaml.safe_load((FILTER_DIR / f"{name}.yml").read_text(encoding="utf-8"))
    assert doc["DOCUMENTATION"]["name"] == name
    assert f"kafkaops.cluster.{name}" in doc["EXAMPLES"]
    assert "_input" in doc["DOCUMENTATION"]["options"]
    assert doc["RETURN"]["_value"]["type"] == ("dict" if name == "quorum_summary" else "str")


def test_shared_properties_template_renders_sorted_and_escaped():
    """roles/_common/templates/properties.j2 (every properties file of the roles) through the filter's FQCN."""
    jinja2 = pytest.importorskip("jinja2")
    template_dir = FILTER_DIR.parents[1] / "roles" / "_common" / "templates"
    # trim_blocks and keep_trailing_newline as Ansible renders templates.
    loader = jinja2.FileSystemLoader(str(template_dir))
    env = jinja2.Environment(loader=loader, keep_trailing_newline=True, trim_blocks=True)
    env.filters["kafkaops.cluster.java_properties_value"] = java_properties_value
    rendered = env.get_template("properties.j2").render(
        ansible_managed="managed",
        _common_properties={"log.dirs": "/data", "auto.create.topics.enable": False, "motd": " hi\n", "empty": None},
    )
    assert rendered.splitlines()[2:] == [
        "auto.create.topics.enable=false",
        "empty=",
        "log.dirs=/data",
        "motd=\\ hi\\n",
    ]


# A kafka_cluster_info result against the KRaft lab (3 controllers, 2 brokers shown), as registered.
CLUSTER_INFO_KRAFT = {
    "changed": False,
    "metadata_mode": "kraft",
    "quorum": {
        "leader_id": 1001,
        "voters": [
            {"id": 1001, "status": "Leader", "lag": 0, "last_caught_up_timestamp": 1764892000500},
            {"id": 1002, "status": "Follower", "lag": 0, "last_caught_up_timestamp": 1764892000300},
            {"id": 1003, "status": "Follower", "lag": 22, "last_caught_up_timestamp": None},
        ],
        "observers": [{"id": 0, "status": "Observer", "lag": 0}, {"id": 1, "status": "Observer", "lag": None}],
        "voter_ids": [1001, 1002, 1003],
        "max_voter_lag": 22,
    },
}


def test_quorum_summary_reads_leader_voters_observers_and_lag():
    assert quorum_summary(CLUSTER_INFO_KRAFT) == {
        "ok": True,
        "leader_id": 1001,
        "voters": {1001: 0, 1002: 0, 1003: 22},
        "observers": {0: 0, 1: None},
        "max_voter_lag": 22,
        "caught_up_at": {1001: 1764892000500, 1002: 1764892000300, 1003: None},
        "leader_time": 1764892000500,
        "error": "",
    }


@pytest.mark.parametrize(
    "result, error",
    [
        ({"failed": True, "msg": "Failed to connect to Kafka at kafka-0:9095: timed out"}, "Failed to connect"),
        ({"failed": True, "msg": "boom", "quorum": CLUSTER_INFO_KRAFT["quorum"]}, "boom"),
        ({"metadata_mode": "kraft", "quorum": None}, "could not be read"),
        ({"metadata_mode": "kraft", "quorum": {"leader_id": None, "voters": [{"id": 1001, "lag": None}]}}, "no leader"),
        ({"metadata_mode": "zookeeper"}, "ZooKeeper mode"),
        (None, "could not be read"),
        ("", "could not be read"),
    ],
)
def test_quorum_summary_without_a_leader_is_not_ok(result, error):
    summary = quorum_summary(result)
    assert summary["ok"] is False
    assert summary["leader_id"] is None
    assert summary["leader_time"] is None
    assert error in summary["error"]
