# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The UnregisterBroker / AddRaftVoter / RemoveRaftVoter messages and senders (kafka_kraft_admin).

The wire bytes below were written by Kafka 4.3.1's own message classes (kafka-clients 4.3.1,
``MessageUtil.toByteBufferAccessor(new <Name>Data()...set<Field>(value), version)`` with the same field values, run with
javac/java against the bundle's libs/kafka-clients-4.3.1.jar), so these tests fail if the schemas here drift from
Kafka's.
"""

from __future__ import annotations

import importlib.resources
import uuid

import pytest

pytest.importorskip("kafka")

from kafka.errors import KafkaConnectionError  # noqa: E402
from kraft_fakes import FakeKraftCluster  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_kraft_admin as admin  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import kafka_uuid  # noqa: E402

CLUSTER_ID = "W3w7mZrAeZUF-S-lDAqXog"
DIRECTORY = "CDbgB3ELzTEKsx8P0OnZUg"

# Written by Kafka 4.3.1 (see the module docstring): name -> (message, version, hex).
KAFKA_BYTES = {
    "unregister_v0": (
        "UnregisterBrokerRequest",
        0,
        "0000000700",
    ),
    "add_v0": (
        "AddRaftVoterRequest",
        0,
        "17573377376d5a7241655a55462d532d6c444171586f670001d4c0000003ec0836e007710bcd310ab31f0fd0e9d95202"
        "0b434f4e54524f4c4c45520a3132372e302e302e31784a0000",
    ),
    "add_v1": (
        "AddRaftVoterRequest",
        1,
        "17573377376d5a7241655a55462d532d6c444171586f670001d4c0000003ec0836e007710bcd310ab31f0fd0e9d95202"
        "0b434f4e54524f4c4c45520a3132372e302e302e31784a000100",
    ),
    "remove_v0": (
        "RemoveRaftVoterRequest",
        0,
        "17573377376d5a7241655a55462d532d6c444171586f67000003ea0836e007710bcd310ab31f0fd0e9d95200",
    ),
    "unregister_response_v0": (
        "UnregisterBrokerResponse",
        0,
        "0000000000662842726f6b65722049442037206973206e6f742063757272656e746c79207265676973746572656400",
    ),
    "add_response_v1": (
        "AddRaftVoterResponse",
        1,
        "00000000007e0464757000",
    ),
    "remove_response_v0": (
        "RemoveRaftVoterResponse",
        0,
        "0000000000000000",
    ),
}


def request_of(name):
    """The request Kafka encoded for ``name`` (same field values as the Java side)."""
    if name == "unregister_v0":
        return admin.message_class("UnregisterBrokerRequest")(broker_id=7)
    if name.startswith("add_v"):
        cls = admin.message_class("AddRaftVoterRequest")
        return cls(
            cluster_id=CLUSTER_ID,
            timeout_ms=120000,
            voter_id=1004,
            voter_directory_id=admin.uuid_from_kafka(DIRECTORY),
            listeners=[cls.Listener(name="CONTROLLER", host="127.0.0.1", port=30794)],
            ack_when_committed=True,
        )
    return admin.message_class("RemoveRaftVoterRequest")(
        cluster_id=CLUSTER_ID, voter_id=1002, voter_directory_id=admin.uuid_from_kafka(DIRECTORY)
    )


@pytest.mark.parametrize("name", ["unregister_v0", "add_v0", "add_v1", "remove_v0"])
def test_requests_encode_as_kafka_does(name):
    _unused, version, expected = KAFKA_BYTES[name]
    assert request_of(name).encode(version=version).hex() == expected


def test_responses_decode_what_kafka_writes():
    _unused, version, data = KAFKA_BYTES["unregister_response_v0"]
    answer = admin.message_class("UnregisterBrokerResponse").decode(bytes.fromhex(data), version=version)
    assert (answer.error_code, answer.error_message) == (102, "Broker ID 7 is not currently registered")
    _unused, version, data = KAFKA_BYTES["add_response_v1"]
    answer = admin.message_class("AddRaftVoterResponse").decode(bytes.fromhex(data), version=version)
    assert (answer.error_code, answer.error_message) == (126, "dup")
    _unused, version, data = KAFKA_BYTES["remove_response_v0"]
    answer = admin.message_class("RemoveRaftVoterResponse").decode(bytes.fromhex(data), version=version)
    assert (answer.error_code, answer.error_message) == (0, None)


def test_message_classes_carry_kafkas_api_keys_and_versions():
    keys = {
        name: (admin.message_class(name).API_KEY, admin.message_class(name).max_version)
        for name in ("UnregisterBrokerRequest", "AddRaftVoterRequest", "RemoveRaftVoterRequest")
    }
    assert keys == {
        "UnregisterBrokerRequest": (64, 0),
        "AddRaftVoterRequest": (80, 1),
        "RemoveRaftVoterRequest": (81, 0),
    }
    assert admin.message_class("AddRaftVoterRequest") is admin.message_class("AddRaftVoterRequest")


def test_responses_are_registered_for_their_api_keys():
    # kafka-python finds the class that decodes an answer from the request header's API key and version.
    from kafka.protocol.api_header import RequestHeader

    for name in ("UnregisterBroker", "AddRaftVoter", "RemoveRaftVoter"):
        request = admin.message_class(f"{name}Request")
        header = RequestHeader(
            request_api_key=request.API_KEY, request_api_version=0, correlation_id=1, client_id="kafkaops"
        )
        assert header.get_response_class().__name__.startswith(f"{name}Response")


def test_the_schemas_are_served_from_memory_through_importlib_resources():
    package = admin.schema_package()
    files = importlib.resources.files(package)
    names = sorted(f.name for f in files.iterdir())
    assert names == sorted(f"{s['name']}.json" for s in admin.SCHEMAS)
    assert '"apiKey": 64' in files.joinpath("UnregisterBrokerRequest.json").read_text()
    with pytest.raises(FileNotFoundError):
        files.joinpath("Missing.json").read_text()


@pytest.mark.parametrize("value", [uuid.UUID(int=5), uuid.uuid4(), uuid.UUID("08363807-710b-3d31-0ab3-1f0fd0e9d952")])
def test_uuid_from_kafka_reverses_kafka_uuid(value):
    assert admin.uuid_from_kafka(kafka_uuid(value)) == value


@pytest.mark.parametrize("text", ["", None, "abc", "CDbgB3ELzTEKsx8P0OnZUgAA", "!!!!!!!!!!!!!!!!!!!!!!"])
def test_uuid_from_kafka_refuses_other_text(text):
    with pytest.raises(ValueError):
        admin.uuid_from_kafka(text)


@pytest.mark.parametrize(
    ("code", "name"),
    [(102, "BROKER_ID_NOT_REGISTERED"), (126, "DUPLICATE_VOTER"), (127, "VOTER_NOT_FOUND"), (999, "error code 999")],
)
def test_error_name(code, name):
    assert admin.error_name(code) == name


def test_broker_error_carries_the_name_and_message():
    error = admin.broker_error("unregister broker 7", 102, "Broker ID 7 is not currently registered")
    assert error.code == "BROKER_ID_NOT_REGISTERED"
    assert str(error) == (
        "Failed to unregister broker 7: Broker ID 7 is not currently registered (BROKER_ID_NOT_REGISTERED)"
    )
    assert str(admin.broker_error("x", 127, None)) == "Failed to x: VOTER_NOT_FOUND"


def test_registrations_of_kafka_4_list_fenced_brokers():
    answer = FakeKraftCluster(brokers=(0, 1, 2), fenced=(2,)).describe_cluster()
    brokers, lists_fenced = admin.registrations(answer)
    assert lists_fenced is True
    assert brokers[2] == dict(id=2, host="127.0.0.1", port=30703, rack="rack-2", fenced=True)
    assert brokers[0]["fenced"] is False


def test_registrations_of_kafka_3_9_list_only_unfenced_brokers():
    answer = FakeKraftCluster(brokers=(0, 1, 2), fenced=(2,), lists_fenced=False).describe_cluster()
    brokers, lists_fenced = admin.registrations(answer)
    assert lists_fenced is False
    assert sorted(brokers) == [0, 1]


def test_read_registrations_returns_the_cluster_and_operations():
    brokers, lists_fenced, cluster = admin.read_registrations(FakeKraftCluster(operations=["DESCRIBE", "ALTER"]))
    assert sorted(brokers) == [0, 1, 2]
    assert cluster == dict(cluster_id=CLUSTER_ID, authorized_operations=["ALTER", "DESCRIBE"])


def test_unregister_broker_answers():
    fake = FakeKraftCluster(brokers=(0, 1, 2))
    answer = admin.unregister_broker(fake, 2, 30)
    assert answer.error_code == 0
    with pytest.raises(KafkaOpsError) as failure:
        admin.unregister_broker(fake, 7, 30)
    assert failure.value.code == "BROKER_ID_NOT_REGISTERED"
    assert str(failure.value) == (
        "Failed to unregister broker 7: Broker ID 7 is not currently registered (BROKER_ID_NOT_REGISTERED)"
    )


class RecordingManager:
    """kafka-python's manager: records the client-side timeout, fails with ``error`` when given."""

    def __init__(self, fake, error=None):
        self.inner, self.error, self.timeouts = fake._manager, error, []

    def send(self, request, request_timeout_ms=None):
        self.timeouts.append(request_timeout_ms)
        if self.error is not None:
            raise self.error
        return self.inner.send(request, request_timeout_ms)

    def run(self, coro_function, *args):
        return self.inner.run(coro_function, *args)


