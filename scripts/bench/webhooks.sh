#!/usr/bin/env bash
# Webhook relay: events/s accepted and delivered end to end, p50/p99 from the upstream's post to the receiver, for one
# subscription (unpaced, then offered 5,000 events/s) and for several, the outbox while the receiver answers 503 for
# 10 s then recovers, loss and repeats; next to the poster straight to the receiver (the load tools' ceiling) in the
# same run. Release build.
# Usage: scripts/bench/webhooks.sh [events] [upstream connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/setup >/dev/null
swift build -c release --product switchboard >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -o "$work/webhook-load" scripts/bench/webhook-load.c -lcrypto
WEBHOOK_LOAD="$work/webhook-load" SWITCHBOARD_BINARY="$PWD/.build/release/switchboard" \
    python3 scripts/bench/webhooks.py "${1:-20000}" "${2:-64}"
