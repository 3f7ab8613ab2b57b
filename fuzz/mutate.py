#!/usr/bin/env python3
"""Mutation campaign: mutants of the fixtures, each checked with `h5rd check` under ASan+UBSan.

    /usr/bin/python3 fuzz/mutate.py --cli build-asan/h5rd --count 2000 [--seed 1]
        [--jobs 1] [--timeout 10] [--out /tmp/h5rd-mutants] [--keep]
        [--cmd check --cmd "ls -r"] [--extra FILE_OR_DIR ...]

Each --cmd (default: check) runs on every mutant, each run with its own timeout; --extra adds
base files (HDF5 files, or directories whose *.h5 files are added) besides --fixtures.

Build the CLI with -DH5RD_SANITIZE=address,undefined. Each mutant is one fixture file with one
to four mutations:
  bitflip   one random bit flipped
  field     a 1, 2, 4 or 8-byte little-endian field overwritten with 0, all ones, a huge value
            (2^(8w-1) + small), the file size, or the file size +/- a little
  truncate  the file cut at a random offset
  blockcopy a block of 8..256 bytes copied over another place in the file
Mutations land preferably (3 in 4) within 256 bytes after a signature (superblock, OHDR, TREE,
HEAP, GCOL, FRHP, FHDB, FHIB, BTHD, BTIN, BTLF, FAHD, FADB, EAHD, EAIB, EASB, EADB, SNOD), where
the parsers are. The outcome of each run is classified:
  clean     exit 0 or 1 and no sanitizer report (0: a correct read, 1: problems reported)
  usage     exit 2 (never expected)
  crash     killed by a signal, or any other exit status
  sanitizer "ERROR: AddressSanitizer", "runtime error:" or "LeakSanitizer" on stderr
  timeout   still running after --timeout seconds
Results: OUT/results.tsv (one line per mutant) and OUT/summary.json; mutants that were not
clean are kept in OUT/findings/ with their stderr. Exit status 1 when any mutant was not clean.
"""
import argparse
import json
import os
import random
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIGS = [b"\x89HDF\r\n\x1a\n", b"OHDR", b"OCHK", b"TREE", b"HEAP", b"GCOL", b"FRHP", b"FHDB",
        b"FHIB", b"BTHD", b"BTIN", b"BTLF", b"FAHD", b"FADB", b"EAHD", b"EAIB", b"EASB", b"EADB",
        b"SNOD"]


def sig_offsets(data):
    out = []
    for s in SIGS:
        i = data.find(s)
        while i >= 0:
            out.append(i)
            i = data.find(s, i + 1)
    return sorted(out)


def pick_pos(rng, data, sigs, width=1):
    n = len(data)
    if n <= width:
        return 0
    if sigs and rng.random() < 0.75:
        base = rng.choice(sigs)
        pos = base + rng.randrange(0, 256)
        if pos + width <= n:
            return pos
    return rng.randrange(0, n - width + 1)


def mutate(rng, data):
    data = bytearray(data)
    sigs = sig_offsets(bytes(data))
    kinds = []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        if not data:
            break
        k = rng.choices(("bitflip", "field", "truncate", "blockcopy"), (4, 5, 1, 2))[0]
        kinds.append(k)
        if k == "bitflip":
            p = pick_pos(rng, data, sigs)
            data[p] ^= 1 << rng.randrange(8)
        elif k == "field":
            w = rng.choice((1, 2, 4, 8))
            p = pick_pos(rng, data, sigs, w)
            if p + w > len(data):
                continue
            size = len(data)
            v = rng.choice((0, (1 << (8 * w)) - 1, (1 << (8 * w - 1)) + rng.randrange(16),
                            size, size + rng.randrange(1, 64), max(0, size - rng.randrange(1, 64))))
            v &= (1 << (8 * w)) - 1
            data[p:p + w] = v.to_bytes(w, "little")
        elif k == "truncate":
            cut = rng.randrange(0, len(data))
            del data[cut:]
        else:
            ln = rng.randrange(8, 257)
            if len(data) <= ln:
                continue
            src = rng.randrange(0, len(data) - ln)
            dst = pick_pos(rng, data, sigs, ln)
            data[dst:dst + ln] = data[src:src + ln]
    return bytes(data), kinds


