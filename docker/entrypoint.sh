#!/bin/sh
# Entry point of the TTV node image: maps the container's environment onto the Karaf distribution and replaces
# itself with `bin/karaf server`, which (with KARAF_EXEC=exec) replaces itself with the JVM. The JVM is then the
# process that `docker stop` signals: Karaf's SIGTERM handler stops the OSGi framework, the node stops claiming,
# lets running jobs finish for TTV_SHUTDOWN_GRACE_SECONDS and requeues the rest (docker-compose.yml gives it
# stop_grace_period to do so).
#
# Environment (besides the node's own TTV_* variables, which pass through unchanged; see docs/configuration.md):
#   KARAF_HOME        the distribution (default /opt/ttv)
#   TTV_ROLE          all | api | worker (default all); checked here so that a typo fails at once
#   TTV_LOG_DIR       if set, karaf.log goes to $TTV_LOG_DIR/<role>-<hostname>/ (a volume shared with promtail;
#                     one folder per container, so scaled workers never share a file); default data/log
#   TTV_LOG_CONSOLE   log threshold copied to stdout for `docker compose logs` (default INFO; OFF disables)
#   KARAF_PASSWORD    password of the console user karaf (bin/client, SSH 8101); unset keeps the shipped one
#   JAVA_OPTS         JVM options; unset, bin/setenv sets the measured ones (docs/performance.md)
# Arguments: none or options for `bin/karaf server`; a first argument not starting with "-" runs that command
# instead (e.g. `docker compose run api sh`).
set -eu

KARAF_HOME="${KARAF_HOME:-/opt/ttv}"
export KARAF_HOME

fail() { echo "entrypoint: $*" >&2; exit 64; }

if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    exec "$@"
fi

[ -x "$KARAF_HOME/bin/karaf" ] || fail "no Karaf distribution in KARAF_HOME=$KARAF_HOME"

TTV_ROLE="${TTV_ROLE:-all}"
case "$TTV_ROLE" in
    all|api|worker) export TTV_ROLE ;;
    *) fail "TTV_ROLE must be all, api or worker (got '$TTV_ROLE')" ;;
esac

if [ -n "${TTV_LOG_DIR:-}" ]; then
    KARAF_LOG="$TTV_LOG_DIR/$TTV_ROLE-$(hostname)"
    mkdir -p "$KARAF_LOG" || fail "cannot create log folder $KARAF_LOG"
    export KARAF_LOG
fi

console="${TTV_LOG_CONSOLE:-INFO}"
case "$console" in
    OFF|FATAL|ERROR|WARN|INFO|DEBUG|TRACE|ALL) ;;
    *) fail "TTV_LOG_CONSOLE must be OFF, ERROR, WARN, INFO, DEBUG, TRACE or ALL (got '$console')" ;;
esac
EXTRA_JAVA_OPTS="${EXTRA_JAVA_OPTS:-} -Dkaraf.log.console=$console"
export EXTRA_JAVA_OPTS

if [ -n "${KARAF_PASSWORD:-}" ]; then
    users="$KARAF_HOME/etc/users.properties"
    tmp="$users.tmp"
    # the console user line is "karaf = <password>,_g_:admingroup"
    sed "s|^karaf *=[^,]*,|karaf = $(printf '%s' "$KARAF_PASSWORD" | sed 's/[\\|&]/\\&/g'),|" "$users" >"$tmp" \
        && mv "$tmp" "$users" || fail "cannot set the console password in $users"
fi

# bin/karaf runs the JVM with `exec` instead of as a child: signals reach the JVM directly.
KARAF_EXEC=exec
export KARAF_EXEC
exec "$KARAF_HOME/bin/karaf" server "$@"
