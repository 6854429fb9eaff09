#!/usr/bin/env bash
# sandbox/registry/registry.sh — local OCI registry (Debian's docker-registry, distribution 2.8)
# for the ecrx sandbox, plus the registry→moto bridge.
#
# Usage as a script:   bash sandbox/registry/registry.sh {start|stop|status|ensure|env|seed|bridge-start|bridge-stop|bridge-status}
# Usage as a library:  source sandbox/registry/registry.sh   (defines the functions, runs nothing)
#
#   registry_start    install docker-registry + apache2-utils (Debian) if missing, without letting apt start
#                     its own service (sbx_apt_install), pick the port (SBX_REGISTRY_PORT, else 5055, else the next free one up
#                     to 5099; persisted in .sandbox/registry/port), create user "ecrx" with a random
#                     password (.sandbox/registry/password, mode 600) in a bcrypt htpasswd (plus user AWS with
#                     moto's fixed GetAuthorizationToken password "<SBX_REGISTRY_MOTO_ACCOUNT>-auth-token",
#                     default account 123456789012, so ecrx's ECR login works against it), write
#                     .sandbox/registry/config.yml and .sandbox/docker/config.json, start the registry
#                     on 127.0.0.1:PORT (PID .sandbox/run/registry.pid), wait for GET /v2/ == 401.
#                     If SBX_BRIDGE=1, the config has a notifications endpoint for the bridge
#                     (http://127.0.0.1:<port>/events: SBX_BRIDGE_PORT, else the first free one from
#                     5057, persisted in .sandbox/registry/bridge-port).
#                     Restarts the registry when its config changed.
#   registry_stop     stop the registry this script started (PID file only)
#   registry_status   exit 0 when the registry answers
#   registry_ensure   registry_start (idempotent)
#   registry_env      print exports: SBX_REGISTRY, SBX_REGISTRY_USER, SBX_REGISTRY_PASSWORD, DOCKER_CONFIG
#   registry_seed     build and push the busybox base image with buildctl (needs buildkit running:
#                     sandbox/buildkit/buildkit.sh ensure), print the pullable reference, also saved to
#                     .sandbox/registry/base-image (→ ECRX_SANDBOX_BASE_IMAGE)
#   bridge_start/stop/status   the registry→moto bridge (sandbox/registry/bridge.ts), PID .sandbox/run/bridge.pid;
#                     needs AWS_ENDPOINT_URL_ECR (moto), AWS creds/region (defaults: test/test/us-east-1)
#
# The registry listens only on 127.0.0.1; htpasswd (bcrypt) basic auth; storage.delete.enabled=true;
# storage in .sandbox/registry/data.
# Default: plain HTTP (buildkitd.toml marks it http+insecure). Caveat: pulumi-resource-docker-build's own
# registry calls (Image Read/refresh and Delete, Index) use regclient, which always speaks HTTPS to a
# host:port — against plain HTTP they fail ("server gave HTTP response to HTTPS client"); Read keeps state
# with a warning, Delete silently leaves the manifest in the registry (and so in moto).
# SBX_REGISTRY_TLS=1: HTTPS with a sandbox CA (.sandbox/registry/tls/ca.pem); buildkitd.toml then trusts
# that CA, and every client process needs SSL_CERT_FILE=.sandbox/registry/tls/ca-bundle.pem (Go) and
# NODE_EXTRA_CA_CERTS=.sandbox/registry/tls/ca.pem (node) — `registry.sh env` prints them.

_REG_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../buildkit/common.sh
source "$_REG_DIR/../buildkit/common.sh"

