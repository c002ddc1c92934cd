#!/usr/bin/env python3
"""Context switches of ours' processes, per thread and by cause (used by bench/switches).

  switches-report.py snap OUT.json PID...            every thread's switches and CPU ticks, now
  switches-report.py threads A.json B.json REQUESTS LABEL=PID...
                                                     the difference per thread name, per request
  switches-report.py stacks SCRIPT.txt LABEL=PID...
                                                     `perf script` of sched:sched_switch with call
                                                     graphs: each cause's share of the switches (the
                                                     rate drops under perf, so not per request): the
                                                     thread name, the state it left (S: went to sleep,
                                                     R: still runnable, i.e. preempted or yielded),
                                                     the libc call it was in, and the named frames
                                                     above it
"""
import collections
import json
import os
import re
import sys


def snap(pids):
    out = {}
    for pid in pids:
        threads = {}
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                name = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
                status = dict(
                    line.split(":", 1) for line in open(f"/proc/{pid}/task/{tid}/status").read().splitlines() if ":" in line
                )
                fields = open(f"/proc/{pid}/task/{tid}/stat").read().rsplit(")", 1)[1].split()
                threads[tid] = [name, int(status["voluntary_ctxt_switches"]), int(status["nonvoluntary_ctxt_switches"]),
                                int(fields[11]) + int(fields[12])]
            except (OSError, KeyError):
                pass  # the thread ended while we read it
        out[pid] = threads
    return out


def labels(args):
    return [(arg.split("=", 1)[0], arg.split("=", 1)[1]) for arg in args]


def threads(before, after, requests, named):
    a, b = json.load(open(before)), json.load(open(after))
    for label, pid in named:
        by_name = collections.defaultdict(lambda: [0, 0, 0, 0])
        for tid, (name, vol, invol, ticks) in b.get(pid, {}).items():
            _, vol0, invol0, ticks0 = a.get(pid, {}).get(tid, [name, 0, 0, 0])
            row = by_name[name]
            row[0] += 1
            row[1] += vol - vol0
            row[2] += invol - invol0
            row[3] += ticks - ticks0
        vol = sum(r[1] for r in by_name.values())
        invol = sum(r[2] for r in by_name.values())
        print(f"\n{label}: {(vol + invol) / requests:.1f} switches per request "
              f"({vol / requests:.1f} voluntary, {invol / requests:.1f} involuntary)")
        print(f"  {'thread':<18} {'threads':>7} {'vol/req':>8} {'invol/req':>9} {'CPU ticks':>9}")
        for name, (count, v, n, t) in sorted(by_name.items(), key=lambda kv: -(kv[1][1] + kv[1][2])):
            if v + n or t:
                print(f"  {name:<18} {count:>7} {v / requests:>8.2f} {n / requests:>9.2f} {t:>9}")


WAKE_FRAMES = ("LowLevelLifoSemaphore::", "MaybeAddWorkingWorker")


def frame_name(line):
    """A frame's method as Type::Method, or None for an unnamed one (native code without symbols)."""
    text = line.strip().split(" ", 1)[1] if " " in line.strip() else line.strip()
    if "[unknown]" in text:
        return None
    text = re.sub(r" \([^()]*\)$", "", text)  # the shared object
    text = re.sub(r"\[[^\]]*\]", "", text)  # [Assembly] and [OptimizedTier1]
    text = re.sub(r"\(.*", "", text)  # the signature's parameters
    text = text.strip()
    if " " in text:  # the return type, and any instance/valuetype/class before it
        text = re.sub(r"^(instance |valuetype |class )*\S+ ", "", text)
    text = text.split("> ")[-1].strip()  # the rest of a generic return type
    return text.split("+0x")[0][:90]


def stacks(script, named, top=10):
    by_pid = {pid: label for label, pid in named}
    causes = collections.defaultdict(collections.Counter)
    for block in open(script).read().split("\n\n"):
        lines = block.strip().splitlines()
        if len(lines) < 2 or "prev_pid=" not in lines[0]:
            continue
        header = lines[0]
        found = re.search(r" (\d+)/\d+ ", header.split(" prev_comm=")[0])  # `perf script -F comm,pid,tid,...`: comm PID/TID
        pid = found.group(1) if found else None
        if pid not in by_pid:
            continue
        thread = header.split(" prev_comm=")[1].split(" prev_pid=")[0][:16]
        state = "R" if "prev_state=R" in header else "S"
        user = [l for l in lines[1:] if "kernel.kallsyms" not in l]
        call = (frame_name(user[0]) or "?") if user else "(kernel)"
        named_frames = [n for n in (frame_name(l) for l in user[1:]) if n]
        if any(w in n for n in named_frames for w in WAKE_FRAMES):  # the runtime waking a pool worker
            call += " (waking a pool worker)"
            named_frames = [n for n in named_frames if not any(w in n for w in WAKE_FRAMES)]
        above = named_frames[:3]
        causes[pid][(thread, state, call, " <- ".join(above))] += 1
    for pid, counter in causes.items():
        total = sum(counter.values())
        print(f"\n{by_pid[pid]}: {total} switches; the top {top} causes, share of them")
        for (thread, state, call, above), count in counter.most_common(top):
            print(f"  {100 * count / total:4.1f} %  {thread} {state} in {call}" + (f"\n          <- {above}" if above else ""))


def main(argv):
    if len(argv) >= 3 and argv[1] == "snap":
        json.dump(snap(argv[3:]), open(argv[2], "w"))
    elif len(argv) >= 6 and argv[1] == "threads":
        threads(argv[2], argv[3], float(argv[4]), labels(argv[5:]))
    elif len(argv) >= 4 and argv[1] == "stacks":
        stacks(argv[2], labels(argv[3:]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
