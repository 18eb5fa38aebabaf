import type { admin } from "@flyte-agent/flyteidl";
import { type Agent, formatCategory } from "./agent";
import { clipClientValue } from "./bounded-text";
import { AgentNotFoundError, ConfigurationError } from "./errors";
import type { TaskCategory } from "./types";

/** Options of {@link AgentRegistry.register}. */
export interface RegisterOptions {
  /** Replace an agent already registered for the same category. @default false */
  override?: boolean;
  /** Where the agent comes from (a package name), used in error messages and `flyte-agent list`. */
  source?: string;
}

/** A registered agent with where it came from. */
export interface RegisteredAgent {
  readonly agent: Agent;
  readonly source: string;
}

const key = (name: string, version: number) => `${name}\u0000${version}`;

/**
 * Agents keyed by task category (name, version). Registering a second agent for a category is
 * an error unless `override` is set. ListAgents groups categories by agent name.
 */
export class AgentRegistry {
  private readonly byCategory = new Map<string, RegisteredAgent>();
  /** The same entries by name, then version: a lookup on every call builds no key string. */
  private readonly byName = new Map<string, Map<number, RegisteredAgent>>();

  /** Adds an agent. Throws {@link ConfigurationError} when its category is taken. */
  register(agent: Agent, options: RegisterOptions = {}): void {
    validateCategory(agent);
    const k = key(agent.category.name, agent.category.version);
    const existing = this.byCategory.get(k);
    const source = options.source ?? "(code)";
    if (existing && !options.override) {
      throw new ConfigurationError(
        `task category ${formatCategory(agent.category)} is claimed twice: by "${existing.agent.name}" from ${existing.source} and by "${agent.name}" from ${source}`,
      );
    }
    const entry = { agent, source };
    this.byCategory.set(k, entry);
    let versions = this.byName.get(agent.category.name);
    if (!versions) {
      versions = new Map();
      this.byName.set(agent.category.name, versions);
    }
    versions.set(agent.category.version, entry);
  }

  /** The agent for a category, or undefined. */
  find(category: TaskCategory): Agent | undefined {
    return this.byName.get(category.name)?.get(category.version)?.agent;
  }

  /** The agent for a category; throws NOT_FOUND naming what was asked and what exists. */
  resolve(category: TaskCategory): Agent {
    const agent = this.find(category);
    if (agent) return agent;
    const versions = this.entries()
      .filter((e) => e.agent.category.name === category.name)
      .map((e) => e.agent.category.version);
    const hint = versions.length > 0 ? ` (versions served: ${versions.join(", ")})` : "";
    const asked = formatCategory({ name: clipClientValue(category.name), version: category.version });
    throw new AgentNotFoundError(`no agent serves task category ${asked}${hint}`);
  }

  /** All registered agents, in registration order. */
  entries(): RegisteredAgent[] {
    return [...this.byCategory.values()];
  }

  /** Number of registered categories. */
  get size(): number {
    return this.byCategory.size;
  }

  /**
   * The ListAgents view: one entry per (agent name, sync/async), with all its categories and
   * the deprecated `supported_task_types` for version-0 categories.
   */
  metadata(): admin.Agent[] {
    const groups = new Map<string, admin.Agent>();
    for (const { agent } of this.byCategory.values()) {
      const isSync = agent.kind === "sync";
      const g = `${agent.name}\u0000${isSync}`;
      let entry = groups.get(g);
      if (!entry) {
        entry = { name: agent.name, supportedTaskTypes: [], isSync, supportedTaskCategories: [] };
        groups.set(g, entry);
      }
      entry.supportedTaskCategories.push({ name: agent.category.name, version: agent.category.version });
      if (agent.category.version === 0) entry.supportedTaskTypes.push(agent.category.name);
    }
    return [...groups.values()];
  }

  /** The ListAgents entry for one agent name (GetAgent). */
  agentMetadata(name: string): admin.Agent {
    const found = this.metadata().filter((a) => a.name === name);
    const [first, ...rest] = found;
    if (!first) throw new AgentNotFoundError(`no agent named "${clipClientValue(name)}"`);
    // The same name with both sync and async agents: report everything under one entry.
    for (const other of rest) {
      first.supportedTaskCategories.push(...other.supportedTaskCategories);
      first.supportedTaskTypes.push(...other.supportedTaskTypes);
    }
    return first;
  }
}

function validateCategory(agent: Agent): void {
  const { name, version } = agent.category ?? {};
  if (typeof name !== "string" || name.length === 0) {
    throw new ConfigurationError(`agent "${agent.name}" has no task category name`);
  }
  if (!Number.isInteger(version) || version < 0 || version > 2 ** 31 - 1) {
    throw new ConfigurationError(`agent "${agent.name}" has an invalid category version ${String(version)}`);
  }
  const kind: string = agent.kind;
  if (kind !== "async" && kind !== "sync") {
    throw new ConfigurationError(`agent "${agent.name}" is neither an AsyncAgent nor a SyncAgent`);
  }
}