REGISTRY_STATE="$SBX_STATE/registry"
REGISTRY_PIDFILE="$SBX_RUN/registry.pid"
REGISTRY_CONFIG="$REGISTRY_STATE/config.yml"
REGISTRY_USER="ecrx"
DOCKER_CONFIG_DIR="$SBX_STATE/docker"
# The bridge's port: SBX_BRIDGE_PORT, else the one the last registry_start picked (another clone's
# sandbox may hold 5057), else 5057.
BRIDGE_PORT_FILE="$REGISTRY_STATE/bridge-port"
_SBX_BRIDGE_PORT_GIVEN="${SBX_BRIDGE_PORT:+1}"
: "${SBX_BRIDGE_PORT:=$(cat "$BRIDGE_PORT_FILE" 2>/dev/null)}" "${SBX_BRIDGE_PORT:=5057}"
: "${SBX_REGISTRY_MOTO_ACCOUNT=123456789012}"   # empty: no AWS user in htpasswd
# SBX_REGISTRY_TLS=1: serve HTTPS with a sandbox CA instead of plain HTTP (see header).
# SBX_REGISTRY_TLS and SBX_BRIDGE, when unset, keep the value of the last registry_start
# (.sandbox/registry/mode.env); default 0.
_registry_saved_mode() {
  local value
  value=$(sed -n "s/^$1=//p" "$REGISTRY_STATE/mode.env" 2>/dev/null) || true
  echo "${value:-0}"
}
: "${SBX_REGISTRY_TLS:=$(_registry_saved_mode SBX_REGISTRY_TLS)}"
: "${SBX_BRIDGE:=$(_registry_saved_mode SBX_BRIDGE)}"
REGISTRY_TLS_DIR="$REGISTRY_STATE/tls"
BRIDGE_PIDFILE="$SBX_RUN/bridge.pid"

registry_port() {
  cat "$REGISTRY_STATE/port" 2>/dev/null
}

registry_addr() { echo "127.0.0.1:$(registry_port)"; }

# scheme of the running/configured registry (written by registry_start): http or https
registry_scheme() { cat "$REGISTRY_STATE/scheme" 2>/dev/null || echo http; }
registry_url() { echo "$(registry_scheme)://$(registry_addr)"; }
_registry_curl() {
  if [ "$(registry_scheme)" = https ]; then curl --cacert "$REGISTRY_TLS_DIR/ca.pem" "$@"; else curl "$@"; fi
}