def test_add_raft_voter_gives_the_leader_the_timeout_and_waits_a_little_longer():
    fake = FakeKraftCluster(observers=(1004,))
    fake._manager = manager = RecordingManager(fake)
    listeners = [dict(name="CONTROLLER", host="127.0.0.1", port=30794)]
    admin.add_raft_voter(fake, CLUSTER_ID, 1004, DIRECTORY, listeners, 60)
    ((_unused, request),) = fake.requests
    assert request.timeout_ms == 60000
    assert manager.timeouts == [65000]
    assert 1004 in fake.voters


def test_remove_raft_voter_refused():
    fake = FakeKraftCluster()
    with pytest.raises(KafkaOpsError) as failure:
        admin.remove_raft_voter(fake, CLUSTER_ID, 1009, DIRECTORY, 30)
    assert failure.value.code == "VOTER_NOT_FOUND"
    assert str(failure.value).startswith("Failed to remove controller 1009 from the KRaft voters: ")


def test_client_errors_become_kafka_ops_errors():
    fake = FakeKraftCluster()
    fake._manager = RecordingManager(fake, error=KafkaConnectionError("Node not connected"))
    with pytest.raises(KafkaOpsError) as failure:
        admin.unregister_broker(fake, 2, 30)
    assert str(failure.value) == "Failed to unregister broker 2: KafkaConnectionError: Node not connected"


def test_a_client_without_a_connection_manager_is_named():
    class OldClient:
        pass

    with pytest.raises(KafkaOpsError) as failure:
        admin.unregister_broker(OldClient(), 2, 30)
    assert "kafka-python 3.0 needed" in str(failure.value)
