# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""KRaft admin requests the Python clients lack: UnregisterBroker, AddRaftVoter, RemoveRaftVoter.

confluent-kafka 2.16 binds none of them and kafka-python 3.0.12 has no method for them, but kafka-python's protocol
layer builds any request from a Kafka message schema (the JSON files of Kafka's
``clients/src/main/resources/common/message``, loaded per class name). The three request/response pairs are written
out in ``SCHEMAS`` below with the fields and versions of Kafka 4.3.1's own definitions (``UnregisterBrokerRequest``
API key 64 v0, ``AddRaftVoterRequest`` 80 v0-1, ``RemoveRaftVoterRequest`` 81 v0, as in the kafka-clients jar), and
are served from memory to kafka-python's schema loader through its ``load_json=<package>`` class option (the way it
loads the schemas of its own sticky assignor): AnsiballZ ships only the ``.py`` files of module_utils, so the
schemas travel as Python data. No Kafka tool and no JVM runs on the admin host.

The requests go through the module's kafka-python admin client (``KafkaModule.reassignment_client``: its SASL/TLS
settings) to a broker, like every other request of the collection. Every schema lists the ``broker`` listener:
brokers forward them to the active controller. Measured on Kafka 4.3.1 (3 controllers, 3 brokers, SASL_PLAINTEXT):

- UnregisterBroker through a broker: an id that is not registered answers BROKER_ID_NOT_REGISTERED (102) "Broker ID
  7 is not currently registered". A **live** broker is unregistered without complaint (error 0); it keeps running,
  its heartbeats are refused with STALE_BROKER_EPOCH from then on and it does not register again until restarted.
  So the callers refuse live brokers themselves, before any write.
- AddRaftVoter / RemoveRaftVoter through a broker (the quorum leader answers; AddRaftVoter v1 with AckWhenCommitted
  answers once the new voter set is committed, DescribeQuorum shows it at once): a running observer is added and a
  voter removed (error 0; the removed controller keeps running as an observer, and can be added back with the same
  directory id). Errors: DUPLICATE_VOTER (126) "The voter id for ReplicaKey(id=1003, directoryId=...) is already
  part of the set of voters [...]"; VOTER_NOT_FOUND (127) "Cannot remove voter ReplicaKey(...) from the set of voters
  [...]" for an unknown id or a wrong directory id; REQUEST_TIMED_OUT (7) "Aborted add voter operation for since
  API_VERSIONS returned an error BROKER_NOT_AVAILABLE" at once for a controller that does not run;
  INCONSISTENT_CLUSTER_ID for another cluster's id. A registered **broker** is accepted as a voter (error 0), and
  the broker process dies at once ("Unexpected error in raft IO thread"), leaving a dead voter: the planner refuses
  brokers (``kafka_kraft_plan.plan_voters``).

