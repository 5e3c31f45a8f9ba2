#!/usr/bin/env bash
# The benchmark suite (bench/README.md): intake, status, pipeline overhead, start-up and memory, hot redeploy — each
# figure next to a ceiling measured in the same run with the same load (nginx answering a canned 202, and
# redis-benchmark running the Redis work of one submission). Builds if needed, starts its own Redis, GCS emulator
# and Karaf copies on free ports, and writes bench/results/<time>.md and .json.
# Usage: scripts/bench.sh   (BENCH_DURATION=20 BENCH_REPEATS=3 BENCH_CONNECTIONS=64 BENCH_PIPELINE_JOBS=1000
#                            BENCH_PIPELINE_CONCURRENCY="4 8 16" BENCH_LOCAL_JOBS=200 BENCH_FIXED_RATE=1000
#                            BENCH_ONLY=intake_replication: only the intake with and without replica acknowledgement;
#                            BENCH_ONLY=intake: only the intake with its accounting and profile;
#                            BENCH_ONLY=worker: only the remote-generator pipeline, its video made by ffmpeg;
#                            BENCH_ONLY=soak: the 10-minute soak, BENCH_SOAK_SECONDS=600 BENCH_SOAK_RATE=40;
#                            BENCH_ASSEMBLY=DIR: another assembly than distribution/target/assembly)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

