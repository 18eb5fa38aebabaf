import type { Protocol } from "../metrics";

/** The wire protocols the server can serve: flyteidl 1 agent services (Flyte 1.x propellers) and flyteidl2 connector services (Flyte 2). */
export const PROTOCOLS: readonly Protocol[] = ["v1", "v2"];

/**
 * Parses a comma-separated protocol list such as `v1,v2` (order and repeats do not matter).
 * @throws Error naming the bad entry and the accepted values, or when the list is empty
 */
export function parseProtocols(text: string): Protocol[] {
  const chosen = new Set<Protocol>();
  for (const raw of text.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (!(PROTOCOLS as readonly string[]).includes(entry)) {
      throw new Error(`unknown protocol "${raw.trim()}"; expected a comma-separated list of ${PROTOCOLS.join(", ")}`);
    }
    chosen.add(entry as Protocol);
  }
  return PROTOCOLS.filter((p) => chosen.has(p));
}
