import type { MethodDefinition, ServiceDefinition, UntypedServiceImplementation } from "@grpc/grpc-js";
import { lazyService } from "./lazy-service";

const SHAPES = { echo: { path: "/test.Echo/Echo", requestStream: false, responseStream: false } };

/** A loaded service whose codec tags what it saw, so forwarding is visible. */
function loaded(): { definition: ServiceDefinition; implementation: UntypedServiceImplementation } {
  const echo: MethodDefinition<string, string> = {
    path: "/test.Echo/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: (v) => Buffer.from(`req:${v}`),
    requestDeserialize: (b) => `dreq:${b.toString()}`,
    responseSerialize: (v) => Buffer.from(`res:${v}`),
    responseDeserialize: (b) => `dres:${b.toString()}`,
  };
  return {
    definition: { echo } as ServiceDefinition,
    implementation: {
      echo: (call: unknown, callback: (e: null, v: string) => void) => callback(null, `handled:${String(call)}`),
    },
  };
}

describe("lazyService", () => {
  it("registers the given shapes without loading", () => {
    const load = jest.fn(loaded);
    const { definition } = lazyService(SHAPES, load);
    expect(definition.echo).toMatchObject(SHAPES.echo);
    expect(load).not.toHaveBeenCalled();
  });

  it("forwards codecs and handlers to what it loads, loading once", () => {
    const load = jest.fn(loaded);
    const { definition, implementation } = lazyService(SHAPES, load);
    const echo = definition.echo as MethodDefinition<string, string>;
    expect(echo.requestDeserialize(Buffer.from("a"))).toBe("dreq:a");
    expect(echo.responseSerialize("b").toString()).toBe("res:b");
    expect(echo.requestSerialize("c").toString()).toBe("req:c");
    expect(echo.responseDeserialize(Buffer.from("d"))).toBe("dres:d");
    const replies: string[] = [];
    (implementation.echo as (call: unknown, cb: (e: null, v: string) => void) => void)("x", (_e, v) => replies.push(v));
    expect(replies).toEqual(["handled:x"]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("fails the call when the loaded service lacks a method", () => {
    const { definition } = lazyService(SHAPES, () => ({ definition: {}, implementation: {} }));
    expect(() => definition.echo?.requestDeserialize(Buffer.from("a"))).toThrow("service loaded without method echo");
  });
});