DURATION=${BENCH_DURATION:-20}
REPEATS=${BENCH_REPEATS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
PIPELINE_JOBS=${BENCH_PIPELINE_JOBS:-1000}
PIPELINE_CONCURRENCY=${BENCH_PIPELINE_CONCURRENCY:-4 8 16}
LOCAL_JOBS=${BENCH_LOCAL_JOBS:-200}
FIXED_RATE=${BENCH_FIXED_RATE:-1000}
ASSEMBLY="${BENCH_ASSEMBLY:-$ROOT/distribution/target/assembly}"
OUT="$ROOT/bench/results"
STAMP=$(date -u +%Y%m%d-%H%M%S)

require java "JDK 17"; require mvn "Apache Maven"; require node "Node.js 20"; require python3 "Python 3"
ensure_apt_package wrk wrk
ensure_apt_package hey hey
ensure_apt_package nginx nginx-light
ensure_apt_package redis-benchmark redis-tools
ensure_apt_package bc bc
ensure_apt_package /usr/bin/time time
ensure_gcs_emulator
FLOOR_JAR=$(ls "$ROOT"/bench/floor-flow/target/ttv-bench-floor-flow-*.jar 2>/dev/null | head -1 || true)
if [ ! -f "$ASSEMBLY/etc/startup.properties" ] || [ -z "$FLOOR_JAR" ]; then
    log "building the distribution"
    mvn -B -ntp -q verify -DskipTests
    FLOOR_JAR=$(ls "$ROOT"/bench/floor-flow/target/ttv-bench-floor-flow-*.jar | head -1)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ttv-bench.XXXXXX")
pids=()
cleanup() {
    for home in "$WORK"/node-*; do
        [ -d "$home" ] || continue
        for p in $(pgrep -f "karaf.home=$home" || true); do kill "$p" 2>/dev/null || true; done
    done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    # The JVMs are grandchildren (bin/karaf runs them): wait for them to exit before removing their files.
    local deadline=$(( $(date +%s) + 60 ))
    while pgrep -f "karaf.home=$WORK/" >/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
    if [ -n "${BENCH_KEEP_WORK:-}" ]; then log "nodes' files kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
mkdir -p "$OUT"
RESULTS="$WORK/results.tsv"   # scenario <TAB> metric <TAB> value <TAB> unit
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"; log "$1 $2 = $3 $4"; }
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# --- report -----------------------------------------------------------------------------------------------
report() {
python3 - "$RESULTS" "$OUT/$STAMP" "$DURATION" "$REPEATS" "$CONNECTIONS" "$WORK" <<'EOF'
import json, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
def number(v):
    try:
        return float(v)
    except ValueError:  # a row of words, e.g. redis_top_commands_per_request
        return None
vals = {(s, m): number(v) for s, m, v, u in rows if number(v) is not None}
ratio = {}
if ("ceiling-static", "requests_per_s") in vals:
    for s in ("intake", "status"):
        if (s, "requests_per_s") in vals:
            ratio[s + " / static ceiling"] = vals[(s, "requests_per_s")] / vals[("ceiling-static", "requests_per_s")]
if ("ceiling-camel-floor", "requests_per_s") in vals and ("intake", "requests_per_s") in vals:
    ratio["intake / Camel floor"] = vals[("intake", "requests_per_s")] / vals[("ceiling-camel-floor", "requests_per_s")]
if ("ceiling-redis", "submissions_per_s") in vals and ("intake", "requests_per_s") in vals:
    ratio["intake / redis ceiling"] = vals[("intake", "requests_per_s")] / vals[("ceiling-redis", "submissions_per_s")]
meta = {"duration_s": int(sys.argv[3]), "repeats": int(sys.argv[4]), "connections": int(sys.argv[5]),
        "java_opts": "bin/setenv of the assembly (-Xmx160m, SerialGC)", "figures": "medians of the repeats",
        "accounting": "cpu_us_* and switches_* per request or job and process; redis_* and log_lines_* per request or job"}
json.dump({"meta": meta, "results": [dict(scenario=s, metric=m, value=v if number(v) is None else number(v), unit=u)
                                     for s, m, v, u in rows],
           "ratios": ratio}, open(sys.argv[2] + ".json", "w"), indent=2)
with open(sys.argv[2] + ".md", "w") as f:
    f.write(f"# Benchmark {sys.argv[2].rsplit('/', 1)[-1]}\n\n{meta}\n\n| scenario | metric | value | unit |\n|---|---|---|---|\n")
    for s, m, v, u in rows:
        f.write(f"| {s} | {m} | {v} | {u} |\n")
    f.write("\n| ratio | value |\n|---|---|\n")
    for k, v in ratio.items():
        f.write(f"| {k} | {v:.2f} |\n")
    import glob
    for profile in sorted(glob.glob(sys.argv[6] + "/*.profile.md")):
        f.write("\n" + open(profile).read())
print(open(sys.argv[2] + ".md").read())
EOF
}

# --- intake with replica acknowledgement: the master plus one replica; an API node with TTV_REDIS_WAIT_REPLICAS=0,
# then one with 1 (each 202 waits for WAIT 1 after the create script). Same load as the intake scenario.
intake_replication() {
    local replica_port wait port
    replica_port=$(free_port)
    "$(redis_server_binary)" --port "$replica_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" \
        --replicaof 127.0.0.1 "$redis_port" >"$WORK/redis-replica.log" 2>&1 & pids+=($!)
    local replica_pid=$!
    wait_for_port "$replica_port" 15 "Redis replica"
    local deadline=$(( $(date +%s) + 60 ))
    until redis-cli -p "$replica_port" INFO replication | grep -q 'master_link_status:up'; do
        [ "$(date +%s)" -lt "$deadline" ] || die "the replica did not sync with the master"
        sleep 0.2
    done
    for wait in 0 1; do
        rcli FLUSHALL >/dev/null
        port=$(free_port)
        start_node "replicated-$wait" "$port" TTV_ROLE=api TTV_RATE_LIMIT=0 TTV_REDIS_WAIT_REPLICAS="$wait"
        wait_http "http://127.0.0.1:$port/v1/jobs?limit=1" 180
        rcli CONFIG RESETSTAT >/dev/null
        repeat "intake_replica_wait$wait" "http://127.0.0.1:$port/v1/jobs" "$WORK/post.lua"
        record "intake_replica_wait$wait" accepted_202 "$ACCEPTED" jobs
        record "intake_replica_wait$wait" wait_commands \
            "$(rcli INFO commandstats | sed -n 's/^cmdstat_wait:calls=\([0-9]*\).*/\1/p' | grep . || echo 0)" calls
        record "intake_replica_wait$wait" stored_on_replica "$(redis-cli -p "$replica_port" ZCARD rq:jobs)" jobs
        stop_node "replicated-$wait"
    done
    # The scenarios after this one measure a master without a replica to feed.
    kill "$replica_pid"
    rcli FLUSHALL >/dev/null
}

# --- servers ------------------------------------------------------------------------------------------------
redis_port=$(free_port); gcs_port=$(free_port)
"$(redis_server_binary)" "$ROOT/scripts/redis.conf" --port "$redis_port" --bind 127.0.0.1 --dir "$WORK" \
    >"$WORK/redis.log" 2>&1 & pids+=($!); redis_pid=$!
(cd scripts/gcs-emulator && exec node server.js --host 127.0.0.1 --port "$gcs_port" --bucket ttv-api-artifacts) \
    >"$WORK/gcs.log" 2>&1 & pids+=($!); gcs_pid=$!
# The remote generator of the pipeline scenario: a fake fal.ai (the true edge) serving one of the local pipeline's videos.
fal_port=$(free_port)
node scripts/bench/fake-fal.js --port "$fal_port" --video "$WORK/video.mp4" >"$WORK/fal.log" 2>&1 & pids+=($!); fal_pid=$!
wait_for_port "$redis_port" 15 Redis; wait_for_port "$gcs_port" 60 "GCS emulator"; wait_for_port "$fal_port" 10 "fake fal.ai"
FAL=(TTV_FAL_API_KEY=bench TTV_FAL_BASE_URL="http://127.0.0.1:$fal_port" TTV_GENERATOR_POLL_INTERVAL_MS=1)
rcli() { redis-cli -p "$redis_port" "$@"; }

# start_node NAME PORT [ENV=VALUE...]: a fresh copy of the assembly; prints nothing, waits for the HTTP port.
start_node() {
    local name=$1 port=$2; shift 2
    local home="$WORK/node-$name"
    rm -rf "$home"; cp -r "$ASSEMBLY" "$home"
    sed -i "s/^sshPort *=.*/sshPort = $(free_port)/" "$home/etc/org.apache.karaf.shell.cfg"
    # karaf.log does not roll over in a benchmark node, so that the accounting can count its lines.
    sed -i 's/^log4j2.appender.rolling.policies.size.size *=.*/log4j2.appender.rolling.policies.size.size = 8GB/' \
        "$home/etc/org.ops4j.pax.logging.cfg"
    env TTV_HTTP_PORT="$port" TTV_HTTP_HOST=127.0.0.1 TTV_REDIS_URL="redis://127.0.0.1:$redis_port/0" \
        TTV_GCS_ENDPOINT="http://127.0.0.1:$gcs_port" "$@" "$home/bin/karaf" server >"$home/console.log" 2>&1 &
    pids+=($!)
}
node_pid() { pgrep -f "karaf.home=$WORK/node-$1" | head -1; }
# stop_node NAME: stops node NAME gracefully and waits until its JVM has exited, so that a stopping worker cannot
# claim the jobs of the next scenario.
stop_node() {
    local p deadline=$(( $(date +%s) + 90 ))
    for p in $(pgrep -f "karaf.home=$WORK/node-$1" || true); do kill "$p"; done
    while pgrep -f "karaf.home=$WORK/node-$1" >/dev/null; do
        [ "$(date +%s)" -lt "$deadline" ] || die "node $1 did not stop within 90 s"
        sleep 0.1
    done
}
# karaf NODE COMMAND: one console command on a running node, through its SSH port.
karaf() {
    local port
    port=$(sed -n 's/^sshPort *= *//p' "$WORK/node-$1/etc/org.apache.karaf.shell.cfg")
    printf '%s\n' "$2" | "$WORK/node-$1/bin/client" -a "$port" -u karaf -p karaf -r 10 -b
}

# --- cost accounting (scripts/bench/account.py): CPU µs and context switches per request or job for each process,
# Redis commands and log lines per request or job. account_begin NAME PROCESS=PID...; account_end NAME COUNT UNIT
LOADGEN="$WORK/loadgen.time"   # GNU time's "%U %S %w %c" of each load generator run since account_begin
account_begin() {
    local name=$1; shift
    : >"$LOADGEN"
    printf '%s\n' "$@" >"$WORK/$name.procs"
    python3 scripts/bench/account.py snap "$WORK/$name.before.json" $(sed 's/^/--proc /' "$WORK/$name.procs") \
        --redis-port "$redis_port" $(account_logs)
}
account_end() { # NAME COUNT UNIT [CMD=N,... : the benchmark's own Redis commands, not counted]
    local name=$1 count=$2 unit=$3 minus=${4:-} metric value u
    python3 scripts/bench/account.py snap "$WORK/$name.after.json" $(sed 's/^/--proc /' "$WORK/$name.procs") \
        --redis-port "$redis_port" $(account_logs)
    while IFS=$'\t' read -r metric value u; do
        record "$name" "$metric" "$value" "$u"
    done < <(python3 scripts/bench/account.py diff "$WORK/$name.before.json" "$WORK/$name.after.json" "$count" "$unit" \
        --loadgen "$LOADGEN" --redis-minus "$minus")
}
# profile NAME NODE URL SCRIPT: one more load run (not counted in the figures) while JFR samples the node's JVM;
# writes where its CPU went (scripts/bench/profile.py) to $WORK/NAME.profile.md, which the report appends.
profile() {
    local name=$1 pid
    pid=$(node_pid "$2")
    jcmd "$pid" JFR.start name=bench settings=profile filename="$WORK/$name.jfr" >/dev/null
    wrk_run "$3" "$4" >/dev/null
    jcmd "$pid" JFR.stop name=bench >/dev/null
    { echo "## Profile: $name (JFR execution samples of the node's JVM, one extra ${DURATION} s run)"; echo
      python3 scripts/bench/profile.py "$WORK/$name.jfr" 25; } >"$WORK/$name.profile.md"
}
account_logs() { # the log file of every running node
    local log
    for log in "$WORK"/node-*/data/log/karaf.log; do
        [ -f "$log" ] && pgrep -f "karaf.home=${log%/data/log/karaf.log}" >/dev/null && \
            printf -- '--log %s=%s ' "$(basename "${log%/data/log/karaf.log}")" "$log"
    done
}
rss_mb() { echo $(( $(awk '/VmRSS/ {print $2}' "/proc/$(node_pid "$1")/status") / 1024 )); }
wait_http() { # url seconds
    local deadline=$(( $(date +%s) + $2 ))
    until curl -fs -o /dev/null "$1"; do
        [ "$(date +%s)" -lt "$deadline" ] || die "$1 did not answer within $2 s"
        sleep 0.05
    done
}

# wrk_run URL SCRIPT: one run; prints "rps p50_ms p99_ms non2xx total"
wrk_run() {
    local out
    out=$(/usr/bin/time -a -o "$LOADGEN" -f '%U %S %w %c' wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$2" "$1")
    echo "$out" >>"$WORK/wrk.log"
    python3 - "$out" <<'EOF'
import re, sys
out = sys.argv[1]
def ms(label):
    m = re.search(r'^\s*' + label + r'%\s+([\d.]+)(us|ms|s)\s*$', out, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == 'us' else v * 1000 if unit == 's' else v
rps = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))
total = int(re.search(r'(\d+) requests in', out).group(1))
bad = re.search(r'Non-2xx or 3xx responses:\s+(\d+)', out)
print(f"{rps:.0f} {ms('50'):.2f} {ms('99'):.2f} {int(bad.group(1)) if bad else 0} {total}")
EOF
}

# repeat NAME URL SCRIPT: REPEATS runs; records the medians (and returns the 2xx count in $ACCEPTED, all answers
# in $ANSWERED)
repeat() {
    local name=$1 url=$2 script=$3 r rps=() p50=() p99=() ok=0 all=0
    for r in $(seq 1 "$REPEATS"); do
        read -r a b c bad total < <(wrk_run "$url" "$script")
        rps+=("$a"); p50+=("$b"); p99+=("$c"); ok=$(( ok + total - bad )); all=$(( all + total ))
    done
    ANSWERED=$all
    record "$name" requests_per_s "$(printf '%s\n' "${rps[@]}" | median)" "req/s"
    record "$name" p50 "$(printf '%s\n' "${p50[@]}" | median)" ms
    record "$name" p99 "$(printf '%s\n' "${p99[@]}" | median)" ms
    ACCEPTED=$ok
}

cat >"$WORK/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"prompt":"benchmark: a red fox running through fresh snow","duration_seconds":1}'
EOF

# fill JOBS BODY: JOBS jobs created with BODY through the API node (hey, up to 16 clients), every one answered 202.
fill() {
    local jobs=$1 body=$2 clients=16 out
    while (( jobs % clients )); do clients=$(( clients - 1 )); done   # hey sends n rounded down to a multiple of c
    out=$(hey -n "$jobs" -c "$clients" -m POST -T application/json -d "$body" "http://127.0.0.1:$api_port/v1/jobs")
    echo "$out" | grep -q "\[202\][[:space:]]*$jobs responses" || die "not every job was accepted: $out"
}

# pipeline NAME NODE JOBS BODY [ENV=VALUE...]: JOBS jobs filled while no worker runs, then a fresh node NODE takes
# them (the figures of a node that has just started). Leaves the node running; its port is in $node_port.
pipeline() {
    local name=$1 node=$2 jobs=$3 body=$4; shift 4
    rcli FLUSHALL >/dev/null
    fill "$jobs" "$body"
    node_port=$(free_port)
    start_node "$node" "$node_port" TTV_RATE_LIMIT=0 "$@"
    measure "$name" "$jobs"
}

# drained: waits until no job is queued, delayed or held by a worker, with one script per look: EVAL, LLEN, ZCARD,
# ZRANGE and one LLEN per worker (one worker node in the batches that use it). The looks are counted in $POLLS, so
# that the accounting leaves their commands out.
drained() {
    local deadline=$(( $(date +%s) + 1800 )) held
    POLLS=0
    while :; do
        POLLS=$(( POLLS + 1 ))
        held=$(rcli EVAL "local n = redis.call('LLEN', KEYS[1]) + redis.call('ZCARD', KEYS[2]) \
for _, w in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do n = n + redis.call('LLEN', 'ttv:worker:' .. w .. ':processing') end \
return n" 3 rq:queue:default rq:queue:delayed ttv:workers)
        [ "$held" -eq 0 ] && return
        [ "$(date +%s)" -lt "$deadline" ] || die "jobs still held after 30 minutes"
        sleep 0.2
    done
}

# measure NAME JOBS: waits for the JOBS jobs in Redis to end, then records per finished job (finished - started) -
# generation time, median and p99, and jobs/s from the first start to the last end.
measure() {
    local name=$1 jobs=$2 ended
    ended="local n = 0 for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do \
local s = redis.call('HGET', 'rq:job:' .. id, 'status') \
if s == 'finished' or s == 'failed' or s == 'canceled' then n = n + 1 end end return n"
    local deadline=$(( $(date +%s) + 1800 ))
    until [ "$(rcli EVAL "$ended" 1 rq:jobs)" -ge "$jobs" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || die "$name: not every job ended within 30 minutes"
        sleep 0.1
    done
    rcli --no-raw EVAL "local out = {} for i, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do \
local h = redis.call('HMGET', 'rq:job:' .. id, 'status', 'started_at', 'finished_at', 'generation_ms', 'error') \
out[i] = table.concat({h[1] or '', h[2] or '', h[3] or '', h[4] or '', h[5] or ''}, '|') end return out" 1 rq:jobs \
        | sed 's/^ *[0-9]*) "//; s/"$//' >"$WORK/$name.txt"
    python3 - "$WORK/$name.txt" >"$WORK/$name.tsv" <<'PY'
import sys, statistics
from datetime import datetime
def t(s): return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp() * 1000
import collections
finished, starts, ends, processing, generation = 0, [], [], [], []
errors = collections.Counter()
for line in open(sys.argv[1]):
    p = line.rstrip("\n").split("|", 4)  # status|started_at|finished_at|generation_ms|error
    if p[0] == "failed":
        errors[p[4] if len(p) > 4 and p[4] else "(no error)"] += 1
    if len(p) < 4 or p[0] != "finished":
        continue
    finished += 1
    started, ended, gen = t(p[1]), t(p[2]), float(p[3])
    starts.append(started)
    ends.append(ended)
    generation.append(gen)
    processing.append(ended - started - gen)
q = lambda xs, f: sorted(xs)[min(len(xs) - 1, int(len(xs) * f))]
print(f"finished\t{finished}")
if errors:
    print(f"failed\t{sum(errors.values())}\t" + "; ".join(f"{n} x {e}" for e, n in errors.most_common(3)))
print(f"overhead_processing_median\t{statistics.median(processing):.1f}")
print(f"overhead_processing_p99\t{q(processing, 0.99):.1f}")
print(f"generation_median\t{statistics.median(generation):.1f}")
print(f"jobs_per_s\t{finished / ((max(ends) - min(starts)) / 1000):.1f}")
PY
    while IFS=$'\t' read -r k v why; do
        case $k in
            finished) record "$name" jobs_finished "$v" jobs ;;
            failed) record "$name" jobs_failed "$v" "jobs: $why" ;;
            jobs_per_s) record "$name" jobs_per_s "$v" jobs/s ;;
            *) record "$name" "$k" "$v" ms ;;
        esac
    done <"$WORK/$name.tsv"
}

