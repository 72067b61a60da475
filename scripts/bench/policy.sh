#!/usr/bin/env bash
# The policy engine on one core: token verification (cached and not), a 5-block policy evaluation, and RE2 on
# the pathological ^(a+)+$ against 10,000 a's and a '!', next to Python's backtracking `re` on the same input in
# the same run (stopped after a time limit, since it needs 2^n steps).
# Usage: scripts/bench/policy.sh [python time limit in seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
limit=${1:-10}
scripts/setup >/dev/null
swift build -c release --product switchboard-bench-policy >/dev/null
taskset -c 0 .build/release/switchboard-bench-policy
python3 - "$limit" <<'PY'
import multiprocessing, re, sys, time

def run(pattern, text, result):
    start = time.perf_counter()
    re.search(pattern, text)
    result.value = time.perf_counter() - start

limit = float(sys.argv[1])
for count in (20, 24, 10_000):
    result = multiprocessing.Value("d", -1.0)
    worker = multiprocessing.Process(target=run, args=("^(a+)+$", "a" * count + "!", result))
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        worker.terminate()
        print(f"python_re_pathological_{count}_a not finished after {limit:.0f} s (stopped)")
        break
    print(f"python_re_pathological_{count}_a {result.value * 1e6:.1f} µs")
PY
