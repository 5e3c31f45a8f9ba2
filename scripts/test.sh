#!/usr/bin/env bash
# The whole test suite: unit tests (plain JVM), black-box tests of the assembled Karaf distribution, and the
# operations files (scripts/test-ops.sh).
# Installs what the tests need on a fresh machine (ffprobe, openssl, curl, redis-cli, the node modules of the GCS
# emulator and of the OpenAPI linter, a Redis binary), then builds and runs everything with Maven. Extra arguments go to Maven
# (e.g. -pl routes).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

require java "JDK 17"
require mvn "Apache Maven"
require node "Node.js 20, for the GCS emulator and the OpenAPI linter"
require npm "npm"
ensure_apt_package ffprobe ffmpeg
ensure_apt_package unzip unzip
ensure_apt_package openssl openssl      # throw-away certificates of the HTTPS and Redis TLS tests (TestCertificates)
ensure_apt_package curl curl            # HttpsIT's HTTP/2 client, health-check.sh
ensure_apt_package prometheus prometheus
ensure_apt_package redis-cli redis-tools  # redis-cli --cluster create: the Redis Cluster of the tests
ensure_gcs_emulator
ensure_openapi_lint

log "building and testing (mvn verify)"
mvn -B -ntp verify "$@"

log "operations files: monitoring rules, compose, entry point, backup/restore, health check"
"$ROOT/scripts/test-ops.sh"
