"""Reads what bench/jit-tail left in its directory and prints what the JIT compiled in fan-out's quiet window
and first step, per process: methods per second, by tier, by namespace, and our types.

    python3 bench/jit-tail-report.py /tmp/siod-jit.XXXXXX 3
"""
import collections
import re
import sys

PROCESSES = ["distributor1", "distributor2", "backend"]
LINE = re.compile(r"^\s*\d+: JIT compiled (?P<type>[^:(]+?):(?P<method>[^(]+)\(.*\[(?P<tier>[^,\]]+)")


def window_marks(load_log, step):
    """The quiet window ends when the generator prints its line; the step ends with the step's line.
    Returns the three times and those two lines."""
    quiet_end = step_end = None
    lines = []
    for row in open(load_log, encoding="utf-8"):
        stamp, _, text = row.partition(" ")
        if "nothing sent" in text and quiet_end is None:
            quiet_end = float(stamp)
            lines.append(text.strip())
        elif quiet_end is not None and "deliveries/s" in text and step_end is None:
            step_end = float(stamp)
            lines.append(text.strip())
    if quiet_end is None or step_end is None:
        sys.exit(f"{load_log}: no quiet-window or step line; the load did not get that far")
    return quiet_end - step, quiet_end, step_end, lines


def count_at(samples, when, column):
    """The process's method count at the last sample taken at or before the given time."""
    best = 0
    for row in samples:
        if row[0] <= when:
            best = row[column]
    return best


def outer_type(type_name):
    """The type's name without its generic arguments and without a nested type's part."""
    return re.sub(r"[\[`+].*", "", type_name)


def namespace(type_name):
    parts = outer_type(type_name).split(".")
    return ".".join(parts[:3] if parts[0] == "System" else parts[:2])


def census(lines):
    tiers, spaces, ours = collections.Counter(), collections.Counter(), collections.Counter()
    for line in lines:
        match = LINE.match(line)
        if not match:
            continue
        type_name = match["type"]
        tiers[match["tier"].strip()] += 1
        spaces[namespace(type_name)] += 1
        if type_name.startswith("SocketIO."):
            ours[outer_type(type_name).rsplit(".", 1)[-1]] += 1
    return tiers, spaces, ours


def main():
    work, step = sys.argv[1], float(sys.argv[2])
    quiet_start, quiet_end, step_end, generator_lines = window_marks(f"{work}/load.log", step)
    samples = [[float(v) for v in row.split()] for row in open(f"{work}/counts.txt", encoding="utf-8") if row.strip()]
    start = samples[0][0]
    print(f"\nquiet window {quiet_start - start:.1f}–{quiet_end - start:.1f} s after start, "
          f"the 20/s step until {step_end - start:.1f} s; the generator:")
    for text in generator_lines:
        print(f"  {text}")
    print()
    print("| process | methods compiled at start of quiet | in the quiet window (per s) | in the step (per s) |")
    print("| --- | --- | --- | --- |")
    quiet_span = quiet_end - quiet_start
    step_span = step_end - quiet_end
    windows = {}
    for column, process in enumerate(PROCESSES, start=1):
        before = count_at(samples, quiet_start, column)
        at_quiet_end = count_at(samples, quiet_end, column)
        after = count_at(samples, step_end, column)
        print(f"| {process} | {before:.0f} | {at_quiet_end - before:.0f} ({(at_quiet_end - before) / quiet_span:.0f}) "
              f"| {after - at_quiet_end:.0f} ({(after - at_quiet_end) / step_span:.0f}) |")
        with open(f"{work}/jit-{process}.txt", encoding="utf-8", errors="replace") as listing:
            windows[process] = listing.readlines()[int(before):int(after)]
    for process, lines in windows.items():
        tiers, spaces, ours = census(lines)
        print(f"\n{process}, the quiet window and the step ({sum(tiers.values())} methods)")
        print("  by tier:      " + ", ".join(f"{k} {v}" for k, v in tiers.most_common()))
        print("  by namespace: " + ", ".join(f"{k} {v}" for k, v in spaces.most_common(10)))
        print("  our types:    " + (", ".join(f"{k} {v}" for k, v in ours.most_common(10)) or "none"))


if __name__ == "__main__":
    main()
