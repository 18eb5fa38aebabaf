import { randomUUID } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type FakeAwsKey, verifySigV4 } from "./sigv4";
import { type ApiError, checkRequest } from "./request-shapes";

/** One state an endpoint shows to DescribeEndpoint. */
export interface EndpointStep {
  /** `Creating`, `InService`, `Failed`, `Updating`, `OutOfService`, ... */
  status: string;
  /** Shown with `Failed` (and any other status, when set). */
  failureReason?: string;
  /** The step lasts at least this long (from the first DescribeEndpoint that showed it). @default 0: one DescribeEndpoint */
  forMs?: number;
}

/** A fault the fake answers with instead of the real answer. */
export interface FakeFault {
  /** Only this operation (`CreateEndpoint`, `InvokeEndpointAsync`, ...). @default any */
  operation?: string;
  /** How many requests it hits. @default 1 */
  times?: number;
  /** HTTP status of the error answer. @default 400 */
  status?: number;
  /** The AWS error code (`ThrottlingException`, `InternalFailure`, `AccessDeniedException`, ...). @default "ThrottlingException" */
  code?: string;
  /** The error message. @default "Rate exceeded" */
  message?: string;
  /** Close the connection without an answer instead. */
  drop?: boolean;
  /** Wait this long before answering (the real answer, unless code/status/drop is set too). */
  delayMs?: number;
}

/** Options of {@link startFakeSageMaker}. */
export interface FakeSageMakerOptions {
  /** Access keys accepted, by id. @default one key, {@link FAKE_AWS_KEY} */
  keys?: Record<string, FakeAwsKey>;
  /** The region requests must be signed for. @default "us-east-1" */
  region?: string;
  /** Account id in ARNs. @default "123456789012" */
  accountId?: string;
  /** The states each new endpoint walks through, one step per DescribeEndpoint (the last one stays). @default Creating, then InService */
  endpointStates?: (endpointName: string) => EndpointStep[];
  /** Instances the account may run in endpoints; CreateEndpoint beyond it answers ResourceLimitExceeded. @default no limit */
  instanceQuota?: number;
  /** Operations the caller's role may not call (AccessDeniedException). @default none */
  denied?: readonly string[];
  /** Body of an InvokeEndpoint answer. @default the request body, with its content type */
  invokeAnswer?: (endpointName: string, body: Buffer, contentType: string | undefined) => { body: Buffer; contentType: string };
  /** Largest request body accepted (413 beyond it). @default 6 MiB, the InvokeEndpoint payload limit */
  maxBodyBytes?: number;
  /** Most requests kept in `requests` (the oldest are dropped beyond it). @default 10000 */
  maxRecordedRequests?: number;
}

/** The access key the fake accepts by default (test-only values). */
export const FAKE_AWS_KEY = {
  accessKeyId: "AKIAFAKESAGEMAKER01",
  secretAccessKey: "fake/secret+key/for-the-sagemaker-fake-0001",
} as const;

/** One request the fake answered (or refused), for assertions. */
export interface FakeRequest {
  api: "sagemaker" | "runtime";
  operation: string;
  /** Access key id of a correctly signed request. */
  accessKeyId?: string;
  /** JSON body (sagemaker) or the request headers of interest and body text (runtime). */
  body: unknown;
  headers: Record<string, string>;
  /** The HTTP status answered. */
  status: number;
  /** The AWS error code answered, if any. */
  errorCode?: string;
}

interface ModelRecord {
  name: string;
  arn: string;
  request: Record<string, unknown>;
}
interface EndpointConfigRecord {
  name: string;
  arn: string;
  request: Record<string, unknown>;
  instances: number;
}
interface EndpointRecord {
  name: string;
  arn: string;
  configName: string;
  steps: EndpointStep[];
  seen: number;
  /** When the current step was first shown. */
  stepShownAt?: number;
  created: number;
  instances: number;
}

