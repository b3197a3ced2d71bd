"""moto_server with one fix that makes it answer like AWS for amazon.aws.

AWS's DescribeVolumes always returns SnapshotId (an empty string for a volume not created from a snapshot);
moto 5.2 leaves the field out, and amazon.aws.ec2_vol_info then fails with KeyError 'snapshot_id'.
Usage: python tests/aws/moto_server.py -H 127.0.0.1 -p PORT (the arguments of moto_server).
"""

import sys

from moto.ec2.models import elastic_block_store
from moto.server import main

_volume_init = elastic_block_store.Volume.__init__


def _volume_init_like_aws(self, *args, **kwargs):
    _volume_init(self, *args, **kwargs)
    if self.snapshot_id is None:
        self.snapshot_id = ""


elastic_block_store.Volume.__init__ = _volume_init_like_aws

if __name__ == "__main__":
    sys.exit(main())
