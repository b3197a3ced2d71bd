# shellcheck shell=bash
# shellcheck disable=SC2034  # PLAY_ENV is read by the play and refuse functions of run.sh
# Sourced by tests/aws/run.sh after 30-isolation.sh (which made environment repl). Issue 14 item 8: prod and repl list
# each other in aws_peer_environments (group_vars/all/10-environments.yml). repl's first run created and accepted the
# peering and did its side; prod's run now does prod's side (routes, 9095 from repl's private subnets, prod's zone
# associated with repl's VPC), then repl's second run changes nothing. The aws_ec2 inventory makes the groups connect
# (prod's brokers) and mirrormaker (repl's) from the kafkaops:services tag.
env_check() { "$BIN/python" tests/aws/check_env.py --endpoint "$ENDPOINT" "$@"; }
REPL_DOMAIN=$(domain_of repl)

PLAY_ENV=prod
play changed "environment.yml prod: its side of the peering with repl" playbooks/environment.yml
PLAY_ENV=repl
play 0 "environment.yml repl (second run, peered)" playbooks/environment.yml
PLAY_ENV=prod
for pair in "prod $DOMAIN repl" "repl $REPL_DOMAIN prod"; do
  read -r e d p <<<"$pair"
  out=$(env_check --env "$e" --domain "$d" --peer "$p") || { echo "$out"; echo "FAILED: $e peered with $p" >&2; exit 1; }
  note "$e peered with $p: $(grep -c "^ok: peer" <<<"$out") peering checks (active peering, routes, zone association, 9095 only) -- $(tail -1 <<<"$out")"
done

"$BIN/ansible-inventory" -i "$INV" --list >"$WORK/inventory3.json" 2>/dev/null
out=$("$BIN/python" - "$WORK/inventory3.json" <<'PY'
import json, sys
def plain(v):
    if isinstance(v, dict):
        return v["__ansible_unsafe"] if set(v) == {"__ansible_unsafe"} else {k: plain(x) for k, x in v.items()}
    return [plain(x) for x in v] if isinstance(v, list) else v
inv = plain(json.load(open(sys.argv[1])))
groups = {g: sorted(inv.get(g, {}).get("hosts", [])) for g in ("connect", "mirrormaker", "prod_kafka", "repl_kafka")}
assert groups["connect"] == groups["prod_kafka"] and groups["connect"], groups
assert groups["mirrormaker"] == groups["repl_kafka"] and groups["mirrormaker"], groups
print(f"groups connect = prod_kafka ({len(groups['connect'])}), mirrormaker = repl_kafka ({len(groups['mirrormaker'])})")
PY
) || { echo "$out"; echo "FAILED: connect / mirrormaker groups" >&2; exit 1; }
note "aws_ec2 inventory: $out"
