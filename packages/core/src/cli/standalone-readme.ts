import type { PluginNames } from "./new-command";

/** The service name of this project's own manifests (deploy/kubernetes): `flyte-agent` in namespace `flyte`. */
export const AGENT_SERVICE_ENDPOINT = "dns:///flyte-agent.flyte.svc.cluster.local:8000";

/**
 * The README of a plugin project created outside the flyte-agent repository (`flyte-agent new
 * --standalone`, `npm create flyte-agent`): about that project only, with commands that work in
 * it with npm alone (build, test, run a task, serve, pack) and the two ways into an image. No
 * path of the flyte-agent repository appears in it.
 */
export function standaloneReadme(names: PluginNames, options: { esm: boolean }): string {
  const pkg = names.packageName;
  const task = `${names.snake}_task`;
  const syncTask = `${names.snake}_sync_task`;
  const tarball = `${pkg.replace(/^@/, "").replace("/", "-")}-0.1.0.tgz`;
  return `# ${pkg}

A Flyte agent plugin for ${names.title}, in TypeScript${options.esm ? " (an ES module package)" : ""}. It serves two task
types; until \`src/agent.ts\` and \`src/sync-agent.ts\` call ${names.title}, both run the example job
they were created with (wait, then return the inputs as outputs).

- **\`${task}\`** (version 0, async): "${names.title} Agent". CreateTask starts the job and returns
  what GetTask and DeleteTask need (resource_meta); GetTask reports its phase; DeleteTask cancels it.
- **\`${syncTask}\`** (version 0, sync, Flyte 1 only): "${names.title} Sync Agent". ExecuteTaskSync
  answers in one call.

The agents declare the keys of \`template.custom\` they read (\`customKeys\`): \`flyte-agent run\`
refuses a task file with any other key, and \`flyte-agent serve\` logs it. Add a key there when
the agent starts reading it.

## Develop

Only Node.js 22 or later and npm are needed:

\`\`\`sh
npm install
npm test          # builds (tsc), then runs the conformance and gRPC tests in test/
\`\`\`

Run one task the way Flyte would, with the plugin served in-process:

\`\`\`sh
npm run build
npx flyte-agent run examples/${names.dir}-task.yaml -i n=7 -i who=flyte
\`\`\`

Serve it on port 8000 (metrics on 9090), as the agent service in a cluster does:

\`\`\`sh
npx flyte-agent serve --include ${pkg}
\`\`\`

The project depends on itself (\`"${pkg}": "file:."\` in its devDependencies), so the
\`flyte-agent\` command in it finds the plugin like any installed one.

## Configuration

Per task, in \`template.custom\` (typed in \`src/types.ts\`, checked in \`src/task-config.ts\`):

| Field | Type | Default | Meaning |
|---|---|---|---|
| \`durationSeconds\` | number | \`1\` | how long the example job runs |
| \`fail\` | boolean | \`false\` | make the example job fail |

Replace these rows with the fields your agent reads.

## Exports

| import | what it is |
|---|---|
| \`${pkg}\` | the plugin (\`export default definePlugin(...)\`) and its agent classes |
| \`${pkg}/testing\` | what users of the plugin test with: task-template builders (and, once you write one, the fake of the ${names.title} API) |

## Pack and deploy

\`\`\`sh
npm pack          # builds, then writes ${tarball}
\`\`\`

Install the tarball beside \`@flyte-agent/core\` wherever the agent service runs:

\`\`\`sh
mkdir ../serve-${names.dir} && cd ../serve-${names.dir} && npm init -y
npm install @flyte-agent/core ../${names.dir}/${tarball}
npx flyte-agent serve
\`\`\`

Into an image, either way:

- **A team image**, built from a checkout of the flyte-agent repository with its
  \`docker/build.sh\`, naming this directory or the tarball among the plugins:
  \`docker/build.sh -p "template /path/to/${tarball}" -t registry.example.com/flyte-agent:team\`.
- **An image derived from one you already run**: the image keeps its tarballs in
  \`/opt/flyte-agent/tarballs\`, so npm installs beside them:

  \`\`\`dockerfile
  FROM registry.example.com/flyte-agent:team
  USER root
  COPY ${tarball} /opt/flyte-agent/tarballs/team/
  RUN npm install --omit=dev --no-audit --no-fund ./tarballs/team/${tarball}
  USER 10001:10001
  \`\`\`

To publish it to your registry instead, remove \`"private": true\` from package.json and run
\`npm publish\`.

## Propeller config

\`npx flyte-agent propeller-config --include ${pkg}\` prints the FlytePropeller configuration
for this plugin (\`--flyte 2\` for the Flyte 2 executor), with the agent service at
\`${AGENT_SERVICE_ENDPOINT}\`: the Service \`flyte-agent\` in namespace \`flyte\`.
`;
}
