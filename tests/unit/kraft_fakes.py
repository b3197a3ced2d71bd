# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A KRaft cluster as kafka-python's KafkaAdminClient sees it, for the kafka_broker_registration and
kafka_controller_voters tests.

It answers what Kafka 4.3.1 answered on the loopback cluster (tests/integration/loopback/kraft.sh, 3 controllers,
3 brokers), through a broker:

- ``describe_cluster()``: kafka-python's dict from DescribeCluster v2 (``is_fenced`` per broker, fenced brokers
  listed); ``lists_fenced=False`` models Kafka 3.9 (v1: only unfenced brokers, no ``is_fenced``).
- ``describe_metadata_quorum()``: kafka-python's dict from DescribeQuorum v2; the leader's timestamps are its clock's
  now, a running observer fetched within the last 500 ms, a stopped one at the time it stopped.
- UnregisterBroker: error 0 for any registered broker, live ones included (Kafka does not refuse them); 102
  BROKER_ID_NOT_REGISTERED "Broker ID <id> is not currently registered" otherwise.
- AddRaftVoter / RemoveRaftVoter (forwarded by the broker to the leader): 126 DUPLICATE_VOTER for a voter, 127
  VOTER_NOT_FOUND for an (id, directory) that is not one, 7 REQUEST_TIMED_OUT "Aborted add voter operation for since
  API_VERSIONS returned an error BROKER_NOT_AVAILABLE" for a controller that does not run, error 0 for a registered
  broker (Kafka accepts it; the broker then dies); a removed controller keeps running as an observer.