# --- pipeline: the fastest generator, a remote API answering at once (scripts/bench/fake-fal.js) ---------------
# At each worker concurrency of BENCH_PIPELINE_CONCURRENCY: more jobs at once raise jobs/s until the CPU is full, and
# the per-job overhead with them.
# Each node takes a second batch once warm (its code compiled): the figures of a node that has been running a while.
remote_pipelines() {
    local c fal_job='{"prompt":"pipeline: a red fox","duration_seconds":1,"generator":"fal"}'
    for c in $PIPELINE_CONCURRENCY; do
        pipeline "pipeline_c$c" "remote-c$c" "$PIPELINE_JOBS" "$fal_job" \
            TTV_ROLE=worker TTV_WORKER_CONCURRENCY="$c" "${FAL[@]}"
        rcli FLUSHALL >/dev/null
        # The batch waits in the queue while the node's processing flow is stopped, so that the accounting window holds
        # the node's work on it alone.
        karaf "remote-c$c" "bundle:stop io.ttv.flow.processing" >/dev/null
        fill "$PIPELINE_JOBS" "$fal_job"
        account_begin "pipeline_c${c}_warm" jvm="$(node_pid "remote-c$c")" redis="$redis_pid" gcs="$gcs_pid" fake_fal="$fal_pid"
        karaf "remote-c$c" "bundle:start io.ttv.flow.processing" >/dev/null
        drained
        account_end "pipeline_c${c}_warm" "$PIPELINE_JOBS" job "eval=$POLLS,llen=$(( POLLS * 2 )),zcard=$POLLS,zrange=$POLLS"
        measure "pipeline_c${c}_warm" "$PIPELINE_JOBS"
        stop_node "remote-c$c"
    done
}

