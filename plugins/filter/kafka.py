# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters that quote values for Java properties files and JAAS configuration strings."""

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


class FilterModule:
    def filters(self):
        return {
            "jaas_quote": jaas_quote,
            "jaas_config": jaas_config,
            "java_properties_value": java_properties_value,
        }