_registry_tls_material() {
  # a sandbox CA (10 years) and a server certificate for 127.0.0.1/localhost signed by it
  mkdir -p "$REGISTRY_TLS_DIR"; chmod 700 "$REGISTRY_TLS_DIR"
  local d="$REGISTRY_TLS_DIR"
  if [ ! -s "$d/ca.pem" ] || [ ! -s "$d/ca.key" ]; then
    (umask 077; openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 \
      -subj "/CN=ecrx sandbox registry CA" -keyout "$d/ca.key" -out "$d/ca.pem" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign") || return 1
    rm -f "$d/server.pem"
    echo "generated sandbox CA $d/ca.pem"
  fi
  if [ ! -s "$d/server.pem" ] || ! openssl verify -CAfile "$d/ca.pem" "$d/server.pem" >/dev/null 2>&1 ||
     ! openssl x509 -in "$d/server.pem" -checkend 86400 >/dev/null; then
    (umask 077
     openssl req -new -newkey rsa:2048 -nodes -sha256 -subj "/CN=127.0.0.1" -keyout "$d/server.key" -out "$d/server.csr" &&
     printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' >"$d/server.ext" &&
     openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 825 -sha256 \
       -extfile "$d/server.ext" -out "$d/server.pem") || return 1
    touch "$REGISTRY_STATE/restart-needed"   # forces a restart so the registry loads the new cert
    echo "issued server certificate $d/server.pem (IP:127.0.0.1, DNS:localhost)"
  fi
  # SSL_CERT_FILE for Go clients (pulumi-resource-docker-build's regclient, buildx imagetools): system roots + sandbox CA
  cat /etc/ssl/certs/ca-certificates.crt "$d/ca.pem" >"$d/ca-bundle.pem" 2>/dev/null || cp "$d/ca.pem" "$d/ca-bundle.pem"
  chmod 644 "$d/ca.pem" "$d/ca-bundle.pem"
}

registry_password() { cat "$REGISTRY_STATE/password"; }

_registry_choose_port() {
  local p
  if sbx_pid_alive "$REGISTRY_PIDFILE" && [ -s "$REGISTRY_STATE/port" ]; then
    p=$(registry_port)
    if [ -z "${SBX_REGISTRY_PORT:-}" ] || [ "$SBX_REGISTRY_PORT" = "$p" ]; then echo "keeping port $p (ours)"; return 0; fi
    echo "port change requested: $p -> $SBX_REGISTRY_PORT: restarting"
    sbx_stop_pidfile registry "$REGISTRY_PIDFILE"
  fi
  if [ -n "${SBX_REGISTRY_PORT:-}" ]; then
    sbx_port_free "$SBX_REGISTRY_PORT" || { echo "127.0.0.1:$SBX_REGISTRY_PORT is in use by another process"; return 1; }
    echo "$SBX_REGISTRY_PORT" >"$REGISTRY_STATE/port"; echo "port $SBX_REGISTRY_PORT (SBX_REGISTRY_PORT)"; return 0
  fi
  # prefer the persisted port, then 5055, then the next free one
  for p in $(registry_port) 5055 $(seq 5058 5099); do
    [ "$p" = "$SBX_BRIDGE_PORT" ] && continue
    if sbx_port_free "$p"; then echo "$p" >"$REGISTRY_STATE/port"; echo "port $p"; return 0; fi
    echo "127.0.0.1:$p busy, trying next"
  done
  echo "no free port in 5055..5099"; return 1
}

_bridge_choose_port() {
  # before the registry's port, which then skips it; kept while our bridge runs on it
  if [ -n "$_SBX_BRIDGE_PORT_GIVEN" ] || bridge_status; then echo "bridge port $SBX_BRIDGE_PORT"; return 0; fi
  local p
  for p in "$SBX_BRIDGE_PORT" $(seq 5057 5099); do
    if sbx_port_free "$p"; then SBX_BRIDGE_PORT="$p"; echo "$p" >"$BRIDGE_PORT_FILE"; echo "bridge port $p"; return 0; fi
  done
  echo "no free port for the bridge in 5057..5099"; return 1
}

_registry_credentials() {
  mkdir -p "$REGISTRY_STATE" "$DOCKER_CONFIG_DIR"
  chmod 700 "$REGISTRY_STATE" "$DOCKER_CONFIG_DIR"
  if [ ! -s "$REGISTRY_STATE/password" ]; then
    (umask 077; openssl rand -hex 24 >"$REGISTRY_STATE/password")
    echo "generated a new registry password"
  fi
  chmod 600 "$REGISTRY_STATE/password"
  # users: ecrx/<random password>; and, like a real ECR accepting GetAuthorizationToken's answer,
  # AWS/<account>-auth-token — the fixed token moto's GetAuthorizationToken returns (ecr/responses.py)
  local moto_pw=""
  [ -n "$SBX_REGISTRY_MOTO_ACCOUNT" ] && moto_pw="$SBX_REGISTRY_MOTO_ACCOUNT-auth-token"
  # passwords go to htpasswd on stdin (-i): a command line is readable by every user through ps
  if [ ! -s "$REGISTRY_STATE/htpasswd" ] ||
     ! htpasswd -vi "$REGISTRY_STATE/htpasswd" "$REGISTRY_USER" <"$REGISTRY_STATE/password" >/dev/null 2>&1 ||
     { [ -n "$moto_pw" ] && ! htpasswd -vi "$REGISTRY_STATE/htpasswd" AWS <<<"$moto_pw" >/dev/null 2>&1; } ||
     { [ -z "$moto_pw" ] && grep -q '^AWS:' "$REGISTRY_STATE/htpasswd"; }; then
    (umask 077
     htpasswd -iBn -C 10 "$REGISTRY_USER" <"$REGISTRY_STATE/password" | grep . >"$REGISTRY_STATE/htpasswd.new"
     [ -n "$moto_pw" ] && htpasswd -iBn -C 10 AWS <<<"$moto_pw" | grep . >>"$REGISTRY_STATE/htpasswd.new"
     mv -f "$REGISTRY_STATE/htpasswd.new" "$REGISTRY_STATE/htpasswd")
    touch "$REGISTRY_STATE/restart-needed"
    echo "wrote bcrypt htpasswd: $REGISTRY_USER${moto_pw:+, AWS (moto account $SBX_REGISTRY_MOTO_ACCOUNT)}"
  fi
  # docker config: keep other keys (e.g. buildx-related) and other registries' auths
  SBX_AUTH_KEY="$(registry_addr)" SBX_AUTH="$(printf '%s:%s' "$REGISTRY_USER" "$(registry_password)" | base64 -w0)" \
  SBX_FILE="$DOCKER_CONFIG_DIR/config.json" python3 - <<'PY'
import json, os
f = os.environ["SBX_FILE"]
try:
    cfg = json.load(open(f))
except (FileNotFoundError, ValueError):
    cfg = {}
auths = cfg.setdefault("auths", {})
auths[os.environ["SBX_AUTH_KEY"]] = {"auth": os.environ["SBX_AUTH"]}
tmp = f + ".tmp"
fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as out:
    json.dump(cfg, out, indent=2)
os.replace(tmp, f)
PY
  chmod 600 "$DOCKER_CONFIG_DIR/config.json"
}

_registry_write_config() {
  mkdir -p "$REGISTRY_STATE/data"
  [ -s "$REGISTRY_STATE/http-secret" ] || (umask 077; openssl rand -hex 32 >"$REGISTRY_STATE/http-secret")
  {
    cat <<YAML
# generated by sandbox/registry/registry.sh — do not edit
version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $REGISTRY_STATE/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: $(registry_addr)
  secret: $(cat "$REGISTRY_STATE/http-secret")
  headers:
    X-Content-Type-Options: [nosniff]
YAML
    if [ "$SBX_REGISTRY_TLS" = 1 ]; then
      cat <<YAML
  tls:
    certificate: $REGISTRY_TLS_DIR/server.pem
    key: $REGISTRY_TLS_DIR/server.key
YAML
    fi
    cat <<YAML
auth:
  htpasswd:
    realm: ecrx-sandbox
    path: $REGISTRY_STATE/htpasswd
health:
  storagedriver:
    enabled: false
YAML
    if [ "$SBX_BRIDGE" = 1 ]; then
      cat <<YAML
notifications:
  events:
    includereferences: true
  endpoints:
    - name: moto-bridge
      url: http://127.0.0.1:$SBX_BRIDGE_PORT/events
      timeout: 5s
      threshold: 3
      backoff: 1s
      ignoredmediatypes:
        - application/octet-stream
YAML
    fi
  } >"$REGISTRY_CONFIG.new"
  chmod 600 "$REGISTRY_CONFIG.new"
  mv -f "$REGISTRY_CONFIG.new" "$REGISTRY_CONFIG"
}

registry_status() {
  sbx_pid_alive "$REGISTRY_PIDFILE" || return 1
  local code
  code=$(_registry_curl -s -o /dev/null -w '%{http_code}' "$(registry_url)/v2/") || return 1
  [ "$code" = 401 ]
}

_registry_do_start() {
  command -v docker-registry >/dev/null && command -v htpasswd >/dev/null && command -v curl >/dev/null ||
    sbx_apt_install docker-registry apache2-utils curl || return 1
  mkdir -p "$REGISTRY_STATE"
  if [ "$SBX_BRIDGE" = 1 ]; then _bridge_choose_port || return 1; fi
  _registry_choose_port || return 1
  _registry_credentials || return 1
  if [ "$SBX_REGISTRY_TLS" = 1 ]; then _registry_tls_material || return 1; echo https >"$REGISTRY_STATE/scheme.new"
  else echo http >"$REGISTRY_STATE/scheme.new"; fi
  _registry_write_config
  printf 'SBX_REGISTRY_TLS=%s\nSBX_BRIDGE=%s\n' "$SBX_REGISTRY_TLS" "$SBX_BRIDGE" >"$REGISTRY_STATE/mode.env"
  echo "mode: SBX_REGISTRY_TLS=$SBX_REGISTRY_TLS SBX_BRIDGE=$SBX_BRIDGE"
  if sbx_pid_alive "$REGISTRY_PIDFILE"; then
    if cmp -s "$REGISTRY_CONFIG" "$REGISTRY_STATE/config.yml.running" && [ ! -e "$REGISTRY_STATE/restart-needed" ] && registry_status; then
      mv -f "$REGISTRY_STATE/scheme.new" "$REGISTRY_STATE/scheme"
      echo "already running, pid $(cat "$REGISTRY_PIDFILE") on $(registry_url)"; return 0
    fi
    echo "config changed or not answering: restarting"
    sbx_stop_pidfile registry "$REGISTRY_PIDFILE"
  fi
  sbx_port_free "$(registry_port)" || { echo "127.0.0.1:$(registry_port) taken by another process"; return 1; }
  cp -f "$REGISTRY_CONFIG" "$REGISTRY_STATE/config.yml.running"; rm -f "$REGISTRY_STATE/restart-needed"
  mv -f "$REGISTRY_STATE/scheme.new" "$REGISTRY_STATE/scheme"
  # OTEL_TRACES_EXPORTER: not used by 2.8; harmless. REGISTRY_* env would override the file: clear them.
  env -u REGISTRY_HTTP_ADDR -u REGISTRY_AUTH setsid docker-registry serve "$REGISTRY_CONFIG" \
    >>"$SBX_LOGS/registry.log" 2>&1 </dev/null &
  echo $! >"$REGISTRY_PIDFILE"
  echo "started registry pid $(cat "$REGISTRY_PIDFILE") on $(registry_url), log $SBX_LOGS/registry.log"
  if ! sbx_wait_for 30 registry_status; then
    echo "registry did not answer 401 on /v2/ within 30s:"; tail -n 30 "$SBX_LOGS/registry.log"; return 1
  fi
  # authenticated check
  _registry_curl -fsS -u "$REGISTRY_USER:$(registry_password)" "$(registry_url)/v2/" && echo " authenticated $(registry_url)/v2/ ok"
}

registry_start()  { sbx_step registry-start _registry_do_start; }
registry_stop()   { sbx_stop_pidfile registry "$REGISTRY_PIDFILE"; }
registry_ensure() { registry_start; }
registry_env() {
  echo "export SBX_REGISTRY=$(registry_addr)"
  echo "export SBX_REGISTRY_USER=$REGISTRY_USER"
  echo "export SBX_REGISTRY_PASSWORD=$(registry_password)"
  echo "export DOCKER_CONFIG=$DOCKER_CONFIG_DIR"
  if [ "$(registry_scheme)" = https ]; then
    echo "export SSL_CERT_FILE=$REGISTRY_TLS_DIR/ca-bundle.pem"
    echo "export NODE_EXTRA_CA_CERTS=$REGISTRY_TLS_DIR/ca.pem"
  fi
  [ -s "$REGISTRY_STATE/base-image" ] && echo "export ECRX_SANDBOX_BASE_IMAGE=$(cat "$REGISTRY_STATE/base-image")"
  return 0
}

# ---- base image -------------------------------------------------------------------------------
: "${SBX_BASE_REPO:=library/busybox}"
: "${SBX_BASE_TAG:=stable}"

_registry_do_seed() {
  command -v busybox >/dev/null && [ -x /bin/busybox ] && busybox | head -1 | grep -q BusyBox &&
    dpkg -s busybox-static >/dev/null 2>&1 || sbx_apt_install busybox-static || return 1
  # shellcheck source=../buildkit/buildkit.sh
  source "$_REG_DIR/../buildkit/buildkit.sh"
  buildkit_status || { echo "buildkitd is not running: run sandbox/buildkit/buildkit.sh ensure"; return 1; }
  local ctx="$REGISTRY_STATE/base-context" ref meta digest
  ref="$(registry_addr)/$SBX_BASE_REPO:$SBX_BASE_TAG"
  rm -rf "$ctx"; mkdir -p "$ctx"
  cp /bin/busybox "$ctx/busybox"
  cp "$_REG_DIR/busybox.Dockerfile" "$ctx/Dockerfile"
  meta="$REGISTRY_STATE/base-image.metadata.json"
  DOCKER_CONFIG="$DOCKER_CONFIG_DIR" "$SBX_BIN/buildctl" --addr "$BUILDKIT_HOST_URL" build \
    --frontend dockerfile.v0 --local context="$ctx" --local dockerfile="$ctx" \
    --opt platform=linux/amd64 \
    --output "type=image,name=$ref,push=true,oci-mediatypes=true" \
    --metadata-file "$meta" --progress plain || return 1
  digest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["containerimage.digest"])' "$meta")
  echo "pushed $ref@$digest"
  # registry round trip: the tag resolves to the same digest
  local got
  got=$(_registry_curl -fsSI -u "$REGISTRY_USER:$(registry_password)" \
    -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
    "$(registry_url)/v2/$SBX_BASE_REPO/manifests/$SBX_BASE_TAG" | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}')
  [ "$got" = "$digest" ] || { echo "registry serves $got for $ref, buildctl pushed $digest"; return 1; }
  echo "$ref" >"$REGISTRY_STATE/base-image"
  echo "$ref@$digest" >"$REGISTRY_STATE/base-image.digest"
}

