import type { Server } from "@grpc/grpc-js";

/** Where services are registered: grpc-js's `Server`, or the agent server's wrapper that also notes unary methods for the direct path. */
export type ServiceHost = Pick<Server, "addService">;
