/** Small assertions shared by the Store conformance files. */
import { expect } from "vitest";
import { type Store, StoreError, type StoreErrorCode } from "./types.js";

/**
 * What a conformance factory returns: a store on fresh, empty data, a way to open a second,
 * independent handle on the SAME data (another process, as far as the store can tell), and cleanup.
 */
export interface StoreFixture {
  store: Store;
  /** Opens another handle on the same data (as the CLI does while a server runs). */
  reopen(): Promise<Store>;
  /** Closes `store` and every handle `reopen` returned, then deletes the data. */
  cleanup(): Promise<void>;
}

/** Resolves once `check()` is true; fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Asserts that `promise` rejects with a {@link StoreError} of `code`. */
export async function expectStoreError(promise: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected StoreError(${code})`).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
}
