#!/usr/bin/env bash
# The collection's Prometheus alert rules, tested with promtool (Debian's prometheus package; installed when missing):
# roles/monitoring's rules task installs them into a temporary directory with the role's defaults (its template task
# validates them with `promtool check rules`), then `promtool test rules` runs tests/prometheus/*.test.yml (every
# alert firing and not firing, labels and annotations compared). make test runs it (make alert-tests).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-$PWD/.venv/bin}
command -v promtool >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}
WORK=$(mktemp -d /tmp/kafkaops-prometheus-tests.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ANSIBLE_CONFIG=$PWD/ansible.cfg "$BIN/ansible" localhost -c local -o -e "monitoring_rules_dir=$WORK" \
  -e "ansible_python_interpreter=$BIN/python" -m ansible.builtin.include_role \
  -a "name=kafkaops.cluster.monitoring tasks_from=rules" >"$WORK/render.log" 2>&1 ||
  { cat "$WORK/render.log"; echo "prometheus tests: installing the rules failed" >&2; exit 1; }
promtool check rules "$WORK/kafkaops-alerts.yml"
for test in tests/prometheus/*.test.yml; do
  sed "s|@RULES@|$WORK/kafkaops-alerts.yml|" "$test" >"$WORK/$(basename "$test")"
  echo "promtool test rules $test"
  promtool test rules "$WORK/$(basename "$test")"
done
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
