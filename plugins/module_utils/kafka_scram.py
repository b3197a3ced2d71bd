# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""SASL/SCRAM credentials of Kafka users (KIP-554 admin API).

Kafka stores only salted hashes, so a password can never be read back: the
current state is the list of ``{mechanism, iterations}`` of a user, and
whether a given password is the current one can only be learnt by logging in
with it (``password_authenticates``). Planning what to change is a pure
function of those facts (``plan_present``, ``plan_absent``), so check mode
and a real run compute the same actions.

librdkafka (up to at least 2.16) frees an invalid pointer when a
DescribeUserScramCredentials request fails as a whole (for example
CLUSTER_AUTHORIZATION_FAILED), which aborts the Python process; callers must
make sure the principal may DESCRIBE the cluster before describing
credentials (``require_cluster_operation``).
"""

from __future__ import annotations

import time

from ansible.module_utils.common.text.converters import to_bytes
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import SASL_PROTOCOLS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import build_client_config
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KAFKA_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import kafka_error_code
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import kafka_error_text
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import summarize_connection_errors
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import translate_errors

try:
    from confluent_kafka.admin import AdminClient
    from confluent_kafka.admin import ScramCredentialInfo
    from confluent_kafka.admin import ScramMechanism
    from confluent_kafka.admin import UserScramCredentialDeletion
    from confluent_kafka.admin import UserScramCredentialUpsertion
except ImportError:
    pass  # KafkaModule reports the missing library.

SCRAM_MECHANISMS = ["SCRAM-SHA-256", "SCRAM-SHA-512"]
# The broker refuses fewer (UNACCEPTABLE_CREDENTIAL "Too few iterations").
MIN_ITERATIONS = 4096
# Kafka's upper bound (ScramMechanism.maxIterations).
MAX_ITERATIONS = 16384

UPSERT = "upsert"
DELETE = "delete"

# Results of password_authenticates().
VERIFIED = "verified"
REJECTED = "rejected"
NOT_CHECKED = "not checked"


# ---------------------------------------------------------------------------
# Pure functions
# ---------------------------------------------------------------------------


def mechanism_name(mechanism):
    """``SCRAM-SHA-512`` for ``ScramMechanism.SCRAM_SHA_512`` (or its name)."""
    name = getattr(mechanism, "name", mechanism)
    return to_native(name).replace("_", "-")


def credentials_from_description(description):
    """``[{mechanism, iterations}]`` sorted by mechanism, from a UserScramCredentialsDescription."""
    infos = getattr(description, "scram_credential_infos", None) or []
    return sorted(
        (dict(mechanism=mechanism_name(info.mechanism), iterations=int(info.iterations)) for info in infos),
        key=lambda credential: credential["mechanism"],
    )


def user_state(name, credentials):
    return dict(name=name, credentials=sorted(credentials, key=lambda c: c["mechanism"]))


def find_credential(credentials, mechanism):
    for credential in credentials:
        if credential["mechanism"] == mechanism:
            return credential
    return None


def needs_password_check(credentials, mechanism, iterations, update_password):
    """Whether only a login can tell if ``present`` has anything to do."""
    existing = find_credential(credentials, mechanism)
    return update_password == "always" and existing is not None and existing["iterations"] == iterations


def plan_present(credentials, mechanism, iterations, update_password, password_check=NOT_CHECKED):
    """Actions for ``state=present``: ``[]`` or ``[("upsert", mechanism)]``.

    - no credential for ``mechanism``: create it;
    - another iteration count: upsert (the password given becomes the password);
    - ``update_password=on_create``: nothing else;
    - ``always``: nothing when the password was ``verified`` by logging in,
      upsert when it was ``rejected`` or could ``not`` be ``checked``.
    """
    existing = find_credential(credentials, mechanism)
    if existing is None or existing["iterations"] != iterations:
        return [(UPSERT, mechanism)]
    if update_password == "on_create" or password_check == VERIFIED:
        return []
    return [(UPSERT, mechanism)]


def plan_absent(credentials, mechanism=None):
    """Actions for ``state=absent``: delete ``mechanism``'s credential, or every credential if None."""
    return [
        (DELETE, credential["mechanism"])
        for credential in credentials
        if mechanism is None or credential["mechanism"] == mechanism
    ]


def predict(credentials, actions, iterations):
    """Credentials after applying ``actions`` (what check mode reports)."""
    result = {c["mechanism"]: dict(c) for c in credentials}
    for operation, mechanism in actions:
        if operation == UPSERT:
            result[mechanism] = dict(mechanism=mechanism, iterations=iterations)
        else:
            result.pop(mechanism, None)
    return sorted(result.values(), key=lambda c: c["mechanism"])


def action_labels(actions):
    return [f"{operation} {mechanism}" for operation, mechanism in actions]


def authentication_outcome(errors):
    """Classify librdkafka error callbacks of a login attempt.

    Returns ``REJECTED`` (wrong user name or password), None (no
    authentication error seen), or raises ValueError with the error text when
    the broker does not offer the mechanism (the password cannot be checked).
    """
    for err in errors:
        if to_native(err.name()) != "_AUTHENTICATION":
            continue
        text = kafka_error_text(err)
        if "Unsupported SASL mechanism" in text or "handshake failed" in text:
            raise ValueError(text)
        return REJECTED
    return None


