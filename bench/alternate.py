#!/usr/bin/python3
"""alternate.py - whole-process timing of commands run in alternation.

    /usr/bin/python3 bench/alternate.py ROUNDS CMD_A... -- CMD_B... [-- CMD_C...]

Runs each command once (warm-up), then ROUNDS rounds in which every command runs once, in the
order given, its output sent to /dev/null, so that load coming and going on a shared machine
hits all of them alike. Prints, per command, the median and minimum wall time and CPU time
(user + system, from the children's rusage) in ms. docs/performance.md quotes it as `alt.py`
(its name before it was kept here).
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    cmds, cur = [], []
    for a in sys.argv[2:]:
        if a == "--":
            cmds.append(cur)
            cur = []
        else:
            cur.append(a)
    cmds.append(cur)
    wall = [[] for _ in cmds]
    cpu = [[] for _ in cmds]
    with open(os.devnull, "w") as dn:
        for c in cmds:
            subprocess.run(c, stdout=dn, stderr=dn, check=False)
        for _ in range(rounds):
            for i, c in enumerate(cmds):
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                subprocess.run(c, stdout=dn, stderr=dn, check=False)
                t1 = time.perf_counter()
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                wall[i].append((t1 - t0) * 1e3)
                cpu[i].append(((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)) * 1e3)
    for c, w, u in zip(cmds, wall, cpu):
        print("%-70s wall med %7.2f min %7.2f | cpu med %7.2f min %7.2f"
              % (" ".join(c)[-70:], statistics.median(w), min(w), statistics.median(u), min(u)))


if __name__ == "__main__":
    main()