registry_seed() {
  local ref; ref="$(registry_addr)/$SBX_BASE_REPO:$SBX_BASE_TAG"
  if [ "${SBX_RESEED:-0}" != 1 ] && [ -s "$REGISTRY_STATE/base-image" ] && [ "$(cat "$REGISTRY_STATE/base-image")" = "$ref" ] &&
     _registry_curl -fsS -o /dev/null -u "$REGISTRY_USER:$(registry_password)" \
       -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' \
       "$(registry_url)/v2/$SBX_BASE_REPO/manifests/$SBX_BASE_TAG"; then
    printf '[sandbox] %-22s ok (present %s)\n' base-image "$ref"
  else
    sbx_step base-image _registry_do_seed || return 1
  fi
  cat "$REGISTRY_STATE/base-image"
}

# ---- registry → moto bridge -------------------------------------------------------------------
bridge_status() {
  sbx_pid_alive "$BRIDGE_PIDFILE" && curl -fsS -o /dev/null "http://127.0.0.1:$SBX_BRIDGE_PORT/healthz"
}

_bridge_do_start() {
  [ -n "${AWS_ENDPOINT_URL_ECR:-}" ] || { echo "AWS_ENDPOINT_URL_ECR (moto) is not set"; return 1; }
  # Its code is part of what it runs as: a changed bridge.ts restarts it.
  local want; want="$(registry_url) $AWS_ENDPOINT_URL_ECR $(sha256sum "$_REG_DIR/bridge.ts" | cut -c1-16)"
  if bridge_status && [ "$(cat "$SBX_RUN/bridge.target" 2>/dev/null)" = "$want" ]; then
    echo "already running, pid $(cat "$BRIDGE_PIDFILE") ($want)"; return 0
  fi
  sbx_stop_pidfile bridge "$BRIDGE_PIDFILE" >/dev/null
  sbx_port_free "$SBX_BRIDGE_PORT" || { echo "127.0.0.1:$SBX_BRIDGE_PORT taken by another process"; return 1; }
  local _bridge_ca=""
  [ "$(registry_scheme)" = https ] && _bridge_ca="$REGISTRY_TLS_DIR/ca.pem"
  # run from the repo root so node resolves ts-node and @aws-sdk/client-ecr from its node_modules;
  # a simple command before `&` so $! is node itself (env and setsid exec it)
  (cd "$SBX_ROOT" || exit 1
   BRIDGE_PORT="$SBX_BRIDGE_PORT" REGISTRY_URL="$(registry_url)" \
   REGISTRY_USER="$REGISTRY_USER" REGISTRY_PASSWORD_FILE="$REGISTRY_STATE/password" \
   AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}" \
   AWS_REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}" \
     env ${_bridge_ca:+NODE_EXTRA_CA_CERTS="$_bridge_ca"} setsid node -r ts-node/register/transpile-only "$_REG_DIR/bridge.ts" \
     >>"$SBX_LOGS/bridge.log" 2>&1 </dev/null &
   echo $! >"$BRIDGE_PIDFILE")
  echo "started bridge pid $(cat "$BRIDGE_PIDFILE") on 127.0.0.1:$SBX_BRIDGE_PORT, log $SBX_LOGS/bridge.log"
  echo "$want" >"$SBX_RUN/bridge.target"
  sbx_wait_for 30 bridge_status || { echo "bridge did not answer /healthz:"; tail -n 30 "$SBX_LOGS/bridge.log"; return 1; }
}
bridge_start() { sbx_step bridge-start _bridge_do_start; }
bridge_stop()  { sbx_stop_pidfile bridge "$BRIDGE_PIDFILE"; }

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  case "${1:-}" in
    start) registry_start ;;
    stop) registry_stop ;;
    status) if registry_status; then echo "registry running (pid $(cat "$REGISTRY_PIDFILE")) on $(registry_addr)"; else echo "registry not running"; exit 1; fi ;;
    ensure) registry_ensure ;;
    env) registry_env ;;
    seed) registry_seed ;;
    bridge-start) bridge_start ;;
    bridge-stop) bridge_stop ;;
    bridge-status) if bridge_status; then echo "bridge running (pid $(cat "$BRIDGE_PIDFILE")) on 127.0.0.1:$SBX_BRIDGE_PORT"; else echo "bridge not running"; exit 1; fi ;;
    *) echo "usage: $0 {start|stop|status|ensure|env|seed|bridge-start|bridge-stop|bridge-status}" >&2; exit 2 ;;
  esac
fi
