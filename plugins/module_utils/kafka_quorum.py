# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The metadata mode of a Kafka cluster (ZooKeeper or KRaft) and, in KRaft, its metadata quorum.

How the mode is told: from the ApiVersions answer of the broker the client bootstrapped from. A broker in KRaft mode
advertises DescribeQuorum (API key 55, whose request schema names the listeners ``broker`` and ``controller``); a
ZooKeeper-mode broker (listener type ``zkBroker``) does not. Measured on loopback clusters: Kafka 3.9.2 in ZooKeeper
mode advertises 62 API keys without 55 (and kafka-python refuses DescribeQuorum there with IncompatibleBrokerVersion
before sending anything); Kafka 4.3.1 in KRaft mode advertises 55 with versions 0-2. Kafka 3.9.2's own scopes agree
(``ApiKeys.DESCRIBE_QUORUM.inScope``: ZK_BROKER false, BROKER and CONTROLLER true), so KRaft on 3.9 is told apart too.
The answer costs no request: the client reads ApiVersions when it connects. During a ZooKeeper-to-KRaft migration the
brokers are still ZooKeeper-mode brokers and are reported as such.

How the quorum is read: DescribeQuorum through kafka-python's ``KafkaAdminClient.describe_metadata_quorum``
(kafka-python 3.0.12 has it; confluent-kafka 2.16 has no binding). The request goes to a broker, over the same listener
and SASL login as every other module request, and the broker forwards it to the active controller; the principal needs
DESCRIBE on the cluster. Verified against Kafka 4.3.1 through a broker's SASL_PLAINTEXT listener with PLAIN and with
SCRAM-SHA-512 (version 2 of the answer: directory ids and the controllers' endpoints). So no Kafka tool runs on the
admin host (no fallback to ``kafka-metadata-quorum.sh describe --status --replication``, whose numbers are the same).

Lag is counted like ``kafka-metadata-quorum.sh``: the leader's log end offset minus the replica's. A log end offset
or timestamp Kafka reports as -1 (unknown, e.g. a voter that has not fetched since the leader was elected) is None
here, and so is that replica's lag.

``metadata_mode`` and ``parse_quorum`` are pure (unit tested with answers shaped like kafka-python's); the readers
take a kafka-python client (``KafkaModule.reassignment_client``) and raise ``KafkaOpsError``.
"""

from __future__ import annotations

import base64
import traceback
import uuid

from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError

ZOOKEEPER = "zookeeper"
KRAFT = "kraft"
DESCRIBE_QUORUM_API_KEY = 55
METADATA_TOPIC = "__cluster_metadata"

# Errors after which the quorum is reported as unknown (with a warning) instead of failing: the principal may not
# describe the cluster.
QUORUM_UNAVAILABLE = ("ClusterAuthorizationFailedError",)


# ---------------------------------------------------------------------------
# Pure functions
# ---------------------------------------------------------------------------


def metadata_mode(api_versions):
    """``kraft`` when the broker's ApiVersions (``{api key: (min, max)}``, keys ints or kafka-python's ApiKey enum)
    include DescribeQuorum, else ``zookeeper``."""
    keys = {int(key) for key in api_versions or {}}
    return KRAFT if DESCRIBE_QUORUM_API_KEY in keys else ZOOKEEPER


def kafka_uuid(value):
    """A directory id in Kafka's own form (16 bytes, URL-safe Base64 without padding, as ``kafka-metadata-quorum.sh``
    and ``meta.properties`` print it), or None for a missing or all-zero id (answers before KIP-853)."""
    if value is None or value == "":
        return None
    if not isinstance(value, uuid.UUID):
        text = to_native(value)
        try:
            value = uuid.UUID(text)
        except ValueError:
            return text  # already in Kafka's form
    if value.int == 0:
        return None
    return base64.urlsafe_b64encode(value.bytes).decode().rstrip("=")


def _known(value):
    """None for Kafka's -1 (unknown) and for missing values."""
    return None if value is None or value < 0 else value


def replica_state(entry, leader_id, leader_end_offset, status, endpoints=None):
    """One voter or observer: ``{id, directory_id, status, log_end_offset, lag, last_fetch_timestamp,
    last_caught_up_timestamp}`` (timestamps in ms since the epoch on the leader's clock); voters also ``endpoints``."""
    end_offset = _known(entry.get("log_end_offset"))
    lag = None
    if end_offset is not None and leader_end_offset is not None:
        lag = max(leader_end_offset - end_offset, 0)
    replica_id = entry["replica_id"]
    state = dict(
        id=replica_id,
        directory_id=kafka_uuid(entry.get("replica_directory_id")),
        status="Leader" if replica_id == leader_id and status != "Observer" else status,
        log_end_offset=end_offset,
        lag=lag,
        last_fetch_timestamp=_known(entry.get("last_fetch_timestamp")),
        last_caught_up_timestamp=_known(entry.get("last_caught_up_timestamp")),
    )
    if endpoints is not None:
        state["endpoints"] = endpoints
    return state


def node_endpoints(nodes):
    """``{node id: ["LISTENER://host:port", ...]}`` from the answer's ``nodes`` (version 2+, controllers only)."""
    return {
        node["node_id"]: [
            f"{listener['name']}://{listener['host']}:{listener['port']}" for listener in node["listeners"]
        ]
        for node in nodes or []
    }


def quorum_partition(answer):
    """The ``__cluster_metadata`` partition 0 entry of a DescribeQuorum answer, or None."""
    for topic in answer.get("topics") or []:
        if topic.get("topic_name") != METADATA_TOPIC:
            continue
        for partition in topic.get("partitions") or []:
            if partition.get("partition_index") == 0:
                return partition
    return None


