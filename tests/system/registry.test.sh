#!/usr/bin/env bash
# The registry paths, against a real registry (Verdaccio on 127.0.0.1, temporary storage):
#  1. `pnpm release` publishes every package (registry overridden); a second release stops at
#     the preflight and publishes nothing;
#  2. in an empty directory with only npm: `npm install @flyte-agent/core @flyte-agent/bigquery`,
#     `npx flyte-agent list` shows only the BigQuery agent, `npx flyte-agent serve` answers
#     ListAgents with exactly it; the same with @flyte-agent/template alone;
#  3. `npm create flyte-agent@latest team-jobs-commonjs --registry <it>` and
#     `... team-jobs-esm -- --esm` (the create-flyte-agent package, as the READMEs show it): in
#     the new project `npm install && npm test` pass against the registry (the ES module one's
#     tests run as ES modules), its README is its own, the `npm pack` tarball installs beside
#     core and `flyte-agent serve` serves it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib/registry.sh
source "$ROOT/tests/system/lib/registry.sh"
# shellcheck source=lib/serve-check.sh
source "$ROOT/tests/system/lib/serve-check.sh"
WORK=$(mktemp -d /tmp/flyte-agent-registry.XXXXXX)
cleanup() {
  stop_registry
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "registry: FAIL: $*" >&2
  exit 1
}
step() { printf 'registry: %s (%ss)\n' "$1" "$SECONDS"; }

start_registry "$WORK/registry" || fail "Verdaccio did not start"
step "Verdaccio $("$ROOT/node_modules/.bin/verdaccio" --version) on $REGISTRY"

# Every npm and pnpm below takes @flyte-agent/* (and @private/*) from the local registry, with the
# publisher's token, and other packages from npm's usual registry.
export NPM_CONFIG_USERCONFIG="$REGISTRY_NPMRC"

step "pnpm release (build, test, publish -r)"
(cd "$ROOT" && npm_config_registry="$REGISTRY" pnpm release -- --no-provenance) >"$WORK/release.log" 2>&1 || {
  tail -30 "$WORK/release.log" >&2
  fail "pnpm release"
}
for pkg in flyteidl core testing bigquery databricks openai sagemaker sensor snowflake template webhook bundle; do
  v=$(npm view "@flyte-agent/$pkg" version) || fail "@flyte-agent/$pkg is not in the registry"
  [ "$v" = "$(node -p "require('$ROOT/packages/$pkg/package.json').version")" ] || fail "@flyte-agent/$pkg: registry has $v"
done
v=$(npm view create-flyte-agent version --registry "$REGISTRY") || fail "create-flyte-agent is not in the registry"
[ "$v" = "$(node -p "require('$ROOT/packages/create-flyte-agent/package.json').version")" ] || fail "create-flyte-agent: registry has $v"
core_deps=$(npm view @flyte-agent/core dependencies --json)
case "$core_deps" in *workspace:*) fail "published core keeps a workspace: range: $core_deps" ;; esac

step "a second release stops before publishing anything"
if (cd "$ROOT" && node scripts/release.mjs --registry "$REGISTRY" -- --no-provenance) >"$WORK/again.log" 2>&1; then fail "releasing existing versions must fail"; fi
grep -q "nothing was published" "$WORK/again.log" || fail "no clear message: $(cat "$WORK/again.log")"
grep -q "@flyte-agent/core@" "$WORK/again.log" || fail "the message does not name the existing versions"

# Installs PACKAGES into a fresh npm project and checks list and serve against their agents.
check_install() {
  local dir=$1 plugin_names
  shift
  mkdir -p "$dir" && cd "$dir"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --loglevel=error "$@" >/dev/null || fail "npm install $*"
  plugin_names=$(for spec in "$@"; do
    case "$spec" in
      @flyte-agent/core) ;;
      *.tgz) tar -xzOf "$spec" package/package.json | node -e 'console.log(JSON.parse(require("fs").readFileSync(0,"utf8")).name)' ;;
      *) echo "$spec" ;;
    esac
  done)
  # shellcheck disable=SC2086 # one package per word
  expected=$(expected_agents $plugin_names) || fail "cannot read the agents of $plugin_names"
  [ -n "$expected" ] || fail "$plugin_names declare no agents"
  listed=$(npx --no-install flyte-agent list --json) || fail "flyte-agent list in $dir"
  packages=$(echo "$listed" | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>console.log(JSON.parse(s).plugins.map(p=>p.package).sort().join(" ")))')
  [ "$packages" = "$(echo $plugin_names | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" ] || fail "flyte-agent list shows plugins: $packages"
  actual=$(serve_and_list_agents "$dir/serve.log") || fail "serve in $dir"
  [ "$actual" = "$expected" ] || fail "ListAgents in $dir:
$actual
expected:
$expected"
  echo "  ListAgents: $(echo "$actual" | tr '\n' ';')"
  cd "$WORK"
}

step "npm install @flyte-agent/core @flyte-agent/bigquery"
check_install "$WORK/with-bigquery" @flyte-agent/core @flyte-agent/bigquery
step "npm install @flyte-agent/template"
check_install "$WORK/with-template" @flyte-agent/template
[ -d "$WORK/with-template/node_modules/@flyte-agent/core" ] || fail "installing the template alone did not bring core"

for kind in commonjs esm; do
  name=team-jobs-$kind
  flag=""
  [ "$kind" = esm ] && flag=--esm
  step "npm create flyte-agent@latest $name${flag:+ -- $flag}; npm install && npm test"
  cd "$WORK"
  # The README's command, against the registry. npm create runs npx, which keeps what it
  # installed under the npm cache keyed by the package names: with a cache shared with earlier
  # runs it would reuse an old install of the same version (every run publishes 0.1.0 anew), so
  # it gets a cache of its own.
  # shellcheck disable=SC2086 # no flag for commonjs
  npm_config_cache="$WORK/npx-cache-$kind" npm create flyte-agent@latest "$name" --registry "$REGISTRY" ${flag:+-- $flag} >"$WORK/create-$kind.log" 2>&1 || {
    cat "$WORK/create-$kind.log" >&2
    fail "npm create flyte-agent $flag"
  }
  cd "$WORK/$name"
  grep -q '"@flyte-agent/core": "\^' package.json || fail "$name does not depend on core with a caret range"
  if grep -rq "workspace:\|\.\./\.\./" package.json tsconfig*.json jest.config.js README.md; then fail "$name refers to a workspace"; fi
  if grep -q "pnpm\|turbo" README.md; then fail "$name/README.md tells its user to run pnpm or turbo"; fi
  head -1 README.md | grep -qx "# $name" || fail "$name/README.md is not about $name"
  (npm install --no-audit --no-fund --loglevel=error && npm test) >"$WORK/$name.log" 2>&1 || {
    tail -40 "$WORK/$name.log" >&2
    fail "npm install && npm test in $name"
  }
  if [ "$kind" = esm ]; then
    grep -q '"type": "module"' package.json || fail "$name is not \"type\": \"module\""
    grep -q '^export default definePlugin' dist/index.js || fail "$name/dist/index.js is not an ES module"
    grep -q 'PASS test/conformance.test.ts' "$WORK/$name.log" || fail "$name: the conformance tests did not run"
  fi
  tarball=$(npm pack --silent 2>/dev/null | tail -1)
  [ -f "$tarball" ] || fail "npm pack in $name"
  step "the $name tarball installed beside core, served"
  check_install "$WORK/serve-$name" @flyte-agent/core "$WORK/$name/$tarball"
done
step "PASS"
