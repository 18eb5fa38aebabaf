import { TaskRunError } from "../../../src";

/** The TaskRunError a run rejects with; fails the test when it resolves or rejects with anything else. */
export async function failure(p: Promise<unknown>): Promise<TaskRunError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TaskRunError) return err;
    throw err;
  }
  throw new Error("expected the run to fail");
}
