#!/usr/bin/env python3
"""Prints a run's stages (GET /api/runs/{runId} JSON on stdin) as a Markdown table of durations.

usage: stages.py LABEL CLIENT_SECONDS < run.json
CLIENT_SECONDS is the wall time the client saw from the upload request to the run's completion.
"""
import json
import sys
from datetime import datetime


def parse(value):
    # .NET writes up to 7 fractional digits; Python takes 6.
    if value is None:
        return None
    value = value.replace("Z", "+00:00")
    if "." in value:
        head, rest = value.split(".", 1)
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits):]
        value = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    return datetime.fromisoformat(value)


label, client_seconds = sys.argv[1], float(sys.argv[2])
doc = json.load(sys.stdin)
run = doc["run"]
print(f"\n{label}: run {run['runId']}, status {run['status']}, runtime {doc.get('runtimeStatus')}")
print("| Stage | Status | Started (s after run start) | Duration (s) |")
print("|---|---|---:|---:|")
run_start = parse(run.get("startedAt")) or parse(run["createdAt"])
for stage in run["stages"]:
    start, end = parse(stage["startedAt"]), parse(stage.get("endedAt"))
    duration = f"{(end - start).total_seconds():.2f}" if end else "—"
    print(f"| {stage['name']} | {stage['status']} | {(start - run_start).total_seconds():.2f} | {duration} |")
run_end = parse(run.get("endedAt"))
if run_end:
    print(f"| **run (startedAt → endedAt)** | {run['status']} | 0.00 | {(run_end - run_start).total_seconds():.2f} |")
print(f"| **client: upload request → run completed** | | | {client_seconds:.2f} |")
best = run.get("bestCandidateId")
if best:
    metrics = run.get("metrics", {}).get("best") or run.get("metrics", {}).get("holdout") or {}
    shown = ", ".join(f"{k} {v:.4g}" for k, v in sorted(metrics.items()))
    print(f"\nbest candidate {best} of {len(run.get('candidates', []))}; {shown}")
