/**
 * Propeller's rules, checked with the test kit: `sagemaker-endpoint` over v1 and v2 (and a task
 * created over v1 polled over v2), `boto` over v1. The second replica is the built plugin in
 * another process, configured only through the environment the SDK reads
 * (AWS_ENDPOINT_URL_SAGEMAKER, AWS_ACCESS_KEY_ID, ...).
 */
import { join } from "node:path";
import { checkConformance, startServerProcess } from "@flyte-agent/testing";
import { BotoAgent, SageMakerEndpointAgent } from "../src";
import { FAKE_AWS_KEY, type FakeSageMaker, startFakeSageMaker } from "../src/testing";
import { botoTemplate, endpointTemplate, fakeOptions, seedEndpoint } from "./helpers";

let fake: FakeSageMaker;

beforeAll(async () => {
  fake = await startFakeSageMaker({ region: "us-east-2" });
  // A model and an endpoint config for the endpoint the cases create (and a first endpoint).
  await seedEndpoint(fake, "conf");
});
afterAll(async () => {
  await fake.close();
});

const unknownEndpoint = () => Buffer.from(JSON.stringify({ endpointName: "never-created", region: "us-east-2" }));
const secondServer = () =>
  startServerProcess({
    modules: [join(__dirname, "..", "dist", "index.js")],
    env: {
      AWS_ENDPOINT_URL_SAGEMAKER: fake.url,
      AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: fake.runtimeUrl,
      AWS_ACCESS_KEY_ID: FAKE_AWS_KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_AWS_KEY.secretAccessKey,
      AWS_REGION: "us-east-2",
      AWS_EC2_METADATA_DISABLED: "true",
    },
  });

checkConformance(
  () => [new SageMakerEndpointAgent(fakeOptions(fake))],
  [
    {
      name: "sagemaker-endpoint that comes into service",
      kind: "async",
      template: () =>
        endpointTemplate(
          { config: { EndpointName: "conf-ok-{idempotence_token}", EndpointConfigName: "conf-config" }, region: "us-east-2" },
          {},
        ),
      expectPhase: "SUCCEEDED",
      unknownResourceMeta: unknownEndpoint,
    },
    {
      name: "sagemaker-endpoint that fails",
      kind: "async",
      template: () =>
        endpointTemplate(
          { config: { EndpointName: "conf-failing", EndpointConfigName: "conf-config" }, region: "us-east-2" },
          {},
        ),
      setup: () =>
        fake.playEndpoint("conf-failing", [{ status: "Creating" }, { status: "Failed", failureReason: "image not found" }]),
      expectPhase: "FAILED",
      unknownResourceMeta: unknownEndpoint,
    },
  ],
  {
    title: "sagemaker-endpoint conformance (v1, v2)",
    protocols: ["v1", "v2"],
    pollIntervalMs: 1,
    secondServer,
    secrets: [FAKE_AWS_KEY.secretAccessKey],
  },
);

checkConformance(
  () => [new BotoAgent(fakeOptions(fake))],
  [
    {
      name: "boto create_model",
      kind: "sync",
      template: () =>
        botoTemplate({
          service: "sagemaker",
          method: "create_model",
          config: { ModelName: "conf-model-{idempotence_token}", PrimaryContainer: { Image: "img" } },
          region: "us-east-2",
        }),
      expectPhase: "SUCCEEDED",
    },
    {
      name: "boto delete_model of a model that does not exist",
      kind: "sync",
      template: () =>
        botoTemplate({
          service: "sagemaker",
          method: "delete_model",
          config: { ModelName: "no-such-model" },
          region: "us-east-2",
        }),
      expectPhase: "FAILED",
    },
  ],
  { title: "boto conformance (v1)", protocols: ["v1"], secrets: [FAKE_AWS_KEY.secretAccessKey] },
);
