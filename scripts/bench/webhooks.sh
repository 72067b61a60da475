#!/usr/bin/env bash
# Webhook relay: events/s accepted and delivered end to end, p50/p99, the outbox while the receiver answers 503 for
# 10 s then recovers, loss and repeats. Release build; the Python upstream and receiver are usually the ceiling.
# Usage: scripts/bench/webhooks.sh [events]
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/setup >/dev/null
swift build -c release --product switchboard >/dev/null
SWITCHBOARD_BINARY="$PWD/.build/release/switchboard" python3 scripts/bench/webhooks.py "${1:-2000}"
