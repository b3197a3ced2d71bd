#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: route53_zone_vpcs
short_description: Associate an existing Route 53 private hosted zone with VPCs
version_added: 0.1.0
description:
  - Makes sure the private hosted zone O(hosted_zone_id) is associated with every VPC of O(vpcs)
    (C(AssociateVPCWithHostedZone)); with O(purge=true) it also removes the associations of VPCs not listed
    (C(DisassociateVPCFromHostedZone)).
  - M(amazon.aws.route53_zone) creates the zone but cannot change the VPCs of an existing one (it matches a zone by
    its exact VPC list and would try to create a second zone of the same name). Peered environments need each other's
    zone, so the collection adds the associations with this module.
  - The module reads the zone once, plans what to add and remove, applies it unless in check mode, and reads the zone
    again for RV(vpcs) and the diff. The input is validated before anything is read (VPC ids, a purge that would leave
    the zone without a VPC).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  hosted_zone_id:
    description:
      - Id of the private hosted zone, with or without the C(/hostedzone/) prefix.
    type: str
    required: true
  vpcs:
    description:
      - The VPCs the zone must be associated with.
    type: list
    elements: dict
    default: []
    suboptions:
      id:
        description: The VPC id, C(vpc-...).
        type: str
        required: true
      region:
        description: The VPC's region.
        type: str
        required: true
  purge:
    description:
      - Also disassociate the VPCs that are not in O(vpcs). A private zone always keeps one VPC, so O(vpcs) may not be
        empty then.
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode.
"""

EXAMPLES = r"""
- name: Let the peer environment's VPC resolve this environment's names
  kafkaops.cluster.route53_zone_vpcs:
    hosted_zone_id: Z0123456789ABCDEFGHIJ
    vpcs:
      - {id: vpc-0aaa, region: eu-central-1}
      - {id: vpc-0bbb, region: eu-central-1}
    purge: true
"""

RETURN = r"""
vpcs:
  description: The zone's VPCs after the run (re-read; in check mode the predicted list), sorted by id.
  returned: always
  type: list
  elements: dict
  sample: [{id: vpc-0aaa, region: eu-central-1}]
added:
  description: The VPCs associated by this run (in check mode, those that would be).
  returned: always
  type: list
  elements: dict
removed:
  description: The VPCs disassociated by this run (in check mode, those that would be).
  returned: always
  type: list
  elements: dict
"""

import re

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

VPC_ID = re.compile(r"^vpc-[0-9a-f]+$")


def normalize(vpcs):
    """Sorted, de-duplicated list of {id, region} dicts."""
    unique = {(v["id"], v["region"]) for v in vpcs}
    return [{"id": i, "region": r} for i, r in sorted(unique)]


def validate(params):
    problems = [f"'{v['id']}' is not a VPC id (vpc-...)" for v in params["vpcs"] if not VPC_ID.match(v["id"])]
    if params["purge"] and not params["vpcs"]:
        problems.append("purge=true with an empty vpcs list would leave the private zone without a VPC")
    return problems


def plan(current, wanted, purge):
    """(add, remove): the associations to create and, with purge, to delete."""
    have = {(v["id"], v["region"]) for v in current}
    want = {(v["id"], v["region"]) for v in wanted}
    add = normalize([{"id": i, "region": r} for i, r in want - have])
    remove = normalize([{"id": i, "region": r} for i, r in have - want]) if purge else []
    return add, remove


def predict(current, add, remove):
    gone = {(v["id"], v["region"]) for v in remove}
    return normalize([v for v in current if (v["id"], v["region"]) not in gone] + add)


def read_zone(client, zone_id):
    """The zone's VPCs, or raises LookupError for a public zone."""
    zone = client.get_hosted_zone(Id=zone_id)
    if not zone["HostedZone"].get("Config", {}).get("PrivateZone"):
        raise LookupError(f"hosted zone {zone_id} is public: only private zones have VPCs")
    return normalize([{"id": v["VPCId"], "region": v["VPCRegion"]} for v in zone.get("VPCs", [])])


def apply(client, zone_id, add, remove):
    done = []
    for vpc in add:
        client.associate_vpc_with_hosted_zone(
            HostedZoneId=zone_id,
            VPC={"VPCId": vpc["id"], "VPCRegion": vpc["region"]},
            Comment="kafkaops.cluster",
        )
        done.append(("associate", vpc))
    for vpc in remove:
        client.disassociate_vpc_from_hosted_zone(
            HostedZoneId=zone_id, VPC={"VPCId": vpc["id"], "VPCRegion": vpc["region"]}
        )
        done.append(("disassociate", vpc))
    return done


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            hosted_zone_id=dict(type="str", required=True),
            vpcs=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(id=dict(type="str", required=True), region=dict(type="str", required=True)),
            ),
            purge=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    problems = validate(module.params)
    if problems:
        module.fail_json(msg="Invalid input, nothing was changed: " + "; ".join(problems))
    zone_id = re.sub(r"^/hostedzone/", "", module.params["hosted_zone_id"])
    wanted = normalize(module.params["vpcs"])
    client = module.client("route53")

    try:
        current = read_zone(client, zone_id)
    except LookupError as e:
        module.fail_json(msg=str(e))
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg=f"Failed to read hosted zone {zone_id}")

    add, remove = plan(current, wanted, module.params["purge"])
    after = predict(current, add, remove)
    if (add or remove) and not module.check_mode:
        done = []
        try:
            done = apply(client, zone_id, add, remove)
            after = read_zone(client, zone_id)
        except (BotoCoreError, ClientError) as e:
            module.fail_json_aws(
                e,
                msg=f"Failed to change the VPCs of hosted zone {zone_id} (done before the failure: {done})",
                changed=bool(done),
                added=[v for action, v in done if action == "associate"],
                removed=[v for action, v in done if action == "disassociate"],
            )
    module.exit_json(
        changed=bool(add or remove),
        vpcs=after,
        added=add,
        removed=remove,
        diff={"before": {"vpcs": current}, "after": {"vpcs": after}},
    )


if __name__ == "__main__":
    main()