def parse_quorum(answer):
    """The quorum from a DescribeQuorum answer (kafka-python's ``describe_metadata_quorum()`` dict).

    Returns ``{leader_id, leader_epoch, high_watermark, voters, observers, voter_ids, observer_ids, max_voter_lag,
    max_observer_lag}``; voters and observers (``replica_state``) sorted by id. ``leader_id`` is None when the quorum
    has no leader; ``max_voter_lag`` is None when a voter's lag is unknown (so a gate on it never passes on a guess).
    Raises ValueError when the answer has no entry for the metadata partition or carries its error.
    """
    partition = quorum_partition(answer)
    if partition is None:
        raise ValueError(f"the answer has no entry for {METADATA_TOPIC}-0")
    if partition.get("error"):
        raise ValueError(to_native(partition["error"]))
    leader_id = partition.get("leader_id")
    leader_id = None if leader_id is None or leader_id < 0 else leader_id
    voter_entries = partition.get("current_voters") or []
    leader_entry = next((v for v in voter_entries if v["replica_id"] == leader_id), None)
    leader_end_offset = _known(leader_entry.get("log_end_offset")) if leader_entry else None
    endpoints = node_endpoints(answer.get("nodes"))
    voters = sorted(
        (
            replica_state(v, leader_id, leader_end_offset, "Follower", endpoints.get(v["replica_id"], []))
            for v in voter_entries
        ),
        key=lambda r: r["id"],
    )
    observers = sorted(
        (replica_state(o, leader_id, leader_end_offset, "Observer") for o in partition.get("observers") or []),
        key=lambda r: r["id"],
    )
    return dict(
        leader_id=leader_id,
        leader_epoch=partition.get("leader_epoch"),
        high_watermark=_known(partition.get("high_watermark")),
        voters=voters,
        observers=observers,
        voter_ids=[v["id"] for v in voters],
        observer_ids=[o["id"] for o in observers],
        max_voter_lag=max_lag(voters),
        max_observer_lag=max_lag(observers),
    )


def max_lag(replicas):
    """The largest lag of ``replicas``; None when there are none or one's lag is unknown."""
    lags = [r["lag"] for r in replicas]
    if not lags or any(lag is None for lag in lags):
        return None
    return max(lags)


def zookeeper_option_refusal(mode, params):
    """The message refusing ZooKeeper options against a KRaft cluster, or None. ``zookeeper_hosts`` empty or unset
    counts as not given (playbooks serving both modes pass an empty string)."""
    if mode == KRAFT and params.get("zookeeper_hosts"):
        servers = ",".join(params["bootstrap_servers"])
        return (
            f"zookeeper_hosts is set ({params['zookeeper_hosts']}) but the cluster at {servers} runs in KRaft mode, "
            "without ZooKeeper: leave zookeeper_hosts unset (the brokers and the quorum are read from Kafka)"
        )
    return None


# ---------------------------------------------------------------------------
# Readers (kafka-python's KafkaAdminClient)
# ---------------------------------------------------------------------------


def quorum_client(module):
    """The module's kafka-python admin client (``KafkaModule.reassignment_client``; closed when the module exits),
    failing with why kafka-python is needed when it is missing."""
    try:
        import kafka  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        module.fail_json(
            msg=missing_required_lib(
                "kafka-python", reason="to tell ZooKeeper from KRaft mode and read the KRaft quorum"
            ),
            exception=traceback.format_exc(),
        )
    return module.reassignment_client()


def kafka_python_call(action, call):
    """``call()``, a kafka-python request; its ``KafkaError`` becomes ``KafkaOpsError(action)`` with the error's text
    (or its class name) as the reason."""
    # kafka-python is imported where it is used: loading it costs time every module would pay.
    from kafka.errors import KafkaError  # pylint: disable=import-outside-toplevel

    try:
        return call()
    except KafkaError as e:
        raise KafkaOpsError(action, exception=e, reason=to_native(str(e) or type(e).__name__)) from e


def read_metadata_mode(client):
    """``kraft`` or ``zookeeper``, from the ApiVersions the client read when it connected."""
    action = "read the API versions of the broker (to tell ZooKeeper from KRaft mode)"
    return metadata_mode(kafka_python_call(action, client.api_versions))


def kraft_client(module, result, why):
    """The module's kafka-python admin client for an operation that exists only in KRaft mode. Records
    ``metadata_mode`` in ``result`` and, against a ZooKeeper-mode cluster, fails the module with nothing changed,
    saying ``why`` the operation needs KRaft."""
    client = quorum_client(module)
    result["metadata_mode"] = read_metadata_mode(client)
    if result["metadata_mode"] != KRAFT:
        module.fail_json(
            msg=f"the cluster at {module.bootstrap} runs in ZooKeeper mode: {why}; nothing was changed", **result
        )
    return client


def read_quorum(client):
    """The KRaft quorum (``parse_quorum``) through DescribeQuorum.

    Returns ``(quorum, warning)``: ``quorum`` is None with a ``warning`` when the cluster does not tell (see
    ``QUORUM_UNAVAILABLE``); other failures raise ``KafkaOpsError``.
    """
    from kafka.errors import KafkaError  # pylint: disable=import-outside-toplevel

    action = "describe the KRaft metadata quorum"
    try:
        answer = client.describe_metadata_quorum()
    except KafkaError as e:
        if type(e).__name__ in QUORUM_UNAVAILABLE:
            return None, (
                "the cluster did not describe its KRaft quorum (the principal needs DESCRIBE on the cluster): "
                "quorum and controller_id are null"
            )
        raise KafkaOpsError(action, exception=e, reason=to_native(str(e) or type(e).__name__)) from e
    try:
        return parse_quorum(answer), None
    except ValueError as e:
        raise KafkaOpsError(action, reason=to_native(str(e))) from e