/** A running fake of the SageMaker and SageMaker Runtime APIs. */
export interface FakeSageMaker {
  /** Base URL of the SageMaker API (awsJson1.1: `POST /` with `X-Amz-Target: SageMaker.<Operation>`). */
  readonly url: string;
  /** Base URL of the SageMaker Runtime API (REST: `POST /endpoints/{name}/invocations`, `/async-invocations`). */
  readonly runtimeUrl: string;
  readonly region: string;
  readonly accountId: string;
  /** The requests, in order (the newest `maxRecordedRequests`). */
  readonly requests: FakeRequest[];
  readonly models: ReadonlyMap<string, ModelRecord>;
  readonly endpointConfigs: ReadonlyMap<string, EndpointConfigRecord>;
  readonly endpoints: ReadonlyMap<string, EndpointRecord>;
  /** Queues a fault. */
  fault(fault: FakeFault): void;
  /** Sets the states an endpoint (existing or future) walks through from now on. */
  playEndpoint(endpointName: string, steps: EndpointStep[]): void;
  /** The requests of one operation. */
  calls(operation: string): FakeRequest[];
  close(): Promise<void>;
}

const JSON_TYPE = "application/x-amz-json-1.1";
const SIGNING_NAME = "sagemaker";

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped (so the client gets the 413), up to 4x.
      if (size > limit * 4) req.destroy();
      else if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => (size > limit ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on("error", reject);
  });
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values) out[name] = values.join(",");
  }
  return out;
}

/**
 * Starts a fake of the SageMaker (control plane) and SageMaker Runtime APIs on two loopback
 * ports, for the real AWS SDK v3 clients pointed at it with an endpoint override. It checks each
 * request's SigV4 signature with its own code (credential scope region and service, key,
 * session token, clock, signature), checks request types as the real API does, keeps models,
 * endpoint configs and endpoints, walks endpoints through scripted states, and answers
 * scripted faults (throttling, 5xx, access denied, dropped connections, delays).
 */
