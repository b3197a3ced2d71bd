# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What kafka_broker_registration and kafka_controller_voters do, planned from what was read (pure, no I/O).

Inputs are the shapes the readers return: registered brokers from ``kafka_kraft_admin.registrations`` and the quorum
from ``kafka_quorum.parse_quorum`` (voters and observers with directory ids in Kafka's Uuid form, timestamps in ms on
the leader's clock, voters' endpoints as ``LISTENER://host:port``).

Liveness: the quorum leader reports, for each observer (every broker, and every controller that is not a voter), when
it last fetched the metadata log, and for each voter when it was last caught up. The leader reports its own
timestamps as its clock's now (measured, see kafka_quorum), so ages are computed on one clock. A running broker
fetches continuously (long polls of at most 500 ms); a stopped one stops fetching but stays in the observer list
for a while. ``RUNNING_FETCH_AGE_MS`` separates the two.
"""

from __future__ import annotations

# An observer that fetched the metadata log less than this long ago is running.
RUNNING_FETCH_AGE_MS = 5000
# A voter caught up with the leader less than this long ago counts towards the majority.
CAUGHT_UP_AGE_MS = 10000
# The smallest quorum that survives the loss of one controller.
MIN_SAFE_VOTERS = 3


# ---------------------------------------------------------------------------
# Shared
# ---------------------------------------------------------------------------


def leader_now(quorum):
    """The leader's clock at the time of the answer (its own last fetch timestamp), else the newest timestamp."""
    leader = next((v for v in quorum["voters"] if v["id"] == quorum["leader_id"]), None)
    if leader is not None and leader["last_fetch_timestamp"] is not None:
        return leader["last_fetch_timestamp"]
    stamps = [
        r[key]
        for r in quorum["voters"] + quorum["observers"]
        for key in ("last_fetch_timestamp", "last_caught_up_timestamp")
        if r[key] is not None
    ]
    return max(stamps) if stamps else None


def _age(now, timestamp):
    if now is None or timestamp is None:
        return None
    return max(now - timestamp, 0)


def fetch_ages(quorum):
    """``{observer id: ms since it last fetched the metadata log, or None when unknown}``; ``{}`` without a quorum."""
    if not quorum:
        return {}
    now = leader_now(quorum)
    return {o["id"]: _age(now, o["last_fetch_timestamp"]) for o in quorum["observers"]}


# ---------------------------------------------------------------------------
# kafka_broker_registration
# ---------------------------------------------------------------------------


def broker_id_problems(broker_ids):
    """Sentences refusing ``broker_ids`` before anything is read."""
    bad = [i for i in broker_ids if i < 0]
    return [f"broker ids must be 0 or greater, got {bad}"] if bad else []


def still_fetching(broker_ids, registered, lists_fenced, ages):
    """The ids of ``broker_ids`` that are not live in ``registered`` (fenced, or not listed when the cluster does not
    list fenced brokers) but fetched the metadata log less than ``RUNNING_FETCH_AGE_MS`` ago: still running, or
    stopped a moment ago (a re-read after the window tells which)."""
    fetching = []
    for broker_id in sorted(set(broker_ids)):
        broker = registered.get(broker_id)
        if broker is not None and not broker["fenced"]:
            continue
        if broker is None and lists_fenced:
            continue
        age = ages.get(broker_id)
        if age is not None and age < RUNNING_FETCH_AGE_MS:
            fetching.append(broker_id)
    return fetching


def plan_unregister(broker_ids, registered, lists_fenced, ages):
    """Which of ``broker_ids`` to unregister.

    ``registered`` and ``lists_fenced`` come from ``registrations``; ``ages`` from ``fetch_ages`` (``{}`` when the
    quorum could not be read). Returns ``(to_unregister, absent, problems)``, ids sorted: a registered broker that is
    unfenced, or fenced but still fetching the metadata log (starting, shutting down, or failing to catch up), is a
    problem - Kafka would unregister it and leave the process running without a registration. ``absent`` are the ids
    that are not registered (nothing to do). When the cluster does not list fenced brokers (``lists_fenced`` false,
    Kafka 3.9), an id it does not list may still be registered: it is in ``to_unregister`` and the broker's answer
    decides (BROKER_ID_NOT_REGISTERED: it was absent).
    """
    to_unregister, absent, problems = [], [], []
    for broker_id in sorted(set(broker_ids)):
        broker = registered.get(broker_id)
        if broker is not None and not broker["fenced"]:
            problems.append(
                f"broker {broker_id} is registered and unfenced (live, at {broker['host']}:{broker['port']}): "
                "stop it before unregistering it"
            )
            continue
        if still_fetching([broker_id], registered, lists_fenced, ages):
            problems.append(
                f"broker {broker_id} is fenced but still running: it fetched the metadata log {ages[broker_id]} ms "
                "ago (a stopped broker stops fetching): stop it before unregistering it"
            )
            continue
        if broker is None and lists_fenced:
            absent.append(broker_id)
        else:
            to_unregister.append(broker_id)
    return to_unregister, absent, problems


def broker_view(registered):
    """The registered brokers as a sorted list (the module's ``brokers`` and diff)."""
    return [dict(registered[i]) for i in sorted(registered)]


def predict_registrations(registered, unregistered):
    """``registered`` without the ``unregistered`` ids."""
    return {i: b for i, b in registered.items() if i not in set(unregistered)}


# ---------------------------------------------------------------------------
# kafka_controller_voters
# ---------------------------------------------------------------------------


def endpoint(listener_name, host, port):
    return f"{listener_name}://{host}:{port}"


def normalize_controllers(controllers, listener_name):
    """``({id: endpoint}, problems)`` for the desired voters (``[{id, host, port}]``)."""
    desired, problems = {}, []
    if not listener_name:
        problems.append("listener_name must not be empty")
    for index, controller in enumerate(controllers):
        cid, host, port = controller["id"], (controller["host"] or "").strip(), controller["port"]
        where = f"controllers[{index}] (id {cid})"
        if cid < 0:
            problems.append(f"{where}: the id must be 0 or greater")
        if cid in desired:
            problems.append(f"{where}: id {cid} is listed twice")
        if not host:
            problems.append(f"{where}: host must not be empty")
        if not 0 < port < 65536:
            problems.append(f"{where}: port {port} is not a TCP port")
        desired[cid] = endpoint(listener_name, host, port)
    return desired, problems


def voter_view(voters):
    """``[{id, directory_id, endpoints}]`` sorted by id (the module's ``voters`` and diff)."""
    return sorted(
        (dict(id=v["id"], directory_id=v["directory_id"], endpoints=list(v.get("endpoints") or [])) for v in voters),
        key=lambda v: v["id"],
    )


def caught_up_voters(quorum):
    """Ids of the voters caught up with the leader within ``CAUGHT_UP_AGE_MS`` (the leader always)."""
    now = leader_now(quorum)
    healthy = set()
    for voter in quorum["voters"]:
        age = _age(now, voter["last_caught_up_timestamp"])
        if voter["id"] == quorum["leader_id"] or (age is not None and age <= CAUGHT_UP_AGE_MS):
            healthy.add(voter["id"])
    return healthy


def step_label(step):
    if step["action"] == "add":
        return f"add controller {step['id']} (directory {step['directory_id']}) at {step['endpoint']} as a voter"
    return f"remove voter {step['id']} (directory {step['directory_id']})"


def _majority_problem(step, voters, healthy):
    """The sentence refusing ``step`` when the caught-up voters after it are not a majority of the voters after it."""
    if len(healthy) * 2 > len(voters):
        return None
    lagging = sorted(voters - healthy)
    return (
        f"{step_label(step)} would leave {len(healthy)} caught-up voter(s) {sorted(healthy)} of {len(voters)}, "
        f"not a majority (not caught up within {CAUGHT_UP_AGE_MS // 1000} s: {lagging}): bring the lagging "
        "controllers back first"
    )


def plan_voters(quorum, desired, allow_small_quorum, broker_ids=()):
    """The voter changes that turn ``quorum`` into the ``desired`` voters (``normalize_controllers``).

    Returns ``(steps, problems)``. Steps are ``{action: add|remove, id, directory_id, endpoint}`` in the order they
    must run, one at a time: every addition first (a replacement never shrinks the quorum on the way), then every
    removal, the current leader last. Problems refuse the whole change before any write: a result below
    ``MIN_SAFE_VOTERS`` (unless ``allow_small_quorum``), a controller to add that does not run as an observer (its
    directory id comes from there), a controller to add whose id is a registered broker (``broker_ids``: brokers are
    observers too; Kafka 4.3.1 accepted broker 0 as a voter and the broker process died at once with "Unexpected error
    in raft IO thread", leaving a dead voter), a static quorum (no directory ids: Kafka changes only a dynamic,
    KIP-853, quorum), a listed endpoint that differs from the voter's, and any step after which the caught-up voters
    would not be a majority (the newly added ones count as caught up).
    """
    problems = []
    if quorum.get("leader_id") is None:
        return [], ["the KRaft quorum has no leader: no voter can be added or removed now"]
    if not desired:
        return [], ["controllers is empty: a KRaft quorum needs voters"]
    if len(desired) < MIN_SAFE_VOTERS and not allow_small_quorum:
        problems.append(
            f"the quorum would have {len(desired)} voter(s) {sorted(desired)}: fewer than {MIN_SAFE_VOTERS} voters "
            "do not survive the loss of a controller (set allow_small_quorum to allow it)"
        )
    voters = {v["id"]: v for v in quorum["voters"]}
    observers = {o["id"]: o for o in quorum["observers"]}
    ages = fetch_ages(quorum)
    if any(v["directory_id"] is None for v in voters.values()):
        problems.append(
            "the quorum reports no directory ids for its voters: it is a static quorum (controller.quorum.voters), "
            "whose voters Kafka cannot change (only a dynamic quorum, KIP-853, Kafka 3.9+)"
        )
    adds, removes = [], []
    for cid in sorted(desired):
        wanted = desired[cid]
        if cid in voters:
            voter = voters[cid]
            listener = wanted.split("://", 1)[0] + "://"
            current = [e for e in voter.get("endpoints") or [] if e.startswith(listener)]
            if voter.get("endpoints") and wanted not in current:
                problems.append(
                    f"voter {cid} listens on {', '.join(voter['endpoints'])}, the list says {wanted}: "
                    "a voter's endpoint is changed by the controller itself (restart it with the new listener), "
                    "not by this module"
                )
            observer = observers.get(cid)
            if observer is not None and observer["directory_id"] not in (None, voter["directory_id"]):
                problems.append(
                    f"voter {cid} has directory {voter['directory_id']} but controller {cid} runs with directory "
                    f"{observer['directory_id']} as an observer (was its metadata directory replaced?): remove the "
                    "voter (leave it out of controllers), then add it back"
                )
            continue
        observer = observers.get(cid)
        age = ages.get(cid)
        if cid in broker_ids:
            problems.append(
                f"node {cid} is a registered broker, not a controller: a broker made a voter stops with a fatal error "
                "(combined broker and controller nodes are not added by this module)"
            )
        elif observer is None:
            problems.append(
                f"controller {cid} is not running as an observer of the quorum: start it first (formatted with "
                "kafka-storage format --no-initial-controllers), then add it"
            )
        elif observer["directory_id"] is None:
            problems.append(f"the quorum reports no directory id for observer {cid}: it cannot be added as a voter")
        elif age is None or age >= RUNNING_FETCH_AGE_MS:
            since = "never" if age is None else f"{age} ms ago"
            problems.append(
                f"controller {cid} is an observer of the quorum but last fetched the metadata log {since}: "
                "is it running?"
            )
        else:
            adds.append(dict(action="add", id=cid, directory_id=observer["directory_id"], endpoint=wanted))
    leader = quorum["leader_id"]
    for vid in sorted(set(voters) - set(desired), key=lambda i: (i == leader, i)):
        removes.append(dict(action="remove", id=vid, directory_id=voters[vid]["directory_id"], endpoint=None))
    steps = adds + removes
    members, healthy = set(voters), caught_up_voters(quorum)
    for step in steps:
        if step["action"] == "add":
            members, healthy = members | {step["id"]}, healthy | {step["id"]}
        else:
            members, healthy = members - {step["id"]}, healthy - {step["id"]}
        problem = _majority_problem(step, members, healthy)
        if problem:
            problems.append(problem)
            break
    return steps, problems


def predict_voters(quorum, steps):
    """The voters (``voter_view``) after ``steps``."""
    voters = {v["id"]: v for v in voter_view(quorum["voters"])}
    for step in steps:
        if step["action"] == "add":
            voters[step["id"]] = dict(id=step["id"], directory_id=step["directory_id"], endpoints=[step["endpoint"]])
        else:
            voters.pop(step["id"], None)
    return [voters[i] for i in sorted(voters)]


def voter_keys(voters):
    """The (id, directory id) pairs of ``voters``: what a voter change changes."""
    return sorted((v["id"], v["directory_id"]) for v in voters)


def step_done(step, quorum):
    """True once ``quorum`` shows ``step`` committed."""
    keys = {(v["id"], v["directory_id"]) for v in quorum["voters"]}
    present = (step["id"], step["directory_id"]) in keys
    return present if step["action"] == "add" else not present
