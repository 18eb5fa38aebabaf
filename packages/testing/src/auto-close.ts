import { jestGlobals } from "./jest-globals";

/** Something the kit opened and must close at the end of a test file. */
export interface Closable {
  close(): Promise<void> | void;
}

const open = new Set<Closable>();

/** Closes everything still open (servers, clients, fake services, child processes). */
export async function closeAll(): Promise<void> {
  const items = [...open];
  open.clear();
  await Promise.allSettled(items.map(async (item) => item.close()));
}

// jest loads this module once per test file, while it collects tests: the one place where a
// hook may be added. Everything the kit opens in that file is closed after its last test.
jestGlobals()?.afterAll(closeAll);

/** Remembers `item` so that {@link closeAll} closes it; returns a function that forgets it. */
export function track(item: Closable): () => void {
  open.add(item);
  return () => {
    open.delete(item);
  };
}
