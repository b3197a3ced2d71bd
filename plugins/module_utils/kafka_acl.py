# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Kafka ACLs: normalization, validation, planning (pure) and the admin calls.

An ACL *binding* is one ``Acl`` tuple: resource type, resource name, pattern
type, principal, host, operation and permission, all normalized (lower-case
snake-case names, ``User:`` principals), so that comparing what a task asks
for with what ``describe_acls`` returns is plain set arithmetic. A task entry
with several operations expands to one binding per operation.

``normalize_entries`` validates a whole batch and returns every problem at
once, before anything is read or written. ``plan`` computes the bindings to
add and remove (check mode and a real run use the same plan), ``view`` selects
the bindings shown in the diff: every current binding of a (principal,
resource) pair named in the task, plus the purge scope.
"""

from __future__ import annotations

import collections
import ipaddress
import re

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KAFKA_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import error_reason
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import installed_confluent_kafka_version
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import translate_errors

try:
    from confluent_kafka.admin import AclBinding
    from confluent_kafka.admin import AclBindingFilter
    from confluent_kafka.admin import AclOperation
    from confluent_kafka.admin import AclPermissionType
    from confluent_kafka.admin import ResourcePatternType
    from confluent_kafka.admin import ResourceType
except ImportError:
    ResourceType = None  # KafkaModule reports the missing library.

CLUSTER_NAME = "kafka-cluster"

RESOURCE_TYPES = ("topic", "group", "cluster", "transactional_id", "delegation_token")
PATTERN_TYPES = ("literal", "prefixed")
# Only for state=absent: filters evaluated against the current ACLs.
FILTER_PATTERN_TYPES = ("match", "any")
PERMISSIONS = ("allow", "deny")
OPERATIONS = (
    "all",
    "read",
    "write",
    "create",
    "delete",
    "alter",
    "describe",
    "cluster_action",
    "describe_configs",
    "alter_configs",
    "idempotent_write",
)
# Kafka's AclEntry.supportedOperations (what kafka-acls.sh accepts), plus ALL.
RESOURCE_OPERATIONS = {
    "topic": ("all", "read", "write", "create", "delete", "alter", "describe", "describe_configs", "alter_configs"),
    "group": ("all", "read", "describe", "delete"),
    "cluster": (
        "all",
        "create",
        "cluster_action",
        "describe_configs",
        "alter_configs",
        "idempotent_write",
        "alter",
        "describe",
    ),
    "transactional_id": ("all", "describe", "write"),
    "delegation_token": ("all", "describe"),
}
# librdkafka calls Kafka's CLUSTER resource type BROKER (same wire value, 4).
_CLIENT_RESOURCE_NAMES = {"cluster": "BROKER"}

PURGE_PATTERN_TYPES = ("literal", "prefixed", "any")

_PRINCIPAL = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):(.+)$")

FIELDS = ("resource_type", "resource_name", "pattern_type", "principal", "host", "operation", "permission")


class Acl(collections.namedtuple("Acl", FIELDS)):
    """One normalized ACL binding (sorts by resource, then principal)."""

    __slots__ = ()

    def as_dict(self):
        return dict(self._asdict())

    @property
    def resource(self):
        return (self.resource_type, self.resource_name, self.pattern_type)

    @property
    def label(self):
        return (
            f"{self.principal} {self.permission} {self.operation} on {self.resource_type} {self.resource_name} "
            f"({self.pattern_type}) from host {self.host}"
        )


# ---------------------------------------------------------------------------
# Normalization and validation (pure)
# ---------------------------------------------------------------------------


def _key(value):
    """Comparison key for names: case, ``-``, ``_`` and blanks ignored (``DescribeConfigs``)."""
    return re.sub(r"[\s_-]", "", to_native(value)).lower()


def _canonical(value, choices):
    """The member of ``choices`` that ``value`` names (ignoring case and separators), or None."""
    if not isinstance(value, str):
        return None
    wanted = _key(value)
    for choice in choices:
        if _key(choice) == wanted:
            return choice
    return None


def _choices_text(choices):
    return ", ".join(choices)


def normalize_principal(value):
    """``(principal, error)``: ``user:alice`` becomes ``User:alice``; ``alice`` is an error."""
    if not isinstance(value, str) or not value.strip():
        return None, "principal must be a non-empty string such as 'User:alice'"
    match = _PRINCIPAL.match(value.strip())
    if not match or not match.group(2).strip():
        return None, f"principal {value!r} is not of the form '<Type>:<name>', for example 'User:alice' or 'User:*'"
    principal_type, name = match.groups()
    if principal_type.lower() == "user":
        # Kafka compares principal types exactly; 'user:alice' would never match a client.
        principal_type = "User"
    return f"{principal_type}:{name}", None


def normalize_host(value):
    """``(host, error)``: ``*`` or an IP address (Kafka matches the client's address, never a host name).

    The broker compares the ACL host with Java's ``InetAddress.getHostAddress()``
    as strings, which writes IPv6 addresses uncompressed without leading zeros
    (``0:0:0:0:0:0:0:1``); ``::1`` is normalized to that, or it would never match.
    """
    if value is None:
        return "*", None
    host = to_native(value).strip()
    if host == "*":
        return host, None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None, (
            f"host {value!r} is not '*' or an IP address (Kafka matches ACL hosts against the client's IP "
            "address, so a host name would never match)"
        )
    if address.version == 6:
        return ":".join(format(int(group, 16), "x") for group in address.exploded.split(":")), None
    return str(address), None


def _normalize_resource(entry, where, allowed_patterns, errors):
    """``(resource_type, resource_name, pattern_type)`` of an entry; appends problems to ``errors``."""
    raw_type = entry.get("resource_type")
    resource_type = _canonical(raw_type, RESOURCE_TYPES)
    if resource_type is None:
        errors.append(f"{where}: unknown resource_type {raw_type!r} (expected one of {_choices_text(RESOURCE_TYPES)})")
    elif client_resource_type(resource_type) is None:
        errors.append(
            f"{where}: resource_type {resource_type} is not supported by the installed confluent-kafka "
            f"{installed_confluent_kafka_version()} (librdkafka has no such resource type); "
            "manage these ACLs with kafka-acls.sh"
        )

    raw_pattern = entry.get("pattern_type")
    pattern_type = "literal" if raw_pattern is None else _canonical(raw_pattern, PATTERN_TYPES + FILTER_PATTERN_TYPES)
    if pattern_type is None:
        errors.append(
            f"{where}: unknown pattern_type {raw_pattern!r} (expected one of {_choices_text(allowed_patterns)})"
        )
    elif pattern_type not in allowed_patterns:
        errors.append(f"{where}: {_pattern_refusal(pattern_type, allowed_patterns)}")
        pattern_type = None

    name = entry.get("resource_name")
    if resource_type == "cluster":
        if name in (None, ""):
            name = CLUSTER_NAME
        if name != CLUSTER_NAME:
            errors.append(f"{where}: the cluster resource is always named {CLUSTER_NAME!r}, got {name!r}")
        if pattern_type not in (None, "literal"):
            errors.append(f"{where}: the cluster resource only takes pattern_type literal")
    elif name is None or not to_native(name).strip():
        errors.append(f"{where}: resource_name is required for resource_type {resource_type or raw_type}")
    elif "/" in to_native(name):
        errors.append(f"{where}: resource_name {name!r} must not contain '/' (the broker refuses it)")
    return resource_type, (to_native(name) if name is not None else None), pattern_type


def _pattern_refusal(pattern_type, allowed_patterns):
    if allowed_patterns == PATTERN_TYPES and pattern_type in FILTER_PATTERN_TYPES:
        return (
            f"pattern_type {pattern_type} is a filter, not an ACL pattern: it is only allowed with state=absent "
            f"(state=present takes {_choices_text(PATTERN_TYPES)})"
        )
    return f"pattern_type {pattern_type} is not allowed here (expected one of {_choices_text(allowed_patterns)})"


def normalize_entry(entry, index, state):
    """``(bindings, errors)`` for one task entry (``acls[index]``)."""
    where = f"acls[{index}]"
    errors = []
    if not isinstance(entry, dict):
        return [], [f"{where}: must be a dictionary"]
    allowed_patterns = PATTERN_TYPES + FILTER_PATTERN_TYPES if state == "absent" else PATTERN_TYPES
    resource_type, resource_name, pattern_type = _normalize_resource(entry, where, allowed_patterns, errors)

    principal, problem = normalize_principal(entry.get("principal"))
    if problem:
        errors.append(f"{where}: {problem}")
    host, problem = normalize_host(entry.get("host"))
    if problem:
        errors.append(f"{where}: {problem}")

    raw_permission = entry.get("permission")
    permission = "allow" if raw_permission is None else _canonical(raw_permission, PERMISSIONS)
    if permission is None:
        errors.append(f"{where}: unknown permission {raw_permission!r} (expected allow or deny)")

    raw_operations = entry.get("operations")
    if isinstance(raw_operations, str):
        raw_operations = [raw_operations]
    if not raw_operations:
        errors.append(f"{where}: operations must list at least one operation")
        raw_operations = []
    operations = []
    for position, raw in enumerate(raw_operations):
        operation = _canonical(raw, OPERATIONS)
        if operation is None:
            errors.append(
                f"{where}.operations[{position}]: unknown operation {raw!r} "
                f"(expected one of {_choices_text(OPERATIONS)})"
            )
        elif resource_type is not None and operation not in RESOURCE_OPERATIONS[resource_type]:
            errors.append(
                f"{where}.operations[{position}]: operation {operation} does not apply to resource_type "
                f"{resource_type} (it takes {_choices_text(RESOURCE_OPERATIONS[resource_type])})"
            )
        elif operation not in operations:
            operations.append(operation)

    if errors:
        return [], errors
    return [
        Acl(resource_type, resource_name, pattern_type, principal, host, operation, permission)
        for operation in operations
    ], []


def normalize_entries(entries, state):
    """``(bindings, errors)`` for the whole batch; ``bindings`` sorted, without duplicates."""
    bindings = set()
    errors = []
    for index, entry in enumerate(entries or []):
        found, problems = normalize_entry(entry, index, state)
        bindings.update(found)
        errors.extend(problems)
    return sorted(bindings), errors


def normalize_purge_scope(purge, principals, resources, state):
    """``(scope, errors)``; ``scope`` is None without purge, else ``{principals, resources}``.

    Purging needs an explicit, non-empty scope so that it can never mean "every
    ACL of the cluster".
    """
    errors = []
    principals = principals or []
    resources = resources or []
    if not purge:
        if principals or resources:
            errors.append("purge_principals and purge_resources are only used with purge=true")
        return None, errors
    if state != "present":
        errors.append("purge=true is only allowed with state=present")
    if not principals and not resources:
        errors.append(
            "purge=true needs an explicit scope: set purge_principals and/or purge_resources (non-empty); "
            "refusing to purge every ACL of the cluster"
        )
    scope_principals = set()
    for index, value in enumerate(principals):
        principal, problem = normalize_principal(value)
        if problem:
            errors.append(f"purge_principals[{index}]: {problem}")
        else:
            scope_principals.add(principal)
    scope_resources = set()
    for index, entry in enumerate(resources):
        where = f"purge_resources[{index}]"
        if not isinstance(entry, dict):
            errors.append(f"{where}: must be a dictionary")
            continue
        resource_type, name, pattern_type = _normalize_resource(entry, where, PURGE_PATTERN_TYPES, errors)
        if None not in (resource_type, name, pattern_type):
            scope_resources.add((resource_type, name, pattern_type))
    if errors:
        return None, errors
    return dict(principals=sorted(scope_principals), resources=sorted(scope_resources)), []


def resource_matches(spec, binding):
    """Whether ``binding``'s resource pattern is selected by ``spec`` = ``(type, name, pattern_type)``.

    ``literal``/``prefixed`` select exactly that pattern; ``any`` both pattern
    types with exactly that name; ``match`` (Kafka's MATCH filter) every pattern
    that applies to the resource named: the literal name, the literal wildcard
    ``*`` and every prefix of the name.
    """
    resource_type, name, pattern_type = spec
    if binding.resource_type != resource_type:
        return False
    if pattern_type == "any":
        return binding.resource_name == name and binding.pattern_type in PATTERN_TYPES
    if pattern_type == "match":
        if binding.pattern_type == "literal":
            return binding.resource_name in (name, "*")
        return binding.pattern_type == "prefixed" and name.startswith(binding.resource_name)
    return (binding.resource_name, binding.pattern_type) == (name, pattern_type)


def entry_matches(wanted, binding):
    """Whether ``binding`` is the one ``wanted`` names (``wanted`` may carry a filter pattern type)."""
    if wanted.pattern_type in FILTER_PATTERN_TYPES:
        same_rest = (wanted.principal, wanted.host, wanted.operation, wanted.permission) == (
            binding.principal,
            binding.host,
            binding.operation,
            binding.permission,
        )
        return same_rest and resource_matches(wanted.resource, binding)
    return wanted == binding


def in_purge_scope(scope, binding):
    if not scope:
        return False
    if scope["principals"] and binding.principal not in scope["principals"]:
        return False
    if scope["resources"] and not any(resource_matches(spec, binding) for spec in scope["resources"]):
        return False
    return True


def manageable(binding):
    """Whether the client library can delete ``binding`` exactly (not e.g. a DELEGATION_TOKEN ACL it cannot name)."""
    return binding.resource_type in RESOURCE_TYPES and binding.operation in OPERATIONS


def plan(current, wanted, state, scope=None):
    """``(to_add, to_remove, skipped)``: sorted binding lists.

    present: add what is wanted and missing; with a purge ``scope`` also remove
    every current binding in scope that is not wanted. absent: remove every
    current binding an entry names (filters may name several). ``skipped`` are
    bindings in the purge scope that the client library cannot delete.
    """
    current = set(current)
    if state == "present":
        wanted = set(wanted)
        to_add = wanted - current
        to_remove = set()
        skipped = set()
        for binding in current - wanted:
            if in_purge_scope(scope, binding):
                (to_remove if manageable(binding) else skipped).add(binding)
        return sorted(to_add), sorted(to_remove), sorted(skipped)
    to_remove = {
        binding for binding in current if manageable(binding) and any(entry_matches(w, binding) for w in wanted)
    }
    return [], sorted(to_remove), []


def predict(current, to_add, to_remove):
    return sorted((set(current) - set(to_remove)) | set(to_add))


def view(bindings, wanted, scope=None):
    """The bindings the diff shows.

    Those of every (principal, resource pattern) pair named in ``wanted``, and those in the purge scope.
    """
    pairs = [(w.principal, w.resource) for w in wanted]

    def related(binding):
        for principal, resource in pairs:
            if binding.principal == principal and resource_matches(resource, binding):
                return True
        return in_purge_scope(scope, binding)

    return sorted(binding for binding in set(bindings) if related(binding))


def as_dicts(bindings):
    return [binding.as_dict() for binding in bindings]


def action_labels(to_add, to_remove):
    return [f"add {b.label}" for b in to_add] + [f"remove {b.label}" for b in to_remove]


# ---------------------------------------------------------------------------
# Conversion from/to confluent_kafka objects
# ---------------------------------------------------------------------------


def _enum_name(value):
    return to_native(getattr(value, "name", value))


def binding_from_client(binding):
    """An ``Acl`` from a confluent_kafka AclBinding (types the library does not know become ``unknown``)."""
    resource_type = _enum_name(binding.restype).lower()
    resource_type = {"broker": "cluster"}.get(resource_type, resource_type)
    return Acl(
        resource_type if resource_type in RESOURCE_TYPES else "unknown",
        to_native(binding.name),
        _enum_name(binding.resource_pattern_type).lower(),
        to_native(binding.principal),
        to_native(binding.host),
        _enum_name(binding.operation).lower(),
        _enum_name(binding.permission_type).lower(),
    )


def client_resource_type(resource_type):
    """The confluent_kafka ResourceType for a normalized name, or None when the library lacks it."""
    name = _CLIENT_RESOURCE_NAMES.get(resource_type, resource_type.upper())
    return getattr(ResourceType, name, None)


def _client_args(binding):
    return (
        client_resource_type(binding.resource_type),
        binding.resource_name,
        ResourcePatternType[binding.pattern_type.upper()],
        binding.principal,
        binding.host,
        AclOperation[binding.operation.upper()],
        AclPermissionType[binding.permission.upper()],
    )


def to_client_binding(binding):
    return AclBinding(*_client_args(binding))


def to_client_filter(binding):
    """An AclBindingFilter that selects exactly ``binding``."""
    return AclBindingFilter(*_client_args(binding))


# ---------------------------------------------------------------------------
# Client operations
# ---------------------------------------------------------------------------


def read_acls(admin, timeout):
    """Every ACL binding of the cluster, normalized and sorted."""
    with translate_errors("describe ACLs"):
        match_all = AclBindingFilter(
            ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY, AclPermissionType.ANY
        )
        found = admin.describe_acls(match_all, request_timeout=timeout).result()
    return sorted(binding_from_client(b) for b in found or [])


def _collect_failures(futures, labels):
    failures = []
    done = []
    for key, future in futures.items():
        try:
            value = future.result()
        except KAFKA_ERRORS as e:
            failures.append(f"{labels[key]}: {error_reason(e)}")
        else:
            done.append((key, value))
    return done, failures


def create_acls(admin, bindings, timeout):
    """Create ``bindings`` in one CreateAcls request; returns ``(created, failures)``.

    The brokers answer for each binding: ``created`` are the bindings they created (sorted),
    ``failures`` one ``"<binding>: <reason>"`` text per binding they refused. An error before the
    request was sent raises KafkaOpsError (nothing was created).
    """
    if not bindings:
        return [], []
    with translate_errors(f"create {len(bindings)} ACL(s)"):
        requested = {to_client_binding(b): b for b in bindings}
        futures = admin.create_acls(list(requested), request_timeout=timeout)
        done, failures = _collect_failures(futures, {k: requested[k].label for k in requested})
    return sorted(requested[key] for key, _value in done), failures


def delete_acls(admin, bindings, timeout):
    """Delete exactly ``bindings`` (one exact filter each); returns ``(deleted, failures)``.

    ``deleted`` are the bindings the brokers report as deleted (sorted), ``failures`` one
    ``"<binding>: <reason>"`` text per filter they refused.
    """
    if not bindings:
        return [], []
    with translate_errors(f"delete {len(bindings)} ACL(s)"):
        requested = {to_client_filter(b): b for b in bindings}
        futures = admin.delete_acls(list(requested), request_timeout=timeout)
        done, failures = _collect_failures(futures, {k: requested[k].label for k in requested})
    return sorted(binding_from_client(b) for _key_, result in done for b in result or []), failures


def write_failure(verb, requested, done, failures, skipped=()):
    """The KafkaOpsError for a CreateAcls/DeleteAcls request the brokers refused in part or whole.

    Names every refused binding, how many of the request were done, and the bindings of the
    plan that were not attempted because of the failure.
    """
    outcome = f"{len(done)} {'created' if verb == 'create' else 'deleted'}"
    if skipped:
        outcome += f"; not attempted: {len(skipped)} removal(s)"
    return KafkaOpsError(f"{verb} {len(requested)} ACL(s)", reason=f"{'; '.join(failures)} ({outcome})")
