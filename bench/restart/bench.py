"""Rolling-restart benchmark (issue 7): per-broker time of playbooks/rolling_restart.yml split into
the broker's own stop/start, the URP catch-up and the safety gates' overhead, against the fixed-wait
approach (restart, wait 20 s, poll every 5 s). Needs a running lab: `make demo` first.

    .venv/bin/python bench/restart/bench.py [-i inventories/local]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = re.compile(
    r"broker (\d+) restarted: gate ([\d.]+) s\s+\(waited ([\d.]+) s for the cluster\), stop \+ start\s+([\d.]+) s,"
    r"\s+catch-up ([\d.]+) s"
)
FIXED = re.compile(r"fixed-wait broker (\d+): ([\d.]+) s")


def play(inventory, playbook):
    """Run a playbook, return (seconds, output with line breaks folded)."""
    start = time.monotonic()
    proc = subprocess.run(
        [str(ROOT / ".venv/bin/ansible-playbook"), "-i", inventory, playbook],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.monotonic() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-2000:])
        raise SystemExit(f"{playbook} failed with exit code {proc.returncode}")
    return took, re.sub(r"\s+", " ", proc.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-i", "--inventory", default="inventories/local")
    args = parser.parse_args()

    wall, out = play(args.inventory, "playbooks/rolling_restart.yml")
    ours = [
        dict(broker=int(b), gate=float(g), waited=float(w), restart=float(r), catchup=float(c))
        for b, g, w, r, c in OURS.findall(out)
    ]
    if not ours:
        raise SystemExit("no per-broker timings found in the rolling restart's output")
    fixed_wall, fixed_out = play(args.inventory, str(Path(__file__).parent / "fixed_wait.yml"))
    fixed = {int(b): float(s) for b, s in FIXED.findall(fixed_out)}

    print(f"rolling_restart.yml: {len(ours)} brokers in {wall:.1f} s (playbook wall time)")
    print(f"{'broker':>6} {'gate':>6} {'stop+start':>10} {'catch-up':>9} {'total':>7} {'fixed-wait':>10}")
    for row in ours:
        total = row["gate"] + row["restart"] + row["catchup"]
        print(
            f"{row['broker']:>6} {row['gate']:>6.1f} {row['restart']:>10.1f} {row['catchup']:>9.1f} "
            f"{total:>7.1f} {fixed.get(row['broker'], float('nan')):>10.1f}"
        )
    overhead = statistics.mean(row["gate"] for row in ours)
    ours_mean = statistics.mean(row["gate"] + row["restart"] + row["catchup"] for row in ours)
    fixed_mean = statistics.mean(fixed.values()) if fixed else float("nan")
    worst = max(row["gate"] for row in ours)
    print(f"gate overhead per broker: mean {overhead:.1f} s, max {worst:.1f} s (target <= 5)")
    print(f"per broker: gated {ours_mean:.1f} s vs fixed-wait {fixed_mean:.1f} s -> {fixed_mean / ours_mean:.2f}x")
    print(f"fixed-wait playbook wall time: {fixed_wall:.1f} s")


if __name__ == "__main__":
    main()
