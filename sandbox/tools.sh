#!/usr/bin/env bash
# sandbox/tools.sh — the Pulumi side of the sandbox: the CLI, the language hosts and the provider
# plugins, built from the Go module proxy into .sandbox/bin and installed into the sandbox's
# PULUMI_HOME at exactly the versions the npm packages ask for.
#
# Usage as a library:  source sandbox/tools.sh   (defines the functions, runs nothing)
#   tools_build      build every binary whose pinned inputs changed since it was last built
#   tools_plugins    install docker-build, kubernetes, the aws test double and the Java host into $PULUMI_HOME/plugins
#
# Each binary is rebuilt only when the files that pin it (its go.mod, go.sum and sources) change:
# a stamp of their hash sits next to the binary.

_TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=buildkit/common.sh
source "$_TOOLS_DIR/buildkit/common.sh"

PULUMI_VERSION="v3.274.1"
DOCKER_BUILD_VERSION="0.0.22"
PULUMI_YAML_VERSION="v1.25.0"
PULUMI_JAVA_VERSION="v1.34.0"
PULUMI_DOTNET_VERSION="v3.110.0"
SBX_PULUMI_HOME="$SBX_STATE/pulumi-home"
# Provider binaries are kept off the PATH: the engine would prefer a PATH copy to the installed plugin.
SBX_PLUGIN_FILES="$SBX_STATE/plugin-files"

# The versions the npm packages ask for: the engine loads exactly these plugin versions.
_npm_plugin_version() {
  node -p "const p = require('$SBX_ROOT/node_modules/$1/package.json'); (p.pulumi && p.pulumi.version) || p.version"
}

# _build_when_changed OUTPUT STAMP CMD...: runs CMD to make OUTPUT unless OUTPUT was last made from
# inputs whose hash is STAMP (kept in .OUTPUT.stamp beside it).
_build_when_changed() {
  local output="$1" stamp="$2" record
  shift 2
  record="$(dirname "$output")/.$(basename "$output").stamp"
  if [ -x "$output" ] && [ "$(cat "$record" 2>/dev/null)" = "$stamp" ]; then
    echo "$(basename "$output") is up to date"
    return 0
  fi
  mkdir -p "$(dirname "$output")"
  "$@" || return 1
  echo "$stamp" >"$record"
}

