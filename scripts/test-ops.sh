#!/usr/bin/env bash
# Tests of the operations files: monitoring/ (promtool, amtool, metric names), docker/ (compose validation, the
# entry point outside Docker), deploy/kubernetes/ (every overlay rendered with kubectl kustomize and checked), and
# scripts/health-check.sh, backup.sh, restore.sh against a real Redis server on a free loopback port. Installs its
# tools on a fresh Debian machine (apt; kubectl: ensure_kubectl). Exit non-zero if any check fails.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ensure_apt_package promtool prometheus
ensure_apt_package amtool prometheus-alertmanager
ensure_apt_package docker-compose docker-compose
ensure_apt_package redis-cli redis-tools
ensure_apt_package prometheus-redis-exporter prometheus-redis-exporter
ensure_apt_package unzip unzip
ensure_apt_package curl curl
require node "Node.js, for the fake node of the health-check test"
PY=/usr/bin/python3                     # Debian's, with python3-yaml (a dependency of docker-compose)
"$PY" -c 'import yaml' 2>/dev/null || die "python3-yaml missing"
REDIS_SERVER="$(redis_server_binary)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ttv-test-ops.XXXXXX")"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

passed=0 failed=0
check() { # name command... : one check, its output shown only when it fails
    local name="$1"; shift
    if "$@" >"$WORK/out" 2>&1; then
        passed=$((passed + 1)); printf 'ok    %s\n' "$name"
    else
        failed=$((failed + 1)); printf 'FAIL  %s\n' "$name"; sed 's/^/      /' "$WORK/out" | tail -40
    fi
}
expect_fail() { ! "$@"; }

# wait_until SECONDS command... : polls a condition
wait_until() {
    local limit=$(( $1 * 10 )) i=0; shift
    until "$@" >/dev/null 2>&1; do i=$((i + 1)); [ "$i" -le "$limit" ] || return 1; sleep 0.1; done
}

