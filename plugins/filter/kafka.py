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


def quorum_replication(stdout):
    """Read `kafka-metadata-quorum.sh describe --replication`: the leader, each voter's and observer's lag.

    Columns: NodeId DirectoryId LogEndOffset Lag LastFetchTimestamp LastCaughtUpTimestamp Status (3.9 and 4.x; 3.x
    before KIP-853 has no DirectoryId column: the lag is then the third of the numbers).
    """
    leader, voters, observers = None, {}, {}
    for line in (stdout or "").splitlines():
        fields = line.split()
        if len(fields) < 6 or not fields[0].isdigit():
            continue
        node, status = int(fields[0]), fields[-1]
        lag = int(fields[3] if len(fields) >= 7 else fields[2])
        if status == "Leader":
            leader = node
        (observers if status == "Observer" else voters)[node] = lag
    return {
        "ok": leader is not None,
        "leader_id": leader,
        "voters": voters,
        "observers": observers,
        "max_voter_lag": max(voters.values()) if voters else None,
    }


class FilterModule:
    def filters(self):
        return {
            "jaas_quote": jaas_quote,
            "jaas_config": jaas_config,
            "java_properties_value": java_properties_value,
            "quorum_replication": quorum_replication,
        }
