/**
 * Task template files as Flyte tools write them, produced here with the protobufjs code shipped
 * in @flyteorg/flyteidl (an encoder that is not ours).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { flyteidl } from "../../src";
import { loadTemplateFile, parseTemplateBinary, parseTemplateText } from "../../src/runner/template-file";
import { tempDir } from "./helpers/cli";

// biome-ignore lint/suspicious/noExplicitAny: the protobufjs bundle is untyped JavaScript
type Any = any;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pb: Any = require("@flyteorg/flyteidl/gen/pb-js/flyteidl.js").flyteidl;

const theirTemplate = {
  id: { resourceType: pb.core.ResourceType.TASK, project: "flytesnacks", domain: "development", name: "wf.query", version: "v7" },
  type: "bigquery_query_job_task",
  taskTypeVersion: 2,
  interface: {
    inputs: { variables: { ds: { type: { simple: pb.core.SimpleType.STRING } } } },
    outputs: { variables: { results: { type: { structuredDatasetType: { format: "parquet" } } } } },
  },
  custom: { fields: { ProjectID: { stringValue: "proj" }, Retries: { numberValue: 3 } } },
  sql: { statement: "SELECT @ds", dialect: pb.core.Sql.Dialect.ANSI },
  config: { team: "data" },
};

function expectTheTemplate(t: flyteidl.core.TaskTemplate): void {
  expect(t.type).toBe("bigquery_query_job_task");
  expect(t.taskTypeVersion).toBe(2);
  expect(t.id).toMatchObject({
    project: "flytesnacks",
    name: "wf.query",
    version: "v7",
    resourceType: flyteidl.core.ResourceType.TASK,
  });
  expect(t.interface?.inputs?.variables.ds?.type?.type).toEqual({ $case: "simple", value: flyteidl.core.SimpleType.STRING });
  expect(t.custom).toEqual({ ProjectID: "proj", Retries: 3 });
  expect(t.target).toEqual({ $case: "sql", value: { statement: "SELECT @ds", dialect: flyteidl.core.Sql_Dialect.ANSI } });
  expect(t.config).toEqual({ team: "data" });
}

const encode = (type: Any, value: Any): Buffer => Buffer.from(type.encode(type.create(value)).finish());

describe("task template files", () => {
  test("protobuf binary TaskTemplate", () => {
    expectTheTemplate(parseTemplateBinary(encode(pb.core.TaskTemplate, theirTemplate)));
  });

  test("protobuf binary TaskSpec with a description (as `pyflyte package` writes)", () => {
    const spec = {
      template: theirTemplate,
      description: { shortDescription: "runs a query", longDescription: { value: "long" } },
    };
    expectTheTemplate(parseTemplateBinary(encode(pb.admin.TaskSpec, spec)));
  });

  test("protobuf JSON of an admin Task as `flytectl get task -o json` prints it (enums as names)", () => {
    const printed = {
      id: { resourceType: "TASK", project: "flytesnacks", domain: "development", name: "wf.query", version: "v7" },
      closure: {
        compiledTask: {
          template: {
            id: { resourceType: "TASK", project: "flytesnacks", domain: "development", name: "wf.query", version: "v7" },
            type: "bigquery_query_job_task",
            taskTypeVersion: 2,
            interface: {
              inputs: { variables: { ds: { type: { simple: "STRING" } } } },
              outputs: { variables: { results: { type: { structuredDatasetType: { format: "parquet" } } } } },
            },
            custom: { ProjectID: "proj", Retries: 3 },
            sql: { statement: "SELECT @ds", dialect: "ANSI" },
            config: { team: "data" },
          },
        },
        createdAt: "2025-01-01T00:00:00Z",
      },
    };
    expectTheTemplate(parseTemplateText(JSON.stringify(printed), "json"));
  });

  test("snake_case JSON and YAML", () => {
    const snake = {
      type: "custom_task",
      task_type_version: 1,
      security_context: { run_as: { k8s_service_account: "sa" } },
      custom: { durationSeconds: 2 },
    };
    const fromJson = parseTemplateText(JSON.stringify(snake), "json");
    expect(fromJson).toMatchObject({ type: "custom_task", taskTypeVersion: 1, custom: { durationSeconds: 2 } });
    expect(fromJson.securityContext?.runAs?.k8sServiceAccount).toBe("sa");
    const yaml = "type: custom_task\ntask_type_version: 1\ncustom:\n  durationSeconds: 2\n  fail: true\n";
    expect(parseTemplateText(yaml, "yaml")).toMatchObject({
      type: "custom_task",
      taskTypeVersion: 1,
      custom: { durationSeconds: 2, fail: true },
    });
  });

  test("files are recognised by extension or content", () => {
    const dir = tempDir();
    const pbFile = join(dir, "task_without_extension");
    writeFileSync(pbFile, encode(pb.core.TaskTemplate, theirTemplate));
    expectTheTemplate(loadTemplateFile(pbFile));
    const yamlFile = join(dir, "task.txt");
    writeFileSync(yamlFile, "type: t\n");
    expect(loadTemplateFile(yamlFile).type).toBe("t");
  });

  test("errors say what is wrong and where", () => {
    const dir = tempDir();
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ nope");
    expect(() => loadTemplateFile(bad)).toThrow(/^task template .*bad\.json: not valid JSON/);
    const noType = join(dir, "notype.yaml");
    writeFileSync(noType, "custom: {}\n");
    expect(() => loadTemplateFile(noType)).toThrow(/no task template found: expected an object with a "type"/);
    expect(() => loadTemplateFile(join(dir, "missing.pb"))).toThrow(/cannot read task template .*missing\.pb: ENOENT/);
    const junk = join(dir, "junk.pb");
    writeFileSync(junk, Buffer.from([0xff, 0xff, 0xff]));
    expect(() => loadTemplateFile(junk)).toThrow(/no task template found in the protobuf binary/);
  });
});

describe("templates are read as flyteidl's schema defines them", () => {
  const yaml = (body: string) => () => parseTemplateText(body, "yaml");

  test("an unknown field is an error naming it and the closest known name", () => {
    const typo = "type: custom_task\ninterfce:\n  inputs:\n    variables:\n      n: { type: { simple: INTEGER } }\n";
    expect(yaml(typo)).toThrow(/interfce: unknown field of TaskTemplate \(did you mean "interface"\?\)/);
    const nested = "type: t\nmetadata:\n  retries: { retrie: 3 }\n";
    expect(yaml(nested)).toThrow(/metadata\.retries\.retrie: unknown field of RetryStrategy \(did you mean "retries"\?\)/);
    // A snake_case typo is matched against the proto names.
    expect(yaml("type: t\ntask_type_versio: 1\n")).toThrow(/did you mean "task_type_version"/);
  });

  test("an unknown enum value is an error listing the allowed values", () => {
    const typo = "type: t\ninterface:\n  inputs:\n    variables:\n      n: { type: { simple: INTEGR } }\n";
    expect(yaml(typo)).toThrow(
      /interface\.inputs\.variables\.n\.type\.simple: "INTEGR" is not a SimpleType \(did you mean "INTEGER"\?\); allowed: NONE, INTEGER, FLOAT, STRING, BOOLEAN, DATETIME, DURATION, BINARY, ERROR, STRUCT/,
    );
  });

  test("proto names and lowerCamelCase JSON names are both accepted, custom is free-form", () => {
    const both = [
      "type: t",
      "task_type_version: 1",
      "securityContext: { run_as: { k8sServiceAccount: sa } }",
      "interface: { outputs: { variables: { o: { type: { collection_type: { simple: FLOAT } } } } } }",
      "custom: { anything: { goes: [1, 2] } }",
      "config: { k: v }",
    ].join("\n");
    const t = parseTemplateText(both, "yaml");
    expect(t.taskTypeVersion).toBe(1);
    expect(t.securityContext?.runAs?.k8sServiceAccount).toBe("sa");
    expect(t.interface?.outputs?.variables.o?.type?.type).toEqual({ $case: "collectionType", value: expect.anything() });
  });
});
