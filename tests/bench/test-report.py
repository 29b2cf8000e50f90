#!/usr/bin/env python3
"""The performance report's judge, without measuring: bench/bench.py --from-raw writes a report
from a run's raw.json, and the verdicts and the headline it puts in docs/performance.md come
from that alone. Checks that
- the latest committed report is what bench.py writes from its raw.json today (the report's
  code and the committed report agree);
- a target the data misses is reported as **missed**, and one it meets as met, on either
  side of the bound (setup against the floor, the list's first container), and a refused
  policy as missed; no other verdict moves;
- the headline replaces the old one between the markers and leaves the rest of the file.
Usage: test-report.py SOURCE_ROOT
"""
import ast
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = sys.argv[1]
BENCH = os.path.join(ROOT, "bench", "bench.py")
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def latest_run():
    runs = sorted(d for d in glob.glob(os.path.join(ROOT, "bench", "results", "*"))
                  if os.path.exists(os.path.join(d, "raw.json")))
    if not runs:
        sys.exit("no bench/results/<date>/raw.json to replay")
    return runs[-1]


def load(path):
    with open(path) as f:
        return {k: ast.literal_eval(v) for k, v in json.load(f).items()}


def save(raw, path):
    with open(path, "w") as f:
        json.dump({k: repr(v) for k, v in raw.items()}, f)


def report(raw_path, out, docs=None):
    argv = [sys.executable, BENCH, "--from-raw", raw_path, "--out", out]
    if docs:
        argv += ["--docs", docs]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, PATH=""))  # no gnuplot: the text is what is judged
    with open(os.path.join(out, "report.md")) as f:
        return f.read()


def headline(text):
    """{target: verdict} from a report's headline table."""
    table = text.split("## Headline\n", 1)[1].strip().split("\n\n", 1)[0]
    rows = [line.split(" | ") for line in table.splitlines()[2:]]
    return {r[0].removeprefix("| "): r[-1].removesuffix(" |") for r in rows}


def scaled(xs, k):
    return [x * k for x in xs]


run = latest_run()
base = load(os.path.join(run, "raw.json"))
tmp = tempfile.mkdtemp(prefix="brnet-bench-test.")

# 1. The committed report is the one its raw.json gives.
text = report(os.path.join(run, "raw.json"), os.path.join(tmp, "replay"))
with open(os.path.join(run, "report.md")) as f:
    check(text == f.read(), f"{os.path.relpath(run, ROOT)}/report.md is what bench.py writes "
          "from its raw.json")
verdicts = headline(text)
check(len(verdicts) >= 12 and set(verdicts.values()) <= {"met", "**missed**"},
      f"the headline has every target with a verdict ({len(verdicts)})")
FLOOR = "setup within 1.2x of the floor"
FIRST = ("policy with 10,000 CIDRs: setup within 2x of one CIDR "
         "(the first container with its list)")
check(FLOOR in verdicts and FIRST in verdicts, "the headline names the targets this test moves")


def moved(name, mutate, expect):
    """Report from base changed by mutate; expect: {target: verdict} that must change to it,
    every other verdict as in the committed report."""
    raw = ast.literal_eval(repr(base))  # a deep copy
    mutate(raw)
    path = os.path.join(tmp, name + ".json")
    save(raw, path)
    got = headline(report(path, os.path.join(tmp, name)))
    for target, v in expect.items():
        check(got.get(target) == v, f"{name}: \"{target}\" is {v} (got {got.get(target)})")
    same = all(got.get(t) == v for t, v in verdicts.items() if t not in expect)
    check(same, f"{name}: no other verdict moves")


# 2. brnet's setups exactly 1.25x and 1.15x the floor's in every round: the target's bound
# of 1.2x lies between, so a verdict that misplaces it fails one or the other.
def setup_at(k):
    def mutate(raw):
        lat = raw["latency"][0]
        for p in (0, 1):
            lat[("brnet", p, "setup")] = scaled(lat[("floor", p, "setup")], k)
    return mutate


moved("setup-1.25", setup_at(1.25), {FLOOR: "**missed**"})
moved("setup-1.15", setup_at(1.15), {FLOOR: "met"})


# 3. The list's first container at 2.1x and 1.9x the one-CIDR setup, round by round.
def list_at(k):
    def mutate(raw):
        one, many = raw["policy"][1], list(raw["policy"][10000])
        many[5] = scaled(one[5], k)
        raw["policy"][10000] = tuple(many)
    return mutate


moved("list-2.1", list_at(2.1), {FIRST: "**missed**"})
moved("list-1.9", list_at(1.9), {FIRST: "met"})


# 4. A policy brnet refused: the report says so in the row, not by leaving it out.
def refused(raw):
    raw["policy"] = {"error": "brnet: invalid egress list"}


raw = ast.literal_eval(repr(base))
refused(raw)
save(raw, os.path.join(tmp, "refused.json"))
text = report(os.path.join(tmp, "refused.json"), os.path.join(tmp, "refused"))
check("| policy with 10,000 CIDRs: setup within 2x of one CIDR | refused: brnet: invalid egress "
      "list | **missed** |" in text, "refused: the row says refused, and missed")
check("brnet refused the policy: `brnet: invalid egress list`" in text,
      "refused: the policy section quotes the refusal")

# 5. The headline goes between the markers; what is around them stays.
docs = os.path.join(tmp, "performance.md")
with open(docs, "w") as f:
    f.write("# Performance\n\nbefore\n\n<!-- bench/run: headline begin -->\nold table\n"
            "<!-- bench/run: headline end -->\n\nafter\n")
report(os.path.join(run, "raw.json"), os.path.join(tmp, "docs"), docs)
with open(docs) as f:
    doc = f.read()
check(doc.startswith("# Performance\n\nbefore\n\n<!-- bench/run: headline begin -->\n")
      and doc.endswith("<!-- bench/run: headline end -->\n\nafter\n"),
      "headline: the text around the markers is kept")
check("old table" not in doc and f"| {FLOOR} | " in doc, "headline: the old table is replaced")
check(doc.count("headline begin") == 1, "headline: one headline")
os.remove(docs)
with open(docs, "w") as f:
    f.write("# Performance\n")
report(os.path.join(run, "raw.json"), os.path.join(tmp, "docs2"), docs)
with open(docs) as f:
    doc = f.read()
check(doc.startswith("# Performance\n\n<!-- bench/run: headline begin -->\n"),
      "headline: appended to a file without markers")

shutil.rmtree(tmp, ignore_errors=True)
print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
