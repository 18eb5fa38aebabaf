/** AWS credentials, as the default provider chain would find them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When the credentials stop working; they are fetched again before then. */
  expiration?: Date;
}

/** Options shared by both SageMaker agents. */
export interface SageMakerAgentOptions {
  /**
   * The region used when neither an input named `region` nor `custom.region` gives one.
   * @default env.AWS_REGION, else env.AWS_DEFAULT_REGION, else none (a task without a region is INVALID_ARGUMENT)
   */
  region?: string;
  /**
   * The SageMaker API endpoint, for tests and private endpoints (VPC interface endpoints).
   * @default env.AWS_ENDPOINT_URL_SAGEMAKER, else env.AWS_ENDPOINT_URL (neither when
   * env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is "true"), else the SDK's own resolution
   */
  endpoint?: string;
  /**
   * The SageMaker Runtime API endpoint.
   * @default env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME, else env.AWS_ENDPOINT_URL (as for `endpoint`), else the SDK's own resolution
   */
  runtimeEndpoint?: string;
  /**
   * Where credentials come from. @default the AWS SDK's default provider chain: environment,
   * shared config files, web identity (IRSA), container or instance metadata
   */
  credentials?: () => Promise<AwsCredentials>;
  /**
   * Attempts per AWS call, the first one included, with the SDK's standard retry strategy
   * (throttling, 5xx and network errors), always cut short by the gRPC call's deadline.
   * @default 5
   */
  maxAttempts?: number;
  /** Timeout of one HTTP request to AWS (socket inactivity). @default 10000 */
  requestTimeoutMs?: number;
  /**
   * Largest InvokeEndpoint response `Body` a `boto` task returns in its `result` (outputs travel
   * inside one gRPC message to propeller); a larger one is FAILED saying so.
   * @default 1048576 (1 MiB)
   */
  maxResponseBodyBytes?: number;
  /** Environment the defaults above are read from (once, in the constructor). @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** What `sagemaker-endpoint` keeps in resource_meta: where the endpoint is. Never a credential. */
export interface SageMakerEndpointMeta {
  /** The rendered `EndpointName`. */
  endpointName: string;
  /** The region it was created in. */
  region: string;
}

/** `custom` of a `sagemaker-endpoint` task, as flytekit's `SageMakerEndpointTask` writes it. */
export interface SageMakerEndpointCustom {
  /** CreateEndpoint parameters (`EndpointName`, `EndpointConfigName`, `Tags`, ...), with placeholders. */
  config: { [key: string]: unknown };
  /** The region, unless an input named `region` gives it. */
  region?: string | null;
}

/** `custom` of a `boto` task, as flytekit's `BotoTask` writes it. */
export interface BotoCustom {
  /** `sagemaker` or `sagemaker-runtime`. */
  service: string;
  /** boto3's snake_case method name, e.g. `create_model`. */
  method: string;
  /** The method's parameters (boto3's names, which are the SDK's), with placeholders. */
  config: { [key: string]: unknown };
  /** The region, unless an input named `region` gives it. */
  region?: string | null;
  /** Images by name, for `{images.name}`; `sagemaker-tritonserver` images are filled per region. */
  images?: { [name: string]: string } | null;
}
