/** A small typed event emitter: one event map, one context object per event, `on()` returns `off`. */

/** A listener of one event: receives the event's context object. */
export type Listener<Ctx> = (ctx: Ctx) => void;

interface Entry {
  readonly fn: Listener<never>;
  readonly once: boolean;
}

/**
 * Typed emitter over an event map `Events` (event name → context type). Listeners run
 * synchronously in registration order; one that throws is reported to `onListenerError` and does
 * not stop the others (nor the client that emitted).
 */
export class Emitter<Events> {
  readonly #listeners = new Map<keyof Events, Entry[]>();
  readonly #onListenerError: (event: keyof Events, error: unknown) => void;

  constructor(onListenerError: (event: keyof Events, error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    return this.#add(event, listener, false);
  }

  /** Adds a listener that is removed after its first call; returns a function that removes it. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    return this.#add(event, listener, true);
  }

  /** Removes every registration of `listener` for `event` (no-op when absent). */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const entries = this.#listeners.get(event);
    if (entries === undefined) return;
    const kept = entries.filter((e) => e.fn !== listener);
    if (kept.length === 0) this.#listeners.delete(event);
    else this.#listeners.set(event, kept);
  }

  /** Calls every listener of `event` with `ctx`. */
  emit<K extends keyof Events>(event: K, ctx: Events[K]): void {
    const entries = this.#listeners.get(event);
    if (entries === undefined) return;
    // A copy, so listeners added or removed during this emit take effect from the next one.
    for (const entry of [...entries]) {
      if (entry.once) this.#remove(event, entry);
      try {
        (entry.fn as Listener<Events[K]>)(ctx);
      } catch (error) {
        this.#onListenerError(event, error);
      }
    }
  }

  /** Drops every listener. */
  clear(): void {
    this.#listeners.clear();
  }

  #add<K extends keyof Events>(event: K, fn: Listener<Events[K]>, once: boolean): () => void {
    const entry: Entry = { fn: fn as Listener<never>, once };
    const entries = this.#listeners.get(event);
    if (entries === undefined) this.#listeners.set(event, [entry]);
    else entries.push(entry);
    return () => this.#remove(event, entry);
  }

  #remove(event: keyof Events, entry: Entry): void {
    const entries = this.#listeners.get(event);
    if (entries === undefined) return;
    const at = entries.indexOf(entry);
    if (at >= 0) entries.splice(at, 1);
    if (entries.length === 0) this.#listeners.delete(event);
  }
}
