#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_user
short_description: Manage SASL/SCRAM credentials of Kafka users
version_added: 0.1.0
description:
  - Creates, updates and deletes the SCRAM-SHA-256 / SCRAM-SHA-512 credential of a Kafka user through
    the Kafka AdminClient (C(DescribeUserScramCredentials) / C(AlterUserScramCredentials), KIP-554),
    like C(kafka-configs.sh --alter --entity-type users --add-config SCRAM-SHA-512=[...]).
  - Works with ZooKeeper-based clusters (the brokers store the credential in ZooKeeper under
    C(<chroot>/config/users/<name>)) and with KRaft clusters.
  - Kafka keeps only salted hashes, so a password can never be read back. The module therefore decides
    whether the password must change by logging in as the user, see O(update_password).
  - Only the credential is managed; ACLs of the user are not.
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  name:
    description:
      - The user name (the SASL user name the client logs in with; the principal is C(User:<name>)).
    type: str
    required: true
    aliases: [user]
  password:
    description:
      - The password. Required when O(state=present).
      - Sent to the broker only inside the AlterUserScramCredentials request (the client library salts
        and hashes it first) and, to check it, in a SCRAM login; never logged or returned.
    type: str
  mechanism:
    description:
      - The SCRAM mechanism of the credential.
      - With O(state=present) the default is V(SCRAM-SHA-512).
      - With O(state=absent), when omitted, the credentials of B(every) mechanism of the user are removed.
      - The brokers only accept logins with a mechanism listed in their C(sasl.enabled.mechanisms);
        a credential for another mechanism can be stored but not used.
    type: str
    choices: [SCRAM-SHA-256, SCRAM-SHA-512]
  iterations:
    description:
      - SCRAM iteration count, between 4096 (the broker refuses fewer) and 16384.
      - A credential with another iteration count is rewritten with O(password), also when
        O(update_password=on_create).
    type: int
    default: 4096
  state:
    description:
      - V(present) makes sure the user has a credential for O(mechanism); V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  update_password:
    description:
      - V(always) makes O(password) the user's password. The module logs in as O(name) with O(password)
        and O(mechanism) on the cluster it connects to (same O(bootstrap_servers), O(security_protocol) and
        TLS settings); when the login succeeds nothing changes, when the broker rejects it the credential
        is rewritten. This needs O(security_protocol=SASL_PLAINTEXT) or V(SASL_SSL) with O(mechanism)
        enabled on that listener. Without SASL the password cannot be checked, so the credential is rewritten
        on every run and reported as changed, with a warning.
      - V(on_create) only sets the password when the user has no credential for O(mechanism) yet
        (or its iteration count differs from O(iterations)); an existing password is left alone.
    type: str
    choices: [always, on_create]
    default: always
extends_documentation_fragment:
  - kafkaops.cluster.kafka
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads the credentials and, with O(update_password=always), checks the password by
        logging in, exactly like a real run, then reports the predicted result without altering anything.
  diff_mode:
    support: full
    details:
      - The diff shows the user's credentials (mechanism and iterations) before and after.
        A password change alone leaves them equal; RV(actions) still lists the upsert.
  platform:
    platforms: posix
notes:
  - The connecting principal needs the C(DESCRIBE) operation on the cluster resource to read credentials
    and C(ALTER) to change them (a super user, or ACLs on the cluster). The module checks this first
    and fails with a clear message, because librdkafka (at least up to 2.16) crashes the Python process when
    a DescribeUserScramCredentials request is refused as a whole.
  - In a cluster with several brokers a new password can take a moment to reach every broker (ZooKeeper
    change notification or KRaft metadata); a login right after a change may briefly fail on some brokers.
seealso:
  - module: kafkaops.cluster.kafka_cluster_info
  - name: KIP-554 Add Broker-side SCRAM Config API
    description: The admin API this module uses.
    link: https://cwiki.apache.org/confluence/display/KAFKA/KIP-554%3A+Add+Broker-side+SCRAM+Config+API