Raw requests arrive through ``_manager`` (``send`` + ``run``), the way kafka_kraft_admin.send uses kafka-python; the
answers go through the response classes' encode/decode, so the wire format of the schemas is exercised too.
"""

from __future__ import annotations

import asyncio
import base64

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_admin import message_class

NOW = 1796455260564
KRAFT_API_KEYS = {0: (0, 13), 3: (0, 13), 55: (0, 2), 60: (0, 2), 64: (0, 0), 80: (0, 1), 81: (0, 0)}
ZOOKEEPER_API_KEYS = {0: (0, 11), 3: (0, 12), 60: (0, 1)}
DEFAULT_FEATURES = {
    "eligible.leader.replicas.version": (0, 0, 1),
    "group.version": (0, 0, 1),
    "kraft.version": (0, 0, 1),
    "metadata.version": (21, 7, 30),
    "transaction.version": (0, 0, 2),
}

ALL_OPERATIONS = [
    "ALTER",
    "ALTER_CONFIGS",
    "CLUSTER_ACTION",
    "CREATE",
    "DESCRIBE",
    "DESCRIBE_CONFIGS",
    "IDEMPOTENT_WRITE",
]


def directory(node_id):
    """A stable directory id (Kafka's Uuid form) per node."""
    return base64.urlsafe_b64encode(node_id.to_bytes(16, "big")).decode().rstrip("=")


class FakeManager:
    """kafka-python's connection manager: ``run`` drives the coroutine, ``send`` hands the request to the cluster."""

    def __init__(self, cluster):
        self.cluster = cluster

    def send(self, request, request_timeout_ms=None):
        async def answer():
            return self.cluster.handle(request, request_timeout_ms)

        return answer()

    def run(self, coro_function, *args):
        return asyncio.run(coro_function(*args))


class FakeKraftCluster:
    def __init__(
        self,
        brokers=(0, 1, 2),
        fenced=(),
        stopped=(),
        voters=(1001, 1002, 1003),
        leader=1001,
        observers=(),
        stale_voters=(),
        lists_fenced=True,
        mode="kraft",
        operations=None,
        static_quorum=False,
        commit_delay_reads=0,
        election_reads=0,
        features=None,
        node_max_levels=None,
    ):
        # brokers: registered ids; fenced: those fenced; stopped: fenced ones whose process has stopped (an id in
        # stopped but not in brokers was unregistered already and is no longer an observer).
        self.brokers = {i: dict(fenced=i in fenced) for i in brokers}
        self.stopped = set(stopped)
        self.voters = {v: directory(v) for v in voters}
        self.leader = leader
        # Controllers running as observers (formatted with --no-initial-controllers): {id: directory}.
        self.controller_observers = {o: directory(o) for o in observers}
        self.stale_voters = set(stale_voters)
        self.lists_fenced = lists_fenced
        self.mode = mode
        self.operations = ALL_OPERATIONS if operations is None else operations
        self.static_quorum = static_quorum
        self.commit_delay_reads = commit_delay_reads
        self._pending = []  # voter changes not yet visible: [(reads left, function)]
        # After the leader left the voters, the quorum has no leader for this many reads (an election).
        self.election_reads = election_reads
        self._electing = 0
        # Feature levels {name: [finalized, supported min, supported max]}: a cluster migrated from 3.9 whose nodes
        # run 4.3.1 (metadata.version 21 = 3.9-IV0; 30 = 4.3-IV0). node_max_levels: the highest level every
        # registered node supports, per feature (one still on an older version); the controller refuses above it.
        self.features = {name: list(levels) for name, levels in (features or DEFAULT_FEATURES).items()}
        self.node_max_levels = dict(node_max_levels or {})
        self.requests = []
        self.errors = {}  # {("add"|"remove"|"unregister", id): (code, message)} forced answers
        self._manager = FakeManager(self)

    # -- kafka-python's KafkaAdminClient ---------------------------------------------------------------------

    def api_versions(self):
        return KRAFT_API_KEYS if self.mode == "kraft" else ZOOKEEPER_API_KEYS

    def describe_cluster(self):
        brokers = []
        for i, state in sorted(self.brokers.items()):
            if not self.lists_fenced and state["fenced"]:
                continue
            entry = dict(broker_id=i, host="127.0.0.1", port=30701 + i, rack=f"rack-{i % 3}")
            if self.lists_fenced:
                entry["is_fenced"] = state["fenced"]
            brokers.append(entry)
        return dict(
            cluster_id="W3w7mZrAeZUF-S-lDAqXog",
            controller_id=0,
            brokers=brokers,
            authorized_operations=list(self.operations),
        )

    def describe_features(self, send_request_to_controller=False):
        self.requests.append(("DescribeFeatures", send_request_to_controller))
        out = {}
        for name, (finalized, low, high) in self.features.items():
            out[name] = {"supported": (low, high)}
            if finalized:
                out[name].update(finalized=(1, finalized), finalized_epoch=7)
        return out

    def update_features(self, feature_updates, validate_only=False, timeout_ms=60000):
        from kafka.errors import InvalidUpdateVersionError

        self.requests.append(("UpdateFeatures", dict(feature_updates), validate_only))
        for name, level in feature_updates.items():
            limit = self.node_max_levels.get(name, self.features[name][2])
            if level > limit:
                raise InvalidUpdateVersionError(
                    f"Invalid update version {level} for feature {name}. Broker 2 only supports versions 0-{limit}"
                )
        if not validate_only:
            for name, level in feature_updates.items():
                self.features[name][0] = level
        return {name: "OK" for name in feature_updates}

    def describe_metadata_quorum(self):
        self._settle()

        def replica(node_id, dir_id, fetched, caught_up):
            return dict(
                replica_id=node_id,
                replica_directory_id=None if self.static_quorum else dir_id,
                log_end_offset=500 if caught_up >= NOW - 1000 else 400,
                last_fetch_timestamp=fetched,
                last_caught_up_timestamp=caught_up,
            )

        voters = []
        for v, dir_id in sorted(self.voters.items()):
            if v == self.leader:
                voters.append(replica(v, dir_id, NOW, NOW))
            elif v in self.stale_voters:
                voters.append(replica(v, dir_id, NOW - 60000, NOW - 60000))
            else:
                voters.append(replica(v, dir_id, NOW - 242, NOW - 242))
        observers = []
        for b in sorted(set(self.brokers) | self.stopped):
            stamp = NOW - 30000 if b in self.stopped else NOW - 242
            observers.append(replica(b, directory(b), stamp, stamp))
        for o, dir_id in sorted(self.controller_observers.items()):
            if o not in self.voters:
                observers.append(replica(o, dir_id, NOW - 242, NOW - 242))
        partition = dict(
            partition_index=0,
            leader_id=self.leader if self.leader is not None else -1,
            leader_epoch=3,
            high_watermark=500,
            current_voters=voters,
            observers=observers,
            error=None,
        )
        nodes = [
            dict(
                node_id=v,
                listeners=[dict(name="CONTROLLER", host="127.0.0.1", port=30791 + v - 1001)],
            )
            for v in sorted(self.voters)
        ]
        return dict(topics=[dict(topic_name="__cluster_metadata", partitions=[partition])], nodes=nodes)

    # -- raw requests (kafka_kraft_admin.send) --------------------------------------------------------------------

    def handle(self, request, timeout_ms):
        name = type(request).__name__.replace("Request", "")
        self.requests.append((name, request))
        if name == "UnregisterBroker":
            code, message = self.answer_unregister(request.broker_id)
        elif name == "AddRaftVoter":
            code, message = self.answer_add(request)
        else:
            code, message = self.answer_remove(request)
        response = message_class(f"{name}Response")
        answer = response(throttle_time_ms=0, error_code=code, error_message=message)
        return response.decode(answer.encode(version=0), version=0)

    def answer_unregister(self, broker_id):
        if ("unregister", broker_id) in self.errors:
            return self.errors[("unregister", broker_id)]
        if broker_id not in self.brokers:
            return 102, f"Broker ID {broker_id} is not currently registered"
        del self.brokers[broker_id]
        return 0, ""

    def _voter_set(self):
        keys = ", ".join(f"ReplicaKey(id={v}, directoryId={d})" for v, d in self.voters.items())
        return f"[{keys}]"

    def answer_add(self, request):
        key = ("add", request.voter_id)
        if key in self.errors:
            return self.errors[key]
        dir_id = base64.urlsafe_b64encode(request.voter_directory_id.bytes).decode().rstrip("=")
        replica = f"ReplicaKey(id={request.voter_id}, directoryId={dir_id})"
        if request.voter_id in self.voters:
            return 126, f"The voter id for {replica} is already part of the set of voters {self._voter_set()}."
        if request.voter_id not in self.controller_observers and request.voter_id not in self.brokers:
            # The leader asks the new voter's endpoint for its API versions first.
            return 7, "Aborted add voter operation for since API_VERSIONS returned an error BROKER_NOT_AVAILABLE"
        # A registered broker is accepted too (and then dies with a fatal error in its raft thread).
        self._later(lambda: self.voters.__setitem__(request.voter_id, dir_id))
        return 0, None

    def answer_remove(self, request):
        key = ("remove", request.voter_id)
        if key in self.errors:
            return self.errors[key]
        dir_id = base64.urlsafe_b64encode(request.voter_directory_id.bytes).decode().rstrip("=")
        if self.voters.get(request.voter_id) != dir_id:
            replica = f"ReplicaKey(id={request.voter_id}, directoryId={dir_id})"
            return 127, f"Cannot remove voter {replica} from the set of voters {self._voter_set()}"
        # A removed controller keeps running, as an observer.
        self.controller_observers[request.voter_id] = dir_id
        self._later(lambda: self.voters.pop(request.voter_id))
        if request.voter_id == self.leader:
            self._later(self._resign)
        return 0, None

    def _later(self, change):
        if self.commit_delay_reads:
            self._pending.append([self.commit_delay_reads, change])
        else:
            change()

    def _resign(self):
        self.leader, self._electing = None, self.election_reads
        if not self._electing:
            self.leader = min(self.voters)

    def _settle(self):
        if self._electing:
            self._electing -= 1
            if not self._electing:
                self.leader = min(self.voters)
        for entry in list(self._pending):
            entry[0] -= 1
            if entry[0] <= 0:
                entry[1]()
                self._pending.remove(entry)

    def close(self):
        pass


# The modules' connection options in their unit tests.
CONNECTION = dict(
    bootstrap_servers=["127.0.0.1:30701"],
    security_protocol="SASL_PLAINTEXT",
    sasl_mechanism="PLAIN",
    sasl_username="admin",
    sasl_password="admin-secret",
)


def kraft_cluster_installer(monkeypatch):
    """``install(**kwargs)``: a FakeKraftCluster as every module's kafka-python client (returned); creating the
    confluent-kafka client fails the test."""
    from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule

    def install(**kwargs):
        fake = FakeKraftCluster(**kwargs)
        monkeypatch.setattr(KafkaModule, "reassignment_client", lambda module: fake)
        return fake

    def no_client(*args, **kwargs):
        raise AssertionError("only the kafka-python client is expected")

    monkeypatch.setattr(KafkaModule, "admin_client", no_client)
    return install