# --- intake: workers absent, so the queue only grows; every 202 must be a job in Redis --------------------
# The API node "api" is running on $api_port.
intake() {
    local stored
    account_begin intake jvm="$(node_pid api)" redis="$redis_pid"
    repeat intake "http://127.0.0.1:$api_port/v1/jobs" "$WORK/post.lua"
    stored=$(rcli ZCARD rq:jobs)
    # Per stored job: wrk leaves out the answers still in flight when a run ends, Redis does not.
    account_end intake "$stored" request
    record intake accepted_202 "$ACCEPTED" jobs
    record intake stored_in_redis "$stored" jobs
    # wrk does not count answers still in flight when a run ends: stored may exceed accepted, never the reverse.
    [ "$stored" -ge "$ACCEPTED" ] || log "WARNING: $ACCEPTED accepted but only $stored stored"
}
# The API node of the intake scenarios: the rate limiter is on, at a quota the load never reaches (the realistic
# configuration: its cost is counted).
start_api_node() {
    api_port=$(free_port)
    start_node api "$api_port" TTV_ROLE=api TTV_RATE_LIMIT=6000000 TTV_RATE_LIMIT_BURST=1000000 "${FAL[@]}"
    wait_http "http://127.0.0.1:$api_port/v1/jobs?limit=1" 180
}

