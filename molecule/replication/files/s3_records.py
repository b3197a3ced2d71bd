"""Print what an S3 backup holds under a prefix, as JSON: objects, records and the sorted
distinct values (base64-decoded) of every JSON line of every object.

    s3_records.py ENDPOINT BUCKET PREFIX      (credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)

Test helper of the molecule replication scenario; reads moto's S3 only.
"""

import base64
import gzip
import json
import sys

import boto3


def main():
    endpoint, bucket, prefix = sys.argv[1:4]
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    objects = records = 0
    values = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            objects += 1
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            if item["Key"].endswith(".gz"):
                body = gzip.decompress(body)
            for line in body.decode("utf-8").splitlines():
                if line.strip():
                    records += 1
                    values.append(base64.b64decode(json.loads(line)["value"]).decode("utf-8"))
    distinct = sorted(set(values), key=lambda v: (len(v), v))
    print(json.dumps({"objects": objects, "records": records, "distinct": len(distinct), "values": distinct}))


if __name__ == "__main__":
    main()
