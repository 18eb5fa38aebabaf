import { TaskInputError } from "@flyte-agent/core";
import { DEFAULT_CLASSIC_ENTRYPOINT, DEFAULT_SERVERLESS_ENTRYPOINT, buildRunSubmitBody } from "../src/run-submit-body";
import { databricksTemplate } from "./helpers";

type Obj = { [key: string]: unknown };

describe("buildRunSubmitBody", () => {
  test("new cluster: image, spark conf and env merged; python entrypoint from flytetools with the container args", () => {
    const template = databricksTemplate(
      {
        databricksConf: {
          run_name: "nightly",
          new_cluster: {
            spark_version: "13.3.x-scala2.12",
            num_workers: 2,
            spark_conf: { "spark.a": "cluster" },
            spark_env_vars: { KEEP: "1" },
          },
          timeout_seconds: 3600,
        },
        sparkConf: { "spark.a": "task", "spark.b": "task" },
      },
      { args: ["pyflyte-execute", "--task", "x"], env: { FOO: "bar" } },
    );
    const body = buildRunSubmitBody(template, {});
    const cluster = body.new_cluster as Obj;
    expect(cluster.docker_image).toEqual({ url: "ghcr.io/example/spark:1.0" });
    expect(cluster.spark_conf).toEqual({ "spark.a": "cluster", "spark.b": "task" });
    expect(cluster.spark_env_vars).toEqual({ KEEP: "1", FOO: "bar", FLYTE_FAIL_ON_ERROR: "true" });
    expect(cluster.num_workers).toBe(2);
    expect(body.spark_python_task).toEqual({
      python_file: DEFAULT_CLASSIC_ENTRYPOINT,
      source: "GIT",
      parameters: ["pyflyte-execute", "--task", "x"],
    });
    expect((body.git_source as Obj).git_url).toBe("https://github.com/flyteorg/flytetools");
    expect(body.run_name).toBe("nightly");
    expect(body.timeout_seconds).toBe(3600);
  });

  test("does not modify the template's custom struct", () => {
    const template = databricksTemplate({ databricksConf: { new_cluster: { num_workers: 1 } } });
    const before = JSON.stringify(template.custom);
    buildRunSubmitBody(template, {});
    expect(JSON.stringify(template.custom)).toBe(before);
  });

  test("existing cluster: the cluster is left alone; an image already on a new cluster is kept", () => {
    const existing = buildRunSubmitBody(databricksTemplate({ databricksConf: { existing_cluster_id: "0101-abc" } }), {});
    expect(existing.existing_cluster_id).toBe("0101-abc");
    expect(existing.new_cluster).toBeUndefined();
    expect((existing.spark_python_task as Obj).parameters).toEqual(["pyflyte-execute", "--inputs", "s3://bucket/inputs.pb"]);

    const own = buildRunSubmitBody(
      databricksTemplate({ databricksConf: { new_cluster: { docker_image: { url: "mine:2", basic_auth: { username: "u" } } } } }),
      {},
    );
    expect((own.new_cluster as Obj).docker_image).toEqual({ url: "mine:2", basic_auth: { username: "u" } });
  });

  test("git_source and python_file overrides; a python_file without git_source is not read from git", () => {
    const git = { git_url: "https://github.com/acme/jobs", git_provider: "gitHub", git_branch: "main" };
    const withGit = buildRunSubmitBody(
      databricksTemplate({ databricksConf: { existing_cluster_id: "c", git_source: git, python_file: "jobs/run.py" } }),
      {},
    );
    expect(withGit.git_source).toEqual(git);
    expect(withGit.python_file).toBeUndefined();
    expect(withGit.spark_python_task).toMatchObject({ python_file: "jobs/run.py", source: "GIT" });

    const dbfs = buildRunSubmitBody(
      databricksTemplate({ databricksConf: { existing_cluster_id: "c", python_file: "dbfs:/entry.py" } }),
      {},
    );
    expect(dbfs.git_source).toBeUndefined();
    expect(dbfs.spark_python_task).toEqual({ python_file: "dbfs:/entry.py", parameters: expect.any(Array) });
  });

  test("serverless: environment created with the env vars, a tasks array, and the credential provider argument", () => {
    const body = buildRunSubmitBody(
      databricksTemplate(
        { databricksConf: { environment_key: "py", run_name: "s" }, databricksServiceCredentialProvider: "my-cred" },
        { env: { A: "1" } },
      ),
      {},
    );
    expect(body.environment_key).toBeUndefined();
    expect(body.environments).toEqual([
      { environment_key: "py", spec: { client: "1", environment_vars: { A: "1", FLYTE_FAIL_ON_ERROR: "true" } } },
    ]);
    expect(body.tasks).toEqual([
      {
        task_key: "flyte_task",
        environment_key: "py",
        spark_python_task: {
          python_file: DEFAULT_SERVERLESS_ENTRYPOINT,
          source: "GIT",
          parameters: ["pyflyte-execute", "--inputs", "s3://bucket/inputs.pb", "--flyte-credential-provider=my-cred"],
        },
      },
    ]);
    expect(body.spark_python_task).toBeUndefined();
  });

  test("serverless: an environment given in the conf is reused (its vars kept, Flyte's win) and the provider may come from the env", () => {
    const body = buildRunSubmitBody(
      databricksTemplate(
        {
          databricksConf: {
            environments: [
              {
                environment_key: "default",
                spec: { client: "2", dependencies: ["pandas"], environment_vars: { A: "old", B: "2" } },
              },
            ],
          },
        },
        { env: { A: "new" } },
      ),
      { FLYTE_DATABRICKS_SERVICE_CREDENTIAL_PROVIDER: "from-env" },
    );
    expect(body.environments).toEqual([
      {
        environment_key: "default",
        spec: { client: "2", dependencies: ["pandas"], environment_vars: { A: "new", B: "2", FLYTE_FAIL_ON_ERROR: "true" } },
      },
    ]);
    const task = (body.tasks as Obj[])[0]!;
    expect((task.spark_python_task as Obj).parameters).toContain("--flyte-credential-provider=from-env");
  });

  test("notebook on a classic cluster, from git with parameters", () => {
    const git = { git_url: "https://github.com/acme/nb", git_provider: "gitHub", git_commit: "abc" };
    const body = buildRunSubmitBody(
      databricksTemplate({
        databricksConf: { new_cluster: { num_workers: 1 }, git_source: git },
        notebookPath: "notebooks/train",
        notebookBaseParameters: { epochs: "3" },
      }),
      {},
    );
    expect(body.notebook_task).toEqual({ notebook_path: "notebooks/train", base_parameters: { epochs: "3" }, source: "GIT" });
    expect(body.git_source).toEqual(git);
    expect(body.spark_python_task).toBeUndefined();
  });

  test("notebook on serverless runs as a task in the environment", () => {
    const body = buildRunSubmitBody(
      databricksTemplate({ databricksConf: { environment_key: "e" }, notebookPath: "/Users/me/nb" }),
      {},
    );
    expect(body.tasks).toEqual([
      { task_key: "flyte_notebook_task", notebook_task: { notebook_path: "/Users/me/nb" }, environment_key: "e" },
    ]);
    expect(body.git_source).toBeUndefined();
  });

  test.each([
    [{}, /custom\.databricksConf is required/],
    [{ databricksConf: "new_cluster" }, /custom\.databricksConf is required/],
    [{ databricksConf: { run_name: "x" } }, /no compute: set existing_cluster_id, new_cluster, or environments/],
    [{ databricksConf: { new_cluster: "big" } }, /new_cluster must be an object/],
    [{ databricksConf: { environments: "e" } }, /environments must be a list/],
    [{ databricksConf: { existing_cluster_id: "c" }, notebookPath: 3 }, /notebookPath must be a string/],
    [{ databricksConf: { new_cluster: {} }, sparkConf: { a: { b: 1 } } }, /sparkConf\.a must be a string/],
  ])("refuses %j with a TaskInputError", (custom, message) => {
    const template = databricksTemplate(custom as never);
    expect(() => buildRunSubmitBody(template, {})).toThrow(TaskInputError);
    expect(() => buildRunSubmitBody(template, {})).toThrow(message);
  });
});
