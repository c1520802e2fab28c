/**
 * One POST of one alert to one receiver, classified into what the queue should do next.
 * 2xx: delivered. 408/429, 5xx, network errors and timeouts: temporary, try again.
 * Any other 4xx: the receiver will never accept this body, give up.
 */

export type PostOutcome =
  | { result: 'delivered' }
  | { result: 'retry'; reason: string }
  | { result: 'reject'; reason: string };

export interface PostOptions {
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  /** Aborted when the alert is dropped or the sink closes; the outcome is then irrelevant. */
  signal: AbortSignal;
  /** Sent as `X-Kelvin-Alert-Id` so a receiver can recognise a retry of a POST it already took. */
  alertId: string;
}

export async function postAlert(url: string, json: string, options: PostOptions): Promise<PostOutcome> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  try {
    response = await options.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'kelvin-manager', 'x-kelvin-alert-id': options.alertId },
      body: json,
      signal: AbortSignal.any([timeout, options.signal]),
    });
  } catch (err) {
    if (timeout.aborted) return { result: 'retry', reason: `no answer within ${options.timeoutMs} ms` };
    return { result: 'retry', reason: networkReason(err) };
  }
  // Read nothing back, but release the connection for the next POST.
  await response.body?.cancel().catch(() => undefined);
  const status = response.status;
  if (status >= 200 && status < 300) return { result: 'delivered' };
  const reason = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { result: 'reject', reason };
  return { result: 'retry', reason };
}

/** fetch wraps the socket error in `cause`; its code (ECONNREFUSED, ENOTFOUND) is what a user can act on. */
function networkReason(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
