import { status as Status, type ServerDuplexStream } from "@grpc/grpc-js";
import type { admin, core, service } from "@flyte-agent/flyteidl";
import { AgentError, TaskInputError } from "../errors";
import { isTerminalPhase, phaseName } from "../phase";
import type { AgentOperations } from "./agent-operations";
import { checkDecoded, wireResource } from "./async-service";
import { bidiCall } from "./call-handler";
import type { ServerEnv } from "./request-scope";
import { categoryOfTemplate } from "./routing";
import { REQUEST_BYTES, type Decoded } from "./safe-deserialize";

type SyncCall = ServerDuplexStream<admin.ExecuteTaskSyncRequest, admin.ExecuteTaskSyncResponse>;

/**
 * Reads the client's side of ExecuteTaskSync: a header first, then the inputs message (propeller
 * always sends one, possibly empty), then the end of the stream. Resolves once the inputs
 * arrived or the client closed its side.
 */
function readRequest(
  call: SyncCall,
  signal: AbortSignal,
): Promise<{ header: admin.CreateRequestHeader; inputs: core.LiteralMap; bytes: number }> {
  return new Promise((resolve, reject) => {
    let header: admin.CreateRequestHeader | undefined;
    let bytes = 0;
    const cleanup = () => {
      call.off("data", onData);
      call.off("end", onEnd);
      call.off("error", onError);
      signal.removeEventListener("abort", onAbort);
    };
    const fail = (err: unknown) => {
      cleanup();
      reject(err);
    };
    const onData = (msg: Decoded<admin.ExecuteTaskSyncRequest>) => {
      try {
        checkDecoded(msg, "ExecuteTaskSyncRequest");
        bytes += msg[REQUEST_BYTES] ?? 0;
        const part = msg.part;
        if (!header) {
          if (part?.$case !== "header") throw new TaskInputError("the first ExecuteTaskSync message must be the header");
          header = part.value;
          return;
        }
        if (part?.$case !== "inputs") throw new TaskInputError("after the header, ExecuteTaskSync expects one inputs message");
        cleanup();
        resolve({ header, inputs: part.value, bytes });
      } catch (err) {
        fail(err);
      }
    };
    const onEnd = () => {
      if (!header) return fail(new TaskInputError("ExecuteTaskSync stream ended without a header"));
      cleanup();
      resolve({ header, inputs: { literals: {} }, bytes });
    };
    const onError = (err: unknown) => fail(err);
    const onAbort = () => fail(signal.reason);
    call.on("data", onData);
    call.on("end", onEnd);
    call.on("error", onError);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The flyteidl v1 SyncAgentService adapter: ExecuteTaskSync reads a header and the inputs, runs
 * the sync agent, and answers with exactly one header holding a terminal Resource.
 */
export function syncAgentService(operations: AgentOperations, env: ServerEnv): service.SyncAgentServiceServer {
  return {
    executeTaskSync: bidiCall(env, "do", async (scope, call: SyncCall): Promise<admin.ExecuteTaskSyncResponse> => {
      const { header, inputs, bytes } = await readRequest(call, scope.signal);
      const resource = await operations.execute(
        scope,
        categoryOfTemplate(header.template),
        {
          template: header.template!,
          inputs,
          outputPrefix: header.outputPrefix,
          taskExecutionMetadata: header.taskExecutionMetadata,
          maxDatasetSizeBytes: header.maxDatasetSizeBytes === 0n ? undefined : header.maxDatasetSizeBytes,
        },
        bytes,
      );
      const wire = wireResource(scope, resource);
      if (!isTerminalPhase(wire.phase)) {
        throw new AgentError(
          Status.INTERNAL,
          `agent "${scope.agentName}" returned phase ${phaseName(wire.phase)} from do; a sync agent must return a terminal phase`,
        );
      }
      return { res: { $case: "header", value: { resource: wire } } };
    }),
  };
}