if [ "${BENCH_ONLY:-}" = intake ]; then
    start_api_node
    sleep 15   # as in the full run: the node has finished starting before the load begins
    intake
    profile intake api "http://127.0.0.1:$api_port/v1/jobs" "$WORK/post.lua"
    report
    log "results: $OUT/$STAMP.md and .json"
    exit 0
fi

# The video the fake provider serves when no local pipeline ran first: a 1 s 1280x720 test pattern.
test_pattern_video() {
    ffmpeg -loglevel error -f lavfi -i testsrc=duration=1:size=1280x720:rate=24 -pix_fmt yuv420p "$WORK/video.mp4"
}
used_memory() { rcli INFO memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p'; }

# --- soak (BENCH_ONLY=soak): an API node and a worker node together for BENCH_SOAK_SECONDS (600) at BENCH_SOAK_RATE
# jobs/s (40: half the peak of one worker node at concurrency 4 against the instant remote generator, docs/performance.md).
# Every answer must be a 202 and every job must finish; each node's RSS after the first two minutes must stay within
# 10 % of its lowest sample; Redis may grow by the jobs stored (MEMORY USAGE of their keys) and nothing else.
soak() {
    local seconds=${BENCH_SOAK_SECONDS:-600} rate=${BENCH_SOAK_RATE:-40} clients=4 worker_port sampler jobs
    local fal_job='{"prompt":"soak: a red fox","duration_seconds":1,"generator":"fal"}'
    test_pattern_video
    start_api_node
    worker_port=$(free_port)
    start_node worker "$worker_port" TTV_ROLE=worker TTV_WORKER_CONCURRENCY=4 TTV_RATE_LIMIT=0 "${FAL[@]}"
    wait_http "http://127.0.0.1:$worker_port/healthz" 180
    rcli FLUSHALL >/dev/null
    local memory_before
    memory_before=$(used_memory)
    (
        local start=$SECONDS
        while :; do
            printf '%s\t%s\t%s\t%s\t%s\n' $(( SECONDS - start )) "$(rss_mb api)" "$(rss_mb worker)" \
                "$(used_memory)" "$(rcli ZCARD rq:jobs)"
            sleep 10
        done
    ) >"$WORK/soak.samples" & sampler=$!
    hey -z "${seconds}s" -c "$clients" -q $(( rate / clients )) -m POST -T application/json -d "$fal_job" \
        "http://127.0.0.1:$api_port/v1/jobs" >"$WORK/soak.hey"
    drained
    kill "$sampler"
    jobs=$(rcli ZCARD rq:jobs)
    python3 - "$WORK/soak.hey" "$WORK/soak.samples" "$jobs" "$memory_before" \
        "$(used_memory)" \
        "$(rcli EVAL "local n = {0, 0, 0} for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do \
local s = redis.call('HGET', 'rq:job:' .. id, 'status') \
if s == 'finished' then n[1] = n[1] + 1 elseif s == 'failed' then n[2] = n[2] + 1 else n[3] = n[3] + 1 end end \
return n" 1 rq:jobs | tr '\n' ' ')" \
        "$(rcli EVAL "local b, ids = 0, redis.call('ZRANGE', KEYS[1], 0, 99) for _, id in ipairs(ids) do \
b = b + redis.call('MEMORY', 'USAGE', 'rq:job:' .. id) + (redis.call('MEMORY', 'USAGE', 'rq:job:' .. id .. ':logs') or 0) end \
return math.floor(b / #ids)" 1 rq:jobs)" "$(rcli MEMORY USAGE rq:jobs)" >"$WORK/soak.tsv" <<'PY'
import re, sys
hey = open(sys.argv[1]).read()
answered = sum(int(n) for n in re.findall(r"\[\d+\]\s+(\d+) responses", hey))
accepted = sum(int(n) for n in re.findall(r"\[202\]\s+(\d+) responses", hey))
errors = sum(int(n) for n in re.findall(r"\[\s*(\d+)\]\s+(?:Get|Post|dial|read)", hey))
samples = [list(map(int, l.split())) for l in open(sys.argv[2]) if l.strip()]
jobs, before, after = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
finished, failed, other = map(int, sys.argv[6].split())
# What one stored job takes: its hash and log (a sample's mean) and its share of the rq:jobs index.
per_job = int(sys.argv[7]) + int(sys.argv[8]) // max(1, jobs)
warm = [s for s in samples if s[0] >= 120] or samples
print(f"answers_not_202\t{answered - accepted + errors}\trequests")
print(f"jobs_accepted\t{accepted}\tjobs")
print(f"jobs_stored\t{jobs}\tjobs")
print(f"jobs_finished\t{finished}\tjobs")
print(f"jobs_failed_or_unfinished\t{failed + other}\tjobs")
for i, node in ((1, "api"), (2, "worker")):
    low, high = min(s[i] for s in warm), max(s[i] for s in warm)
    print(f"rss_{node}_after_warmup_min\t{low}\tMB")
    print(f"rss_{node}_after_warmup_max\t{high}\tMB")
    print(f"rss_{node}_spread_after_warmup\t{100 * (high - low) / low:.1f}\t%")
growth = (after - before) // max(1, jobs)
print(f"redis_growth_per_job\t{growth}\tbytes")
print(f"redis_memory_of_a_stored_job\t{per_job}\tbytes (MEMORY USAGE: hash, log, index entry)")
# Memory that grows with something else than the jobs shows as a rise in the bytes per job added: compare the
# second half of the run after warm-up with the first.
half = len(warm) // 2
def rate(a, b):
    return (b[3] - a[3]) / max(1, b[4] - a[4])
if half >= 2:
    first, second = rate(warm[0], warm[half]), rate(warm[half], warm[-1])
    print(f"redis_bytes_per_job_added_first_half\t{first:.0f}\tbytes")
    print(f"redis_bytes_per_job_added_second_half\t{second:.0f}\tbytes")
    print(f"redis_growth_beyond_the_jobs\t{100 * (second - first) / first:.1f}\t%")
PY
    local metric value unit
    while IFS=$'\t' read -r metric value unit; do record soak "$metric" "$value" "$unit"; done <"$WORK/soak.tsv"
    awk -F'\t' '($1 == "answers_not_202" || $1 == "jobs_failed_or_unfinished") && $2 > 0 ||
                 $1 ~ /^rss_.*_spread/ && $2 > 10 || $1 == "redis_growth_beyond_the_jobs" && $2 > 10 {
                     print "WARNING: soak " $1 " = " $2 " " $3 }' "$WORK/soak.tsv" >&2
}

if [ "${BENCH_ONLY:-}" = soak ]; then
    soak
    report
    log "results: $OUT/$STAMP.md and .json"
    exit 0
fi

if [ "${BENCH_ONLY:-}" = worker ]; then
    # The fake API serves a test pattern of the local renderer's size instead of one of its videos.
    test_pattern_video
    api_port=$(free_port)
    start_node api "$api_port" TTV_ROLE=api TTV_RATE_LIMIT=0 "${FAL[@]}"
    wait_http "http://127.0.0.1:$api_port/v1/jobs?limit=1" 180
    remote_pipelines
    report
    log "results: $OUT/$STAMP.md and .json"
    exit 0
fi

if [ "${BENCH_ONLY:-}" = intake_replication ]; then
    intake_replication
    report
    log "results: $OUT/$STAMP.md and .json"
    exit 0
fi

# --- ceilings: nginx with a canned answer, Redis doing one submission's work -------------------------------
nginx_port=$(free_port)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      default_type application/json;
      return 202 '{"id":"5453eec8-d6cf-4ff0-a4b5-f20ae043e2c1","status":"queued","created_at":"2026-11-28T19:18:59.376Z"}';
    }
  }
}
EOF
nginx -c "$WORK/nginx/nginx.conf" -g 'daemon off;' & pids+=($!)
wait_for_port "$nginx_port" 10 nginx
repeat ceiling-static "http://127.0.0.1:$nginx_port/v1/jobs" "$WORK/post.lua"
create_lua="redis.call('HSET',KEYS[1],'id',ARGV[1],'status','queued','prompt','benchmark','created_at',ARGV[1]) \
redis.call('ZADD',KEYS[2],ARGV[1],ARGV[1]) redis.call('LPUSH',KEYS[3],ARGV[1]) return 1"
rb=$(redis-benchmark -p "$redis_port" -c "$CONNECTIONS" -n 300000 -r 100000000 --csv \
    EVAL "$create_lua" 3 "bench:job:__rand_int__" bench:index bench:queue __rand_int__ | tail -1)
