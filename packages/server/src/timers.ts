/** setTimeout's largest delay; longer waits are chained. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Runs `fn` at `atMs` (epoch ms), even beyond setTimeout's 24.8-day cap. Returns the disposer. */
export function runAt(atMs: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const delay = atMs - Date.now();
    if (delay > MAX_DELAY_MS) timer = setTimeout(arm, MAX_DELAY_MS);
    else timer = setTimeout(fn, Math.max(0, delay));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
