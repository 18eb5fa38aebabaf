/**
 * A problem with the task itself (its `custom`, a refused secret, a missing input): the task
 * fails for good (Resource phase FAILED), since trying again would meet the same problem.
 */
export class WebhookTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookTaskError";
  }
}
