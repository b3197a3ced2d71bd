#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: aws_environment_info
short_description: Read what belongs to one kafkaops AWS environment
version_added: 0.1.0
description:
  - Reads, in one pass, every resource that C(playbooks/environment.yml) and the C(provision_aws) role create for the
    environment O(env), and nothing of any other environment. This is the collection's one definition of ownership,
    used by the C(aws_environment) role (what exists already) and by C(playbooks/aws_destroy.yml) (what to remove).
  - Inside the environment's VPC (the one VPC tagged C(kafkaops:env=<env>) and C(kafkaops:role=vpc)) a resource belongs
    to the environment when it is in B(that VPC id) B(and) tagged C(kafkaops:env=<env>); both are checked on every
    result, whatever the API's filters did. Outside the VPC (Elastic IPs, key pairs, IAM roles, volumes, snapshots) the
    tag decides; the private zone must be named O(domain), be private, be tagged C(kafkaops:env=<env>) and, while the
    VPC exists, be associated with it. VPC peerings of the VPC count when their C(kafkaops:peering) tag names O(env).
  - Fails, reading nothing more, when more than one VPC is tagged as the environment's (or a peer's).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  env:
    description: The environment, value of the C(kafkaops:env) tag.
    type: str
    required: true
  domain:
    description: Name of the environment's private hosted zone. Without it no zone is read.
    type: str
  peer_environments:
    description: Environments whose VPC (id, CIDR, private subnet CIDRs) is returned in RV(peers) when it exists.
    type: list
    elements: str
    default: []
  records:
    description: Also read the record sets of the zone.
    type: bool
    default: false
  iam:
    description: Also read the IAM roles tagged C(kafkaops:env=<env>) (lists every role of the account).
    type: bool
    default: false
  data:
    description: Also read the data volumes (C(kafkaops:role=kafka-data)) and final snapshots
      (C(kafkaops:role=kafka-data-final-snapshot)).
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Read-only; supports check mode.
"""

EXAMPLES = r"""
- name: What environment repl has
  kafkaops.cluster.aws_environment_info:
    env: repl
    domain: repl.kafka.internal
    records: true
    iam: true
    data: true
  register: repl
"""

RETURN = r"""
vpc:
  description: The environment's VPC (C(id), C(cidr), C(tags)), or null.
  returned: always
  type: dict
subnets:
  description: Subnets (C(id), C(cidr), C(az), C(name), C(role), C(map_public), C(tags)), sorted by CIDR.
  returned: always
  type: list
  elements: dict
route_tables:
  description: Route tables other than the VPC's main one (C(id), C(name), C(role), C(subnet_ids), C(routes), C(tags)).
  returned: always
  type: list
  elements: dict
internet_gateways:
  description: Internet gateways attached to the VPC (C(id), C(tags)).
  returned: always
  type: list
  elements: dict
nat_gateways:
  description: Pending or available NAT gateways (C(id), C(name), C(subnet_id), C(state), C(allocation_ids),
    C(network_interface_ids), C(tags)).
  returned: always
  type: list
  elements: dict
vpc_endpoints:
  description: Pending or available VPC endpoints (C(id), C(service), C(route_table_ids), C(tags)).
  returned: always
  type: list
  elements: dict
security_groups:
  description: Security groups but the VPC's default one (C(id), C(name), C(description), C(rule_count), C(tags)).
  returned: always
  type: list
  elements: dict
instances:
  description: Instances not terminated (C(id), C(name), C(role), C(cluster), C(fqdn), C(state), C(subnet_id),
    C(instance_type), C(key_name), C(security_group_ids), C(metadata) (C(http_endpoint), C(http_tokens),
    C(http_put_response_hop_limit)), C(termination_protection), C(tags)).
  returned: always
  type: list
  elements: dict
peerings:
  description: VPC peerings of the VPC being requested, provisioned or active (C(id), C(status), C(requester_vpc_id),
    C(accepter_vpc_id), C(tags)).
  returned: always
  type: list
  elements: dict
elastic_ips:
  description: Elastic IPs (C(allocation_id), C(public_ip), C(name), C(association_id), C(network_interface_id),
    C(instance_id), C(tags)).
  returned: always
  type: list
  elements: dict
zone:
  description: The private zone (C(id), C(name), C(vpcs), C(tags), with O(records) C(records)), or null.
  returned: always
  type: dict
key_pairs:
  description: Key pairs (C(name), C(id), C(tags)).
  returned: always
  type: list
  elements: dict
iam_roles:
  description: With O(iam), the IAM roles (C(name), C(instance_profiles), C(tags)).
  returned: always
  type: list
  elements: dict
volumes:
  description: With O(data), the data volumes of brokers and KRaft controllers (C(id), C(size), C(az), C(state),
    C(fqdn), C(tags)).
  returned: always
  type: list
  elements: dict
snapshots:
  description: With O(data), the final snapshots (C(id), C(volume_id), C(description), C(tags)).
  returned: always
  type: list
  elements: dict
s3_prefix_list_id:
  description: The region's S3 prefix list (the S3 gateway endpoint's destination), or an empty string.
  returned: always
  type: str
peers:
  description: For each environment of O(peer_environments) that has a VPC, C(vpc_id), C(cidr) and
    C(private_subnet_cidrs).
  returned: always
  type: dict
"""

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.kafkaops.cluster.plugins.module_utils.aws_environment import OwnershipError
from ansible_collections.kafkaops.cluster.plugins.module_utils.aws_environment import read_environment


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            env=dict(type="str", required=True),
            domain=dict(type="str"),
            peer_environments=dict(type="list", elements="str", default=[]),
            records=dict(type="bool", default=False),
            iam=dict(type="bool", default=False),
            data=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    try:
        result = read_environment(module, module.params)
    except OwnershipError as e:
        module.fail_json(msg=f"Nothing was changed: {e}")
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg=f"Failed to read environment {module.params['env']}")
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
