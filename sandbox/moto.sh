#!/usr/bin/env bash
# sandbox/moto.sh — the sandbox's ECR control plane: moto's server (a third-party emulation of the
# AWS APIs, from PyPI, pinned in sandbox/requirements.txt) in a virtual environment under .sandbox.
#
# Usage as a library:  source sandbox/moto.sh   (defines the functions, runs nothing)
#   moto_install   create .sandbox/venv and install the pinned moto once
#   moto_start     start moto on 127.0.0.1 (port in .sandbox/moto/port), PID in .sandbox/run/moto.pid
#   moto_stop      stop the moto this script started (by PID file only)
#   moto_endpoint  print http://127.0.0.1:PORT

_MOTO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=buildkit/common.sh
source "$_MOTO_DIR/buildkit/common.sh"

MOTO_VENV="$SBX_STATE/venv"
MOTO_STATE="$SBX_STATE/moto"
MOTO_PIDFILE="$SBX_RUN/moto.pid"

moto_install() {
  local stamp
  stamp=$(sha256sum "$_MOTO_DIR/requirements.txt" | cut -c1-16)
  if [ -x "$MOTO_VENV/bin/moto_server" ] && [ "$(cat "$MOTO_VENV/.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "moto is installed"
    return 0
  fi
  python3 -m venv "$MOTO_VENV" && "$MOTO_VENV/bin/pip" install --quiet -r "$_MOTO_DIR/requirements.txt" || return 1
  echo "$stamp" >"$MOTO_VENV/.stamp"
}

_moto_port() {
  mkdir -p "$MOTO_STATE"
  if [ ! -s "$MOTO_STATE/port" ]; then
    local port=5056
    until sbx_port_free "$port"; do port=$((port + 1)); done
    echo "$port" >"$MOTO_STATE/port"
  fi
  cat "$MOTO_STATE/port"
}

moto_endpoint() {
  echo "http://127.0.0.1:$(_moto_port)"
}

_moto_answers() {
  curl -sf -o /dev/null "$(moto_endpoint)/moto-api/"
}

moto_start() {
  if sbx_pid_alive "$MOTO_PIDFILE" && _moto_answers; then
    echo "moto is running at $(moto_endpoint)"
    return 0
  fi
  # ours but not answering: stop it, or it would hold the port the new one needs
  sbx_stop_pidfile moto "$MOTO_PIDFILE"
  local port
  port=$(_moto_port)
  sbx_port_free "$port" || { echo "127.0.0.1:$port is taken by a process this sandbox did not start; remove $MOTO_STATE/port to pick another"; return 1; }
  setsid "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >>"$SBX_LOGS/moto-server.log" 2>&1 </dev/null &
  echo $! >"$MOTO_PIDFILE"
  sbx_wait_for 30 _moto_answers || { echo "moto did not answer on 127.0.0.1:$port; see $SBX_LOGS/moto-server.log"; return 1; }
  echo "moto is running at $(moto_endpoint)"
}

moto_stop() {
  sbx_stop_pidfile moto "$MOTO_PIDFILE"
}