Each sender raises ``KafkaOpsError`` whose ``code`` is Kafka's error name (``BROKER_ID_NOT_REGISTERED``,
``DUPLICATE_VOTER``, ...) and whose reason carries the broker's message. The pure planning lives in
``kafka_kraft_plan``.
"""

from __future__ import annotations

import base64
import importlib.machinery
import io
import json
import sys
import types
import uuid
import warnings

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import kafka_python_call

UNREGISTER_BROKER_API_KEY = 64
ADD_RAFT_VOTER_API_KEY = 80
REMOVE_RAFT_VOTER_API_KEY = 81

_RESPONSE_FIELDS = [
    dict(name="ThrottleTimeMs", type="int32", versions="0+"),
    dict(name="ErrorCode", type="int16", versions="0+"),
    dict(name="ErrorMessage", type="string", versions="0+", nullableVersions="0+"),
]

# Kafka 4.3.1's message definitions (clients/src/main/resources/common/message/<name>.json), without their "about"
# texts. Every field is flexible-encoded (flexibleVersions 0+), as Kafka defines them.
SCHEMAS = (
    dict(
        apiKey=UNREGISTER_BROKER_API_KEY,
        type="request",
        listeners=["broker", "controller"],
        name="UnregisterBrokerRequest",
        validVersions="0",
        flexibleVersions="0+",
        fields=[dict(name="BrokerId", type="int32", versions="0+", entityType="brokerId")],
    ),
    dict(
        apiKey=UNREGISTER_BROKER_API_KEY,
        type="response",
        name="UnregisterBrokerResponse",
        validVersions="0",
        flexibleVersions="0+",
        fields=_RESPONSE_FIELDS,
    ),
    dict(
        apiKey=ADD_RAFT_VOTER_API_KEY,
        type="request",
        listeners=["controller", "broker"],
        name="AddRaftVoterRequest",
        # Version 1 adds AckWhenCommitted.
        validVersions="0-1",
        flexibleVersions="0+",
        fields=[
            dict(name="ClusterId", type="string", versions="0+", nullableVersions="0+"),
            dict(name="TimeoutMs", type="int32", versions="0+"),
            dict(name="VoterId", type="int32", versions="0+"),
            dict(name="VoterDirectoryId", type="uuid", versions="0+"),
            dict(
                name="Listeners",
                type="[]Listener",
                versions="0+",
                fields=[
                    dict(name="Name", type="string", versions="0+", mapKey=True),
                    dict(name="Host", type="string", versions="0+"),
                    dict(name="Port", type="uint16", versions="0+"),
                ],
            ),
            dict(name="AckWhenCommitted", type="bool", versions="1+", default="true"),
        ],
    ),
    dict(
        apiKey=ADD_RAFT_VOTER_API_KEY,
        type="response",
        name="AddRaftVoterResponse",
        validVersions="0-1",
        flexibleVersions="0+",
        fields=_RESPONSE_FIELDS,
    ),
    dict(
        apiKey=REMOVE_RAFT_VOTER_API_KEY,
        type="request",
        listeners=["controller", "broker"],
        name="RemoveRaftVoterRequest",
        validVersions="0",
        flexibleVersions="0+",
        fields=[
            dict(name="ClusterId", type="string", versions="0+", nullableVersions="0+"),
            dict(name="VoterId", type="int32", versions="0+"),
            dict(name="VoterDirectoryId", type="uuid", versions="0+"),
        ],
    ),
    dict(
        apiKey=REMOVE_RAFT_VOTER_API_KEY,
        type="response",
        name="RemoveRaftVoterResponse",
        validVersions="0",
        flexibleVersions="0+",
        fields=_RESPONSE_FIELDS,
    ),
)

# The in-memory package kafka-python's loader reads the schemas from (``importlib.resources``).
SCHEMA_PACKAGE = "kafkaops_kraft_admin_schemas"


# ---------------------------------------------------------------------------
# Pure functions
# ---------------------------------------------------------------------------


def uuid_from_kafka(text):
    """A ``uuid.UUID`` from Kafka's form of a Uuid (URL-safe Base64 of 16 bytes, no padding), as ``kafka_quorum``
    reports directory ids. Raises ValueError for anything else."""
    text = to_native(text or "")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as e:
        raise ValueError(f"{text!r} is not a Kafka Uuid") from e
    if len(raw) != 16:
        raise ValueError(f"{text!r} is not a Kafka Uuid (16 bytes, URL-safe Base64)")
    return uuid.UUID(bytes=raw)


def error_name(code):
    """Kafka's name of a protocol error code (``BROKER_ID_NOT_REGISTERED``), from kafka-python's table."""
    from kafka.errors import for_code  # pylint: disable=import-outside-toplevel

    name = getattr(for_code(code), "message", None)
    return name if name and name != "UNKNOWN" else f"error code {code}"


def broker_error(action, code, message):
    """``KafkaOpsError`` for a broker's error answer; ``code`` is Kafka's error name."""
    name = error_name(code)
    message = to_native(message or "").strip()
    error = KafkaOpsError(action, reason=f"{message} ({name})" if message else name)
    error.code = name
    return error


def registrations(answer):
    """The registered brokers from kafka-python's ``describe_cluster()`` answer.

    Returns ``(brokers, lists_fenced)``: ``brokers`` is ``{id: {id, host, port, rack, fenced}}``; ``lists_fenced`` is
    True when the answer carries each broker's fencing (DescribeCluster v2, KIP-1073, Kafka 4.0+: fenced brokers are
    listed too). Without it (Kafka 3.9) only the unfenced brokers are listed and ``fenced`` is False for each.
    """
    brokers = {}
    lists_fenced = True
    for entry in answer.get("brokers") or []:
        if "is_fenced" not in entry:
            lists_fenced = False
        broker_id = entry["broker_id"]
        brokers[broker_id] = dict(
            id=broker_id,
            host=entry.get("host"),
            port=entry.get("port"),
            rack=entry.get("rack"),
            fenced=bool(entry.get("is_fenced", False)),
        )
    return brokers, lists_fenced


# ---------------------------------------------------------------------------
# The message classes (kafka-python), built once per process
# ---------------------------------------------------------------------------


class _SchemaFile:
    """One schema, as the ``Traversable`` importlib.resources opens."""

    def __init__(self, texts, name):
        self._texts = texts
        self.name = name

    def is_file(self):
        return self.name in self._texts

    def is_dir(self):
        return False

    def iterdir(self):
        return iter(())

    def joinpath(self, *names):
        raise FileNotFoundError("/".join((self.name,) + names))

    __truediv__ = joinpath

    def read_text(self, encoding=None, errors=None):
        try:
            return self._texts[self.name]
        except KeyError:
            raise FileNotFoundError(self.name) from None

    def read_bytes(self):
        return self.read_text().encode("utf-8")

    def open(self, mode="r", **kwargs):
        return io.BytesIO(self.read_bytes()) if "b" in mode else io.StringIO(self.read_text())


class _SchemaDirectory(_SchemaFile):
    """The package's files (``<message name>.json``)."""

    def __init__(self, texts):
        super().__init__(texts, SCHEMA_PACKAGE)

    def is_file(self):
        return False

    def is_dir(self):
        return True

    def iterdir(self):
        return iter([_SchemaFile(self._texts, name) for name in sorted(self._texts)])

    def joinpath(self, *names):
        return _SchemaFile(self._texts, "/".join(names))

    __truediv__ = joinpath


