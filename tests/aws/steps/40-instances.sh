# shellcheck shell=bash
# shellcheck disable=SC2034  # PLAY_ENV is read by the play and refuse functions of run.sh
# Sourced by tests/aws/run.sh (uses play, refuse, check, note, $MAIN, $WORK, $ENDPOINT, $BIN, $DOMAIN).
# Issue 14 items 4-7, the instance side of provision_aws, on prod (brokers 0-2 after run.sh's steps):
# - a broker with a foreign volume at its data device is refused before any change (before: "mapping already exists",
#   ok, and Kafka would have used the foreign volume);
# - instances launched before the hardening (IMDSv1 allowed, hop limit 2, no termination protection: set by hand here)
#   get IMDSv2 only, hop limit 1 and termination protection; --check predicts it and changes nothing;
# - connect with a backup bucket and an SSE-KMS key: role kafkaops-prod-connect (EC2 trust, one inline policy: the
#   bucket's prefix and the key) in an instance profile on prod's brokers only, a new broker (3) included;
# - data volumes grow 500 -> 520 GiB with 4000 IOPS / 250 MiB/s in place; the new broker's volume uses the KMS key;
#   a smaller size is refused (moto would shrink one), in the same run as the foreign volume;
# - a second run changes nothing and, as site.yml does, waits for every provisioned host (connection local here: the
#   tests never send traffic off loopback).
PLAY_ENV=prod
read -r KMS_KEY FOREIGN_VOLUME < <("$BIN/python" - "$ENDPOINT" <<'PY'
import sys
import boto3
ec2 = boto3.client("ec2", endpoint_url=sys.argv[1], region_name="eu-central-1")
kms = boto3.client("kms", endpoint_url=sys.argv[1], region_name="eu-central-1")
key = kms.create_key(Description="kafkaops test: backup bucket and data volumes")["KeyMetadata"]["Arn"]
env = [{"Name": "tag:kafkaops:env", "Values": ["prod"]}, {"Name": "instance-state-name", "Values": ["running"]}]
inst = {}
for res in ec2.describe_instances(Filters=env)["Reservations"]:
    for i in res["Instances"]:
        tags = {t["Key"]: t["Value"] for t in i["Tags"]}
        inst[tags.get("kafkaops:fqdn", tags["Name"]).split(".")[0]] = i
# kafka-2's own volume is swapped for an empty one at /dev/sdf.
own = [m["Ebs"]["VolumeId"] for m in inst["kafka-2"]["BlockDeviceMappings"] if m["DeviceName"] == "/dev/sdf"][0]
kafka2 = inst["kafka-2"]["InstanceId"]
ec2.detach_volume(VolumeId=own, InstanceId=kafka2, Device="/dev/sdf")
ec2.create_tags(Resources=[own], Tags=[{"Key": "kafkaops:test-own", "Value": "kafka-2"}])
foreign = ec2.create_volume(AvailabilityZone=inst["kafka-2"]["Placement"]["AvailabilityZone"], Size=10)["VolumeId"]
ec2.attach_volume(VolumeId=foreign, InstanceId=kafka2, Device="/dev/sdf")
print(key, foreign)
PY
)
[[ $KMS_KEY == arn:aws:kms:* && $FOREIGN_VOLUME == vol-* ]] || { echo "FAILED: setting up the foreign volume" >&2; exit 1; }
# Both problems in one run: every input problem is reported at once.
refuse "main with a foreign volume at kafka-2's data device and smaller volumes" "an EBS volume cannot shrink" "$MAIN" \
  -e aws_kafka_data_volume_size_gb=400
grep -q "kafka-2.$DOMAIN (i-[0-9a-f]*) has $FOREIGN_VOLUME at /dev/sdf, not its data volume vol-" "$WORK/step$STEP.log" ||
  { echo "FAILED: the refusal does not name kafka-2 and $FOREIGN_VOLUME" >&2; exit 1; }

