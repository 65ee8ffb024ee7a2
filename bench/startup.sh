#!/usr/bin/env bash
# Startup overhead of graceful: wall time of a JVM that binds a listener and exits, and of a
# hello-world, with and without -javaagent:graceful.jar, in alternating rounds; prints medians
# and the difference. A measurement, not a test: nothing here passes or fails.
#
#   bench/startup.sh [ROUNDS] [JAVA_HOME...]      (default: 21 rounds, JDK 17 and JDK 25)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-21}; shift || true
homes=("$@")
[ ${#homes[@]} -gt 0 ] || homes=(/usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64)
jar=src-assembly/target/graceful.jar
[ -f "$jar" ] || { echo "no $jar: build it with mvn -B -q -DskipTests install" >&2; exit 1; }
out=bench/target/probes
mkdir -p "$out"
javac --release 17 -d "$out" bench/probes/*.java

millis() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "| JDK | probe | without graceful (ms) | with graceful (ms) | difference (ms) |"
echo "|---|---|---:|---:|---:|"
for home in "${homes[@]}"; do
  version=$("$home/bin/java" -version 2>&1 | head -1 | sed 's/.*version "\([^"]*\)".*/\1/')
  for probe in BindAndExit HelloWorld; do
    without=(); with=()
    for _ in $(seq "$rounds"); do
      without+=("$(millis "$home/bin/java" -cp "$out" "$probe")")
      with+=("$(millis "$home/bin/java" "-javaagent:$jar" -cp "$out" "$probe")")
    done
    a=$(printf '%s\n' "${without[@]}" | median); b=$(printf '%s\n' "${with[@]}" | median)
    echo "| $version | $probe | $a | $b | +$((b - a)) |"
  done
done
