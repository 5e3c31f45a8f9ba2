#!/usr/bin/env bash
# Health check of a TTV Pipeline deployment (operations guide, "Comprehensive Health Script"):
#   ./scripts/health-check.sh [ENV]          e.g. ./scripts/health-check.sh production
# Checks liveness (/healthz), readiness (/readyz: Redis, GCS, workers), metrics (/metrics serves jobs_* metrics),
# Redis (PING) and the queue depth (LLEN rq:queue:default); prints one line per check and a summary.
# Exit 0 only when every check passed (a queue above TTV_QUEUE_WARN is reported as a warning, not a failure),
# 1 when a check failed, 2 on bad usage.
#
# ENV (default "development") names the deployment in the output and selects an optional file of defaults,
# scripts/env/ENV.env or /etc/ttv/ENV.env (shell assignments of the variables below); variables already set in
# the environment win over the file.
#   TTV_BASE_URL   the node to check (default http://localhost:8000, or https://localhost:8000 when
#                  TTV_TLS_CERT_FILE is set, as on an HTTPS node)
#   TTV_HEALTH_CACERT  PEM file of the authority that signed the node's certificate (curl --cacert); default: the
#                  system's trusted authorities
#   TTV_HEALTH_INSECURE  1: do not verify the node's certificate (curl -k), e.g. when checking a node through
#                  localhost whose certificate names its public host
#   TTV_REDIS_URL  redis://[user:password@]host:port/db (default redis://127.0.0.1:6379/0)
#   TTV_QUEUE_WARN queue depth reported as a warning (default 100, as the JobQueueBacklog alert)
#   TTV_HEALTH_TIMEOUT seconds per HTTP request (default 5)
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/redis-lib.sh"