# Put kafka-2's own volume back; loosen kafka-0 and zk-1 as instances launched before the hardening were.
"$BIN/python" - "$ENDPOINT" "$FOREIGN_VOLUME" <<'PY'
import sys
import boto3
ec2 = boto3.client("ec2", endpoint_url=sys.argv[1], region_name="eu-central-1")
instance = ec2.describe_volumes(VolumeIds=[sys.argv[2]])["Volumes"][0]["Attachments"][0]["InstanceId"]
ec2.detach_volume(VolumeId=sys.argv[2], InstanceId=instance, Device="/dev/sdf")
ec2.delete_volume(VolumeId=sys.argv[2])
own = ec2.describe_volumes(Filters=[{"Name": "tag:kafkaops:test-own", "Values": ["kafka-2"]}])["Volumes"][0]["VolumeId"]
ec2.delete_tags(Resources=[own], Tags=[{"Key": "kafkaops:test-own"}])
ec2.attach_volume(VolumeId=own, InstanceId=instance, Device="/dev/sdf")
for fqdn in ("kafka-0", "zk-1"):
    filters = [{"Name": "tag:Name", "Values": [f"prod-{fqdn}"]}, {"Name": "instance-state-name", "Values": ["running"]}]
    iid = ec2.describe_instances(Filters=filters)["Reservations"][0]["Instances"][0]["InstanceId"]
    ec2.modify_instance_attribute(InstanceId=iid, DisableApiTermination={"Value": False})
    if fqdn == "kafka-0":
        # All five fields, as AWS keeps them (moto drops the ones a modification does not name).
        ec2.modify_instance_metadata_options(
            InstanceId=iid, HttpTokens="optional", HttpPutResponseHopLimit=2, HttpEndpoint="enabled",
            HttpProtocolIpv6="disabled", InstanceMetadataTags="disabled",
        )
PY
SETTINGS=(-e '{"aws_kafka_services": ["connect"]}' -e aws_connect_s3_bucket=kafkaops-backup
  -e aws_connect_s3_kms_key_arn="$KMS_KEY" -e aws_kafka_data_volume_kms_key_id="$KMS_KEY" -e kafka_broker_count=4
  -e aws_kafka_data_volume_size_gb=520 -e aws_kafka_data_volume_iops=4000 -e aws_kafka_data_volume_throughput=250)
"$BIN/python" tests/aws/check_state.py --endpoint "$ENDPOINT" --env prod --domain "$DOMAIN" --brokers 0,1,2 \
  --save "$WORK/s40a.json" >"$WORK/s40a.out" && { echo "FAILED: loosened instances passed as hardened" >&2; exit 1; }
grep -q "FAIL: IMDSv2 only .*kafka-0.*zk-1" "$WORK/s40a.out" || { cat "$WORK/s40a.out"; exit 1; }
play changed "main --check: harden, instance profile, broker 3, volumes" "$MAIN" --check "${SETTINGS[@]}"
grep -q "would get the instance profile" "$WORK/step$STEP.log" ||
  { echo "FAILED: --check did not predict the instance profile" >&2; exit 1; }
# (check_state --unchanged would fail on the loosened instances: compare the saved state instead.)
"$BIN/python" tests/aws/check_state.py --endpoint "$ENDPOINT" --env prod --domain "$DOMAIN" --brokers 0,1,2 \
  --save "$WORK/s40b.json" >/dev/null || true
cmp -s <("$BIN/python" -m json.tool --sort-keys "$WORK/s40a.json") <("$BIN/python" -m json.tool --sort-keys "$WORK/s40b.json") ||
  { diff "$WORK/s40a.json" "$WORK/s40b.json"; echo "FAILED: --check changed something" >&2; exit 1; }
note "--check predicted the hardening, the profile, broker 3 and the volume changes; nothing changed"
play changed "main: harden, instance profile, broker 3, volumes 520 GiB / 4000 IOPS / 250 MiB/s" "$MAIN" "${SETTINGS[@]}"
PROFILE=(--services connect --connect-profile kafkaops-prod-connect --s3-bucket kafkaops-backup --s3-prefix prod/
  --s3-kms-key "$KMS_KEY" --volume-size 520 --volume-iops 4000 --volume-throughput 250 --volume-kms-key "$KMS_KEY"
  --kms-brokers 3)
check "state after the instance settings" --brokers 0,1,2,3 --save "$WORK/s40c.json" "${PROFILE[@]}"
play 0 "main again, waiting for every host as site.yml does" "$MAIN" "${SETTINGS[@]}" -e provision_wait_for_hosts=true \
  -e ansible_connection=local -e ansible_python_interpreter="$BIN/python" -e provision_wait_timeout=30
[[ $(sed -n '/TASK \[Wait until the host answers over SSH\]/,/PLAY RECAP/p' "$WORK/step$STEP.log" | grep -c '^ok:') == 7 ]] ||
  { echo "FAILED: did not wait for the 7 hosts" >&2; exit 1; }
check "state after the second run" --brokers 0,1,2,3 --save "$WORK/s40d.json" \
  --previous "$WORK/s40c.json" --unchanged "${PROFILE[@]}"
