/** Bounded waits on observable conditions: tests poll, they never sleep to assert. */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a value other than undefined; fails after `timeoutMs` with `what`
 * and the last observation `describe` gives (so a timeout shows what the page was doing).
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  describe: () => Promise<unknown> = async () => undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms; last seen ${JSON.stringify(await describe())}`);
    }
    await sleep(100);
  }
}