ENV_NAME="${1:-development}"
[[ "$ENV_NAME" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "usage: $0 [ENV]  (ENV: letters, digits, . _ -)" >&2; exit 2; }

for f in "$HERE/env/$ENV_NAME.env" "/etc/ttv/$ENV_NAME.env"; do
    if [ -f "$f" ]; then
        preset_base="${TTV_BASE_URL-}" preset_redis="${TTV_REDIS_URL-}" preset_warn="${TTV_QUEUE_WARN-}"
        preset_cacert="${TTV_HEALTH_CACERT-}" preset_insecure="${TTV_HEALTH_INSECURE-}"
        # shellcheck disable=SC1090
        source "$f"
        [ -n "$preset_base" ] && TTV_BASE_URL="$preset_base"
        [ -n "$preset_redis" ] && TTV_REDIS_URL="$preset_redis"
        [ -n "$preset_warn" ] && TTV_QUEUE_WARN="$preset_warn"
        [ -n "$preset_cacert" ] && TTV_HEALTH_CACERT="$preset_cacert"
        [ -n "$preset_insecure" ] && TTV_HEALTH_INSECURE="$preset_insecure"
        ENV_FILE="$f"
        break
    fi
done

if [ -n "${TTV_TLS_CERT_FILE:-}" ]; then default_url=https://localhost:8000; else default_url=http://localhost:8000; fi
BASE_URL="${TTV_BASE_URL:-$default_url}"
BASE_URL="${BASE_URL%/}"
REDIS_URL="${TTV_REDIS_URL:-redis://127.0.0.1:6379/0}"
QUEUE_WARN="${TTV_QUEUE_WARN:-100}"
TIMEOUT="${TTV_HEALTH_TIMEOUT:-5}"
TLS_OPTS=()
[ -n "${TTV_HEALTH_CACERT:-}" ] && TLS_OPTS+=(--cacert "$TTV_HEALTH_CACERT")
[ "${TTV_HEALTH_INSECURE:-}" = 1 ] && TLS_OPTS+=(-k)
REDIS_TIMEOUT="$TIMEOUT"

failures=0 warnings=0
pass() { printf '  [ OK ] %-10s %s\n' "$1" "$2"; }
warn() { printf '  [WARN] %-10s %s\n' "$1" "$2"; warnings=$((warnings + 1)); }
fail() { printf '  [FAIL] %-10s %s\n' "$1" "$2"; failures=$((failures + 1)); }

# http_get PATH -> sets HTTP_CODE and HTTP_BODY
http_get() {
    local out
    out="$(curl -sS -m "$TIMEOUT" ${TLS_OPTS[@]+"${TLS_OPTS[@]}"} -w '\n%{http_code}' "$BASE_URL$1" 2>&1)" || { HTTP_CODE=000; HTTP_BODY="${out%$'\n'*}"; return 1; }
    HTTP_CODE="${out##*$'\n'}"; HTTP_BODY="${out%$'\n'*}"
}

echo "=== TTV Pipeline health check: $ENV_NAME ($(date -u +%Y-%m-%dT%H:%M:%SZ)) ==="
echo "  node $BASE_URL, redis $( [ -n "${REDIS_URL##*@*}" ] && echo "$REDIS_URL" || echo "redis://***@${REDIS_URL##*@}")${ENV_FILE:+, defaults from $ENV_FILE}"

# 1. Liveness
if http_get /healthz && [ "$HTTP_CODE" = 200 ]; then
    pass liveness "/healthz 200"
else
    fail liveness "/healthz ${HTTP_CODE}: $(printf '%s' "$HTTP_BODY" | head -c 200)"
fi

# 2. Readiness (names the unhealthy components)
if http_get /readyz && [ "$HTTP_CODE" = 200 ]; then
    pass readiness "/readyz 200"
else
    bad="$(printf '%s' "$HTTP_BODY" | grep -o '"[a-z]*":"unhealthy"' | cut -d'"' -f2 | paste -sd, -)"
    fail readiness "/readyz ${HTTP_CODE}${bad:+ (unhealthy: $bad)}"
fi

# 3. Metrics
if http_get /metrics && [ "$HTTP_CODE" = 200 ]; then
    n="$(printf '%s\n' "$HTTP_BODY" | grep -c '^jobs_[a-z_]*[{ ]')"
    if [ "$n" -gt 0 ]; then pass metrics "/metrics 200, $n jobs_* samples"; else fail metrics "/metrics has no jobs_* metrics"; fi
else
    fail metrics "/metrics ${HTTP_CODE}"
fi

# 4. Redis, 5. queue depth
if ! redis_parse_url "$REDIS_URL" 2>/tmp/ttv-health.$$; then
    fail redis "$(cat /tmp/ttv-health.$$)"
    fail queue "not checked"
else
    via="$(redis_have_cli && echo redis-cli || echo /dev/tcp)"
    if reply="$(redis_cmd PING 2>&1)" && [ "$reply" = PONG ]; then
        pass redis "PING $REDIS_HOST:$REDIS_PORT db $REDIS_DB ($via)"
        if depth="$(redis_cmd LLEN rq:queue:default 2>&1)" && [[ "$depth" =~ ^[0-9]+$ ]]; then
            if [ "$depth" -gt "$QUEUE_WARN" ]; then warn queue "$depth jobs waiting in rq:queue:default (> $QUEUE_WARN)"
            else pass queue "$depth jobs waiting in rq:queue:default"; fi
        else
            fail queue "LLEN rq:queue:default: $depth"
        fi
    else
        fail redis "PING $REDIS_HOST:$REDIS_PORT ($via): $(printf '%s' "$reply" | head -c 200)"
        fail queue "not checked (Redis unreachable)"
    fi
fi
rm -f /tmp/ttv-health.$$

if [ "$failures" = 0 ]; then
    echo "=== HEALTHY: $ENV_NAME ($warnings warning(s)) ==="
    exit 0
fi
echo "=== UNHEALTHY: $ENV_NAME ($failures check(s) failed, $warnings warning(s)) ==="
exit 1
