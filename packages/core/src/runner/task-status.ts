import type { admin } from "@flyte-agent/flyteidl";
import { phaseName, phaseOfWireResource } from "../phase";
import type { JsonValue, LogLink } from "../types";
import type { PhaseChange, TaskStatus } from "./types";

/** A wire Resource in plain form, stamped with the elapsed time. */
export function toTaskStatus(resource: admin.Resource, elapsedMs: number): TaskStatus {
  const phase = phaseOfWireResource(resource);
  return {
    phase,
    phaseName: phaseName(phase),
    message: resource.message,
    logLinks: resource.logLinks.map((l) => ({ name: l.name, uri: l.uri })),
    customInfo: resource.customInfo as { [key: string]: JsonValue } | undefined,
    elapsedMs,
  };
}

/** Collects the phase timeline and the distinct log links of a run. */
export class StatusHistory {
  readonly timeline: PhaseChange[] = [];
  readonly logLinks: LogLink[] = [];
  last: TaskStatus | undefined;

  /** Records a status; returns true when its phase differs from the previous one. */
  record(status: TaskStatus): boolean {
    const changed = this.last?.phase !== status.phase;
    if (changed) {
      this.timeline.push({
        phase: status.phase,
        phaseName: status.phaseName,
        message: status.message,
        elapsedMs: status.elapsedMs,
        at: new Date(),
      });
    }
    for (const link of status.logLinks) {
      if (!this.logLinks.some((l) => l.name === link.name && l.uri === link.uri)) this.logLinks.push(link);
    }
    this.last = status;
    return changed;
  }
}