class _SchemaLoader:
    """Loader of the in-memory package: importlib.resources asks it for a reader, the reader for its files."""

    def __init__(self, texts):
        self._texts = texts

    def get_resource_reader(self, name):
        return self

    def files(self):
        return _SchemaDirectory(self._texts)


_CLASSES = {}


def schema_package():
    """The name of the in-memory package of ``SCHEMAS`` (registered in ``sys.modules`` on first use)."""
    if SCHEMA_PACKAGE not in sys.modules:
        texts = {f"{schema['name']}.json": json.dumps(schema) for schema in SCHEMAS}
        package = types.ModuleType(SCHEMA_PACKAGE)
        package.__spec__ = importlib.machinery.ModuleSpec(SCHEMA_PACKAGE, _SchemaLoader(texts), is_package=True)
        package.__path__ = []
        sys.modules[SCHEMA_PACKAGE] = package
    return SCHEMA_PACKAGE


def message_class(name):
    """The kafka-python message class of ``SCHEMAS`` entry ``name`` (a response class registers itself for its API
    key, so kafka-python decodes the answer)."""
    if name not in _CLASSES:
        # kafka-python loads its protocol schemas on import (~0.1 s): only modules that send these requests pay it.
        from kafka.protocol.api_message import ApiMessage  # pylint: disable=import-outside-toplevel

        package = schema_package()
        metaclass = type(ApiMessage)
        with warnings.catch_warnings():
            # kafka-python's loader calls importlib.resources.read_text, deprecated since Python 3.11.
            warnings.simplefilter("ignore", DeprecationWarning)
            for schema in SCHEMAS:
                if schema["name"] not in _CLASSES:
                    _CLASSES[schema["name"]] = metaclass(
                        schema["name"], (ApiMessage,), {"__module__": __name__}, load_json=package
                    )
    return _CLASSES[name]


