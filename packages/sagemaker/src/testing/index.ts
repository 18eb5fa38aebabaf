/**
 * Test kit of `@flyte-agent/sagemaker`: a loopback fake of the SageMaker and SageMaker Runtime
 * APIs for the real AWS SDK v3 clients (point them at it with `AWS_ENDPOINT_URL_SAGEMAKER` /
 * `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`, or the agents' `endpoint` options), with its own SigV4
 * check.
 *
 * @packageDocumentation
 */
export {
  startFakeSageMaker,
  FAKE_AWS_KEY,
  type FakeSageMaker,
  type FakeSageMakerOptions,
  type FakeFault,
  type FakeRequest,
  type EndpointStep,
} from "./fake-sagemaker";
export {
  verifySigV4,
  type FakeAwsKey,
  type SigningExpectation,
  type SignedRequestParts,
  type SignatureRefusal,
  type SignatureIdentity,
} from "./sigv4";
export type { ApiError } from "./request-shapes";
