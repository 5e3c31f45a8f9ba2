# Redis access for the ops scripts (health-check.sh, backup.sh, restore.sh). Source it; do not run it.
# Parses TTV_REDIS_URL (redis://[user[:password]@]host[:port][/db], default redis://127.0.0.1:6379/0) and runs
# commands through redis-cli, or, where redis-cli is missing (TTV_REDIS_CLI names another binary, e.g. "none"),
# through bash's /dev/tcp with the RESP protocol (plain TCP only: no TLS).

redis_parse_url() { # url -> REDIS_HOST REDIS_PORT REDIS_DB REDIS_USER REDIS_PASSWORD REDIS_TLS
    local url="$1" rest auth hostport
    REDIS_TLS=0
    case "$url" in
        redis://*) rest="${url#redis://}" ;;
        rediss://*) rest="${url#rediss://}"; REDIS_TLS=1 ;;
        *) echo "not a redis:// URL: $url" >&2; return 1 ;;
    esac
    REDIS_USER=""; REDIS_PASSWORD=""
    if [[ "$rest" == *@* ]]; then
        auth="${rest%@*}"; rest="${rest##*@}"
        if [[ "$auth" == *:* ]]; then REDIS_USER="${auth%%:*}"; REDIS_PASSWORD="${auth#*:}"; else REDIS_PASSWORD="$auth"; fi
    fi
    REDIS_DB=0
    if [[ "$rest" == */* ]]; then REDIS_DB="${rest#*/}"; rest="${rest%%/*}"; REDIS_DB="${REDIS_DB%%\?*}"; fi
    [ -n "$REDIS_DB" ] || REDIS_DB=0
    hostport="$rest"
    if [[ "$hostport" == \[*\]* ]]; then              # [ipv6]:port
        REDIS_HOST="${hostport%%]*}"; REDIS_HOST="${REDIS_HOST#[}"; REDIS_PORT="${hostport##*]}"; REDIS_PORT="${REDIS_PORT#:}"
    elif [[ "$hostport" == *:* ]]; then
        REDIS_HOST="${hostport%:*}"; REDIS_PORT="${hostport##*:}"
    else
        REDIS_HOST="$hostport"; REDIS_PORT=""
    fi
    [ -n "$REDIS_HOST" ] || REDIS_HOST=127.0.0.1
    [ -n "$REDIS_PORT" ] || REDIS_PORT=6379
    [[ "$REDIS_PORT" =~ ^[0-9]+$ && "$REDIS_DB" =~ ^[0-9]+$ ]] || { echo "bad port or db in $url" >&2; return 1; }
    REDIS_USER="$(redis_urldecode "$REDIS_USER")"; REDIS_PASSWORD="$(redis_urldecode "$REDIS_PASSWORD")"
    # redis-cli takes the password from the environment (not visible in ps); an empty one would still send AUTH.
    REDIS_CLI_ENV=(env)
    [ -z "$REDIS_PASSWORD" ] || REDIS_CLI_ENV=(env "REDISCLI_AUTH=$REDIS_PASSWORD")
}

redis_urldecode() { local s="${1//+/ }"; printf '%b' "${s//%/\\x}"; }

redis_have_cli() {
    command -v "${TTV_REDIS_CLI:-redis-cli}" >/dev/null 2>&1
}

# redis_cmd ARG... — one command; prints the reply as redis-cli does when not on a terminal (arrays: one element
# a line); returns non-zero when Redis cannot be reached or answers an error.
redis_cmd() {
    if redis_have_cli; then
        local args=(-e -h "$REDIS_HOST" -p "$REDIS_PORT" -n "$REDIS_DB")
        [ "$REDIS_TLS" = 1 ] && args+=(--tls)
        [ -n "$REDIS_USER" ] && args+=(--user "$REDIS_USER")
        "${REDIS_CLI_ENV[@]}" timeout "${REDIS_TIMEOUT:-5}" "${TTV_REDIS_CLI:-redis-cli}" "${args[@]}" "$@"
    else
        redis_cmd_tcp "$@"
    fi
}

redis_resp_send() { # fd args...
    local fd="$1"; shift
    local out="*$#\r\n" a
    for a in "$@"; do out+="\$${#a}\r\n$a\r\n"; done
    printf "%b" "$out" >&"$fd"
}

redis_resp_read() { # fd -> prints the reply; non-zero on an error reply
    local fd="$1" line n i
    IFS= read -r -t "${REDIS_TIMEOUT:-5}" line <&"$fd" || { echo "no reply from Redis" >&2; return 1; }
    line="${line%$'\r'}"
    case "$line" in
        +*) printf '%s\n' "${line#+}" ;;
        :*) printf '%s\n' "${line#:}" ;;
        -*) printf '%s\n' "${line#-}" >&2; return 1 ;;
        \$-1) printf '\n' ;;
        \$*) n="${line#\$}"
            LC_ALL=C IFS= read -r -N "$n" -t "${REDIS_TIMEOUT:-5}" line <&"$fd" || return 1
            LC_ALL=C IFS= read -r -N 2 -t "${REDIS_TIMEOUT:-5}" _ <&"$fd"
            printf '%s\n' "$line" ;;
        \*-1) ;;
        \**) n="${line#\*}"; for ((i = 0; i < n; i++)); do redis_resp_read "$fd" || return 1; done ;;
        *) echo "unexpected reply from Redis: $line" >&2; return 1 ;;
    esac
}

redis_cmd_tcp() {
    [ "$REDIS_TLS" = 1 ] && { echo "rediss:// needs redis-cli" >&2; return 1; }
    local fd rc=0
    { exec {fd}<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT"; } 2>/dev/null || { echo "Could not connect to Redis at $REDIS_HOST:$REDIS_PORT" >&2; return 1; }
    if [ -n "$REDIS_PASSWORD" ]; then
        if [ -n "$REDIS_USER" ]; then redis_resp_send "$fd" AUTH "$REDIS_USER" "$REDIS_PASSWORD"; else redis_resp_send "$fd" AUTH "$REDIS_PASSWORD"; fi
        redis_resp_read "$fd" >/dev/null || rc=1
    fi
    if [ "$rc" = 0 ] && [ "$REDIS_DB" != 0 ]; then
        redis_resp_send "$fd" SELECT "$REDIS_DB"; redis_resp_read "$fd" >/dev/null || rc=1
    fi
    if [ "$rc" = 0 ]; then
        redis_resp_send "$fd" "$@"; redis_resp_read "$fd" || rc=1
    fi
    exec {fd}>&-
    return "$rc"
}

# Key counts of the product's data set, as "name=value" lines (backup manifest, restore check). One Lua script,
# so both redis-cli and /dev/tcp give the same answer; it SCANs the keyspace inside Redis (about 0.1 s per 100k keys).
REDIS_COUNT_NAMES=(dbsize queue_default jobs_index job_hashes job_logs queue_delayed workers worker_processing worker_heartbeats)
REDIS_COUNT_LUA='
local function count(pattern, kind)
  local n, cursor = 0, "0"
  repeat
    local r = redis.call("SCAN", cursor, "MATCH", pattern, "COUNT", 1000, "TYPE", kind)
    cursor = r[1]; n = n + #r[2]
  until cursor == "0"
  return n
end
return { redis.call("DBSIZE"), redis.call("LLEN", "rq:queue:default"), redis.call("ZCARD", "rq:jobs"),
  count("rq:job:*", "hash"), count("rq:job:*:logs", "list"), redis.call("ZCARD", "rq:queue:delayed"),
  redis.call("ZCARD", "ttv:workers"), count("ttv:worker:*:processing", "list"),
  count("ttv:worker:*:heartbeat", "string") }'

redis_key_counts() {
    local values i=0 v
    values="$(redis_cmd EVAL "$REDIS_COUNT_LUA" 0)" || return 1
    while IFS= read -r v; do
        printf '%s=%s\n' "${REDIS_COUNT_NAMES[$i]}" "$v"; i=$((i + 1))
    done <<<"$values"
    [ "$i" = "${#REDIS_COUNT_NAMES[@]}" ]
}

# Field of INFO, e.g. redis_info_field persistence rdb_bgsave_in_progress
redis_info_field() {
    redis_cmd INFO "$1" | tr -d '\r' | sed -n "s/^$2://p"
}

# The URL without its password, for output and manifests.
redis_safe_url() {
    local proto="redis"; [ "$REDIS_TLS" = 1 ] && proto=rediss
    printf '%s://%s:%s/%s\n' "$proto" "$REDIS_HOST" "$REDIS_PORT" "$REDIS_DB"
}
