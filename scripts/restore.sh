#!/usr/bin/env bash
# Restores a backup of scripts/backup.sh into Redis. Two steps, because Redis runs with AOF (scripts/redis.conf):
# a Redis started with appendonly yes and no AOF ignores dump.rdb, starts empty and, at its next shutdown,
# overwrites dump.rdb with that empty data set.
#
#   1. Stop the nodes and Redis (compose: docker compose stop api worker redis), then
#        TTV_REDIS_DATA_DIR=<Redis dir> ./scripts/restore.sh DIR
#      checks the dump against its manifest, moves the current dump.rdb and appendonlydir/ aside into
#      <Redis dir>/pre-restore-<time>/ and puts the backup's dump.rdb in place. It refuses while Redis answers.
#      Compose: the Redis dir is the volume, /var/lib/docker/volumes/ttv-api_redis-data/_data.
#   2. Start Redis once with AOF off (compose: REDIS_APPENDONLY=no docker compose up -d redis; by hand:
#      redis-server scripts/redis.conf --appendonly no), then
#        ./scripts/restore.sh --finish DIR
#      compares the key counts with the manifest, switches AOF on (CONFIG SET appendonly yes) and waits until
#      the AOF has been rewritten from the restored data. Redis can then be restarted with its normal
#      configuration (compose: docker compose up -d redis) and the nodes started.
# Redis from TTV_REDIS_URL (default redis://127.0.0.1:6379/0). Exit 0 on success.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/redis-lib.sh"

die() { echo "restore: $*" >&2; exit 1; }
usage() { echo "usage: $0 DIR | $0 --finish DIR" >&2; exit 2; }

finish=0
[ "${1:-}" = --finish ] && { finish=1; shift; }
[ $# = 1 ] || usage
dir="${1%/}"
[ -f "$dir/manifest.txt" ] && [ -f "$dir/dump.rdb" ] || die "$dir has no dump.rdb and manifest.txt (made by scripts/backup.sh)"
redis_parse_url "${TTV_REDIS_URL:-redis://127.0.0.1:6379/0}" || die "invalid TTV_REDIS_URL"
timeout_s="${TTV_RESTORE_TIMEOUT:-600}"
manifest_value() { sed -n "s/^$1=//p" "$dir/manifest.txt"; }

if [ "$finish" = 0 ]; then
    [ "$(sha256sum "$dir/dump.rdb" | cut -d' ' -f1)" = "$(manifest_value dump_sha256)" ] \
        || die "$dir/dump.rdb does not match the SHA-256 in its manifest"
    if command -v redis-check-rdb >/dev/null 2>&1; then
        redis-check-rdb "$dir/dump.rdb" >/dev/null 2>&1 || die "redis-check-rdb rejects $dir/dump.rdb"
    fi
    data="${TTV_REDIS_DATA_DIR:-}"
    [ -n "$data" ] && [ -d "$data" ] || die "set TTV_REDIS_DATA_DIR to Redis' data directory (CONFIG GET dir)"
    if [ "$(REDIS_TIMEOUT=3 redis_cmd PING 2>/dev/null)" = PONG ]; then
        die "Redis at $(redis_safe_url) is running: stop it first (it would overwrite dump.rdb when it stops)"
    fi
    aside="$data/pre-restore-$(date -u +%Y%m%d-%H%M%S)"
    mkdir -p "$aside"
    for f in dump.rdb appendonlydir appendonly.aof; do
        [ -e "$data/$f" ] && mv "$data/$f" "$aside/"
    done
    cp "$dir/dump.rdb" "$data/dump.rdb.partial" && mv "$data/dump.rdb.partial" "$data/dump.rdb"
    echo "restore: $dir/dump.rdb is in $data (previous files in $aside)."
    echo "restore: next, start Redis with --appendonly no, then run: $0 --finish $dir"
    exit 0
fi

[ "$(REDIS_TIMEOUT=5 redis_cmd PING 2>&1)" = PONG ] || die "Redis at $(redis_safe_url) does not answer PING: start it with --appendonly no"
[ "$(redis_info_field persistence loading)" = 0 ] || die "Redis is still loading; run again when it is done"
[ "$(redis_info_field persistence aof_enabled)" = 0 ] \
    || die "Redis runs with AOF on, so it did not load the backup's dump.rdb: stop it, repeat step 1, start it with --appendonly no"

# Keys with a TTL (heartbeats, idempotency keys, rate-limit buckets) may have expired since the backup: compare
# the durable ones.
durable='^(queue_default|jobs_index|job_hashes|job_logs|queue_delayed)='
expected="$(grep -E "$durable" "$dir/manifest.txt")"
actual="$(redis_key_counts | grep -E "$durable")" || die "could not count keys"
if [ "$expected" != "$actual" ]; then
    diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") >&2 || true
    die "the key counts of Redis differ from the manifest (left: manifest, right: Redis)"
fi
echo "restore: key counts match the manifest (db $REDIS_DB: $(printf '%s ' $actual))"

redis_cmd CONFIG SET appendonly yes >/dev/null || die "CONFIG SET appendonly yes failed"
deadline=$((SECONDS + timeout_s))
until [ "$(redis_info_field persistence aof_enabled)" = 1 ] \
    && [ "$(redis_info_field persistence aof_rewrite_in_progress)" = 0 ] \
    && [ "$(redis_info_field persistence aof_rewrite_scheduled)" = 0 ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "the AOF rewrite did not finish within $timeout_s s"
    sleep 0.2
done
[ "$(redis_info_field persistence aof_last_bgrewrite_status)" = ok ] || die "the AOF rewrite failed (see the Redis log)"
echo "restore: AOF rewritten from the restored data; Redis may now be restarted with its normal configuration"
