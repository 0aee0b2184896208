#!/usr/bin/env bash
# Transactional send throughput, Apache RocketMQ 5.1.4 vs Quiver, same official client, A B A B.
# Resolves RocketMQ's broker and name server from Maven Central (no build from source), builds Quiver,
# then runs the bench-tagged TxThroughputBench. Takes about 3 minutes on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$root/bench/rocketmq/target/classpath.txt"
mkdir -p "$(dirname "$cp_file")"
(cd "$root/bench/rocketmq" && mvn -B -q dependency:build-classpath -Dmdep.outputFile="$cp_file")
(cd "$root" && mvn -B -q install -DskipTests -pl cli,testkit -am)
cd "$root/it"
mvn -B test -Dtest=TxThroughputBench -DexcludedTestTags=none -Drocketmq.cp.file="$cp_file" \
  -Dsurefire.failIfNoSpecifiedTests=false | grep -E "TX THROUGHPUT|msgs/s|Tests run:" || true
grep -h -E "TX THROUGHPUT|msgs/s" target/surefire-reports/*TxThroughputBench-output.txt
