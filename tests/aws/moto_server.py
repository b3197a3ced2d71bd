"""moto_server with two fixes that make it answer like AWS for amazon.aws.

1. AWS's DescribeVolumes always returns SnapshotId (an empty string for a volume not created from a snapshot);
   moto 5.2 leaves the field out, and amazon.aws.ec2_vol_info then fails with KeyError 'snapshot_id'.
2. Route53 refuses a CREATE only when a record set of that name and type exists. moto 5.2 refuses a CREATE
   identical to an earlier one in the zone's change journal whenever any record set sorts at or after that name
   (a record deleted and created again: a broker retired, then added back), and it accepts a CREATE of an existing
   record set (a duplicate). amazon.aws.route53 takes the wrong refusal ("but it already exists") as "nothing to
   do": the broker's A record stayed missing. Here a CREATE is refused exactly when AWS refuses it.
3. Not a fix but AWS as an account with Local Zones enabled sees it: eu-central-1 also lists the Local Zone
   eu-central-1-ham-1a (zone type local-zone), which sorts before eu-central-1a. Choosing zones by name alone would
   put a private subnet (and brokers) in Hamburg's Local Zone.
Usage: python tests/aws/moto_server.py -H 127.0.0.1 -p PORT (the arguments of moto_server).
"""

import sys

from moto.ec2.models import elastic_block_store
from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend
from moto.ec2.models.availability_zones_and_regions import Zone
from moto.route53 import models as route53_models
from moto.route53.exceptions import ResourceRecordAlreadyExists
from moto.server import main

_volume_init = elastic_block_store.Volume.__init__


def _volume_init_like_aws(self, *args, **kwargs):
    _volume_init(self, *args, **kwargs)
    if self.snapshot_id is None:
        self.snapshot_id = ""


elastic_block_store.Volume.__init__ = _volume_init_like_aws

_change_rrsets = route53_models.Route53Backend.change_resource_record_sets


def _change_rrsets_like_aws(self, zoneid, change_list):
    zone = self.get_hosted_zone(zoneid)
    for change in change_list:
        if change.get("Action") != "CREATE":
            continue
        wanted = change["ResourceRecordSet"]
        name = wanted["Name"].rstrip(".") + "."
        for rrset in zone.rrsets:
            if (rrset.name.rstrip(".") + ".", rrset.type, rrset.set_identifier) == (
                name,
                wanted.get("Type"),
                wanted.get("SetIdentifier"),
            ):
                raise ResourceRecordAlreadyExists(name=name, _type=wanted.get("Type"))
        # Does not exist: AWS creates it; moto's UPSERT does exactly that without the journal check.
        change["Action"] = "UPSERT"
    return _change_rrsets(self, zoneid, change_list)


route53_models.Route53Backend.change_resource_record_sets = _change_rrsets_like_aws

RegionsAndZonesBackend.zones["eu-central-1"].append(
    Zone(region_name="eu-central-1", name="eu-central-1-ham-1a", zone_id="euc1-ham1-az1", zone_type="local-zone")
)

if __name__ == "__main__":
    sys.exit(main())