# ---------------------------------------------------------------------------
# Senders and readers (kafka-python's KafkaAdminClient)
# ---------------------------------------------------------------------------


def send(client, request, action, timeout_ms=None):
    """Send ``request`` to a broker of ``client`` (kafka-python's KafkaAdminClient) and return the decoded answer.

    kafka-python 3.0 has no public method that sends an arbitrary request; its connection manager (``_manager``,
    which every admin method uses) does, on the client's I/O thread. The broker picks the version both sides know.
    """
    manager = getattr(client, "_manager", None)
    if manager is None:
        raise KafkaOpsError(action, reason="this kafka-python has no connection manager (kafka-python 3.0 needed)")

    async def exchange():
        return await manager.send(request, request_timeout_ms=timeout_ms)

    return kafka_python_call(action, lambda: manager.run(exchange))


def _checked(answer, action):
    if answer.error_code:
        raise broker_error(action, answer.error_code, answer.error_message)
    return answer


def unregister_broker(client, broker_id, timeout):
    """UnregisterBroker ``broker_id`` (``timeout`` seconds for the answer). Raises ``KafkaOpsError`` (code
    ``BROKER_ID_NOT_REGISTERED`` when it is not registered)."""
    action = f"unregister broker {broker_id}"
    request = message_class("UnregisterBrokerRequest")(broker_id=broker_id)
    return _checked(send(client, request, action, timeout_ms=int(timeout * 1000)), action)


def add_raft_voter(client, cluster_id, voter_id, directory_id, listeners, timeout):
    """AddRaftVoter: controller ``voter_id`` with ``directory_id`` (Kafka's Uuid text) and ``listeners``
    (``[{name, host, port}]``) joins the voters; the leader answers once the new voter set is committed (version 1's
    AckWhenCommitted, the default) or after ``timeout`` seconds."""
    action = f"add controller {voter_id} to the KRaft voters"
    cls = message_class("AddRaftVoterRequest")
    request = cls(
        cluster_id=cluster_id,
        timeout_ms=int(timeout * 1000),
        voter_id=voter_id,
        voter_directory_id=uuid_from_kafka(directory_id),
        listeners=[cls.Listener(name=lst["name"], host=lst["host"], port=lst["port"]) for lst in listeners],
        ack_when_committed=True,
    )
    # The client waits a little longer than the leader may take.
    return _checked(send(client, request, action, timeout_ms=int(timeout * 1000) + 5000), action)


def remove_raft_voter(client, cluster_id, voter_id, directory_id, timeout):
    """RemoveRaftVoter: voter ``voter_id`` with ``directory_id`` (Kafka's Uuid text) leaves the voters."""
    action = f"remove controller {voter_id} from the KRaft voters"
    request = message_class("RemoveRaftVoterRequest")(
        cluster_id=cluster_id, voter_id=voter_id, voter_directory_id=uuid_from_kafka(directory_id)
    )
    return _checked(send(client, request, action, timeout_ms=int(timeout * 1000)), action)


def read_registrations(client):
    """``(brokers, lists_fenced, cluster)`` from DescribeCluster (kafka-python asks for fenced brokers too, KIP-1073):
    see ``registrations``; ``cluster`` is ``{cluster_id, authorized_operations}`` (the principal's cluster
    operations, sorted names)."""
    answer = kafka_python_call("describe the registered brokers", client.describe_cluster)
    brokers, lists_fenced = registrations(answer)
    cluster = dict(
        cluster_id=answer.get("cluster_id"),
        authorized_operations=sorted(to_native(op) for op in answer.get("authorized_operations") or []),
    )
    return brokers, lists_fenced, cluster
