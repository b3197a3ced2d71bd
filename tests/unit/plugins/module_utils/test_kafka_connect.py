# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils.kafka_connect: normalization, masking, traces, status documents (pure functions)."""

from __future__ import annotations

import pytest
from connect_fakes import FakeConnect

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_connect

# -- normalization ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (True, "true"),
        (False, "false"),
        (1, "1"),
        (0, "0"),
        (1.5, "1.5"),
        ("x", "x"),
        ("", ""),
        (["a", "b"], "a,b"),
        ([1, True, "c"], "1,true,c"),
        (None, None),
    ],
)
def test_normalize_value(value, expected):
    assert kafka_connect.normalize_value(value) == expected


def test_normalize_value_refuses_a_dict():
    with pytest.raises(ValueError, match="a dict is not a valid"):
        kafka_connect.normalize_value({"a": 1})


def test_normalize_config_drops_name_and_nulls():
    config = {"name": "x", "tasks.max": 2, "enabled": True, "gone": None, "topics": ["a", "b"]}
    assert kafka_connect.normalize_config(config) == {"tasks.max": "2", "enabled": "true", "topics": "a,b"}


def test_normalize_config_names_the_bad_key():
    with pytest.raises(ValueError, match="config key transforms: a dict"):
        kafka_connect.normalize_config({"transforms": {"a": 1}})


@pytest.mark.parametrize(
    "current, desired, keys",
    [
        ({"name": "x", "tasks.max": "1", "b": "true"}, {"tasks.max": 1, "b": True}, []),
        ({"tasks.max": "1"}, {"tasks.max": 2}, ["tasks.max"]),
        ({"tasks.max": "1", "old": "x"}, {"tasks.max": 1, "new": "y"}, ["new", "old"]),
        ({"a": "1"}, {"a": 1, "b": None}, []),
    ],
)
def test_config_changes(current, desired, keys):
    assert kafka_connect.config_changes(current, desired) == keys