# _go_tool DIR OUTPUT MODULE_DIR PACKAGE LDFLAGS: builds PACKAGE in MODULE_DIR into DIR/OUTPUT when the
# module's go.mod, go.sum or sources changed. -trimpath keeps local paths out of the binaries and lets
# every clone share Go's build cache.
_go_tool() {
  local output="$1/$2" module="$3" package="$4" ldflags="$5" stamp
  stamp=$(cd "$module" && cat go.mod go.sum $(ls ./*.go 2>/dev/null) | sha256sum | cut -c1-16)
  _build_when_changed "$output" "$stamp" _go_build "$module" "$package" "$ldflags" "$output"
}

_go_build() {
  (cd "$1" && go build -trimpath -o "$4" -ldflags "$3" "$2")
}

# The kubernetes provider needs files its module generates, so its own build.sh builds it (see its go.mod).
_kubernetes_plugin() {
  local module="$_TOOLS_DIR/tools/kubernetes" output="$SBX_PLUGIN_FILES/pulumi-resource-kubernetes" stamp
  stamp=$(cd "$module" && cat go.mod go.sum build.sh | sha256sum | cut -c1-16)
  _build_when_changed "$output" "$stamp" env OUT="$output" bash "$module/build.sh"
}

# What Pulumi's CLI distribution bundles beside the binary: the Python and Go hosts (the same binary as
# the Node.js host, under their own names), the Python SDK's launcher script, and the Node.js SDK's
# launcher of dynamic providers (pulumi-resource-pulumi-nodejs), all from the SDK module the hosts build with.
_bundled_launchers() {
  local sdk
  sdk=$(cd "$_TOOLS_DIR/language-host" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3) || return 1
  ln -f "$SBX_BIN/pulumi-language-nodejs" "$SBX_BIN/pulumi-language-python" &&
    ln -f "$SBX_BIN/pulumi-language-nodejs" "$SBX_BIN/pulumi-language-go" &&
    install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$SBX_BIN/pulumi-language-python-exec" &&
    install -m 0755 "$sdk/nodejs/dist/pulumi-resource-pulumi-nodejs" "$SBX_BIN/pulumi-resource-pulumi-nodejs"
}

tools_build() {
  sbx_step pulumi-cli _go_tool "$SBX_BIN" pulumi "$_TOOLS_DIR/tools/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" || return 1
  sbx_step language-nodejs _go_tool "$SBX_BIN" pulumi-language-nodejs "$_TOOLS_DIR/language-host" . \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" || return 1
  sbx_step bundled-launchers _bundled_launchers || return 1
  sbx_step language-yaml _go_tool "$SBX_BIN" pulumi-language-yaml "$_TOOLS_DIR/tools/yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml \
    "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$PULUMI_YAML_VERSION" || return 1
  # Java's host is not one the CLI bundles, so it is a plugin, kept off the PATH like the providers.
  sbx_step language-java _go_tool "$SBX_PLUGIN_FILES" pulumi-language-java "$_TOOLS_DIR/tools/java" github.com/pulumi/pulumi-java/pkg/cmd/pulumi-language-java \
    "-X github.com/pulumi/pulumi-java/pkg/version.Version=$PULUMI_JAVA_VERSION" || return 1
  sbx_step language-dotnet _go_tool "$SBX_BIN" pulumi-language-dotnet "$_TOOLS_DIR/tools/dotnet" github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3 \
    "-X github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3/version.Version=$PULUMI_DOTNET_VERSION" || return 1
  sbx_step docker-build-plugin _go_tool "$SBX_PLUGIN_FILES" pulumi-resource-docker-build "$_TOOLS_DIR/tools/docker-build" \
    github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build \
    "-X github.com/pulumi/pulumi-docker-build/provider.Version=$DOCKER_BUILD_VERSION" || return 1
  sbx_step kubernetes-plugin _kubernetes_plugin || return 1
}

# _plugin_installed KIND NAME VERSION
_plugin_installed() {
  PULUMI_HOME="$SBX_PULUMI_HOME" "$SBX_BIN/pulumi" plugin ls --json 2>/dev/null |
    node -e 'const [kind, name, version] = process.argv.slice(1); let s = ""; process.stdin.on("data", (d) => s += d).on("end", () =>
      process.exit(JSON.parse(s || "[]").some((p) => p.kind === kind && p.name === name && p.version === version) ? 0 : 1));' "$@"
}

# _install_plugin KIND NAME VERSION FILE: installs FILE as the plugin, replacing an older copy of the same version.
_install_plugin() {
  local kind="$1" name="$2" version="$3" file="$4" stamp
  stamp=$(sha256sum "$file" | cut -c1-16)
  if _plugin_installed "$kind" "$name" "$version" && [ "$(cat "$SBX_PULUMI_HOME/.$name.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "$kind $name $version is installed"
    return 0
  fi
  PULUMI_HOME="$SBX_PULUMI_HOME" "$SBX_BIN/pulumi" plugin install "$kind" "$name" "$version" --file "$file" --reinstall || return 1
  echo "$stamp" >"$SBX_PULUMI_HOME/.$name.stamp"
}

tools_plugins() {
  mkdir -p "$SBX_PULUMI_HOME"
  local docker_build aws kubernetes
  docker_build=$(_npm_plugin_version @pulumi/docker-build) || return 1
  aws=$(_npm_plugin_version @pulumi/aws) || return 1
  kubernetes=$(_npm_plugin_version @pulumi/kubernetes) || return 1
  sbx_step plugin-docker-build _install_plugin resource docker-build "$docker_build" "$SBX_PLUGIN_FILES/pulumi-resource-docker-build" || return 1
  # A pre-4.25.0 build in the slot of the version @pulumi/kubernetes asks for: the only one the proxy serves.
  sbx_step plugin-kubernetes _install_plugin resource kubernetes "$kubernetes" "$SBX_PLUGIN_FILES/pulumi-resource-kubernetes" || return 1
  sbx_step plugin-aws-double _install_aws_double "$aws" || return 1
  sbx_step plugin-language-java _install_plugin language java "${PULUMI_JAVA_VERSION#v}" "$SBX_PLUGIN_FILES/pulumi-language-java" || return 1
}

# The aws plugin is the test double in tests/sandbox/aws-provider, started through a launcher script.
_install_aws_double() {
  local launcher
  launcher=$(node -r "$SBX_ROOT/node_modules/ts-node/register/transpile-only" "$SBX_ROOT/tests/sandbox/aws-provider/launcher.ts" "$SBX_PLUGIN_FILES") || return 1
  _install_plugin resource aws "$1" "$launcher"
}
