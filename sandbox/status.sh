#!/usr/bin/env bash
# npm run sandbox:status — one line per sandbox service; exits 0 only when all of them run.
set -uo pipefail
_STATUS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=moto.sh
source "$_STATUS_DIR/moto.sh"
# shellcheck source=buildkit/buildkit.sh
source "$_STATUS_DIR/buildkit/buildkit.sh"
# shellcheck source=registry/registry.sh
source "$_STATUS_DIR/registry/registry.sh"

status=0
for service in moto registry buildkit bridge; do
  case $service in
    moto) check() { sbx_pid_alive "$MOTO_PIDFILE" && _moto_answers; } ;;
    registry) check() { registry_status >/dev/null 2>&1; } ;;
    buildkit) check() { buildkit_status >/dev/null 2>&1; } ;;
    bridge) check() { bridge_status >/dev/null 2>&1; } ;;
  esac
  if check; then echo "[sandbox] $service running"; else echo "[sandbox] $service stopped"; status=1; fi
done
[ -s "$SBX_STATE/env" ] || { echo "[sandbox] .sandbox/env missing"; status=1; }
exit $status
