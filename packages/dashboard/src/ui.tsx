import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { errorText } from "./api.js";

/** An error in words, announced to screen readers. */
export function ErrorBanner({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

/** A button that copies `text` to the clipboard and says so. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState<string>("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone("Copied");
    } catch {
      // No clipboard permission (plain http on another host): select the text instead.
      setDone("Copy failed: select the text and copy it by hand");
    }
  };
  return (
    <span class="copy">
      <button type="button" onClick={copy}>
        {label}
      </button>
      <span role="status" class="hint">
        {done}
      </span>
    </span>
  );
}

/**
 * Runs `action`, recording its error in words; returns a runner and the current error. Used by
 * every button that calls the API, so a failure is never a blank page.
 */
export function useAction(): {
  error: string | undefined;
  busy: boolean;
  run: <T>(what: string, action: () => Promise<T>) => Promise<T | undefined>;
  clear: () => void;
} {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return {
    error,
    busy,
    clear: () => setError(undefined),
    run: async (what, action) => {
      setBusy(true);
      setError(undefined);
      try {
        return await action();
      } catch (e) {
        setError(errorText(what, e));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
  };
}

/** Calls `load` now and every `ms` while mounted (and `enabled`); errors are kept in words. */
export function usePoll<T>(
  what: string,
  load: () => Promise<T>,
  ms: number,
  deps: unknown[],
): { data: T | undefined; error: string | undefined; refresh: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const once = async () => {
      try {
        const value = await loadRef.current();
        if (stopped) return;
        setData(value);
        setError(undefined);
      } catch (e) {
        if (!stopped) setError(errorText(what, e));
      }
      if (!stopped && ms > 0) timer = setTimeout(once, ms);
    };
    void once();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [...deps, tick]);
  return { data, error, refresh: () => setTick((t) => t + 1) };
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section aria-label={title} class="card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** Lines of a textarea, trimmed, without blanks. */
export const linesOf = (text: string): string[] =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
