import type { PluginNames } from "./new-command";

/**
 * The README of a plugin created by `flyte-agent new`: about the new plugin (its task types,
 * where its configuration goes, how to run, test and serve it), in the outline every plugin
 * README follows, with the parts only its author can write marked as such.
 */
export function newPluginReadme(names: PluginNames): string {
  const pkg = names.packageName;
  const task = `${names.snake}_task`;
  const syncTask = `${names.snake}_sync_task`;
  return `# ${pkg}

A Flyte agent plugin for ${names.title}: runs \`${task}\` tasks (async: create, poll, delete) and
\`${syncTask}\` tasks (sync: one call). Created with \`flyte-agent new ${names.dir}\`; the agents still
run the template's example job until \`src/agent.ts\` and \`src/sync-agent.ts\` call ${names.title}.

- **\`${task}\`** (version 0, async): "${names.title} Agent". CreateTask starts the job and returns
  what GetTask and DeleteTask need (resource_meta); GetTask reports its phase; DeleteTask cancels it.
- **\`${syncTask}\`** (version 0, sync): "${names.title} Sync Agent". ExecuteTaskSync answers in one call.

## Install

Not on the public npm registry yet: from a team registry that holds it (\`pnpm release\` publishes
every package of the repository there), next to the core that serves it.

<!-- not-run: needs a registry holding the released packages -->
\`\`\`sh
npm install ${pkg} @flyte-agent/core
\`\`\`

\`flyte-agent serve\` finds the package by the \`flyteAgent.plugin\` marker in its package.json.

## Use

\`\`\`sh
# in packages/${names.dir}
npx flyte-agent list --include ${pkg}
npx flyte-agent run examples/${names.dir}-task.yaml -i n=7 -i who=flyte   # run one task locally
\`\`\`

\`npx flyte-agent serve --include ${pkg}\` serves only this plugin.

A flytekit task for it sets \`task_type="${task}"\` and a \`custom\` dict with the fields below.

## Configuration

Per task, in \`template.custom\` (typed in \`src/types.ts\`, checked in \`src/task-config.ts\`):

| Field | Type | Default | Meaning |
|---|---|---|---|
| _describe each field your agent reads_ | | | |

Per agent, in the constructor options (read once when the plugin is loaded; environment
variables only as defaults, never read inside agent methods):

| Option | Environment variable | Default | Meaning |
|---|---|---|---|
| _describe each option, e.g. the ${names.title} endpoint and the secret holding its token_ | | | |

Secrets are read with core's \`requireSecret\` (Flyte's \`_FSEC_<NAME>\` variable or
\`/etc/secrets/<name>\` file) at each call, so a rotated secret applies.

## Propeller config

\`\`\`yaml
plugins:
  agent-service:
    agents:
      ${names.snake}_agent: {endpoint: "dns:///flyte-agent.flyte.svc.cluster.local:8000", insecure: true}
    agentForTaskTypes:
      ${task}: ${names.snake}_agent
      ${syncTask}: ${names.snake}_agent
tasks:
  task-plugins:
    enabled-plugins: [container, sidecar, k8s-array, agent-service]
    default-for-task-types:
      ${task}: agent-service
      ${syncTask}: agent-service
\`\`\`

\`flyte-agent propeller-config\` prints this for every installed plugin.

## Testing

\`${pkg}/testing\` (\`src/testing/\`) is what users of this plugin test with: put the fake of the
${names.title} API there (a real HTTP server on 127.0.0.1 that parses requests with its own code),
next to the task-template builders it has now. The package follows the repository's plugin shape
(docs/plugin-shape.md in the flyte-agent repository).

## Development

<!-- not-run: the package's own build and tests, which pnpm test runs -->
\`\`\`sh
pnpm turbo run test --filter=${pkg}   # builds it (and core), type-checks the tests, runs jest
pnpm --filter ${pkg} lint
\`\`\`
`;
}
