#!/usr/bin/env bash
# Runs the whole pipeline in the foreground: Redis, a local GCS emulator and one Karaf node (API + workers) with
# the local generator. Set TTV_REDIS_URL or TTV_GCS_* to use your own servers instead. Ctrl-C stops everything.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

require java "JDK 17"
require mvn "Apache Maven"

ASSEMBLY="$ROOT/distribution/target/assembly"
RUN_DIR="$ROOT/target/run"
mkdir -p "$RUN_DIR"
pids=()

cleanup() {
    trap - INT TERM EXIT
    log "stopping"
    if [ -n "${KARAF_PID:-}" ] && kill -0 "$KARAF_PID" 2>/dev/null; then
        "$ASSEMBLY/bin/stop" >/dev/null 2>&1 || kill "$KARAF_PID" 2>/dev/null || true
        wait "$KARAF_PID" 2>/dev/null || true
    fi
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup INT TERM EXIT

newest_source=$(find pom.xml */pom.xml */src etc -type f -newer "$ASSEMBLY/etc/startup.properties" 2>/dev/null | head -1 || true)
if [ ! -f "$ASSEMBLY/etc/startup.properties" ] || [ -n "$newest_source" ]; then
    log "building the distribution (mvn install -DskipTests)"
    mvn -B -q -ntp install -DskipTests
fi

if [ -z "${TTV_REDIS_URL:-}" ]; then
    port=${TTV_RUN_REDIS_PORT:-6379}
    mkdir -p "$RUN_DIR/redis"
    "$(redis_server_binary)" "$ROOT/scripts/redis.conf" --port "$port" --bind 127.0.0.1 --dir "$RUN_DIR/redis" \
        >"$RUN_DIR/redis.log" 2>&1 &
    pids+=($!)
    wait_for_port "$port" 15 "Redis"
    export TTV_REDIS_URL="redis://127.0.0.1:$port/0"
    log "Redis on 127.0.0.1:$port (data in target/run/redis)"
fi

if [ -z "${TTV_GCS_ENDPOINT:-}" ] && [ -z "${TTV_GCS_CREDENTIALS:-}" ]; then
    require node "Node.js 20, for the GCS emulator"
    ensure_gcs_emulator
    port=${TTV_RUN_GCS_PORT:-9199}
    (cd scripts/gcs-emulator && exec node server.js --host 127.0.0.1 --port "$port" \
        --bucket "${TTV_GCS_BUCKET:-ttv-api-artifacts}") >"$RUN_DIR/gcs-emulator.log" 2>&1 &
    pids+=($!)
    wait_for_port "$port" 60 "the GCS emulator"
    export TTV_GCS_ENDPOINT="http://127.0.0.1:$port"
    log "GCS emulator on $TTV_GCS_ENDPOINT (objects in memory)"
fi

HTTP_PORT=${TTV_HTTP_PORT:-8000}
# With TTV_TLS_CERT_FILE the port speaks HTTPS only (docs/operations.md); the readiness poll below does not verify
# the certificate (-k): it asks the node this script started.
if [ -n "${TTV_TLS_CERT_FILE:-}" ]; then SCHEME=https; else SCHEME=http; fi
"$ASSEMBLY/bin/karaf" server &
KARAF_PID=$!
(
    for _ in $(seq 1 600); do
        if curl -fsk "$SCHEME://127.0.0.1:$HTTP_PORT/readyz" >/dev/null 2>&1; then
            log "ready: $SCHEME://localhost:$HTTP_PORT/  (try: curl -s -XPOST $SCHEME://localhost:$HTTP_PORT/v1/jobs -H 'Content-Type: application/json' -d '{\"prompt\":\"a red fox in snow\"}')"
            log "logs: $ASSEMBLY/data/log/karaf.log — Ctrl-C stops everything"
            exit 0
        fi
        kill -0 "$KARAF_PID" 2>/dev/null || exit 0
        sleep 0.5
    done
    log "not ready after 300 s; see $ASSEMBLY/data/log/karaf.log"
) &
wait "$KARAF_PID"