record ceiling-redis submissions_per_s "$(python3 -c 'import csv, sys; print(next(csv.reader([sys.argv[1]]))[1])' "$rb")" "ops/s"
# The same with 16 commands in flight per connection: what Redis does when round trips do not limit it.
rb=$(redis-benchmark -p "$redis_port" -c "$CONNECTIONS" -P 16 -n 1000000 -r 100000000 --csv \
    EVAL "$create_lua" 3 "bench:job:__rand_int__" bench:index bench:queue __rand_int__ | tail -1)
record ceiling-redis-pipelined submissions_per_s "$(python3 -c 'import csv, sys; print(next(csv.reader([sys.argv[1]]))[1])' "$rb")" "ops/s"
rcli FLUSHALL >/dev/null

# --- start-up and memory ----------------------------------------------------------------------------------
t0=$(now)
start_api_node
record startup api_node_ready "$(echo "$(now) - $t0" | bc)" s
sleep 15   # idle: the node has just finished starting (compiling, collecting its start-up garbage)
record memory rss_idle_api_node "$(rss_mb api)" MB

intake
record memory rss_after_intake_api_node "$(rss_mb api)" MB
profile intake api "http://127.0.0.1:$api_port/v1/jobs" "$WORK/post.lua"

# --- status: GET /v1/jobs/{id} over existing jobs ---------------------------------------------------------
rcli ZRANGE rq:jobs 0 999 >"$WORK/ids.txt"
python3 - "$WORK/ids.txt" >"$WORK/get.lua" <<'EOF'
import sys
ids = [l.strip() for l in open(sys.argv[1]) if l.strip()]
print("local ids = {" + ",".join('"%s"' % i for i in ids) + "}")
print("request = function() return wrk.format('GET', '/v1/jobs/' .. ids[math.random(#ids)]) end")
EOF
account_begin status jvm="$(node_pid api)" redis="$redis_pid"
repeat status "http://127.0.0.1:$api_port" "$WORK/get.lua"
account_end status "$ANSWERED" request
one=$(head -1 "$WORK/ids.txt")
fixed=()
for r in $(seq 1 "$REPEATS"); do
    out=$(hey -z "${DURATION}s" -c 10 -q $(( FIXED_RATE / 10 )) "http://127.0.0.1:$api_port/v1/jobs/$one")
    fixed+=("$(echo "$out" | awk '/50% in/ {p50=$3*1000} /99% in/ {p99=$3*1000} END {printf "%.2f %.2f", p50, p99}')")
