import type { MethodDefinition, ServiceDefinition, UntypedServiceImplementation } from "@grpc/grpc-js";

/** A method as grpc-js routes it, before its codec is loaded: path and streaming flags. */
export interface MethodShape {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

/** A service's definition and implementation, once its module is loaded. */
export interface LoadedService {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

/**
 * A service registered now and loaded on its first call: grpc-js gets a definition with the
 * given paths and streaming flags whose codecs, and an implementation whose handlers, forward to
 * what `load` returns (called once, on the first request of any of its methods). Clients see the
 * same service; the code behind it (generated messages, handlers) costs nothing until then.
 * `load` must return a definition with exactly these methods and shapes.
 */
export function lazyService(
  shapes: Readonly<Record<string, MethodShape>>,
  load: () => LoadedService,
): { definition: ServiceDefinition; implementation: UntypedServiceImplementation } {
  let loaded: LoadedService | undefined;
  const get = (): LoadedService => {
    loaded ??= load();
    return loaded;
  };
  const method = (name: string): MethodDefinition<unknown, unknown> => {
    const m = get().definition[name];
    if (!m) throw new Error(`service loaded without method ${name}`);
    return m;
  };
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  const implementation: UntypedServiceImplementation = {};
  for (const [name, shape] of Object.entries(shapes)) {
    definition[name] = {
      path: shape.path,
      requestStream: shape.requestStream,
      responseStream: shape.responseStream,
      requestSerialize: (value: unknown) => method(name).requestSerialize(value),
      requestDeserialize: (bytes: Buffer) => method(name).requestDeserialize(bytes),
      responseSerialize: (value: unknown) => method(name).responseSerialize(value),
      responseDeserialize: (bytes: Buffer) => method(name).responseDeserialize(bytes),
    };
    // grpc-js calls a handler with (call, callback) or (call); forward both as they are.
    implementation[name] = ((...args: unknown[]) => {
      const handler = get().implementation[name] as ((...a: unknown[]) => unknown) | undefined;
      if (!handler) throw new Error(`service loaded without a handler for ${name}`);
      return handler(...args);
    }) as UntypedServiceImplementation[string];
  }
  return { definition, implementation };
}
