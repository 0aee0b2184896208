#!/usr/bin/env bash
# Scaling curves, side by side: how throughput, broker CPU per message, RSS and threads change as the work
# grows, for Apache RocketMQ (ASYNC_FLUSH) and Quiver (SYNC_FLUSH, its default), one round each:
#   - queues of one topic: 8, 256, 1024 (sync sends, 64 threads);
#   - message size: 128 B, 16 KiB, 1 MiB (sync sends, 16 threads);
#   - 1,000 connected producers (each its own client and connection; 16 threads send through them);
#   - draining a backlog that is cold: stored, then the page cache is dropped (needs root), so every read
#     comes from the disk as it does for a backlog larger than memory.
# Extra arguments go to `LoadTool compare` (e.g. --targets rocketmq,quiver-sync,quiver-async --duration 20).
# About 15 minutes on 2 cores. Add points by editing the list below.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
points=(
  "sync:64@queues=8" "sync:64@queues=256" "sync:64@queues=1024"
  "sync:16@size=128" "sync:16@size=16384" "sync:16@size=1048576"
  "producers:1000"
  "cold@backlog=1000000"
)
workloads="$(IFS=,; echo "${points[*]}")"
exec "$here/compare.sh" --rounds 1 --warmup 8 --duration 10 --targets rocketmq,quiver-sync \
  --show-footprint-per-workload --workloads "$workloads" "$@"
