#!/usr/bin/env python3
"""Lanes through the real HTTP ingest path of a release build.

Starts `target/release/flagpole serve` on a fresh SQLite database (its classifier trained, as in
production, on the corpus embedded in the binary), posts every report of a labelled file that the
classifier was never trained on (default: bench/corpus/holdout.jsonl, written apart from the
training corpus) to POST /api/v1/reports as a widget would, reads each stored report back through
GET /api/v1/reports/{id}, and prints per-lane precision and recall, the confusion matrix, the four
goal figures of issue 14 with a 95 % bootstrap interval, and the HTTP round trip per report.

    cargo build --release
    python3 bench/lanes/http_eval.py [FILE.jsonl ...] [--errors]

Standard library only; talks to 127.0.0.1.
"""

import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(ROOT, "target", "release", "flagpole")
LANES = ["queue", "question", "site", "comment", "noise", "spam"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def bootstrap(values, stat, rounds=1000, seed=1):
    """95 % interval of stat over resamples of the reports (with replacement)."""
    rng = random.Random(seed)
    out = []
    for _ in range(rounds):
        sample = [values[rng.randrange(len(values))] for _ in values]
        v = stat(sample)
        if v is not None:
            out.append(v)
    out.sort()
    if not out:
        return (None, None)
    return (out[int(0.025 * len(out))], out[int(0.975 * len(out)) - 1])


def share(rows, num, den):
    d = [r for r in rows if den(r)]
    if not d:
        return None
    return sum(1 for r in d if num(r)) / len(d)


def pct(x):
    return "—" if x is None else f"{100 * x:.1f} %"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    show_errors = "--errors" in sys.argv
    files = args or [os.path.join(ROOT, "bench", "corpus", "holdout.jsonl")]
    reports = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            reports += [json.loads(line) for line in fh if line.strip()]
    if not os.path.exists(BINARY):
        sys.exit(f"{BINARY} not found: run `cargo build --release` first")

    work = tempfile.mkdtemp(prefix="flagpole-lanes-")
    port = free_port()
    config = os.path.join(work, "eval.toml")
    with open(config, "w") as fh:
        fh.write(
            f"""
[server]
bind = "127.0.0.1:{port}"
[database]
url = "sqlite://{work}/eval.db"
[sites]
allowed_hosts = ["*.example.org", "*.example.com"]
[limits]
rate_limit_enabled = false
[alerts]
enabled = false
[digest]
enabled = false
[smtp]
host = "127.0.0.1"
port = 9
[telemetry]
log_level = "warn"
"""
        )
    env = dict(os.environ, FLAGPOLE_CONFIG=config)
    subprocess.run([BINARY, "--config", config, "migrate"], check=True, env=env, capture_output=True)
    token = subprocess.run(
        [BINARY, "--config", config, "token", "create", "lanes-eval"],
        check=True, env=env, capture_output=True, text=True,
    ).stdout.strip().split()[-1]
    server = subprocess.Popen([BINARY, "--config", config, "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if request("GET", base + "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            sys.exit("the server did not become ready")

        rows = []
        timings = []
        for r in reports:
            body = {"article_url": r["article_url"], "category": r["category"],
                    "quote": r.get("quote"), "details": r.get("details"),
                    "lang": r.get("article_lang")}
            start = time.perf_counter()
            status, answer = request("POST", base + "/api/v1/reports", body)
            timings.append(time.perf_counter() - start)
            if status != 201:
                sys.exit(f"{r['id']}: {status} {answer}")
            status, stored = request("GET", base + f"/api/v1/reports/{answer['report_id']}",
                                     token=token)
            if status != 200:
                sys.exit(f"{r['id']}: GET {status} {stored}")
            rows.append({"truth": r["lane"], "got": stored["lane"], "id": r["id"],
                         "category": r["category"], "reasons": stored["lane_reasons"],
                         "text": (stored.get("quote") or "") + "\n" + (stored.get("details") or ""),
                         "pii": r.get("pii", []), "keep": r.get("keep", []),
                         "answer_keys": sorted(answer.keys())})
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"# Lanes over HTTP: {len(rows)} reports from {', '.join(os.path.relpath(f, ROOT) for f in files)}")
    print("(release build, classifier trained on the embedded corpus only; 95 % bootstrap intervals)\n")

    spam_out = lambda rs: share(rs, lambda r: r["got"] != "queue", lambda r: r["truth"] == "spam")
    real_lost = lambda rs: share(rs, lambda r: r["got"] != "queue", lambda r: r["truth"] == "queue")
    harm_lost = lambda rs: share(rs, lambda r: r["got"] != "queue",
                                 lambda r: r["truth"] == "queue" and r["category"] == "harmful")
    precision = lambda rs: share(rs, lambda r: r["truth"] == "queue", lambda r: r["got"] == "queue")
    print("| figure | goal | measured | 95 % interval |")
    print("|---|---|---|---|")
    for name, goal, f in [("spam kept out of the queue", "≥ 95 %", spam_out),
                          ("real problems kept out", "≤ 1 %", real_lost),
                          ("… of which harmful", "", harm_lost),
                          ("queue actionable (precision)", "≥ 90 %", precision)]:
        lo, hi = bootstrap(rows, f)
        print(f"| {name} | {goal} | {pct(f(rows))} | {pct(lo)}–{pct(hi)} |")
    pii_total = sum(len(r["pii"]) for r in rows)
    pii_left = sum(1 for r in rows for p in r["pii"] if p in r["text"])
    keep_total = sum(len(r["keep"]) for r in rows)
    keep_lost = sum(1 for r in rows for k in r["keep"] if k not in r["text"])
    print(f"| personal details left in stored text | ≤ 1 % | {pii_left} of {pii_total} | |")
    print(f"| clinical details lost by scrubbing | | {keep_lost} of {keep_total} | |")

    print("\nPer lane (precision / recall):")
    for lane in LANES:
        p = share(rows, lambda r: r["truth"] == lane, lambda r: r["got"] == lane)
        rc = share(rows, lambda r: r["got"] == lane, lambda r: r["truth"] == lane)
        print(f"  {lane:9} {pct(p):>8} / {pct(rc):>8}")
    print("\nConfusion (rows: truth, columns: verdict):")
    print("           " + "".join(f"{l:>9}" for l in LANES))
    for t in LANES:
        print(f"  {t:9}" + "".join(
            f"{sum(1 for r in rows if r['truth'] == t and r['got'] == g):>9}" for g in LANES))
    shapes = {tuple(r["answer_keys"]) for r in rows}
    print(f"\nAnswer shapes seen by readers: {sorted(shapes)} (one shape: the lane is never revealed)")
    timings.sort()
    print(f"POST /api/v1/reports round trip: mean {1000 * sum(timings) / len(timings):.2f} ms, "
          f"p99 {1000 * timings[int(0.99 * len(timings)) - 1]:.2f} ms (one client, sequential)")
    if show_errors:
        print("\nMisplaced reports:")
        for r in rows:
            if r["truth"] != r["got"]:
                codes = ", ".join(x["code"] for x in r["reasons"])
                print(f"  {r['id']} {r['truth']} → {r['got']} [{codes}] {r['text'].strip()[:100]!r}")


if __name__ == "__main__":
    main()
