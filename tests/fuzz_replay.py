#!/usr/bin/env python3
"""fuzz_replay.py - replay deterministically mutated captures through a sanitizer build.

Usage: tests/fuzz_replay.py MIGMETER BPFDIR N SEED_CAPTURE...

Each round flips random bytes of one seed capture (after its file header, so
libpcap still opens most of them) and sometimes cuts it short, then runs
`MIGMETER replay` on it.  A round passes when the exit status is 0 or 1 (a
damaged file is a runtime failure, never a crash) and the sanitizers said
nothing.  The seed is fixed: the same rounds run every time.
"""
import random
import subprocess
import sys
import tempfile
import os


def main():
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    exe, bpf, rounds, seeds = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    rng = random.Random(20261128)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="mm-fuzz.") as tmp:
        cap = os.path.join(tmp, "in.pcap")
        for i in range(rounds):
            src = seeds[rng.randrange(len(seeds))]
            data = bytearray(open(src, "rb").read())
            start = 0 if data[:4] == b"\x0a\x0d\x0d\x0a" else 24
            for _ in range(rng.randint(1, 40)):
                data[rng.randrange(start, len(data))] = rng.randrange(256)
            if rng.random() < 0.3:
                data = data[: rng.randrange(len(data))]
            with open(cap, "wb") as f:
                f.write(data)
            r = subprocess.run(
                [exe, "replay", "--bpf-dir", bpf, "--format", "json",
                 "-o", os.path.join(tmp, "r.json"),
                 "--timeseries", os.path.join(tmp, "s.csv"), cap],
                capture_output=True, timeout=120)
            err = r.stderr.decode(errors="replace")
            if r.returncode in (0, 1) and "Sanitizer" not in err and "runtime error" not in err:
                passed += 1
                continue
            failed += 1
            keep = "fuzz-failure-%d.pcap" % i
            with open(keep, "wb") as f:
                f.write(data)
            print("FAIL round %d (seed %s, kept as %s): exit %d: %s"
                  % (i, src, keep, r.returncode, err[-400:]))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
