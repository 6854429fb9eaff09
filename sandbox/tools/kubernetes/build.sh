#!/usr/bin/env bash
# Builds pulumi-resource-kubernetes from the module pinned in go.mod into .sandbox/bin.
#
# The provider's main package embeds schema-embed.json and terraform-mapping-embed.json,
# which upstream writes with `go generate` (generate.go stamps the version into schema.json),
# so they are not in the module zip, and go refuses -overlay for files in the module cache.
# This script therefore copies the pinned provider module into a scratch directory outside
# the repo, runs upstream's generator there, and builds through a scratch go.work that uses
# this module (whose go.mod/go.sum pin every dependency) and that copy. The copy's local
# replace (sdk/v4 => ../sdk) is overridden in go.work with the sdk/v4 version go.mod pins.
# Nothing third-party lands in the repo and the module cache is left untouched.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
out="${OUT:-$repo/.sandbox/bin/pulumi-resource-kubernetes}"
pkg=github.com/pulumi/pulumi-kubernetes/provider/v4
# The pinned commit predates the v4.25.0 tag; this is the version upstream's tooling
# (pulumictl get version) gives a main-branch build of it. See go.mod.
version="${VERSION:-4.25.0-alpha.1768448096+f47bc2d6}"

cd "$here"
mod="$(go list -m -f '{{.Dir}}' "$pkg")"
sdk="$(go list -m -f '{{.Path}} {{.Version}}' github.com/pulumi/pulumi-kubernetes/sdk/v4)"
work="$(mktemp -d "${TMPDIR:-/tmp}/k8s-provider-build.XXXXXX")"
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT

cp -r "$mod" "$work/provider"
chmod -R u+w "$work/provider"
src="$work/provider/cmd/pulumi-resource-kubernetes"
go build -o "$work/generate" "$mod/cmd/pulumi-resource-kubernetes/generate.go"
(cd "$src" && VERSION="$version" "$work/generate")

cat > "$work/go.work" <<WORK
go $(go list -m -f '{{.GoVersion}}')

use (
	$here
	$work/provider
)

replace ${sdk% *} => $sdk
WORK

mkdir -p "$(dirname "$out")"
GOWORK="$work/go.work" go build -trimpath \
  -ldflags "-X $pkg/pkg/version.Version=$version" \
  -o "$out" "$pkg/cmd/pulumi-resource-kubernetes"
echo "built $out ($version)"
