#!/usr/bin/env bash
# Consistent snapshot of the Redis data set (jobs, queue, index, workers) — operations guide, weekly maintenance:
#   ./scripts/backup.sh
# Writes ${TTV_BACKUP_DIR:-./backups}/YYYYmmdd-HHMMSS/dump.rdb and manifest.txt (time, source, SHA-256 of the dump,
# Redis version, key counts per kind). Redis from TTV_REDIS_URL (default redis://127.0.0.1:6379/0).
#
# How: with redis-cli, `redis-cli --rdb` has the server fork a snapshot and streams it here (works for a Redis in a
# container or on another host). Without redis-cli: BGSAVE, wait until it ends and LASTSAVE has moved, then copy dump.rdb from
# the server's data directory (TTV_REDIS_DATA_DIR, default the server's CONFIG GET dir), which must be local.
# The key counts are read right after the snapshot; on a busy system they may differ from the dump by the jobs
# that arrived meanwhile. Restore: scripts/restore.sh DIR. Exit 0 on success.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/redis-lib.sh"

die() { echo "backup: $*" >&2; exit 1; }

redis_parse_url "${TTV_REDIS_URL:-redis://127.0.0.1:6379/0}" || die "invalid TTV_REDIS_URL"
REDIS_TIMEOUT="${TTV_BACKUP_TIMEOUT:-600}"
[ "$(REDIS_TIMEOUT=5 redis_cmd PING 2>&1)" = PONG ] || die "Redis at $(redis_safe_url) does not answer PING"

root="${TTV_BACKUP_DIR:-./backups}"
stamp="$(date -u +%Y%m%d-%H%M%S)"
dir="$root/$stamp"
[ ! -e "$dir" ] || die "$dir already exists"
mkdir -p "$dir"
tmp="$dir/dump.rdb.partial"
trap 'rm -f "$tmp"' EXIT

if redis_have_cli; then
    method="redis-cli --rdb"
    args=(-h "$REDIS_HOST" -p "$REDIS_PORT")
    [ "$REDIS_TLS" = 1 ] && args+=(--tls)
    [ -n "$REDIS_USER" ] && args+=(--user "$REDIS_USER")
    "${REDIS_CLI_ENV[@]}" timeout "$REDIS_TIMEOUT" "${TTV_REDIS_CLI:-redis-cli}" "${args[@]}" --rdb "$tmp" >/dev/null 2>"$dir/rdb.err" \
        || die "redis-cli --rdb failed: $(cat "$dir/rdb.err")"
    rm -f "$dir/rdb.err"
else
    method="BGSAVE"
    before="$(redis_cmd LASTSAVE)" || die "LASTSAVE failed"
    deadline=$((SECONDS + REDIS_TIMEOUT))
    # LASTSAVE counts whole seconds: a save finishing in the second of the previous one could not be told apart, so
    # start only once Redis's clock has left that second.
    until [ "$(redis_cmd TIME | head -1)" -gt "$before" ]; do
        [ "$SECONDS" -lt "$deadline" ] || die "Redis's clock (TIME) did not pass LASTSAVE"
        sleep 0.2
    done
    # A background save already running would answer an error: wait for it first.
    until reply="$(redis_cmd BGSAVE 2>&1)"; do
        [ "$SECONDS" -lt "$deadline" ] || die "BGSAVE refused: $reply"
        sleep 0.2
    done
    # The reply comes after the fork, so the save is in progress now; when it ends, LASTSAVE moves only on success.
    until [ "$(redis_info_field persistence rdb_bgsave_in_progress)" = 0 ]; do
        [ "$SECONDS" -lt "$deadline" ] || die "BGSAVE did not finish within $REDIS_TIMEOUT s"
        sleep 0.2
    done
    [ "$(redis_info_field persistence rdb_last_bgsave_status)" = ok ] && [ "$(redis_cmd LASTSAVE)" -gt "$before" ] \
        || die "BGSAVE failed (see the Redis log)"
    data_dir="${TTV_REDIS_DATA_DIR:-$(redis_cmd CONFIG GET dir | sed -n 2p)}"
    file="$(redis_cmd CONFIG GET dbfilename | sed -n 2p)"
    [ -r "$data_dir/$file" ] || die "cannot read $data_dir/$file: set TTV_REDIS_DATA_DIR, or install redis-cli"
    cp "$data_dir/$file" "$tmp"
fi

[ -s "$tmp" ] && [ "$(head -c 5 "$tmp")" = REDIS ] || die "the snapshot is not an RDB file"
mv "$tmp" "$dir/dump.rdb"
counts="$(redis_key_counts)" || die "could not count keys"

{
    echo "# TTV Pipeline Redis backup (scripts/backup.sh); restore with scripts/restore.sh $dir"
    echo "created_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "source=$(redis_safe_url)"
    echo "redis_version=$(redis_info_field server redis_version)"
    echo "method=$method"
    echo "dump_bytes=$(wc -c <"$dir/dump.rdb" | tr -d ' ')"
    echo "dump_sha256=$(sha256sum "$dir/dump.rdb" | cut -d' ' -f1)"
    printf '%s\n' "$counts"
} >"$dir/manifest.txt"

echo "backup: $dir ($(sed -n 's/^dbsize=//p' "$dir/manifest.txt") keys, $(sed -n 's/^dump_bytes=//p' "$dir/manifest.txt") bytes, $method)"