# ---------------------------------------------------------------------------
# Client operations
# ---------------------------------------------------------------------------


def principal_label(params):
    """How the broker sees the module's connection, for messages."""
    if params.get("security_protocol") in SASL_PROTOCOLS and params.get("sasl_username"):
        return f"User:{params['sasl_username']}"
    return "the principal of this connection"


def require_cluster_operation(cluster, operation, why, principal="the connecting principal"):
    """Fail cleanly unless ``operation`` is among the principal's cluster operations.

    ``cluster`` is ``KafkaModule.describe_cluster(admin, authorized_operations=True)``.
    """
    allowed = cluster.get("authorized_operations") or []
    if operation not in allowed:
        raise KafkaOpsError(
            why,
            reason=(
                f"{principal} is not allowed to {operation} the cluster resource "
                f"(allowed: {', '.join(allowed) or 'nothing'}); use a super user or grant it an ACL on the cluster"
            ),
        )


def read_credentials(admin, name, timeout):
    """The user's ``[{mechanism, iterations}]``; empty when it has no SCRAM credential."""
    with translate_errors(f"read SCRAM credentials of user {name}"):
        futures = admin.describe_user_scram_credentials([name], request_timeout=timeout)
        try:
            description = futures[name].result()
        except KAFKA_ERRORS as e:
            if kafka_error_code(e) == "RESOURCE_NOT_FOUND":
                return []
            raise
    return credentials_from_description(description)


def read_all_credentials(admin, timeout):
    """Every user with a SCRAM credential: ``{name: [mechanism, ...]}``, sorted."""
    with translate_errors("read the SCRAM credentials of every user"):
        descriptions = admin.describe_user_scram_credentials(request_timeout=timeout).result()
    found = {name: [c["mechanism"] for c in credentials_from_description(d)] for name, d in descriptions.items()}
    return dict(sorted(found.items()))


def alter_credentials(admin, name, actions, password, iterations, timeout):
    """Apply ``actions`` to user ``name`` in one AlterUserScramCredentials request."""
    alterations = []
    for operation, mechanism in actions:
        scram_mechanism = ScramMechanism[mechanism.replace("-", "_")]
        if operation == UPSERT:
            alterations.append(
                UserScramCredentialUpsertion(
                    name,
                    ScramCredentialInfo(scram_mechanism, iterations),
                    to_bytes(password, errors="surrogate_or_strict"),
                )
            )
        else:
            alterations.append(UserScramCredentialDeletion(name, scram_mechanism))
    with translate_errors(f"alter SCRAM credentials of user {name} ({', '.join(action_labels(actions))})"):
        futures = admin.alter_user_scram_credentials(alterations, request_timeout=timeout)
        futures[name].result()


def password_authenticates(params, name, password, mechanism, logger=None):
    """Log in as ``name`` with ``mechanism`` over the module's own connection settings.

    Returns ``VERIFIED`` or ``REJECTED``; ``NOT_CHECKED`` when the module does
    not connect with SASL (then there is no listener to try the password on).
    Raises ``KafkaOpsError`` when the login neither succeeds nor is rejected
    (broker unreachable, TLS problem, mechanism not enabled on the listener).
    """
    if params["security_protocol"] not in SASL_PROTOCOLS:
        return NOT_CHECKED
    action = f"verify the password of user {name}"
    login = dict(params, sasl_mechanism=mechanism, sasl_username=name, sasl_password=password)
    errors = []
    conf = build_client_config(login, "admin", {"client.id": "kafkaops-ansible-password-check"})
    conf["error_cb"] = errors.append
    if logger is not None:
        conf["logger"] = logger
    timeout = params["request_timeout"]
    with translate_errors(action):
        client = AdminClient(conf)
        future = client.describe_cluster(request_timeout=timeout)
        deadline = time.monotonic() + timeout + 5
        while not future.done():
            client.poll(0.1)
            outcome = _login_outcome(action, errors, final=False)
            if outcome is not None:
                future.cancel()
                return outcome
            if time.monotonic() > deadline:
                raise KafkaOpsError(action, reason=f"no answer within {timeout}s")
        try:
            future.result()
        except KAFKA_ERRORS:
            client.poll(0)
            outcome = _login_outcome(action, errors, final=True)
            if outcome is not None:
                return outcome
            raise
    return VERIFIED


def _login_outcome(action, errors, final):
    """``REJECTED``, or None to keep waiting; raises when the login cannot succeed."""
    try:
        outcome = authentication_outcome(errors)
    except ValueError as e:
        raise KafkaOpsError(
            action,
            reason=(
                f"{e}; the password cannot be checked on this listener "
                "(enable the mechanism there, or use update_password=on_create)"
            ),
        ) from None
    if outcome is not None:
        return outcome
    if errors and (
        final or any(to_native(err.name()) in ("_ALL_BROKERS_DOWN", "_SSL") or err.fatal() for err in errors)
    ):
        raise KafkaOpsError(action, reason=summarize_connection_errors(errors))
    return None
