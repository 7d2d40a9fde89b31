#!/usr/bin/env python3
"""Sums the intake's group log by 20 s window: submissions a second, the
writer's busy share, and the seconds a fold held it. Feed it the output of
  ZHENGYAN_LOG=warn,zhengyan::liaison=debug scripts/bench-liaison.sh 180s 64 ingest > run.log 2>&1
  scripts/liaison-windows.py run.log"""
import collections
import re
import sys

WINDOW = 20
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CLOCK = re.compile(r"T(\d\d):(\d\d):(\d\d)\.(\d+)")

subs, busy, fold = collections.Counter(), collections.Counter(), collections.Counter()
start = None
with open(sys.argv[1], errors="replace") as log:
    for line in log:
        line = ANSI.sub("", line)
        if "group written" not in line and "band keys folded" not in line:
            continue
        h, m, s, frac = CLOCK.search(line).groups()
        t = int(h) * 3600 + int(m) * 60 + int(s) + float("0." + frac)
        start = t if start is None else start
        w = int((t - start) // WINDOW)
        micros = int(re.search(r"micros=(\d+)", line)[1])
        if "group written" in line:
            subs[w] += int(re.search(r"submissions=(\d+)", line)[1])
            busy[w] += micros
        else:
            fold[w] += micros
for w in sorted(subs):
    print(f"{w * WINDOW:4d} s  {subs[w] / WINDOW:6.0f}/s  writer busy {busy[w] / (WINDOW * 1e4):5.1f}%"
          f"  fold {fold[w] / 1e6:4.2f} s")
