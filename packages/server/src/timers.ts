/** setTimeout's largest delay; longer waits are chained. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Everything due at one instant. Token expiries are whole JWT seconds, so connections share these
 * and one Node timer serves them all: a `Timeout` per connection (≈ 0.3 KB with its closures and
 * timer list) was a large part of an idle connection's memory.
 */
interface Slot {
  readonly atMs: number;
  /** Disposer → callback; a Map, not a Set of callbacks, so one callback can be due twice. */
  readonly due: Map<() => void, () => void>;
  timer: NodeJS.Timeout | undefined;
}

const slots = new Map<number, Slot>();

function arm(slot: Slot): void {
  const delay = slot.atMs - Date.now();
  slot.timer =
    delay > MAX_DELAY_MS ? setTimeout(arm, MAX_DELAY_MS, slot) : setTimeout(fire, Math.max(0, delay), slot);
  slot.timer.unref();
}

function fire(slot: Slot): void {
  slots.delete(slot.atMs);
  for (const fn of slot.due.values()) {
    try {
      fn();
    } catch (err) {
      // As with one timer each: the error is uncaught, and the other callbacks still run.
      process.nextTick(() => {
        throw err;
      });
    }
  }
  slot.due.clear();
}

function cancel(slot: Slot, disposer: () => void): void {
  if (!slot.due.delete(disposer) || slot.due.size > 0) return;
  clearTimeout(slot.timer);
  if (slots.get(slot.atMs) === slot) slots.delete(slot.atMs);
}

/**
 * Runs `fn` at `atMs` (epoch ms), even beyond setTimeout's 24.8-day cap. Returns the disposer.
 * Calls for the same `atMs` share one timer and run in the order they were made.
 */
export function runAt(atMs: number, fn: () => void): () => void {
  let slot = slots.get(atMs);
  if (!slot) {
    slot = { atMs, due: new Map(), timer: undefined };
    slots.set(atMs, slot);
    arm(slot);
  }
  const owner = slot;
  const dispose = (): void => cancel(owner, dispose);
  owner.due.set(dispose, fn);
  return dispose;
}
