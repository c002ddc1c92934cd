#!/usr/bin/env python3
"""The table of a bench/ab run: per scenario and generator, A's and B's medians (and every run, by pair),
B / A, and the host canary of each run (ns per round; higher is a slower host).

usage: ab-report.py ab.jsonl ["the B environment" | "this tree (…) against COMMIT"]
"""
import json
import statistics
import sys

FIGURES = [
    ("server_cpu_us_per_req", "server CPU µs/request"),
    ("server_cpu_us_per_delivery", "server CPU µs/delivery"),
    ("first_server_cpu_us_per_delivery", "server CPU µs/delivery, first step"),
    ("first_quiet_us_per_delivery", "… of which time-based (the quiet window)"),
    ("first_rest_us_per_delivery", "… the rest, per delivery"),
    ("server_kernel_us_per_req", "… kernel µs/request"),
    ("ctx_switches_per_req", "context switches/request"),
    ("requests_per_s", "req/s"),
    ("deliveries_per_s", "deliveries/s (knee)"),
    ("p50_ms", "p50 ms"),
    ("p99_ms", "p99 ms"),
    ("rss_bytes_per_conn", "RSS bytes/connection"),
    ("max_process_core_percent", "busiest process, % of a core"),
    ("loadgen_loop_busy", "generator's loop busy"),
]


def fmt(value):
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def canary_of(canary, arm, pair, generator, scenario, variant):
    """The canary beside a row: bench/run tags it with its own scenario name, which for fan-out's many-client
    shape is "fanout-many" where the rows say scenario "fanout", variant "many-…"."""
    for name in (scenario, f"{scenario}-{variant.split('-')[0]}"):
        if (arm, pair, generator, name) in canary:
            return canary[(arm, pair, generator, name)]
    return None


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    b_env = sys.argv[2] if len(sys.argv) > 2 else "?"
    canary = {}
    for row in rows:
        if row.get("scenario") == "canary":
            canary[(row["ab"], row["pair"], row["generator"], row["variant"])] = row["values"]["canary_ns"]
    keys = []
    for row in rows:
        key = (row["scenario"], row["variant"], row["generator"])
        if row.get("scenario") != "canary" and key not in keys:
            keys.append(key)
    if " against " in b_env:
        print(f"## A/B: B = ours in {b_env} (A)\n")
    else:
        print(f"## A/B: B = ours with `{b_env}`; A = ours as it is\n")
    print("Median of each arm (every run in brackets, by pair); B ÷ A of the medians.\n")
    for scenario, variant, generator in keys:
        print(f"### {' '.join(filter(None, (scenario, variant)))} ({generator} generator)\n")
        print("| figure | A | B | B ÷ A |")
        print("| --- | --- | --- | --- |")
        arms = {}
        for arm in "AB":
            arms[arm] = sorted((r for r in rows if r.get("ab") == arm and r["scenario"] == scenario
                                and r["variant"] == variant and r["generator"] == generator), key=lambda r: r["pair"])
        for name, label in FIGURES:
            cells, medians = [], []
            for arm in "AB":
                values = [r["values"][name] for r in arms[arm] if name in r["values"]]
                if not values:
                    break
                median = statistics.median(values)
                medians.append(median)
                cells.append(f"{fmt(median)} ({', '.join(fmt(v) for v in values)})")
            if len(medians) < 2:
                continue
            ratio = f"{medians[1] / medians[0]:.2f}" if medians[0] else "–"
            print(f"| {label} | {cells[0]} | {cells[1]} | {ratio} |")
        line = []
        for arm in "AB":
            values = [canary_of(canary, arm, r["pair"], generator, scenario, variant) for r in arms[arm]]
            line.append(f"{arm} " + ", ".join("–" if v is None else f"{v:.3f}" for v in values))
        print(f"| host canary, ns per round | {line[0][2:]} | {line[1][2:]} | |\n")


if __name__ == "__main__":
    main()
