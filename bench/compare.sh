#!/usr/bin/env bash
# Side by side on this machine: Apache RocketMQ (broker and name server resolved from Maven Central, 1 GiB
# heaps) with ASYNC_FLUSH (its default) and with SYNC_FLUSH, against Quiver SYNC_FLUSH (its default) and
# ASYNC_FLUSH, driven by the same official 4.9.8 client, A B C D A B C D. Each broker is pre-loaded after it
# starts until it is warm (at least 30 s, and two consecutive 5 s windows within 5 %) before anything is
# measured. Prints the settings of every side, one RESULT line per run, a table of medians, and the ratios
# of three pairings: like for like ASYNC, like for like SYNC, and the defaults. Extra arguments go to
# `LoadTool compare` (--rounds, --workloads, --targets, --preload, --duration, --size, ...; see --help).
# The default run takes about 50 minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$root/bench/rocketmq/target/classpath.txt"
mkdir -p "$(dirname "$cp_file")"
(cd "$root/bench/rocketmq" && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$cp_file")
(cd "$root" && mvn -B -q install -DskipTests -pl cli,testkit,loadgen -am)
load_cp_file="$root/loadgen/target/classpath.txt"
(cd "$root/loadgen" && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$load_cp_file")
java_cmd="${JAVA_HOME:+$JAVA_HOME/bin/}java"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $("$java_cmd" -version 2>&1 | head -1)" >&2
exec "$java_cmd" -Xmx2g -Dquiver.dist="$root/cli/target/quiver" \
  -cp "$root/loadgen/target/classes:$(cat "$load_cp_file")" io.quiver.loadgen.LoadTool compare --rocketmq-cp "$cp_file" "$@"
