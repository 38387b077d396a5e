type Answer<T> = T | undefined | null | false;

/**
 * Resolves with the first truthy answer of `check` (asked at once, then every intervalMs), else
 * fails after timeoutMs with `what` in the message; an error thrown by `check` ends the wait.
 * Only for states that nothing announces (a health endpoint, a port, a pool's queue): where an
 * event says it, await the event instead.
 */
export async function eventually<T>(
  check: () => Promise<Answer<T>> | Answer<T>,
  what: string | (() => string),
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const { timeoutMs = 5000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
