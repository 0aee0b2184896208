#!/usr/bin/env bash
# Side by side on this machine: Apache RocketMQ (broker and name server resolved from Maven Central, its
# default ASYNC_FLUSH, 1 GiB heaps) against Quiver SYNC_FLUSH (its default) and Quiver ASYNC_FLUSH (like for
# like), driven by the same official 4.9.8 client, A B C A B C. Prints one RESULT line per run and a table of
# medians and ratios. Extra arguments go to `LoadTool compare` (--rounds, --workloads, --duration, --size, ...;
# see --help). The default run takes about 25 minutes on 2 cores.
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