export async function startFakeSageMaker(options: FakeSageMakerOptions = {}): Promise<FakeSageMaker> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "123456789012";
  const keys = options.keys ?? { [FAKE_AWS_KEY.accessKeyId]: { secretAccessKey: FAKE_AWS_KEY.secretAccessKey } };
  const maxBodyBytes = options.maxBodyBytes ?? 6 * 1024 * 1024;
  const maxRecorded = options.maxRecordedRequests ?? 10_000;
  const defaultSteps = options.endpointStates ?? (() => [{ status: "Creating" }, { status: "InService" }]);
  const denied = new Set(options.denied ?? []);
  const requests: FakeRequest[] = [];
  const faults: Array<FakeFault & { left: number }> = [];
  const scripts = new Map<string, EndpointStep[]>();
  const models = new Map<string, ModelRecord>();
  const endpointConfigs = new Map<string, EndpointConfigRecord>();
  const endpoints = new Map<string, EndpointRecord>();
  const arn = (kind: string, name: string) => `arn:aws:sagemaker:${region}:${accountId}:${kind}/${name.toLowerCase()}`;

  const takeFault = (operation: string): FakeFault | undefined => {
    const index = faults.findIndex((f) => f.operation === undefined || f.operation === operation);
    if (index < 0) return undefined;
    const fault = faults[index]!;
    fault.left -= 1;
    if (fault.left <= 0) faults.splice(index, 1);
    return fault;
  };

  const usedInstances = () => [...endpoints.values()].reduce((sum, e) => sum + e.instances, 0);

  const sagemakerOperation = (operation: string, body: Record<string, unknown>): { status: number; body: unknown } | ApiError => {
    const str = (key: string) => body[key] as string;
    switch (operation) {
      case "CreateModel": {
        const name = str("ModelName");
        const existing = models.get(name.toLowerCase());
        if (existing) return validation(`Cannot create already existing model "${existing.arn}".`);
        const record = { name, arn: arn("model", name), request: body };
        models.set(name.toLowerCase(), record);
        return { status: 200, body: { ModelArn: record.arn } };
      }
      case "CreateEndpointConfig": {
        const name = str("EndpointConfigName");
        const existing = endpointConfigs.get(name.toLowerCase());
        if (existing) return validation(`Cannot create already existing endpoint configuration "${existing.arn}".`);
        const variants = body.ProductionVariants as Array<Record<string, unknown>>;
        let instances = 0;
        for (const variant of variants) {
          const model = variant.ModelName;
          if (typeof model === "string" && !models.has(model.toLowerCase()))
            return validation(`Could not find model "${arn("model", model)}".`);
          instances += typeof variant.InitialInstanceCount === "number" ? variant.InitialInstanceCount : 0;
        }
        const record = { name, arn: arn("endpoint-config", name), request: body, instances };
        endpointConfigs.set(name.toLowerCase(), record);
        return { status: 200, body: { EndpointConfigArn: record.arn } };
      }
      case "CreateEndpoint": {
        const name = str("EndpointName");
        const existing = endpoints.get(name.toLowerCase());
        if (existing) return validation(`Cannot create already existing endpoint "${existing.arn}".`);
        const config = endpointConfigs.get(str("EndpointConfigName").toLowerCase());
        if (!config)
          return validation(`Could not find endpoint configuration "${arn("endpoint-config", str("EndpointConfigName"))}".`);
        if (options.instanceQuota !== undefined && usedInstances() + config.instances > options.instanceQuota) {
          return {
            status: 400,
            code: "ResourceLimitExceeded",
            message: `The account-level service limit 'ml.m4.xlarge for endpoint usage' is ${options.instanceQuota} Instances, with current utilization of ${usedInstances()} Instances and a request delta of ${config.instances} Instances. Please use AWS Service Quotas to request an increase for this quota. If AWS Service Quotas is not available, contact AWS support to request an increase for this quota.`,
          };
        }
        const steps = scripts.get(name.toLowerCase()) ?? defaultSteps(name);
        const record: EndpointRecord = {
          name,
          arn: arn("endpoint", name),
          configName: config.name,
          steps: steps.length > 0 ? steps : [{ status: "InService" }],
          seen: 0,
          created: Date.now(),
          instances: config.instances,
        };
        endpoints.set(name.toLowerCase(), record);
        return { status: 200, body: { EndpointArn: record.arn } };
      }
      case "DescribeEndpoint": {
        const endpoint = endpoints.get(str("EndpointName").toLowerCase());
        if (!endpoint) return validation(`Could not find endpoint "${str("EndpointName")}".`);
        const step = endpoint.steps[Math.min(endpoint.seen, endpoint.steps.length - 1)]!;
        endpoint.stepShownAt ??= Date.now();
        if (Date.now() - endpoint.stepShownAt >= (step.forMs ?? 0)) {
          endpoint.seen += 1;
          endpoint.stepShownAt = undefined;
        }
        return {
          status: 200,
          body: {
            EndpointName: endpoint.name,
            EndpointArn: endpoint.arn,
            EndpointConfigName: endpoint.configName,
            EndpointStatus: step.status,
            ...(step.failureReason !== undefined ? { FailureReason: step.failureReason } : {}),
            CreationTime: endpoint.created / 1000,
            LastModifiedTime: Date.now() / 1000,
          },
        };
      }
      case "DeleteEndpoint": {
        const key = str("EndpointName").toLowerCase();
        if (!endpoints.has(key)) return validation(`Could not find endpoint "${str("EndpointName")}".`);
        endpoints.delete(key);
        return { status: 200, body: {} };
      }
      case "DeleteEndpointConfig": {
        const key = str("EndpointConfigName").toLowerCase();
        if (!endpointConfigs.has(key))
          return validation(`Could not find endpoint configuration "${arn("endpoint-config", str("EndpointConfigName"))}".`);
        endpointConfigs.delete(key);
        return { status: 200, body: {} };
      }
      case "DeleteModel": {
        const key = str("ModelName").toLowerCase();
        if (!models.has(key)) return validation(`Could not find model "${arn("model", str("ModelName"))}".`);
        models.delete(key);
        return { status: 200, body: {} };
      }
      default:
        return { status: 400, code: "UnknownOperationException", message: `Unknown operation ${operation}` };
    }
  };

  const inService = (name: string): EndpointRecord | ApiError => {
    const endpoint = endpoints.get(name.toLowerCase());
    if (!endpoint)
      return { status: 400, code: "ValidationError", message: `Endpoint ${name} of account ${accountId} not found.` };
    // The step DescribeEndpoint showed last (the first one before any DescribeEndpoint).
    const shown = endpoint.stepShownAt !== undefined ? endpoint.seen : Math.max(endpoint.seen - 1, 0);
    const step = endpoint.steps[Math.min(shown, endpoint.steps.length - 1)]!;
    if (step.status !== "InService")
      return {
        status: 400,
        code: "ValidationError",
        message: `Endpoint ${name} of account ${accountId} is not in service (${step.status}).`,
      };
    return endpoint;
  };

  const runtimeOperation = (
    operation: string,
    endpointName: string,
    headers: Record<string, string>,
    body: Buffer,
  ): { status: number; headers: Record<string, string>; body: Buffer } | ApiError => {
    const endpoint = inService(endpointName);
    if ("code" in endpoint) return endpoint;
    if (operation === "InvokeEndpoint") {
      const answer = options.invokeAnswer?.(endpoint.name, body, headers["content-type"]) ?? {
        body,
        contentType: headers["content-type"] ?? "application/octet-stream",
      };
      return {
        status: 200,
        headers: { "content-type": answer.contentType, "x-amzn-invoked-production-variant": "variant-name-1" },
        body: answer.body,
      };
    }
    const input = headers["x-amzn-sagemaker-inputlocation"];
    if (!input)
      return {
        status: 400,
        code: "ValidationError",
        message:
          "1 validation error detected: Value null at 'inputLocation' failed to satisfy constraint: Member must not be null",
      };
    const config = endpointConfigs.get(endpoint.configName.toLowerCase());
    const asyncConfig = config?.request.AsyncInferenceConfig as { OutputConfig?: { S3OutputPath?: string } } | undefined;
    const outputPath = asyncConfig?.OutputConfig?.S3OutputPath;
    if (!outputPath)
      return {
        status: 400,
        code: "ValidationError",
        message: `Endpoint ${endpoint.name} of account ${accountId} is not configured for asynchronous inference.`,
      };
    const inferenceId = headers["x-amzn-sagemaker-inference-id"] ?? randomUUID();
    return {
      status: 202,
      headers: {
        "content-type": "application/json",
        "x-amzn-sagemaker-outputlocation": `${outputPath.replace(/\/$/, "")}/${inferenceId}.out`,
        "x-amzn-sagemaker-failurelocation": `${outputPath.replace(/\/$/, "")}/failures/${inferenceId}-error.out`,
      },
      body: Buffer.from(JSON.stringify({ InferenceId: inferenceId })),
    };
  };

  const handle = async (api: "sagemaker" | "runtime", req: IncomingMessage, res: ServerResponse) => {
    const headers = headerRecord(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const record: FakeRequest = { api, operation: "", body: undefined, headers, status: 0 };
    const answerError = (error: ApiError) => {
      record.status = error.status;
      record.errorCode = error.code;
      const requestId = randomUUID();
      if (api === "sagemaker") {
        res.writeHead(error.status, { "content-type": JSON_TYPE, "x-amzn-requestid": requestId });
        res.end(JSON.stringify({ __type: error.code, message: error.message }));
      } else {
        res.writeHead(error.status, {
          "content-type": "application/json",
          "x-amzn-errortype": error.code,
          "x-amzn-requestid": requestId,
        });
        res.end(JSON.stringify({ message: error.message }));
      }
    };
    let endpointName = "";
    let route: ApiError | undefined;
    if (api === "sagemaker") {
      const target = headers["x-amz-target"] ?? "";
      record.operation = target.startsWith("SageMaker.") ? target.slice("SageMaker.".length) : target;
      if (req.method !== "POST" || url.pathname !== "/" || !target.startsWith("SageMaker."))
        route = {
          status: 400,
          code: "UnknownOperationException",
          message: `No operation for ${req.method} ${url.pathname} ${target}`,
        };
      else if (headers["content-type"] !== JSON_TYPE)
        route = { status: 400, code: "SerializationException", message: `Content-Type must be ${JSON_TYPE}` };
    } else {
      const m = /^\/endpoints\/([^/]+)\/(invocations|async-invocations)$/.exec(url.pathname);
      if (req.method !== "POST" || !m)
        route = { status: 404, code: "UnknownOperationException", message: `No operation for ${req.method} ${url.pathname}` };
      else {
        endpointName = decodeURIComponent(m[1]!);
        record.operation = m[2] === "invocations" ? "InvokeEndpoint" : "InvokeEndpointAsync";
      }
    }
    requests.push(record);
    if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded);
    let raw: Buffer;
    try {
      raw = await readBody(req, maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge && !res.headersSent)
        answerError({ status: 413, code: "RequestEntityTooLarge", message: `Request body larger than ${maxBodyBytes} bytes` });
      return;
    }
    if (route) return answerError(route);
    if (api === "runtime") record.body = raw.toString("utf8");

    const signed = verifySigV4(
      { method: req.method ?? "GET", path: url.pathname, query: url.search.slice(1), headers, body: raw },
      { keys, region, service: SIGNING_NAME },
    );
    if (!signed.ok) return answerError(signed.refusal);
    record.accessKeyId = signed.identity.accessKeyId;

    const fault = takeFault(record.operation);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.drop) {
      record.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault && (fault.code !== undefined || fault.status !== undefined || fault.delayMs === undefined)) {
      return answerError({
        status: fault.status ?? 400,
        code: fault.code ?? "ThrottlingException",
        message: fault.message ?? "Rate exceeded",
      });
    }
    if (denied.has(record.operation)) {
      const resource = api === "runtime" ? arn("endpoint", endpointName) : `arn:aws:sagemaker:${region}:${accountId}:*`;
      return answerError({
        status: 400,
        code: "AccessDeniedException",
        message: `User: arn:aws:sts::${accountId}:assumed-role/flyte-agent/session is not authorized to perform: sagemaker:${record.operation} on resource: ${resource} because no identity-based policy allows the sagemaker:${record.operation} action`,
      });
    }

    if (api === "sagemaker") {
      let body: unknown;
      try {
        body = JSON.parse(raw.toString("utf8") || "{}");
      } catch {
        return answerError({ status: 400, code: "SerializationException", message: "Request body is not valid JSON" });
      }
      record.body = body;
      const shapeError = checkRequest(record.operation, body);
      if (shapeError) return answerError(shapeError);
      const outcome = sagemakerOperation(record.operation, body as Record<string, unknown>);
      if ("code" in outcome) return answerError(outcome);
      record.status = outcome.status;
      res.writeHead(outcome.status, { "content-type": JSON_TYPE, "x-amzn-requestid": randomUUID() });
      res.end(JSON.stringify(outcome.body));
      return;
    }
    const outcome = runtimeOperation(record.operation, endpointName, headers, raw);
    if ("code" in outcome) return answerError(outcome);
    record.status = outcome.status;
    res.writeHead(outcome.status, { ...outcome.headers, "x-amzn-requestid": randomUUID() });
    res.end(outcome.body);
  };

  const sockets = new Set<Socket>();
  const listen = async (api: "sagemaker" | "runtime"): Promise<{ server: Server; url: string }> => {
    const server = createServer((req, res) => {
      handle(api, req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": JSON_TYPE });
          res.end(JSON.stringify({ __type: "InternalFailure", message: String(err) }));
        }
      });
    });
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { server, url: `http://127.0.0.1:${port}` };
  };
  const control = await listen("sagemaker");
  const runtime = await listen("runtime");

  return {
    url: control.url,
    runtimeUrl: runtime.url,
    region,
    accountId,
    requests,
    models,
    endpointConfigs,
    endpoints,
    fault(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    playEndpoint(endpointName, steps) {
      scripts.set(endpointName.toLowerCase(), steps);
      const endpoint = endpoints.get(endpointName.toLowerCase());
      if (endpoint) {
        endpoint.steps = steps;
        endpoint.seen = 0;
        endpoint.stepShownAt = undefined;
      }
    },
    calls(operation) {
      return requests.filter((r) => r.operation === operation);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([control.server, runtime.server].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

function validation(message: string): ApiError {
  return { status: 400, code: "ValidationException", message };
}
