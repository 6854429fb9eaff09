#!/usr/bin/env bash
# npm run sandbox:up — a complete, offline Pulumi environment on loopback, so that ecrx programs
# deploy for real with the ordinary `pulumi` commands: the Pulumi CLI and language hosts, BuildKit,
# an OCI registry, moto's ECR API and the aws test double. Idempotent: what is built is reused and
# what runs is left running. Afterwards: `source .sandbox/env`. `npm run sandbox:down` stops it.
set -euo pipefail
_UP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The registry records pushes in moto through the bridge, as ECR's control plane sees every push.
export SBX_BRIDGE=1
# TLS, because docker-build reads and deletes registry content through regclient, which speaks only
# HTTPS to a host:port registry: over plain HTTP its deletes fail silently and refresh warns.
export SBX_REGISTRY_TLS=1
# shellcheck source=tools.sh
source "$_UP_DIR/tools.sh"
# shellcheck source=moto.sh
source "$_UP_DIR/moto.sh"
# shellcheck source=buildkit/buildkit.sh
source "$_UP_DIR/buildkit/buildkit.sh"
# shellcheck source=registry/registry.sh
source "$_UP_DIR/registry/registry.sh"

SBX_ENV_FILE="$SBX_STATE/env"
SBX_REGION="us-east-1"

_write_env() {
  local passphrase_file="$SBX_STATE/passphrase" registry_exports base_image
  [ -s "$passphrase_file" ] || (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$passphrase_file")
  registry_exports=$(registry_env)
  eval "$registry_exports"
  base_image=$(cat "$REGISTRY_STATE/base-image")
  mkdir -p "$SBX_STATE/state"
  (umask 077 && cat >"$SBX_ENV_FILE" <<EOF
# Written by npm run sandbox:up. Source it: . .sandbox/env
export PATH="$SBX_BIN:\$PATH"
export PULUMI_HOME="$SBX_PULUMI_HOME"
export PULUMI_BACKEND_URL="file://$SBX_STATE/state"
export PULUMI_CONFIG_PASSPHRASE="$(cat "$passphrase_file")"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export AWS_ACCESS_KEY_ID=sandbox
export AWS_SECRET_ACCESS_KEY=sandbox
export AWS_REGION=$SBX_REGION
export AWS_ENDPOINT_URL_ECR="$(moto_endpoint)"
export DOCKER_CONFIG="$DOCKER_CONFIG"
export BUILDKIT_HOST="$BUILDKIT_HOST_URL"
export ECRX_SANDBOX_REGISTRY="$SBX_REGISTRY"
export ECRX_SANDBOX_REGISTRY_USER="$SBX_REGISTRY_USER"
export ECRX_SANDBOX_REGISTRY_PASSWORD="$SBX_REGISTRY_PASSWORD"
export ECRX_SANDBOX_BASE_IMAGE="$base_image"
export SSL_CERT_FILE="$SSL_CERT_FILE"
export NODE_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS"
EOF
  )
}

echo "[sandbox] starting; the first run builds the tools from the Go module proxy and takes several minutes"
sbx_step debian-packages sbx_apt_install runc docker-registry apache2-utils busybox-static curl
sbx_step moto-install moto_install
tools_build
tools_plugins
sbx_step moto moto_start
# These step themselves (each with its own log); wrapping them again would write the step's output
# into registry.log and bridge.log, the servers' own logs.
registry_ensure
buildkit_ensure
AWS_ENDPOINT_URL_ECR="$(moto_endpoint)" AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox AWS_REGION=$SBX_REGION
export AWS_ENDPOINT_URL_ECR AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION
bridge_start
registry_seed
sbx_step env-file _write_env
echo "[sandbox] ready: source $SBX_ENV_FILE, then use pulumi as usual (npm run sandbox:down stops it)"