done
record status_fixed_rate p50_at_${FIXED_RATE}_rps "$(printf '%s\n' "${fixed[@]}" | cut -d' ' -f1 | median)" ms
record status_fixed_rate p99_at_${FIXED_RATE}_rps "$(printf '%s\n' "${fixed[@]}" | cut -d' ' -f2 | median)" ms

# --- ceiling: the Camel floor, the intake flow replaced by a route answering a constant 202 (bench/floor-flow) ----
# The same node, front door, REST DSL and direct hop as the intake scenario (no rate-limit call: a job creation takes
# its token in the creation, which the floor does not make): what the platform
# costs per request. Afterwards the real intake flow comes back for the scenarios below.
# created_id: the id in the answer to one POST /v1/jobs on the API node
created_id() {
    curl -s -X POST -H 'Content-Type: application/json' -d '{"prompt":"bench: which intake answers"}' \
        "http://127.0.0.1:$api_port/v1/jobs" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("id", ""))' 2>/dev/null || true
}
wait_intake() { # floor|real
    local deadline=$(( $(date +%s) + 60 )) floor_id=5453eec8-d6cf-4ff0-a4b5-f20ae043e2c1 id
    while :; do
        id=$(created_id)
        if [ "$1" = floor ] && [ "$id" = "$floor_id" ]; then return; fi
        if [ "$1" = real ] && [ -n "$id" ] && [ "$id" != "$floor_id" ]; then return; fi
        [ "$(date +%s)" -lt "$deadline" ] || die "the $1 intake did not answer within 60 s"
        sleep 0.1
    done
}
karaf api "bundle:stop io.ttv.flow.intake" >/dev/null
karaf api "bundle:install -s file://$FLOOR_JAR" >/dev/null
wait_intake floor
account_begin ceiling-camel-floor jvm="$(node_pid api)" redis="$redis_pid"
repeat ceiling-camel-floor "http://127.0.0.1:$api_port/v1/jobs" "$WORK/post.lua"
account_end ceiling-camel-floor "$ANSWERED" request
profile ceiling-camel-floor api "http://127.0.0.1:$api_port/v1/jobs" "$WORK/post.lua"
karaf api "bundle:uninstall io.ttv.bench.floor" >/dev/null
karaf api "bundle:start io.ttv.flow.intake" >/dev/null
wait_intake real

