# Sourced by system tests: a local npm registry (Verdaccio, a devDependency of this repository)
# on 127.0.0.1 with temporary storage, configuration and users.
#
#   start_registry DIR   starts it; sets REGISTRY (URL), REGISTRY_TOKEN (a publisher's token) and
#                        REGISTRY_NPMRC (an .npmrc that takes the @flyte-agent and @private scopes
#                        from it, with that token; other packages come from npm's usual registry)
#   stop_registry        stops it (call from the test's cleanup)
#
# @flyte-agent/* and create-flyte-agent are served from this registry only (never proxied, so that only what the test
# published is installed); @private/* needs a token to read; everything else is proxied to the
# public npm registry.
REGISTRY_PID=""
start_registry() {
  local dir=$1 root port
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
  mkdir -p "$dir/storage"
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  cat >"$dir/config.yaml" <<YAML
storage: $dir/storage
auth:
  htpasswd:
    file: $dir/htpasswd
    max_users: 10
uplinks:
  npmjs:
    url: $(npm config get registry)
    timeout: 60s
packages:
  '@flyte-agent/*':
    access: \$all
    publish: \$authenticated
  'create-flyte-agent':
    access: \$all
    publish: \$authenticated
  '@private/*':
    access: \$authenticated
    publish: \$authenticated
  '**':
    access: \$all
    publish: \$authenticated
    proxy: npmjs
listen: 127.0.0.1:$port
log: { type: stdout, format: pretty, level: warn }
web: { enable: false }
YAML
  "$root/node_modules/.bin/verdaccio" --config "$dir/config.yaml" >"$dir/registry.log" 2>&1 &
  REGISTRY_PID=$!
  REGISTRY="http://127.0.0.1:$port/"
  local up=""
  for _ in $(seq 1 150); do
    kill -0 "$REGISTRY_PID" 2>/dev/null || { cat "$dir/registry.log" >&2; return 1; }
    if node -e 'fetch(process.argv[1]+"-/ping").then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$REGISTRY"; then up=1; break; fi
    sleep 0.2
  done
  [ -n "$up" ] || { echo "registry: Verdaccio did not answer on $REGISTRY" >&2; return 1; }
  # A user, added the way `npm adduser` does: the answer carries the token.
  REGISTRY_TOKEN=$(node -e '
    const [url] = process.argv.slice(1);
    fetch(`${url}-/user/org.couchdb.user:publisher`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "publisher", password: "publisher-password", type: "user", roles: [] }),
    }).then(async (r) => {
      const body = await r.json();
      if (!body.token) { console.error(JSON.stringify(body)); process.exit(1); }
      console.log(body.token);
    });' "$REGISTRY")
  REGISTRY_NPMRC="$dir/npmrc"
  printf '@flyte-agent:registry=%s\n@private:registry=%s\n//127.0.0.1:%s/:_authToken=%s\n' \
    "$REGISTRY" "$REGISTRY" "$port" "$REGISTRY_TOKEN" >"$REGISTRY_NPMRC"
}
stop_registry() {
  if [ -n "$REGISTRY_PID" ] && kill -0 "$REGISTRY_PID" 2>/dev/null; then
    kill "$REGISTRY_PID" 2>/dev/null || true
    wait "$REGISTRY_PID" 2>/dev/null || true
  fi
  REGISTRY_PID=""
}