SINK_PLUGINS = [
    {"class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "type": "sink", "version": "1"},
    {"class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "type": "source", "version": "1"},
]


@pytest.mark.parametrize(
    "current, desired, same",
    [
        ("org.apache.kafka.connect.file.FileStreamSinkConnector", "FileStreamSink", True),
        ("org.apache.kafka.connect.file.FileStreamSinkConnector", "FileStreamSinkConnector", True),
        ("FileStreamSink", "org.apache.kafka.connect.file.FileStreamSinkConnector", True),
        ("FileStreamSink", "FileStreamSinkConnector", True),
        ("FileStreamSink", "FileStreamSource", False),
        ("org.apache.kafka.connect.file.FileStreamSinkConnector", "org.example.FileStreamSinkConnector", False),
        ("com.example.Gone", "Gone", False),
    ],
)
def test_config_changes_connector_class_alias(current, desired, same):
    keys = kafka_connect.config_changes({"connector.class": current}, {"connector.class": desired}, SINK_PLUGINS)
    assert keys == ([] if same else ["connector.class"])
    # Without the installed plugins only the same spelling is the same class.
    assert kafka_connect.config_changes({"connector.class": current}, {"connector.class": desired}) == [
        "connector.class"
    ]


# -- masking -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, secret",
    [
        ("connection.password", True),
        ("ssl.key.password", True),
        ("aws.secret.access.key", True),
        ("aws.access.key.id", True),
        ("sasl.jaas.config", True),
        ("producer.override.sasl.jaas.config", True),
        ("gcs.credentials.json", True),
        ("api.token", True),
        ("basic.auth.user.info", True),
        ("Consumer.Override.SASL.JAAS.CONFIG", True),
        ("topics", False),
        ("connector.class", False),
        ("tasks.max", False),
        ("key.converter", False),
        ("file", False),
        ("connection.url", True),
        ("connection.uri", True),
    ],
)
def test_is_secret_key(key, secret):
    assert kafka_connect.is_secret_key(key) is secret


def test_is_secret_key_extra_patterns():
    assert kafka_connect.is_secret_key("my.special.field", [r"special\.field$"])
    assert not kafka_connect.is_secret_key("my.special.field.name", [r"special\.field$"])


def test_mask_config():
    config = {"connection.password": "hunter22", "empty.password": "", "topics": "t", "my.field": "v"}
    assert kafka_connect.mask_config(config, ["my\\.field"]) == {
        "connection.password": "********",
        "empty.password": "",
        "topics": "t",
        "my.field": "********",
    }
    assert kafka_connect.mask_config(config, keys=["topics", "connection.password"]) == {
        "connection.password": "********",
        "topics": "t",
    }


def test_secret_values():
    config = {"a.password": "hunter22", "b.secret": ["x", "y"], "topics": "t", "c.token": None}
    assert kafka_connect.secret_values(config) == ["hunter22", "x,y"]


@pytest.mark.parametrize(
    "value, secret",
    [
        ("jdbc:postgresql://db/x?user=u&password=pw1", True),
        ("jdbc:sqlserver://db;user=u;Password=pw1", True),
        ("dsn:pwd=pw1", True),
        ("jdbc:postgresql://db/x?user=u", False),
        ("password", False),
        (None, False),
        (3, False),
    ],
)
def test_is_secret_value(value, secret):
    assert kafka_connect.is_secret_value(value) is secret


def test_mask_config_masks_urls_and_values_with_a_password():
    config = {
        "connection.url": "jdbc:postgresql://db/x?user=u",
        "other.url": "jdbc:mysql://db/x?user=u&password=pw1",
        "topics": "t",
    }
    assert kafka_connect.mask_config(config) == {
        "connection.url": "********",
        "other.url": "********",
        "topics": "t",
    }


@pytest.mark.parametrize(
    "value, passwords",
    [
        ("jdbc:postgresql://db/x?user=u&password=pw-1&ssl=true", ["pw-1"]),
        ("jdbc:sqlserver://db:1433;user=u;password=pw-2;encrypt=true", ["pw-2"]),
        ("jdbc:mysql://u:pw-3@db:3306/x", ["pw-3"]),
        ("mongodb://u:pw-4@db/x", ["pw-4"]),
        ("jdbc:oracle:thin:scott/pw-5@db:1521:orcl", ["pw-5"]),
        ("http://es:9200", []),
    ],
)
def test_secret_values_include_the_passwords_inside(value, passwords):
    assert kafka_connect.secret_values({"connection.url": value, "topics": "t"}) == sorted([value] + passwords)
    # Any key: a value with password= is a secret.
    if "password=" in value:
        assert value in kafka_connect.secret_values({"my.dsn": value})


def test_invalid_patterns():
    assert kafka_connect.invalid_patterns(["ok", "(bad", "[x"]) == ["(bad", "[x"]


# -- REST documents ------------------------------------------------------------------------------------


def test_summarize_trace_keeps_exception_lines_only():
    trace = (
        "org.Foo: top message\n\tat a.b.C(C.java:1)\n\tat d.e.F(F.java:2)\n"
        "Caused by: java.io.IOException: root cause\n\tat x.Y(Y.java:3)\n\t... 10 more\n"
    )
    assert kafka_connect.summarize_trace(trace) == "org.Foo: top message | Caused by: java.io.IOException: root cause"
    assert kafka_connect.summarize_trace(None) is None
    long = "E: " + "x" * 5000
    summary = kafka_connect.summarize_trace(long + "\n\tat a.b(C.java:1)")
    assert len(summary) <= kafka_connect.MAX_MESSAGE_CHARS and summary.endswith("...")


def test_validation_errors():
    response = FakeConnect().validate({"connector.class": "FileStreamSink", "tasks.max": "0"})
    assert kafka_connect.validation_errors(response) == [
        "tasks.max: Invalid value 0 for configuration tasks.max: Value must be at least 1",
        "topics: Must configure one of topics or topics.regex",
        "topics.regex: Must configure one of topics or topics.regex",
    ]
    assert kafka_connect.validation_errors({"error_count": 0, "configs": []}) == []


@pytest.mark.parametrize(
    "name, found",
    [
        ("org.apache.kafka.connect.file.FileStreamSinkConnector", True),
        ("FileStreamSinkConnector", True),
        ("FileStreamSink", True),
        ("FileStream", False),
        ("org.example.FileStreamSinkConnector", False),
    ],
)
def test_find_plugin(name, found):
    plugins = [{"class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "type": "sink", "version": "1"}]
    assert (kafka_connect.find_plugin(name, plugins) is not None) is found


@pytest.mark.parametrize(
    "version, expected",
    [("3.9.2", (3, 9, 2)), ("3.6.0-SNAPSHOT", (3, 6, 0)), ("7.7.0-ccs", (3, 7, 0)), ("", (0, 0, 0)), ("4", (4, 0, 0))],
)
def test_kafka_version(version, expected):
    assert kafka_connect.kafka_version(version) == expected


def test_public_connector_masks_and_sorts():
    fake = FakeConnect(connectors={"c": {"connector.class": "FileStreamSink", "tasks.max": 2, "db.password": "pw123"}})
    fake.failing["c"] = "E: boom\n\tat x.Y(Y.java:1)"
    fake._start_tasks("c", "RUNNING")
    info = dict(type="sink", config=fake.info("c")["config"], status=fake.status("c"))
    state = kafka_connect.public_connector("c", info)
    assert state["config"] == {"connector.class": "FileStreamSink", "tasks.max": "2", "db.password": "********"}
    assert state["tasks"] == [
        {"id": 0, "state": "FAILED", "worker_id": "127.0.0.1:8083", "trace": "E: boom"},
        {"id": 1, "state": "FAILED", "worker_id": "127.0.0.1:8083", "trace": "E: boom"},
    ]
    assert kafka_connect.failed_parts(info["status"]) == ["task 0", "task 1"]
