/**
 * Change notification by polling a cheap "version" probe (SQLite `PRAGMA data_version`, a Postgres
 * counter, …). Store implementations own one and expose its `onChange`.
 */
export interface ChangeFeed {
  /** Adds a listener; the first one starts the poll timer. Returns the disposer. */
  onChange(listener: () => void): () => void;
  /**
   * Records a commit made through this same handle. Needed because SQLite's `data_version` only
   * moves for commits of *other* connections. Reported at the next tick, so local and remote
   * changes have the same latency and bursts coalesce into one call.
   */
  markLocalChange(): void;
  /** Stops the timer and drops every listener. Idempotent. */
  close(): void;
}

/**
 * Polls `version()` every `pollMs` while at least one listener exists and calls every listener
 * (at most once per tick) when the value differs from the previous tick or a local change was marked.
 * The timer is unref'd: a store with listeners never keeps a process alive by itself.
 * A listener that throws does not stop the others; its error becomes a process warning.
 * A `version()` that throws (database closed under us, I/O error) skips that tick.
 */
export function pollChanges(options: { pollMs: number; version: () => unknown }): ChangeFeed {
  const { pollMs, version } = options;
  if (!Number.isFinite(pollMs) || pollMs <= 0) throw new TypeError("pollMs must be a positive number");
  const listeners = new Set<() => void>();
  let timer: NodeJS.Timeout | undefined;
  let last: unknown;
  let localDirty = false;
  let closed = false;

  const fire = () => {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (err) {
        process.emitWarning(err instanceof Error ? err : new Error(String(err)), "StoreChangeListenerError");
      }
    }
  };

  const tick = () => {
    let current: unknown;
    try {
      current = version();
    } catch {
      return;
    }
    const changed = current !== last || localDirty;
    last = current;
    localDirty = false;
    if (changed) fire();
  };

  const start = () => {
    try {
      last = version();
    } catch {
      last = undefined;
    }
    localDirty = false;
    timer = setInterval(tick, pollMs);
    timer.unref();
  };

  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };

  return {
    onChange(listener) {
      if (closed) return () => {};
      // A function object can be added twice; wrap so each registration has its own disposer.
      const entry = () => listener();
      listeners.add(entry);
      if (timer === undefined) start();
      return () => {
        listeners.delete(entry);
        if (listeners.size === 0) stop();
      };
    },
    markLocalChange() {
      if (timer !== undefined) localDirty = true;
    },
    close() {
      closed = true;
      listeners.clear();
      stop();
    },
  };
}
