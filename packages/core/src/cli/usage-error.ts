/**
 * A command line that cannot work (flags that contradict each other, a flag that needs another):
 * `main` prints its message and exits with code 2, like a value commander refused.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Exit code of a command line that was refused before anything ran. */
export const USAGE_EXIT_CODE = 2;
