#!/usr/bin/env bash
# Benchmark of one node: cold start of a fresh copy of the assembly to /readyz 200, the time of one 5 s job,
# the assembly size, the node's resident memory (RSS) idle after that job, and a restart of the same copy with its
# data/ kept (Karaf's resolved bundles cached). Builds nothing: run ./scripts/test.sh or mvn install first.
# Usage: scripts/bench/startup.sh [runs]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$ROOT"
RUNS=${1:-3}
ASSEMBLY="$ROOT/distribution/target/assembly"
[ -f "$ASSEMBLY/etc/startup.properties" ] || die "no assembly: build first"
ensure_gcs_emulator
WORK=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pkill -f "$WORK/karaf" 2>/dev/null || true; rm -rf "$WORK"' EXIT

redis_port=$(free_port); gcs_port=$(free_port); http_port=$(free_port)
"$(redis_server_binary)" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null 2>&1 & pids+=($!)
(cd scripts/gcs-emulator && exec node server.js --host 127.0.0.1 --port "$gcs_port" --bucket ttv-api-artifacts) >/dev/null 2>&1 & pids+=($!)
wait_for_port "$redis_port" 15 Redis; wait_for_port "$gcs_port" 60 "GCS emulator"

now() { date +%s.%N; }
# until_ready PID: waits for /readyz 200 from the node that PID runs
until_ready() {
    until curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1; do
        kill -0 "$1" 2>/dev/null || die "Karaf exited; see $WORK/karaf/data/log/karaf.log"
        sleep 0.05
    done
}
export TTV_HTTP_PORT=$http_port TTV_REDIS_URL=redis://127.0.0.1:$redis_port/0 TTV_GCS_ENDPOINT=http://127.0.0.1:$gcs_port
printf 'assembly size: %s\n' "$(du -sh "$ASSEMBLY" | cut -f1)"
for run in $(seq 1 "$RUNS"); do
    rm -rf "$WORK/karaf"; cp -r "$ASSEMBLY" "$WORK/karaf"
    t0=$(now)
    "$WORK/karaf/bin/karaf" server >/dev/null 2>&1 &
    karaf=$!
    until_ready "$karaf"
    ready=$(echo "$(now) - $t0" | bc)
    id=$(curl -fs -XPOST "http://127.0.0.1:$http_port/v1/jobs" -H 'Content-Type: application/json' \
        -d '{"prompt":"benchmark: a red fox in snow","seed":1}' | sed 's/.*"id":"\([^"]*\)".*/\1/')
    t1=$(now)
    until curl -fs "http://127.0.0.1:$http_port/v1/jobs/$id" | grep -q '"status":"finished"'; do sleep 0.05; done
    job=$(echo "$(now) - $t1" | bc)
    sleep 10   # let the node settle before reading idle memory
    jvm=$(pgrep -f "karaf.home=$WORK/karaf" | head -1)
    rss=$(( $(awk '/VmRSS/ {print $2}' "/proc/$jvm/status") / 1024 ))
    "$WORK/karaf/bin/stop" >/dev/null 2>&1 || kill "$karaf"
    wait "$karaf" 2>/dev/null || true
    t2=$(now)
    "$WORK/karaf/bin/karaf" server >/dev/null 2>&1 &
    karaf=$!
    until_ready "$karaf"
    restart=$(echo "$(now) - $t2" | bc)
    printf 'run %d: cold start to /readyz %.1f s, 5 s job %.1f s, idle RSS %d MB, restart with data/ kept %.1f s\n' \
        "$run" "$ready" "$job" "$rss" "$restart"
    "$WORK/karaf/bin/stop" >/dev/null 2>&1 || kill "$karaf"
    wait "$karaf" 2>/dev/null || true
done
