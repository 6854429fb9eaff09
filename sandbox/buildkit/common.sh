# shellcheck shell=bash
# sandbox/buildkit/common.sh — helpers shared by sandbox/buildkit/*.sh and sandbox/registry/*.sh.
# Source it; it defines no side effects besides variables and functions.
#
#   SBX_ROOT   repo root (default: two levels above this file)
#   SBX_STATE  state dir, git-ignored (default: $SBX_ROOT/.sandbox)
#   sbx_step NAME CMD...   run CMD with stdout+stderr appended to $SBX_STATE/logs/NAME.log,
#                          print one progress line; on failure print the step and its log, return 1.
#   sbx_pid_alive FILE     true when FILE holds the PID of a live process
#   sbx_stop_pidfile NAME FILE   TERM (then KILL after 10s) the PID in FILE, remove FILE
#   sbx_port_free PORT     true when nothing listens on 127.0.0.1:PORT
#   sbx_wait_for SECONDS CMD...  poll CMD every 0.2s until it succeeds

SBX_COMMON_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${SBX_ROOT:=$(cd "$SBX_COMMON_DIR/../.." && pwd)}"
: "${SBX_STATE:=$SBX_ROOT/.sandbox}"
SBX_BIN="$SBX_STATE/bin"
SBX_LOGS="$SBX_STATE/logs"
SBX_RUN="$SBX_STATE/run"
mkdir -p "$SBX_BIN" "$SBX_LOGS" "$SBX_RUN"

sbx_step() {
  local name="$1"; shift
  local log="$SBX_LOGS/$name.log" start rc
  start=$(date +%s)
  printf '\n=== %s %s: %s\n' "$(date -u +%FT%TZ)" "$name" "$*" >>"$log"
  if "$@" >>"$log" 2>&1; then
    printf '[sandbox] %-22s ok (%ss)\n' "$name" "$(( $(date +%s) - start ))"
  else
    rc=$?
    printf '[sandbox] %-22s FAILED (exit %s) — see %s\n' "$name" "$rc" "$log" >&2
    tail -n 15 "$log" | sed 's/^/[sandbox]   | /' >&2
    return 1
  fi
}

sbx_pid_alive() {
  local f="$1" pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

sbx_stop_pidfile() {
  local name="$1" f="$2" pid
  if ! sbx_pid_alive "$f"; then rm -f "$f"; echo "[sandbox] $name not running"; return 0; fi
  pid=$(cat "$f")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  rm -f "$f"
  echo "[sandbox] $name stopped (pid $pid)"
}

sbx_port_free() {
  # true when no TCP listener on 127.0.0.1:$1 (or 0.0.0.0:$1 / [::]:$1)
  local port="$1"
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

sbx_wait_for() {
  local secs="$1"; shift
  local deadline=$(( $(date +%s) + secs ))
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

sbx_apt_install() {
  # sbx_apt_install PKG...  installs missing Debian packages (apt-get update once per state dir)
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && { echo "already installed: $*"; return 0; }
  if [ ! -e "$SBX_STATE/.apt-updated" ]; then
    apt-get update && touch "$SBX_STATE/.apt-updated"
  fi
  # Packages such as docker-registry start a service of their own on install (on :5000, every interface).
  # The sandbox runs its own servers on loopback, so a policy-rc.d keeps apt from starting any, unless
  # the machine already has a policy of its own.
  local policy=/usr/sbin/policy-rc.d own_policy=0 rc=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" || rc=$?
  [ "$own_policy" = 1 ] && rm -f "$policy"
  return $rc
}
