# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The cluster's feature levels (KIP-584: ``metadata.version``, ``kraft.version``, ``group.version``, ...): the
reading of kafka-python's ``describe_features`` and the plan of an upgrade. Pure logic, unit tested.

Levels are Kafka's numbers (``metadata.version`` 21 is ``3.9-IV0``, 30 is ``4.3-IV0`` on Kafka 4.3.1). Which levels
a Kafka release defaults to is Kafka's own knowledge: ``kafka-features.sh upgrade --release-version X.Y --dry-run``
prints them ("metadata.version can be upgraded to 30."; playbooks/upgrade.yml reads them there).
"""

from __future__ import annotations


def feature_levels(described):
    """``{feature: {finalized, supported_min, supported_max}}`` from kafka-python's ``describe_features`` answer
    (``{name: {'supported': (min, max), 'finalized': (min, max)}}``); a feature the cluster has not finalized is at
    level 0, as Kafka counts it."""
    out = {}
    for name, entry in (described or {}).items():
        supported = entry.get("supported") or (0, 0)
        finalized = entry.get("finalized") or (0, 0)
        out[str(name)] = dict(
            finalized=int(finalized[1]), supported_min=int(supported[0]), supported_max=int(supported[1])
        )
    return dict(sorted(out.items()))


def finalized_view(levels):
    """``{feature: finalized level}``, sorted: what the diff and the result show."""
    return {name: entry["finalized"] for name, entry in sorted(levels.items())}


def normalize_levels(features):
    """``(desired, problems)``: the requested ``{feature: level}`` with whole-number levels of 1 or more (a level
    below 1 would delete a finalized feature in Kafka's protocol), and a sentence per bad level."""
    desired, problems = {}, []
    for name, level in sorted(features.items()):
        try:
            desired[name] = int(level)
        except (TypeError, ValueError):
            problems.append(f"the level of {name} must be a whole number, got {level!r}")
            continue
        if desired[name] < 1:
            problems.append(f"the level of {name} must be 1 or more, got {level}")
    return desired, problems


def plan_features(levels, desired):
    """``(updates, problems)`` to bring each feature of ``desired`` (``{feature: level}``) to its level.

    ``updates`` is ``{feature: (current, wanted)}`` for the features below their wanted level. A wanted level below
    the finalized one is a downgrade (which Kafka refuses for ``metadata.version`` unless told it may lose
    metadata): refused, as are features the answering node does not know and levels above what it supports
    (Kafka checks every node; this is the early, clearer refusal).
    """
    updates, problems = {}, []
    for name, wanted in sorted(desired.items()):
        entry = levels.get(name)
        if entry is None:
            problems.append(f"the cluster knows no feature {name} (it knows {', '.join(levels) or 'none'})")
            continue
        if wanted < entry["finalized"]:
            problems.append(
                f"{name} is at level {entry['finalized']}: level {wanted} would be a downgrade, which this module "
                "does not do"
            )
        elif wanted > entry["supported_max"]:
            problems.append(
                f"{name} level {wanted} is above what the node that answered supports ({entry['supported_min']}-"
                f"{entry['supported_max']}): upgrade every node's Kafka first"
            )
        elif wanted > entry["finalized"]:
            updates[name] = (entry["finalized"], wanted)
    return updates, problems


def update_label(name, update):
    return f"{name}: {update[0]} -> {update[1]}"


def predict(levels, updates):
    """The finalized levels once ``updates`` are applied."""
    after = finalized_view(levels)
    after.update({name: wanted for name, (_unused, wanted) in updates.items()})
    return after