"""

EXAMPLES = r"""
- name: Create or update the SCRAM-SHA-512 credential of alice
  kafkaops.cluster.kafka_user:
    bootstrap_servers: ["kafka-0:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: PLAIN
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/kafka/tls/ca.pem
    name: alice
    password: "{{ vault_alice_password }}"
  delegate_to: "{{ groups['kafka'][0] }}"
  vars:
    ansible_python_interpreter: /opt/kafkaops/venv/bin/python
  run_once: true

- name: Application users, connection settings from module_defaults
  module_defaults:
    group/kafkaops.cluster.kafka:
      bootstrap_servers: ["kafka-0:9093", "kafka-1:9093"]
      security_protocol: SASL_PLAINTEXT
      sasl_mechanism: SCRAM-SHA-512
      sasl_username: admin
      sasl_password: "{{ vault_kafka_admin_password }}"
  block:
    - name: Create the users, never touch an existing password
      kafkaops.cluster.kafka_user:
        name: "{{ item.name }}"
        password: "{{ item.password }}"
        mechanism: SCRAM-SHA-512
        iterations: 8192
        update_password: on_create
      loop: "{{ kafka_app_users }}"
      loop_control:
        label: "{{ item.name }}"
      no_log: true

    - name: Remove every SCRAM credential of a retired user
      kafkaops.cluster.kafka_user:
        name: legacy-app
        state: absent
"""

RETURN = r"""
user:
  description: The user's SCRAM credentials after the run (predicted in check mode). Never contains a password.
  returned: success
  type: dict
  contains:
    name:
      description: The user name.
      type: str
      sample: alice
    credentials:
      description: One entry per mechanism, sorted; empty when the user has no SCRAM credential.
      type: list
      elements: dict
      contains:
        mechanism:
          description: V(SCRAM-SHA-256) or V(SCRAM-SHA-512).
          type: str
        iterations:
          description: Iteration count.
          type: int
  sample: {"name": "alice", "credentials": [{"mechanism": "SCRAM-SHA-512", "iterations": 4096}]}
actions:
  description:
    - What was done (would be done in check mode), in order; empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: ["upsert SCRAM-SHA-512"]
password_check:
  description:
    - Outcome of the login with O(password) that O(update_password=always) uses to detect a password change.
    - V(verified) (the password is current), V(rejected) (it differs, so it is rewritten), or V(not checked)
      (no login was needed or possible).
  returned: when O(state=present)
  type: str
  sample: verified
diff:
  description: The user's credentials (mechanism and iterations) before and after.
  returned: when diff mode is enabled
  type: dict
  sample:
    before: {"name": "alice", "credentials": []}
    after: {"name": "alice", "credentials": [{"mechanism": "SCRAM-SHA-512", "iterations": 4096}]}
"""


from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import poll_until
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import MAX_ITERATIONS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import MIN_ITERATIONS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import NOT_CHECKED
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import SCRAM_MECHANISMS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import action_labels
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import alter_credentials
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import needs_password_check
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import password_authenticates
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import plan_absent
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import plan_present
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import predict
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import principal_label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import read_credentials
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import require_cluster_operation
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import user_state

DEFAULT_MECHANISM = "SCRAM-SHA-512"


def ensure_present(module, admin, cluster, name, current):
    """``(actions, predicted credentials, password_check)`` for state=present; alters unless check mode."""
    params = module.params
    mechanism = params["mechanism"] or DEFAULT_MECHANISM
    iterations = params["iterations"]
    password_check = NOT_CHECKED
    if needs_password_check(current, mechanism, iterations, params["update_password"]):
        password_check = password_authenticates(params, name, params["password"], mechanism, module.logger)
        if password_check == NOT_CHECKED:
            module.warn(
                f"update_password=always cannot check the password of user {name} because security_protocol is "
                f"{params['security_protocol']} (no SASL login possible): the credential is rewritten and reported "
                "as changed on every run; use update_password=on_create to keep runs idempotent"
            )
    actions = plan_present(current, mechanism, iterations, params["update_password"], password_check)
    apply(module, admin, cluster, name, actions)
    return actions, predict(current, actions, iterations), password_check


def ensure_absent(module, admin, cluster, name, current):
    """``(actions, predicted credentials)`` for state=absent; alters unless check mode."""
    actions = plan_absent(current, module.params["mechanism"])
    apply(module, admin, cluster, name, actions)
    return actions, predict(current, actions, module.params["iterations"])


def apply(module, admin, cluster, name, actions):
    if not actions:
        return
    # Checked in check mode too, so check mode predicts the refusal.
    require_cluster_operation(
        cluster, "ALTER", f"alter SCRAM credentials of user {name}", principal_label(module.params)
    )
    if module.check_mode:
        return
    params = module.params
    alter_credentials(admin, name, actions, params["password"], params["iterations"], params["request_timeout"])


def confirm(admin, name, expected, timeout):
    """Re-read the credentials until they match ``expected`` (KRaft brokers may lag a moment)."""
    return poll_until(
        lambda: read_credentials(admin, name, timeout),
        lambda found: found == expected,
        timeout,
        f"confirm SCRAM credentials of user {name}",
        lambda found: f"expected {expected} after the change, the cluster reports {found}",
    )


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["user"]),
        password=dict(type="str", no_log=True),
        mechanism=dict(type="str", choices=SCRAM_MECHANISMS),
        iterations=dict(type="int", default=MIN_ITERATIONS),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        update_password=dict(type="str", choices=["always", "on_create"], default="always", no_log=False),
    )
    module = KafkaModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ("password",))],
    )
    params = module.params
    name = params["name"]
    if not name:
        module.fail_json(msg="name must not be empty")
    if not MIN_ITERATIONS <= params["iterations"] <= MAX_ITERATIONS:
        module.fail_json(
            msg=f"iterations must be between {MIN_ITERATIONS} and {MAX_ITERATIONS}, got {params['iterations']}"
        )

    result = dict(changed=False, actions=[])
    try:
        admin = module.admin_client()
        cluster = module.describe_cluster(admin, authorized_operations=True)
        # Before any describe: librdkafka crashes on a refused DescribeUserScramCredentials.
        require_cluster_operation(
            cluster, "DESCRIBE", f"read SCRAM credentials of user {name}", principal_label(params)
        )
        before = read_credentials(admin, name, params["request_timeout"])
        if params["state"] == "present":
            actions, after, password_check = ensure_present(module, admin, cluster, name, before)
            result["password_check"] = password_check
        else:
            actions, after = ensure_absent(module, admin, cluster, name, before)
        result.update(changed=bool(actions), actions=action_labels(actions))
        if actions and not module.check_mode:
            after = confirm(admin, name, after, params["request_timeout"])
    except KafkaOpsError as e:
        module.fail_kafka(e, **result)

    result["user"] = user_state(name, after)
    if module._diff:
        result["diff"] = dict(before=user_state(name, before), after=result["user"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
