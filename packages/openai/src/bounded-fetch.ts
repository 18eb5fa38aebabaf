/** Largest response body the agent reads from OpenAI by default (a page of 100 batches is ~100 KiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** An answer longer than the agent reads. */
export class ResponseTooLarge extends TypeError {
  constructor(readonly maxBytes: number) {
    super(`OpenAI's answer is over the limit of ${maxBytes} bytes (maxResponseBytes)`);
    this.name = "ResponseTooLarge";
  }
}

/**
 * `fetch` whose response bodies end with an error past `maxBytes` (a `Content-Length` over it is
 * refused before the body is read), so a misbehaving endpoint cannot make the agent buffer
 * without limit. Everything else is the global `fetch`.
 */
export function boundedFetch(maxBytes: number): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      throw new ResponseTooLarge(maxBytes);
    }
    if (!response.body) return response;
    let seen = 0;
    const limited = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > maxBytes) controller.error(new ResponseTooLarge(maxBytes));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(limited, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
