#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_acl
short_description: Manage Kafka ACLs declaratively
version_added: 0.1.0
description:
  - Makes sure the ACL bindings listed in O(acls) exist (O(state=present)) or do not exist (O(state=absent)),
    through the Kafka AdminClient (C(CreateAcls), C(DescribeAcls), C(DeleteAcls)), like C(kafka-acls.sh --add)
    and C(--remove).
  - Each entry of O(acls) names one principal, host, resource pattern and permission and B(several) operations;
    it stands for one ACL binding per operation. Names are normalized before comparing, so V(Read), V(READ) and
    V(read), or V(DescribeConfigs) and V(describe_configs), are the same operation, and V(user:alice) is the
    principal V(User:alice).
  - The whole batch is validated before anything is read or changed (unknown resource types, operations that do
    not apply to the resource type, filters with O(state=present), principals not of the form V(User:name),
    hosts that are not V(*) or an IP address, cluster resources not named V(kafka-cluster), a purge without a
    scope). Every problem is reported at once and nothing is changed.
  - With O(purge=true) the module also removes the ACLs that are B(not) listed, but only inside an explicit
    scope (O(purge_principals) and/or O(purge_resources)); there is no way to purge every ACL of the cluster.
  - The module reads all ACLs of the cluster once, computes what to add and remove, applies it (unless in
    check mode) and reads the ACLs back until the brokers report the expected result.
  - Bindings are created first (one C(CreateAcls) request), then deleted (one C(DeleteAcls) request). The brokers
    answer for each binding; when they refuse some (for example ZooKeeper cannot store an ACL for a group named
    V(.)), the module fails with C(changed=true) if anything was done, RV(acls_added), RV(acls_removed) and
    RV(actions) list what was done, and the message names every refused binding. A refused creation stops the run
    before any deletion.
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  acls:
    description:
      - The ACL entries. Each entry expands to one binding per operation in RV(acls_added) and the diff.
      - An empty list with O(state=present) and O(purge=true) removes every ACL in the purge scope.
    type: list
    elements: dict
    default: []
    suboptions:
      principal:
        description:
          - The principal, C(<Type>:<name>), for example V(User:alice), or V(User:*) for every user.
          - The type V(user) is normalized to V(User) (Kafka compares types exactly, so C(user:alice) would never
            match a client).
        type: str
        required: true
      host:
        description:
          - The client address the ACL applies to, V(*) or an IP address. Kafka matches the client's IP address,
            so host names are refused.
          - IPv6 addresses are written the way the broker compares them (Java's uncompressed form), for example
            V(::1) becomes V(0:0:0:0:0:0:0:1).
        type: str
        default: "*"
      resource_type:
        description:
          - V(topic), V(group), V(cluster), V(transactional_id) or V(delegation_token) (case and C(-)/C(_) do not
            matter).
          - V(delegation_token) is refused while the installed confluent-kafka has no DELEGATION_TOKEN resource type
            (true up to at least 2.16); use C(kafka-acls.sh --delegation-token) for those.
        type: str
        required: true
      resource_name:
        description:
          - The topic, group or transactional id name, or the prefix with O(acls[].pattern_type=prefixed).
            V(*) with V(literal) means every resource of the type.
          - Required except for V(cluster), whose only name is V(kafka-cluster) (the default for it).
        type: str
      pattern_type:
        description:
          - V(literal) or V(prefixed).
          - With O(state=absent) also the filters V(any) (literal and prefixed patterns with exactly that name) and
            V(match) (every pattern that applies to the named resource - the literal name, the literal V(*) and every
            matching prefix). Filters are refused with O(state=present).
        type: str
        default: literal
      operations:
        description:
          - One or more of V(all), V(read), V(write), V(create), V(delete), V(alter), V(describe),
            V(cluster_action), V(describe_configs), V(alter_configs), V(idempotent_write). Case, C(-) and C(_) do not
            matter (V(DescribeConfigs) works).
          - Only the operations Kafka defines for the resource type are accepted (as in C(kafka-acls.sh)) -
            topic C(read write create delete alter describe describe_configs alter_configs), group
            C(read describe delete), cluster C(create cluster_action describe_configs alter_configs idempotent_write
            alter describe), transactional_id C(describe write), delegation_token C(describe), and V(all) for each.
          - V(all) is Kafka's own ALL operation (one binding), it is not expanded.
        type: list
        elements: str
        required: true
      permission:
        description:
          - V(allow) or V(deny). A deny binding wins over allow bindings.
        type: str
        default: allow
  state:
    description:
      - V(present) creates the missing bindings of O(acls); V(absent) deletes the bindings O(acls) names.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also delete every existing binding in the purge scope that O(acls) does not list.
      - Requires O(purge_principals) or O(purge_resources) (non-empty); the module refuses a purge without scope.
    type: bool
    default: false
  purge_principals:
    description:
      - Purge scope, only with O(purge=true) - bindings of these principals (exact match after normalization;
        V(User:*) means the wildcard binding principal, not every principal).
      - Combined with O(purge_resources), a binding must match both.
    type: list
    elements: str
  purge_resources:
    description:
      - Purge scope, only with O(purge=true) - bindings on these resource patterns.
      - Combined with O(purge_principals), a binding must match both.
    type: list
    elements: dict
    suboptions:
      resource_type:
        description: Resource type, as in O(acls[].resource_type).
        type: str
        required: true
      resource_name:
        description: Resource name (V(kafka-cluster), the default, for V(cluster)).
        type: str
      pattern_type:
        description: V(literal) or V(prefixed) select exactly that pattern, V(any) both.
        type: str
        default: literal
extends_documentation_fragment:
  - kafkaops.cluster.kafka
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads the ACLs and plans exactly like a real run, then reports the predicted result without
        creating or deleting anything.
  diff_mode:
    support: full
    details:
      - C(before.acls) and C(after.acls) are sorted lists of normalized bindings - every binding of each (principal,
        resource pattern) pair named in O(acls), and every binding in the purge scope (wrapped in a dictionary so
        C(--diff) can print them).
  platform:
    platforms: posix
notes:
  - The connecting principal needs C(DESCRIBE) on the cluster resource to read ACLs and C(ALTER) to change them
    (a super user, or ACLs on the cluster). The module checks this first, also in check mode.
  - ACL bindings whose resource type the client library does not know (for example delegation token ACLs with
    confluent-kafka 2.16) are reported with resource_type V(unknown) and are never deleted by a purge (the module
    warns about them).
  - With ZooKeeper-based clusters, every broker picks a change up from ZooKeeper a moment after it was made; the
    module waits until a read shows the expected bindings, a client on another broker may still be refused for a
    short time.
seealso:
  - module: kafkaops.cluster.kafka_user
  - name: Kafka authorization and ACLs
    description: Operations and resources in the Kafka documentation.
    link: https://kafka.apache.org/documentation/#security_authz
"""

EXAMPLES = r"""
- name: Let alice consume orders with her consumer group
  kafkaops.cluster.kafka_acl:
    bootstrap_servers: ["kafka-0:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/kafka/tls/ca.pem
    acls:
      - principal: User:alice
        resource_type: topic
        resource_name: orders
        operations: [read, describe]
      - principal: User:alice
        resource_type: group
        resource_name: orders-
        pattern_type: prefixed
        operations: [read]

- name: The application's ACLs exactly as listed, removing any other ACL of its principals
  kafkaops.cluster.kafka_acl:
    acls:
      - principal: User:billing
        resource_type: topic
        resource_name: billing.
        pattern_type: prefixed
        operations: [read, write, describe]
      - principal: User:billing
        resource_type: cluster
        operations: [idempotent_write]
    purge: true
    purge_principals: [User:billing]
  register: billing_acls

- name: Show what changed
  ansible.builtin.debug:
    var: billing_acls.actions

- name: Remove alice's read access on orders, whatever pattern grants it
  kafkaops.cluster.kafka_acl:
    acls:
      - principal: User:alice
        resource_type: topic
        resource_name: orders
        pattern_type: match
        operations: [read]
    state: absent
"""

RETURN = r"""
acls:
  description:
    - The bindings after the run (predicted in check mode), restricted like the diff - every binding of each
      (principal, resource pattern) pair named in O(acls) and every binding in the purge scope. Sorted.
    - After a batch the brokers refused in part, the bindings as far as they confirmed the writes.
  returned: always
  type: list
  elements: dict
  contains:
    principal:
      description: The principal.
      type: str
      sample: User:alice
    host:
      description: V(*) or an IP address.
      type: str
      sample: "*"
    resource_type:
      description: V(topic), V(group), V(cluster), V(transactional_id), V(delegation_token), or V(unknown).
      type: str
      sample: topic
    resource_name:
      description: The resource name or prefix.
      type: str
      sample: orders
    pattern_type:
      description: V(literal) or V(prefixed).
      type: str
      sample: literal
    operation:
      description: One operation, lower case.
      type: str
      sample: read
    permission:
      description: V(allow) or V(deny).
      type: str
      sample: allow
acls_added:
  description:
    - Bindings created (would be created in check mode), same keys as RV(acls).
    - When the brokers refused part of the batch, the bindings they did create.
  returned: always
  type: list
  elements: dict
  sample:
    - {principal: "User:alice", host: "*", resource_type: topic, resource_name: orders, pattern_type: literal,
       operation: read, permission: allow}
acls_removed:
  description:
    - Bindings deleted (would be deleted in check mode), same keys as RV(acls).
    - When the brokers refused part of the batch, the bindings they did delete.
  returned: always
  type: list
  elements: dict
  sample: []
actions:
  description:
    - What was done (would be done in check mode), one line per binding; empty when nothing changed.
    - When the brokers refuse part of the batch, what was done before and besides the refusal (C(changed) is
      true if that is not empty); the error message names every refused binding and what was not attempted.
      A request that timed out counts as not done (a re-run finds out).
  returned: always
  type: list
  elements: str
  sample: ["add User:alice allow read on topic orders (literal) from host *"]
diff:
  description: Sorted lists of the normalized bindings before and after, under C(acls) (see the diff_mode attribute).
  returned: when diff mode is enabled
  type: dict
  sample:
    before: {acls: []}
    after:
      acls:
        - {principal: "User:alice", host: "*", resource_type: topic, resource_name: orders, pattern_type: literal,
           operation: read, permission: allow}
"""

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl import normalize_entries
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl import normalize_purge_scope
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl_io import create_acls
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl_io import delete_acls
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl_io import read_acls
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl_io import write_failure
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl_plan import action_labels
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl_plan import as_dicts
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl_plan import plan
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl_plan import predict
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl_plan import view
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import poll_until
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import principal_label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import require_cluster_operation


def validate(params):
    """``(wanted bindings, purge scope, errors)`` for the whole request; nothing is contacted."""
    state = params["state"]
    wanted, errors = normalize_entries(params["acls"], state)
    scope, scope_errors = normalize_purge_scope(
        params["purge"], params["purge_principals"], params["purge_resources"], state
    )
    errors += scope_errors
    return wanted, scope, errors


def record(result, added, removed):
    """Put ``added``/``removed`` (planned, or done so far) into ``result``: actions, lists and changed."""
    result.update(
        changed=bool(added or removed),
        actions=action_labels(added, removed),
        acls_added=as_dicts(added),
        acls_removed=as_dicts(removed),
    )


def apply(admin, to_add, to_remove, timeout, done):
    """Create, then delete: replacing a binding never leaves a window without access.

    ``done`` (``{added: [], removed: []}``) holds what the brokers confirmed so far, also when a
    request is refused part-way (a binding ZooKeeper cannot store, a broker error) and this raises.
    A refused creation stops the run before any deletion.
    """
    created, failures = create_acls(admin, to_add, timeout)
    done["added"] = created
    if failures:
        raise write_failure("create", to_add, created, failures, skipped=to_remove)
    deleted, failures = delete_acls(admin, to_remove, timeout)
    done["removed"] = deleted
    if failures:
        raise write_failure("delete", to_remove, deleted, failures)


def ensure(module, admin, cluster, current, wanted, scope, result):
    """Plan from ``current``, record the plan in ``result``, apply it unless in check mode.

    Returns ``(to_add, to_remove)``. In a real run ``result`` then holds what was done: when a
    write fails part-way the failure reports ``changed``, the bindings created/deleted and the
    resulting ``acls``.
    """
    to_add, to_remove, skipped = plan(current, wanted, module.params["state"], scope)
    if skipped:
        module.warn(
            "purge leaves these ACLs alone because the client library cannot delete them exactly: "
            + "; ".join(b.label for b in skipped)
        )
    if to_add or to_remove:
        # Checked in check mode too, so check mode predicts the refusal.
        require_cluster_operation(cluster, "ALTER", "change ACLs", principal_label(module.params))
    record(result, to_add, to_remove)
    if (to_add or to_remove) and not module.check_mode:
        done = dict(added=[], removed=[])
        try:
            apply(admin, to_add, to_remove, module.params["request_timeout"], done)
        except KafkaOpsError:
            result["acls"] = as_dicts(view(predict(current, done["added"], done["removed"]), wanted, scope))
            raise
        finally:
            record(result, done["added"], done["removed"])
    return to_add, to_remove


def confirm(admin, wanted, scope, expected, timeout):
    """Re-read until the brokers report ``expected`` (the view of the predicted bindings)."""
    return poll_until(
        lambda: view(read_acls(admin, timeout), wanted, scope),
        lambda found: found == expected,
        timeout,
        "confirm the ACL changes",
        lambda found: (
            f"expected {len(expected)} binding(s) after the change, the cluster reports {len(found)}: "
            f"missing {[b.label for b in sorted(set(expected) - set(found))]}, "
            f"unexpected {[b.label for b in sorted(set(found) - set(expected))]}"
        ),
    )


def main():
    acl_spec = dict(
        principal=dict(type="str", required=True),
        host=dict(type="str", default="*"),
        resource_type=dict(type="str", required=True),
        resource_name=dict(type="str"),
        pattern_type=dict(type="str", default="literal"),
        operations=dict(type="list", elements="str", required=True),
        permission=dict(type="str", default="allow"),
    )
    resource_spec = dict(
        resource_type=dict(type="str", required=True),
        resource_name=dict(type="str"),
        pattern_type=dict(type="str", default="literal"),
    )
    argument_spec = dict(
        acls=dict(type="list", elements="dict", options=acl_spec, default=[]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        purge=dict(type="bool", default=False),
        purge_principals=dict(type="list", elements="str"),
        purge_resources=dict(type="list", elements="dict", options=resource_spec),
    )
    module = KafkaModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params

    wanted, scope, errors = validate(params)
    if errors:
        module.fail_json(msg=f"Invalid ACL request, nothing was changed: {'; '.join(errors)}")

    result = dict(changed=False, actions=[], acls_added=[], acls_removed=[])
    try:
        admin = module.admin_client()
        cluster = module.describe_cluster(admin, authorized_operations=True)
        require_cluster_operation(cluster, "DESCRIBE", "describe ACLs", principal_label(params))
        current = read_acls(admin, params["request_timeout"])
        to_add, to_remove = ensure(module, admin, cluster, current, wanted, scope, result)
        after = view(predict(current, to_add, to_remove), wanted, scope)
        if result["changed"] and not module.check_mode:
            after = confirm(admin, wanted, scope, after, params["request_timeout"])
    except KafkaOpsError as e:
        module.fail_kafka(e, **result)

    result["acls"] = as_dicts(after)
    if module._diff:
        # Dictionaries, not bare lists: Ansible's --diff output serializes only dictionaries and strings.
        result["diff"] = dict(before=dict(acls=as_dicts(view(current, wanted, scope))), after=dict(acls=result["acls"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