# --- intake with a replica, with and without replica acknowledgement (TTV_REDIS_WAIT_REPLICAS) ----------------
intake_replication

# --- pipeline: one-second jobs through one node, GCS emulator -------------------------------------------------
# The local renderer at its fastest (1 s, 16:9, both cores rendering): render-bound.
pipeline pipeline_local all "$LOCAL_JOBS" '{"prompt":"pipeline: a red fox","duration_seconds":1}' \
    TTV_WORKER_CONCURRENCY=2
gen_ms=$(awk -F'\t' '$1 == "generation_median" {print $2}' "$WORK/pipeline_local.tsv")
record local_generator video_seconds_per_wall_second "$(echo "scale=2; 1000 / $gen_ms" | bc)" "x (1 s, 16:9, 2 jobs at once)"
# One of its videos, served by the fake remote API of the pipeline scenario below.
some_job=$(rcli ZRANGE rq:jobs 0 0)
video_url=$(curl -fs "http://127.0.0.1:$node_port/v1/jobs/$some_job/artifact" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["url"])')
curl -fs -o "$WORK/video.mp4" "$video_url"

# --- hot redeploy: bundle:update of the intake flow bundle (a re-versioned copy) to the new version answering --
routes_jar=$(find "$WORK/node-all/system/io/ttv/ttv-flow-intake" -name '*.jar' | head -1)
python3 - "$routes_jar" "$WORK/routes-next.jar" <<'EOF'
import re, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as zi, zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as zo:
    for item in zi.infolist():
        data = zi.read(item.filename)
        if item.filename == 'META-INF/MANIFEST.MF':
            data = re.sub(rb'Bundle-Version: ([^\r\n]+)', rb'Bundle-Version: 0.0.0.benchnext', data)
        zo.writestr(item, data)
EOF
t0=$(now)
karaf all "bundle:update io.ttv.flow.intake file://$WORK/routes-next.jar" >"$WORK/update.log" 2>&1
deadline=$(( $(date +%s) + 120 ))
until curl -fs "http://127.0.0.1:$node_port/" | grep -q benchnext && \
      [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$node_port/readyz")" = 200 ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
        log "WARNING: the new intake bundle did not answer within 120 s: $(cat "$WORK/update.log")"
        t0=""
        break
    fi
    sleep 0.05
done
[ -z "$t0" ] || record hot_redeploy to_new_version_ready "$(echo "$(now) - $t0" | bc)" s

stop_node all

remote_pipelines

report
log "results: $OUT/$STAMP.md and .json"
