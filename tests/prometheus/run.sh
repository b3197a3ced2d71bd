#!/usr/bin/env bash
# The collection's Prometheus alert rules, tested with promtool (Debian's prometheus package; installed when missing):
# roles/monitoring's templates render them into a temporary directory with the role's defaults (render.yml, validated
# with `promtool check rules` as the role does), then `promtool test rules` runs tests/prometheus/*.test.yml (every
# alert firing and not firing, labels and annotations compared); the scrape configuration the role renders for a
# two-cluster inventory (inventory.yml) is checked by `promtool check config` and by its targets. make test runs it
# (make alert-tests).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-$PWD/.venv/bin}
command -v promtool >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}
WORK=$(mktemp -d /tmp/kafkaops-prometheus-tests.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# The rules and the scrape configuration of a two-cluster inventory (tests/prometheus/inventory.yml), rendered from
# roles/monitoring's templates with its defaults and vars.
ANSIBLE_CONFIG=$PWD/ansible.cfg "$BIN/ansible-playbook" -i tests/prometheus/inventory.yml tests/prometheus/render.yml \
  -e "render_dir=$WORK" -e "ansible_python_interpreter=$BIN/python" >"$WORK/render.log" 2>&1 ||
  { cat "$WORK/render.log"; echo "prometheus tests: rendering the rules and prometheus.yml failed" >&2; exit 1; }
promtool check rules "$WORK/kafkaops-alerts.yml"
for test in tests/prometheus/*.test.yml; do
  sed "s|@RULES@|$WORK/kafkaops-alerts.yml|" "$test" >"$WORK/$(basename "$test")"
  echo "promtool test rules $test"
  promtool test rules "$WORK/$(basename "$test")"
done
"$BIN/python" - "$WORK/prometheus.yml" <<'PY'
import sys
import yaml

got = {}
for job in yaml.safe_load(open(sys.argv[1]))["scrape_configs"]:
    for static in job["static_configs"]:
        got.setdefault(job["job_name"], {})[static.get("labels", {}).get("cluster", "-")] = sorted(static["targets"])
want = {
    "prometheus": {"-": ["127.0.0.1:9090"]},
    "kafka_broker": {"prod": ["prod-kafka-0.lab:9404", "prod-kafka-1.lab:9404"],
                     "repl": ["repl-kafka-0.lab:19404", "repl-kafka-1.lab:9404"]},
    # prod's controller is idle (ZooKeeper mode, no migration): not scraped.
    "kafka_controller": {"repl": ["repl-controller-0.lab:9405"]},
    "kafka_connect": {"prod": ["prod-kafka-0.lab:9406", "prod-kafka-1.lab:9406"]},
    "mirrormaker": {"repl": ["repl-kafka-0.lab:9407", "repl-kafka-1.lab:9407"]},
    "zookeeper": {"prod": ["prod-zk-0.lab:9408"]},
    "node": {"prod": ["prod-controller-0.lab:9100", "prod-kafka-0.lab:9100", "prod-kafka-1.lab:9100", "prod-zk-0.lab:9100"],
             "repl": ["repl-controller-0.lab:9100", "repl-kafka-0.lab:9100", "repl-kafka-1.lab:9100"]},
    "tls": {"prod": ["prod-kafka-0.lab:9095", "prod-kafka-1.lab:9095"], "repl": ["repl-kafka-0.lab:9095", "repl-kafka-1.lab:9095"]},
}
if got != want:
    sys.exit(f"prometheus tests: scrape targets of the two-cluster inventory differ:\n got  {got}\n want {want}")
print("prometheus tests: scrape configuration of two clusters as expected (promtool check config passed)")
PY
"$BIN/python" - "$WORK/kafkaops-alerts.yml" tests/prometheus/*.test.yml <<'PY'
import sys
import yaml

alerts = [r["alert"] for g in yaml.safe_load(open(sys.argv[1]))["groups"] for r in g["rules"] if "alert" in r]
cases = {}
for path in sys.argv[2:]:
    for test in yaml.safe_load(open(path))["tests"]:
        for case in test.get("alert_rule_test", []):
            cases.setdefault(case["alertname"], set()).add(bool(case.get("exp_alerts")))
missing = [f"{a} ({'firing' if want else 'not firing'})" for a in alerts for want in (True, False)
           if want not in cases.get(a, ())]
unknown = sorted(set(cases) - set(alerts))
if missing or unknown:
    sys.exit(f"prometheus tests: untested cases: {missing}; tests of no alert: {unknown}")
print(f"prometheus tests: {len(alerts)} alerts, each tested firing and not firing")
PY