# ---------------------------------------------------------------- monitoring/
check "promtool check config prometheus.yml" promtool check config monitoring/prometheus.yml
check "promtool check config prometheus.compose.yml" promtool check config monitoring/prometheus.compose.yml
check "promtool check rules" promtool check rules monitoring/ttv-api-rules.yml
check "promtool test rules (every alert firing and not firing)" promtool test rules monitoring/tests/*.yml
check "amtool check-config alertmanager.yml" amtool check-config monitoring/alertmanager.yml

# Every metric in the rules and dashboards is one the node (or redis_exporter) exposes; every alert of the guide
# exists and has a unit test that fires it and one that does not.
metric_names() {
    "$PY" - "$@" <<'PY'
import json, re, sys, yaml
node = {"http_requests_total", "http_requests_errors_total", "http_request_duration_seconds_bucket",
        "http_request_duration_seconds_sum", "http_request_duration_seconds_count", "api_active_connections",
        "jobs_queued_total", "jobs_processing_total", "jobs_completed_total", "jobs_failed_total", "jobs_total",
        "job_duration_seconds_bucket", "job_duration_seconds_sum", "job_duration_seconds_count",
        "redis_queue_depth", "worker_active_jobs", "gcs_upload_duration_seconds_bucket",
        "gcs_upload_duration_seconds_sum", "gcs_upload_duration_seconds_count", "redis_connected_clients",
        "redis_used_memory_bytes", "up"}
exporter = {"redis_up", "redis_memory_used_bytes", "redis_memory_max_bytes"}
words = {"sum", "by", "rate", "histogram_quantile", "max", "min", "count", "and", "or", "on", "vector", "le",
         "job", "instance", "status", "method", "path", "queue", "role", "unless", "ignoring", "without"}
exprs = []
rules = yaml.safe_load(open("monitoring/ttv-api-rules.yml"))
for g in rules["groups"]:
    for r in g["rules"]:
        exprs.append((r["alert"], r["expr"]))
for f in sys.argv[1:]:
    for p in json.load(open(f))["panels"]:
        for t in p["targets"]:
            exprs.append((f + ": " + p["title"], t["expr"]))
bad = []
for where, orig in exprs:
    e = re.sub(r'"[^"]*"', '""', orig)              # label values
    e = re.sub(r"\[[^\]]*\]", "", e)                 # ranges
    for name in set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", e)) - words:
        if name not in node | exporter:
            bad.append(f"{where}: unknown metric {name}")
        if name in exporter and 'job="redis"' not in orig:
            bad.append(f"{where}: {name} is a redis_exporter metric: select job=\"redis\"")
print("\n".join(bad) or "all metric names known")
sys.exit(1 if bad else 0)
PY
}
check "rules and dashboards use only exposed metric names" metric_names monitoring/grafana/dashboards/*.json

alerts_tested() {
    "$PY" - <<'PY'
import glob, sys, yaml
guide = ["APIDown", "HighErrorRate", "HighLatency", "JobQueueBacklog", "HighJobFailureRate", "NoActiveWorkers",
         "RedisHighMemoryUsage", "RedisDown"]
rules = [r["alert"] for g in yaml.safe_load(open("monitoring/ttv-api-rules.yml"))["groups"] for r in g["rules"]]
fires, quiet = set(), set()
for f in glob.glob("monitoring/tests/*.yml"):
    for t in yaml.safe_load(open(f))["tests"]:
        for a in t.get("alert_rule_test", []):
            (fires if a.get("exp_alerts") else quiet).add(a["alertname"])
bad = [f"{a}: missing from the rules" for a in guide if a not in rules]
bad += [f"{a}: no test where it fires" for a in guide if a not in fires]
bad += [f"{a}: no test where it stays quiet" for a in guide if a not in quiet]
print("\n".join(bad) or "8 alerts, each tested firing and quiet")
sys.exit(1 if bad else 0)
PY
}
check "the guide's eight alerts exist and are tested firing and quiet" alerts_tested

# Dashboard queries parse: promtool checks them as recording rules.
dashboard_queries() {
    "$PY" - "$WORK/dash-rules.yml" monitoring/grafana/dashboards/*.json <<'PY' && promtool check rules "$WORK/dash-rules.yml"
import json, sys, yaml
rules = []
for f in sys.argv[2:]:
    d = json.load(open(f))
    assert d.get("uid") and d.get("title") and d["panels"], f
    for p in d["panels"]:
        assert p["type"] in ("timeseries", "stat"), f"{f}: panel type {p['type']}"
        for t in p["targets"]:
            rules.append({"record": f"dashboard:check{len(rules)}", "expr": t["expr"]})
yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}, open(sys.argv[1], "w"))
PY
}
check "Grafana dashboards: JSON, current panel types, every query parses" dashboard_queries

configs_structure() {
    "$PY" - <<'PY'
import yaml
ds = yaml.safe_load(open("monitoring/grafana/provisioning/datasources/ttv.yml"))
assert {d["uid"] for d in ds["datasources"]} == {"prometheus", "loki"}
db = yaml.safe_load(open("monitoring/grafana/provisioning/dashboards/ttv.yml"))
assert db["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
loki = yaml.safe_load(open("monitoring/loki-config.yml"))
assert loki["auth_enabled"] is False and loki["server"]["http_listen_port"] == 3100
assert loki["schema_config"]["configs"][0]["store"] == "tsdb"
pt = yaml.safe_load(open("monitoring/promtail-config.yml"))
sc = pt["scrape_configs"][0]
assert sc["static_configs"][0]["labels"]["service"] == "ttv-api"
json_stage = next(s["match"] for s in sc["pipeline_stages"] if "match" in s and "{" in s["match"]["selector"] and "|~" in s["match"]["selector"])
expr = json_stage["stages"][0]["json"]["expressions"]
assert set(expr) == {"timestamp", "level", "component"}, expr
labels = set(json_stage["stages"][1]["labels"])
assert "job_id" not in labels and "request_id" not in labels and "user_id" not in labels
print("ok")
PY
}
check "Grafana provisioning, Loki and Promtail configs (YAML, key structure)" configs_structure

# Promtail's regex for the log path and Karaf's own line format, tried on real examples (Go and Python RE agree
# on these constructs).
promtail_regexes() {
    "$PY" - <<'PY'
import re, yaml
pt = yaml.safe_load(open("monitoring/promtail-config.yml"))
st = pt["scrape_configs"][0]["pipeline_stages"]
path_re = re.compile(st[0]["regex"]["expression"])
m = path_re.search("/var/log/ttv/worker-3f2a1b9c0d11/karaf.log")
assert m and m["role"] == "worker" and m["instance"] == "3f2a1b9c0d11", m
assert not path_re.search("/var/log/ttv/other/karaf.log")
karaf = next(s["match"] for s in st if "match" in s and "!~" in s["match"]["selector"])
kre = re.compile(karaf["stages"][0]["regex"]["expression"])
m = kre.search("2026-11-28T19:20:40,307 | INFO  | FelixStartLevel  | CommandExtension | 87 - x - 4.4.8 | text")
assert m and m["level"] == "INFO", m
print("ok")
PY
}
check "Promtail path and Karaf-line regexes match real examples" promtail_regexes

# ---------------------------------------------------------------- docker/
check "docker-compose config (Compose v1 parser)" docker-compose -f docker/docker-compose.yml config -q
compose_structure() {
    docker-compose -f docker/docker-compose.yml config >"$WORK/compose.yml" || return 1
    "$PY" - "$WORK/compose.yml" <<'PY'
import os, sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
s = c["services"]
need = {"api", "worker", "redis", "gcs-emulator", "redis-exporter", "prometheus", "alertmanager", "grafana", "loki", "promtail"}
assert need <= set(s), need - set(s)
assert s["api"]["environment"]["TTV_ROLE"] == "api" and s["worker"]["environment"]["TTV_ROLE"] == "worker"
w = s["worker"]
assert "ports" not in w and "container_name" not in w, "worker must scale"
assert not any("container_name" in v for v in s.values())
for name, svc in s.items():
    for v in svc.get("volumes", []):
        src = v.split(":")[0] if isinstance(v, str) else v.get("source")
        if src.startswith("/"):
            assert os.path.exists(src), f"{name}: {src} missing"
assert any("redis.conf" in str(v) for v in s["redis"]["volumes"])
print("ok")
PY
}
check "compose: all services, scalable worker, mounted files exist" compose_structure
check "docker/Dockerfile: JRE 17, non-root, HEALTHCHECK /healthz, the JVM options of bin/setenv, entrypoint" \
    bash -c 'f=docker/Dockerfile; grep -q "^FROM eclipse-temurin:17-jre" $f && grep -q "^USER ttv" $f &&
             grep -A1 "^HEALTHCHECK" $f | grep -q "/healthz" && ! grep -q "JAVA_OPTS=" $f &&
             grep -q "JAVA_OPTS=\"-Xms" distribution/src/main/resources/assembly/bin/setenv &&
             grep -q "^COPY .*distribution/target/assembly /opt/ttv" $f && grep -q "^ENTRYPOINT \[\"/opt/ttv/docker-entrypoint.sh\"\]" $f'

syntax_all() {
    local f rc=0
    for f in scripts/*.sh scripts/bench/*.sh; do bash -n "$f" || { echo "bash -n $f"; rc=1; }; done
    sh -n docker/entrypoint.sh || rc=1
    return $rc
}
check "bash -n on every script, sh -n on the entry point" syntax_all

# The entry point outside Docker: a fake KARAF_HOME whose bin/karaf records what it was given.
fake="$WORK/fake-karaf"
mkdir -p "$fake/bin" "$fake/etc"
cp distribution/src/main/resources/assembly/etc/users.properties "$fake/etc/"
cat >"$fake/bin/karaf" <<'STUB'
#!/usr/bin/env bash
rec="$KARAF_HOME/record"
trap 'echo "signal=TERM" >>"$rec"; kill "$child" 2>/dev/null; exit 143' TERM
{ echo "pid=$$"; echo "args=$*"; echo "KARAF_EXEC=${KARAF_EXEC-}"; echo "KARAF_LOG=${KARAF_LOG-}"
  echo "EXTRA_JAVA_OPTS=${EXTRA_JAVA_OPTS-}"; echo "TTV_ROLE=${TTV_ROLE-}"; echo "TTV_REDIS_URL=${TTV_REDIS_URL-}"
} >"$rec.tmp"
mv "$rec.tmp" "$rec"
tail -f /dev/null & child=$!
wait "$child"
STUB
chmod +x "$fake/bin/karaf"

entrypoint_maps_env_and_forwards_sigterm() {
    rm -f "$fake/record"
    KARAF_HOME="$fake" TTV_ROLE=worker TTV_LOG_DIR="$WORK/logs" TTV_LOG_CONSOLE=WARN KARAF_PASSWORD='s3cr&t' \
        TTV_REDIS_URL=redis://redis:6379/0 docker/entrypoint.sh --extra &
    local ep=$!
    wait_until 10 test -f "$fake/record" || { echo "bin/karaf was not started"; kill "$ep"; return 1; }
    cat "$fake/record"
    local ok=0
    grep -qx "pid=$ep" "$fake/record" || { echo "entry point did not exec bin/karaf"; ok=1; }
    grep -qx "args=server --extra" "$fake/record" || { echo "wrong arguments"; ok=1; }
    grep -qx "KARAF_EXEC=exec" "$fake/record" || { echo "KARAF_EXEC not exec"; ok=1; }
    grep -qx "KARAF_LOG=$WORK/logs/worker-$(hostname)" "$fake/record" && [ -d "$WORK/logs/worker-$(hostname)" ] \
        || { echo "KARAF_LOG not mapped"; ok=1; }
    grep -q "^EXTRA_JAVA_OPTS=.*-Dkaraf.log.console=WARN" "$fake/record" || { echo "console level not mapped"; ok=1; }
    grep -qx "TTV_ROLE=worker" "$fake/record" && grep -qx "TTV_REDIS_URL=redis://redis:6379/0" "$fake/record" \
        || { echo "TTV_* not passed through"; ok=1; }
    grep -qx 'karaf = s3cr&t,_g_:admingroup' "$fake/etc/users.properties" || { echo "password not set"; ok=1; }
    kill -TERM "$ep"
    wait_until 10 bash -c "! kill -0 $ep" || { echo "did not stop on SIGTERM"; kill -KILL "$ep"; return 1; }
    wait "$ep"; local rc=$?
    [ "$rc" = 143 ] || { echo "exit code $rc, expected 143"; ok=1; }
    grep -qx "signal=TERM" "$fake/record" || { echo "SIGTERM did not reach bin/karaf"; ok=1; }
    return $ok
}
check "entrypoint: env mapped, execs bin/karaf server, SIGTERM reaches it" entrypoint_maps_env_and_forwards_sigterm
check "entrypoint: invalid TTV_ROLE stops with exit 64 before Karaf" \
    bash -c "rm -f '$fake/record'; KARAF_HOME='$fake' TTV_ROLE=bogus docker/entrypoint.sh; rc=\$?; [ \$rc = 64 ] && [ ! -f '$fake/record' ]"
check "entrypoint: a command argument runs instead of Karaf" \
    bash -c "[ \"\$(KARAF_HOME='$fake' docker/entrypoint.sh echo hello)\" = hello ]"

# ---------------------------------------------------------------- deploy/kubernetes/
# Rendered by kustomize and checked object by object (no cluster can run here).
ensure_kubectl
for overlay in deploy/kubernetes/overlays/*/; do
    check "kubernetes $(basename "$overlay"): renders; probes, grace, PDBs, HPA, KEDA, secrets, non-root, no 8101" \
        "$PY" deploy/kubernetes/tests/check_overlay.py "$KUBECTL" "$overlay"