def classify(proc_rc, stderr, timed_out):
    if timed_out:
        return "timeout"
    if (b"ERROR: AddressSanitizer" in stderr or b"runtime error:" in stderr or
            b"LeakSanitizer" in stderr or b"ERROR: UndefinedBehaviorSanitizer" in stderr):
        return "sanitizer"
    if proc_rc in (0, 1):
        return "clean"
    if proc_rc == 2:
        return "usage"
    return "crash"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cli", required=True, help="h5rd built with ASan+UBSan")
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", default="/tmp/h5rd-mutants")
    ap.add_argument("--fixtures", default=os.path.join(ROOT, "fixtures", "h5"))
    ap.add_argument("--keep", action="store_true", help="keep every mutant, not only findings")
    ap.add_argument("--cmd", action="append", default=None,
                    help="h5rd command run on each mutant (repeatable; default: check)")
    ap.add_argument("--extra", action="append", default=[],
                    help="more base files, or directories of *.h5 (repeatable)")
    args = ap.parse_args()
    cmds = [c.split() for c in (args.cmd or ["check"])]

    files = sorted(os.path.join(args.fixtures, f) for f in os.listdir(args.fixtures)
                   if f.endswith(".h5"))
    for e in args.extra:
        if os.path.isdir(e):
            files += sorted(os.path.join(e, f) for f in os.listdir(e) if f.endswith(".h5"))
        elif os.path.isfile(e):
            files.append(e)
    bases = [(os.path.basename(f), open(f, "rb").read()) for f in files]
    os.makedirs(os.path.join(args.out, "work"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "findings"), exist_ok=True)
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=99")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:exitcode=98")
    rng = random.Random(args.seed)
    counts = {"clean": 0, "clean_exit0": 0, "clean_exit1": 0, "usage": 0, "crash": 0,
              "sanitizer": 0, "timeout": 0}
    slowest = 0.0
    slowest_run = ""
    t_start = time.time()
    running = []
    results = open(os.path.join(args.out, "results.tsv"), "w")
    results.write("id\tbase\tmutations\tcommand\toutcome\texit\tseconds\n")

    def finish(item):
        nonlocal slowest, slowest_run
        i, base, kinds, path, proc, t0, errf, cmd, last = item
        timed_out = False
        try:
            proc.wait(timeout=max(0.0, args.timeout - (time.time() - t0)))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            timed_out = True
        dt = time.time() - t0
        if dt > slowest:
            slowest, slowest_run = dt, "%d %s %s" % (i, base, cmd)
        errf.seek(0)
        stderr = errf.read()
        errf.close()
        out = classify(proc.returncode, stderr, timed_out)
        counts[out] += 1
        if out == "clean":
            counts["clean_exit%d" % proc.returncode] += 1
        results.write("%d\t%s\t%s\t%s\t%s\t%s\t%.3f\n" % (i, base, ",".join(kinds), cmd, out,
                                                        proc.returncode, dt))
        if out != "clean":
            keep = os.path.join(args.out, "findings", "%06d_%s_%s_%s" % (
                i, out, cmd.replace(" ", ""), base))
            with open(path, "rb") as src, open(keep, "wb") as dst:
                dst.write(src.read())
            with open(keep + ".stderr", "wb") as fp:
                fp.write(stderr)
            print("FINDING %s: %s (%s)" % (out, keep, ",".join(kinds)), flush=True)
        if last and not args.keep:
            os.unlink(path)

    for i in range(args.count):
        base, data = rng.choice(bases)
        mdata, kinds = mutate(rng, data)
        path = os.path.join(args.out, "work", "%06d_%s" % (i, base))
        with open(path, "wb") as fp:
            fp.write(mdata)
        for k, cmd in enumerate(cmds):
            errf = open(path + ".err", "w+b")
            os.unlink(path + ".err")
            proc = subprocess.Popen([args.cli] + cmd + [path], stdout=subprocess.DEVNULL,
                                    stderr=errf, env=env)
            running.append((i, base, kinds, path, proc, time.time(), errf, " ".join(cmd),
                            k == len(cmds) - 1))
            if len(running) >= args.jobs:
                finish(running.pop(0))
        if (i + 1) % 500 == 0:
            print("%d mutants run" % (i + 1), flush=True)
    while running:
        finish(running.pop(0))
    results.close()
    elapsed = time.time() - t_start
    summary = dict(counts, mutants=args.count, seed=args.seed, timeout_s=args.timeout,
                   elapsed_s=round(elapsed, 1), slowest_s=round(slowest, 3),
                   slowest_run=slowest_run, fixtures=len(bases),
                   commands=[" ".join(c) for c in cmds], runs=args.count * len(cmds))
    with open(os.path.join(args.out, "summary.json"), "w") as fp:
        json.dump(summary, fp, indent=1, sort_keys=True)
    print(json.dumps(summary, sort_keys=True))
    bad = counts["crash"] + counts["sanitizer"] + counts["timeout"] + counts["usage"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
