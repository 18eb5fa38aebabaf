# Sourced by system tests: serves the plugins installed in an npm project with
# `npx flyte-agent serve` and compares ListAgents with what is expected.
#
#   expected_agents PACKAGE...      prints the sorted "name|category@version|sync" lines the
#                                   packages' default exports declare (run in the project dir)
#   serve_and_list_agents LOG       starts `npx flyte-agent serve` in the current directory, prints
#                                   ListAgents' lines, stops the server (SIGTERM must give exit 0)
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
expected_agents() {
  node -e '
    (async () => {
      const lines = [];
      for (const name of process.argv.slice(1)) {
        const mod = await import(require.resolve(name, { paths: [process.cwd()] }));
        const plugin = mod.default?.agents ? mod.default : mod.default?.default;
        for (const a of plugin.agents) lines.push(`${a.name}|${a.category.name}@${a.category.version}|${a.kind}`);
      }
      console.log(lines.sort().join("\n"));
    })().catch((e) => { console.error(e.message); process.exit(1); });' "$@"
}
serve_and_list_agents() {
  local log=$1 port pid actual="" node_pid code=0
  cp "$LIB_DIR/list-agents.js" ./.list-agents.js
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  setsid npx --no-install flyte-agent serve --port "$port" --host 127.0.0.1 --prometheus-port -1 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || { sed 's/^/  serve: /' "$log" >&2; return 1; }
    if actual=$(node ./.list-agents.js "$port" 2>/dev/null); then break; fi
    actual=""
    sleep 0.2
  done
  node_pid=$(ps -eo pid=,pgid=,args= | awk -v g="$pid" '$2 == g && /flyte-agent serve/ && !/npm exec|npx/ { print $1 }' | head -1)
  if [ -n "$node_pid" ]; then kill -TERM "$node_pid"; else kill -KILL -- "-$pid" 2>/dev/null || true; fi
  wait "$pid" || code=$?
  rm -f ./.list-agents.js
  [ -n "$actual" ] || { echo "ListAgents never answered" >&2; sed 's/^/  serve: /' "$log" >&2; return 1; }
  [ "$code" -eq 0 ] || { echo "serve exited with $code after SIGTERM" >&2; return 1; }
  printf '%s\n' "$actual"
}
