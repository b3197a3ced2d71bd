# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that quote values for Java properties files and JAAS configuration strings, and read Kafka tools' output."""

from __future__ import annotations


def jaas_quote(value):
    """Quote ``value`` as a JAAS option value: ``"..."`` with ``\\`` and ``"`` escaped."""
    text = "" if value is None else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def jaas_config(options, login_module, flag="required"):
    """Render ``<LoginModule> required k1="v1" k2="v2";`` from a dict (sorted, values quoted)."""
    parts = [login_module, flag]
    for key in sorted(options or {}):
        parts.append(f"{key}={jaas_quote(options[key])}")
    return " ".join(parts) + ";"


def java_properties_value(value):
    """Escape a value for a java.util.Properties file (backslashes, line breaks, leading blanks)."""
    if isinstance(value, bool):
        text = str(value).lower()
    else:
        text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    if text.startswith(" "):
        text = "\\" + text
    return text


def quorum_summary(result):
    """The KRaft quorum from a registered kafka_cluster_info result: its leader, each voter's and observer's lag.

    Returns ``{ok, leader_id, voters: {id: lag}, observers: {id: lag}, max_voter_lag, caught_up_at: {id: ms},
    leader_time, error}``. ``ok`` is true only when the module succeeded and the quorum has a leader; ``error`` is the
    module's message otherwise (a result that is not a dict, or has no quorum, is not ok: a gate on it never passes on
    a guess). ``caught_up_at`` is each voter's last caught-up timestamp; ``leader_time`` the leader's own one, which
    the leader reports as its clock's time of the answer (a voter caught up at or after a ``leader_time`` read after
    its restart has fetched from the new process).
    """
    result = result if isinstance(result, dict) else {}
    quorum = result.get("quorum") if not result.get("failed") else None
    quorum = quorum if isinstance(quorum, dict) else {}
    leader = quorum.get("leader_id")
    voters = {replica["id"]: replica.get("lag") for replica in quorum.get("voters") or []}
    observers = {replica["id"]: replica.get("lag") for replica in quorum.get("observers") or []}
    caught_up_at = {replica["id"]: replica.get("last_caught_up_timestamp") for replica in quorum.get("voters") or []}
    ok = leader is not None
    if ok:
        error = ""
    elif result.get("msg"):
        error = str(result["msg"])
    elif result.get("metadata_mode") == "zookeeper":
        error = "the cluster runs in ZooKeeper mode"
    else:
        error = "the quorum has no leader or could not be read"
    return {
        "ok": ok,
        "leader_id": leader,
        "voters": voters,
        "observers": observers,
        "max_voter_lag": quorum.get("max_voter_lag"),
        "caught_up_at": caught_up_at,
        "leader_time": caught_up_at.get(leader),
        "error": error,
    }


class FilterModule:
    def filters(self):
        return {
            "jaas_quote": jaas_quote,
            "jaas_config": jaas_config,
            "java_properties_value": java_properties_value,
            "quorum_summary": quorum_summary,
        }
