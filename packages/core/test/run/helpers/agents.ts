import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import { AgentError, AsyncAgent, type CreateContext, flyteidl, type Phase, type Resource, toLiteralMap } from "../../../src";

/** What a {@link ScriptedAgent} was asked to do, in order. */
export type Call = { op: "create" | "get" | "delete"; id: string };

/** One scripted GetTask answer: a Resource, or an error to throw. */
export type Step = Resource | { throw: AgentError };

interface Meta {
  id: string;
}

/**
 * An async agent that answers GetTask from a script (the last step repeats) and records every
 * call. `createDelayMs` makes create slow; `writeOutputsPb` makes the final get write
 * `<output_prefix>/outputs.pb` instead of returning inline outputs.
 */
export class ScriptedAgent extends AsyncAgent<Meta> {
  readonly name = "Scripted Agent";
  readonly category = { name: "scripted", version: 1 };
  readonly calls: Call[] = [];
  private next = 0;
  private gets = 0;

  constructor(
    private readonly steps: Step[],
    private readonly options: { createDelayMs?: number; writeOutputsPb?: boolean } = {},
  ) {
    super();
  }

  get getCount(): number {
    return this.gets;
  }

  async create(ctx: CreateContext): Promise<Meta> {
    if (this.options.createDelayMs) await new Promise((r) => setTimeout(r, this.options.createDelayMs));
    const id = `job-${++this.next}`;
    this.calls.push({ op: "create", id });
    if (this.options.writeOutputsPb) {
      mkdirSync(ctx.outputPrefix, { recursive: true });
      const outputs = toLiteralMap({ rows: 42n });
      writeFileSync(join(ctx.outputPrefix, "outputs.pb"), flyteidl.core.LiteralMap.encode(outputs).finish());
    }
    return { id };
  }

  async get(meta: Meta): Promise<Resource> {
    this.calls.push({ op: "get", id: meta.id });
    const step = this.steps[Math.min(this.gets++, this.steps.length - 1)];
    if (!step) throw new AgentError(status.INTERNAL, "no steps");
    if ("throw" in step) throw step.throw;
    return step;
  }

  async delete(meta: Meta): Promise<void> {
    this.calls.push({ op: "delete", id: meta.id });
  }
}

/** A Resource in a phase. */
export const at = (phase: Phase, message = "", extra: Partial<Resource> = {}): Resource => ({ phase, message, ...extra });
