import { status } from "@grpc/grpc-js";
import { StatusCode } from "./status-code";

test("every status code has the value gRPC gives it", () => {
  const grpcNames = Object.keys(status).filter((k) => Number.isNaN(Number(k)));
  expect(Object.keys(StatusCode).sort()).toEqual(grpcNames.sort());
  for (const [name, value] of Object.entries(StatusCode)) {
    expect(value).toBe(status[name as keyof typeof status]);
  }
});