done

# ---------------------------------------------------------------- Redis: backup, restore, health check
start_redis() { # dir port extra-args... -> REDIS_PID
    mkdir -p "$1"
    "$REDIS_SERVER" "$ROOT/scripts/redis.conf" --port "$2" --bind 127.0.0.1 --dir "$1" --enable-debug-command local \
        "${@:3}" >>"$1/redis.log" 2>&1 &
    REDIS_PID=$!; pids+=("$REDIS_PID")
    wait_until 15 redis-cli -p "$2" ping || { echo "Redis did not start"; cat "$1/redis.log"; return 1; }
    wait_until 15 bash -c "[ \"\$(redis-cli -p $2 info persistence | tr -d '\r' | sed -n 's/^loading://p')\" = 0 ]"
}
stop_redis() { kill "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null; true; }
digest() { redis-cli -p "$1" DEBUG DIGEST; }

RPORT="$(free_port)"
RDIR="$WORK/redis"
start_redis "$RDIR" "$RPORT" || die "cannot start Redis"
export TTV_REDIS_URL="redis://127.0.0.1:$RPORT/0"
{
    for i in 1 2 3 4 5; do
        id="00000000-0000-4000-8000-00000000000$i"
        redis-cli -p "$RPORT" HSET "rq:job:$id" id "$id" status queued prompt "fox $i" progress 0
        redis-cli -p "$RPORT" ZADD rq:jobs "$i" "$id"
        redis-cli -p "$RPORT" RPUSH "rq:job:$id:logs" "[2026-11-28T00:00:0${i}Z] queued"
    done
    redis-cli -p "$RPORT" LPUSH rq:queue:default 00000000-0000-4000-8000-000000000001 00000000-0000-4000-8000-000000000002
    redis-cli -p "$RPORT" ZADD rq:queue:delayed 1999999999999 00000000-0000-4000-8000-000000000003
    redis-cli -p "$RPORT" ZADD ttv:workers 1 w1
    redis-cli -p "$RPORT" RPUSH ttv:worker:w1:processing 00000000-0000-4000-8000-000000000004
    redis-cli -p "$RPORT" SET ttv:worker:w1:heartbeat 1 EX 3600
} >/dev/null
BEFORE="$(digest "$RPORT")"

backup_round_trip() {
    local bdir out ok=0
    out="$(TTV_BACKUP_DIR="$WORK/backups" scripts/backup.sh)" || return 1
    echo "$out"
    bdir="$(ls -d "$WORK"/backups/*/ | head -1)"; bdir="${bdir%/}"
    [[ "$(basename "$bdir")" =~ ^[0-9]{8}-[0-9]{6}$ ]] || { echo "not a timestamped folder: $bdir"; ok=1; }
    grep -qx "queue_default=2" "$bdir/manifest.txt" && grep -qx "job_hashes=5" "$bdir/manifest.txt" \
        && grep -qx "jobs_index=5" "$bdir/manifest.txt" && grep -qx "queue_delayed=1" "$bdir/manifest.txt" \
        && grep -qx "worker_heartbeats=1" "$bdir/manifest.txt" || { echo "manifest counts wrong"; cat "$bdir/manifest.txt"; ok=1; }
    echo "$bdir" >"$WORK/backup-dir"
    # a change after the backup that the restore must undo
    redis-cli -p "$RPORT" SET after-backup 1 >/dev/null
    redis-cli -p "$RPORT" DEL rq:queue:default >/dev/null
    TTV_REDIS_DATA_DIR="$RDIR" scripts/restore.sh "$bdir" && { echo "restore ran while Redis was up"; ok=1; }
    stop_redis
    TTV_REDIS_DATA_DIR="$RDIR" scripts/restore.sh "$bdir" || return 1
    start_redis "$RDIR" "$RPORT" --appendonly no || return 1
    scripts/restore.sh --finish "$bdir" || return 1
    [ "$(digest "$RPORT")" = "$BEFORE" ] || { echo "data differs after restore"; ok=1; }
    # restarted with its normal configuration (AOF on), Redis keeps the restored data
    stop_redis
    start_redis "$RDIR" "$RPORT" || return 1
    [ "$(digest "$RPORT")" = "$BEFORE" ] || { echo "data lost after restart with AOF"; ok=1; }
    return $ok
}
check "backup.sh -> restore.sh round trip on a real Redis (data identical, survives AOF restart)" backup_round_trip

check "backup.sh without redis-cli (BGSAVE + LASTSAVE) gives the same counts" bash -c '
    TTV_REDIS_CLI=none TTV_BACKUP_TIMEOUT=60 TTV_BACKUP_DIR="'"$WORK"'/backups-bgsave" scripts/backup.sh || exit 1
    d=$(ls -d "'"$WORK"'"/backups-bgsave/*/ | head -1)
    diff <(grep -E "^(queue|job|workers)" "$d/manifest.txt") <(grep -E "^(queue|job|workers)" "$(cat "'"$WORK"'/backup-dir")/manifest.txt")'
check "restore.sh --finish refuses a Redis whose counts differ from the manifest" bash -c '
    redis-cli -p '"$RPORT"' CONFIG SET appendonly no >/dev/null; redis-cli -p '"$RPORT"' LPUSH rq:queue:default extra >/dev/null
    scripts/restore.sh --finish "$(cat "'"$WORK"'/backup-dir")"; rc=$?
    redis-cli -p '"$RPORT"' LPOP rq:queue:default >/dev/null; redis-cli -p '"$RPORT"' CONFIG SET appendonly yes >/dev/null; [ $rc != 0 ]'

# redis_exporter really exports the names the Redis alerts use.
exporter_metrics() {
    local port; port="$(free_port)"
    prometheus-redis-exporter --redis.addr="redis://127.0.0.1:$RPORT" --web.listen-address="127.0.0.1:$port" &
    local pid=$!; pids+=("$pid")
    wait_until 15 curl -fs "http://127.0.0.1:$port/metrics" || return 1
    curl -fs "http://127.0.0.1:$port/metrics" >"$WORK/exporter.txt"
    kill "$pid"
    grep -E '^redis_(up|memory_used_bytes|memory_max_bytes) ' "$WORK/exporter.txt"
    [ "$(grep -cE '^redis_(up|memory_used_bytes|memory_max_bytes) ' "$WORK/exporter.txt")" = 3 ] && grep -qx 'redis_up 1' "$WORK/exporter.txt"
}
check "redis_exporter exposes redis_up, redis_memory_used_bytes, redis_memory_max_bytes" exporter_metrics

# health-check.sh. A fake node (node.js) stands in for a Karaf node here: booting the real distribution belongs
# to the itests. FAKE_METRICS chooses what /metrics serves.
NPORT="$(free_port)"
cat >"$WORK/fake-node.js" <<'JS'
const http = require("http");
const [port, metricsFile] = process.argv.slice(2);
http.createServer((req, res) => {
  const fs = require("fs");
  const send = (code, type, body) => { res.writeHead(code, {"Content-Type": type}); res.end(body); };
  if (req.url === "/healthz") return send(200, "application/json", '{"status":"healthy"}');
  if (req.url === "/readyz") return send(200, "application/json", '{"status":"ready","components":{"redis":"healthy","gcs":"healthy","workers":"healthy","api":"healthy"}}');
  if (req.url === "/metrics") return send(200, "text/plain; version=0.0.4", fs.readFileSync(metricsFile, "utf8"));
  send(404, "application/json", "{}");
}).listen(Number(port), "127.0.0.1");
JS
printf '# TYPE jobs_total counter\njobs_total 3.0\nredis_queue_depth{queue="default"} 0.0\n' >"$WORK/metrics.txt"
node "$WORK/fake-node.js" "$NPORT" "$WORK/metrics.txt" &
pids+=($!)
wait_until 15 curl -fs "http://127.0.0.1:$NPORT/healthz" || die "fake node did not start"
export TTV_BASE_URL="http://127.0.0.1:$NPORT"
DEAD="$(free_port)"

check "health-check.sh: healthy node and Redis -> exit 0" scripts/health-check.sh production
check "health-check.sh: same through /dev/tcp (no redis-cli) -> exit 0" env TTV_REDIS_CLI=none scripts/health-check.sh production
check "health-check.sh: Redis down -> non-zero" expect_fail env TTV_REDIS_URL="redis://127.0.0.1:$DEAD/0" scripts/health-check.sh production
check "health-check.sh: Redis down, /dev/tcp -> non-zero" expect_fail env TTV_REDIS_CLI=none TTV_REDIS_URL="redis://127.0.0.1:$DEAD/0" scripts/health-check.sh
check "health-check.sh: node down -> non-zero" expect_fail env TTV_BASE_URL="http://127.0.0.1:$DEAD" scripts/health-check.sh production
check "health-check.sh: /metrics without jobs_ metrics -> non-zero" bash -c "
    cp '$WORK/metrics.txt' '$WORK/metrics.bak'; echo 'jvm_threads 1' >'$WORK/metrics.txt'
    scripts/health-check.sh production; rc=\$?; cp '$WORK/metrics.bak' '$WORK/metrics.txt'; [ \$rc != 0 ]"
check "health-check.sh: queue over TTV_QUEUE_WARN is a warning, exit 0" bash -c "
    out=\$(TTV_QUEUE_WARN=1 scripts/health-check.sh production) && grep -q 'WARN.*queue.*2 jobs' <<<\"\$out\""
check "health-check.sh: password in TTV_REDIS_URL (AUTH, db) via redis-cli and /dev/tcp" bash -c "
    redis-cli -p $RPORT CONFIG SET requirepass 'p@ss' >/dev/null
    u='redis://:p%40ss@127.0.0.1:$RPORT/0'
    TTV_REDIS_URL=\$u scripts/health-check.sh >/dev/null && TTV_REDIS_CLI=none TTV_REDIS_URL=\$u scripts/health-check.sh >/dev/null
    rc=\$?; wrong='redis://:nope@127.0.0.1:$RPORT/0'; TTV_REDIS_URL=\$wrong scripts/health-check.sh >/dev/null; rc2=\$?
    REDISCLI_AUTH='p@ss' redis-cli -p $RPORT CONFIG SET requirepass '' >/dev/null; [ \$rc = 0 ] && [ \$rc2 != 0 ]"

# health-check.sh against an HTTPS node: the same fake node behind TLS, with a throw-away authority.
health_https() {
    local sport ca="$WORK/tls"; sport="$(free_port)"; mkdir -p "$ca"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=ttv-ops-ca \
        -keyout "$ca/ca-key.pem" -out "$ca/ca.pem" 2>/dev/null || return 1
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
        -keyout "$ca/key.pem" -out "$ca/node.csr" 2>/dev/null || return 1
    printf 'subjectAltName=IP:127.0.0.1\n' >"$ca/ext"
    openssl x509 -req -in "$ca/node.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca-key.pem" -set_serial 1 -days 1 \
        -extfile "$ca/ext" -out "$ca/cert.pem" 2>/dev/null || return 1
    cat >"$WORK/fake-https-node.js" <<'JS'
const https = require("https"), fs = require("fs");
const [port, dir, plainPort] = process.argv.slice(2);
https.createServer({key: fs.readFileSync(dir + "/key.pem"), cert: fs.readFileSync(dir + "/cert.pem")}, (req, res) => {
  require("http").get("http://127.0.0.1:" + plainPort + req.url, up => { res.writeHead(up.statusCode, up.headers); up.pipe(res); });
}).listen(Number(port), "127.0.0.1");
JS
    node "$WORK/fake-https-node.js" "$sport" "$ca" "$NPORT" &
    local pid=$!; pids+=("$pid")
    wait_until 15 curl -fsk "https://127.0.0.1:$sport/healthz" || return 1
    local url="https://127.0.0.1:$sport" rc=0
    TTV_BASE_URL=$url TTV_HEALTH_CACERT="$ca/ca.pem" scripts/health-check.sh production >/dev/null || rc=1
    TTV_BASE_URL=$url TTV_HEALTH_INSECURE=1 scripts/health-check.sh production >/dev/null || rc=1
    # unverified certificate without either setting: the liveness check fails
    TTV_BASE_URL=$url scripts/health-check.sh production >/dev/null && rc=1
    # plain http:// to the HTTPS port fails too
    TTV_BASE_URL="http://127.0.0.1:$sport" scripts/health-check.sh production >/dev/null && rc=1
    kill "$pid"
    return $rc
}
check "health-check.sh: HTTPS node with TTV_HEALTH_CACERT or TTV_HEALTH_INSECURE=1 -> 0; unverified or http:// -> non-zero" health_https

printf '\nops tests: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
