/**
 * The few jest globals this kit uses, typed here so that plugin packages do not need
 * `@types/jest` in their public types. Absent when the kit runs outside jest.
 */
export interface JestGlobals {
  describe(name: string, fn: () => void): void;
  test: {
    (name: string, fn: () => Promise<void>, timeoutMs?: number): void;
    /** Registers a test that is not run and is reported as skipped. */
    skip(name: string, fn?: () => Promise<void>): void;
  };
  beforeAll(fn: () => Promise<void>, timeoutMs?: number): void;
  afterAll(fn: () => Promise<void>, timeoutMs?: number): void;
}

/** The jest globals, or `undefined` when not running inside a jest test file. */
export function jestGlobals(): JestGlobals | undefined {
  const g = globalThis as Partial<JestGlobals>;
  if (
    typeof g.describe === "function" &&
    typeof g.test === "function" &&
    typeof g.beforeAll === "function" &&
    typeof g.afterAll === "function"
  ) {
    return g as JestGlobals;
  }
  return undefined;
}
