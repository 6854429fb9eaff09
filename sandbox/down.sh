#!/usr/bin/env bash
# npm run sandbox:down — stops exactly the processes sandbox:up started (by their PID files) and keeps
# what was built and deployed, so the next sandbox:up is quick and stacks keep their state.
set -uo pipefail
_DOWN_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=moto.sh
source "$_DOWN_DIR/moto.sh"
# shellcheck source=buildkit/buildkit.sh
source "$_DOWN_DIR/buildkit/buildkit.sh"
# shellcheck source=registry/registry.sh
source "$_DOWN_DIR/registry/registry.sh"

status=0
bridge_stop || status=1
buildkit_stop || status=1
registry_stop || status=1
moto_stop || status=1
exit $status
