/**
 * No import cycle among the modules of packages/server/src (issue 11, cluster-seams.md §5).
 * Type-only imports count: `import type` makes no runtime cycle, but a type cycle still ties the
 * modules together, which is what the seams are meant to undo. Reads every relative specifier
 * (`from "./…"`, `import "./…"`, `import("./…")`) of the non-test sources with a regex, so it needs
 * nothing but `fs`; a commented-out import counts too, which errs on the safe side.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const SPECIFIER = /(?:\bfrom|\bimport)\s*\(?\s*["'](\.\.?\/[^"']+)["']/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Module (path relative to src) → the modules it imports, in source order. */
function importGraph(): Map<string, string[]> {
  const files = sources(SRC);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets: string[] = [];
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(SPECIFIER)) {
      const base = resolve(dirname(file), specifier as string).replace(/\.js$/, "");
      const target = [`${base}.ts`, join(base, "index.ts")].find((candidate) => known.has(candidate));
      if (target === undefined) throw new Error(`${relative(SRC, file)}: cannot resolve "${specifier}"`);
      targets.push(relative(SRC, target));
    }
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

/** The cycle closed by each back edge of a depth-first walk, as `a → b → a`; empty iff there is no cycle. */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const cycles: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (node: string): void => {
    path.push(node);
    onPath.add(node);
    for (const next of graph.get(node) ?? []) {
      if (onPath.has(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(" → "));
      else if (!done.has(next)) visit(next);
    }
    path.pop();
    onPath.delete(node);
    done.add(node);
  };
  for (const node of graph.keys()) if (!done.has(node)) visit(node);
  return cycles;
}

describe("packages/server/src imports", () => {
  it("resolves every relative import", () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(20);
    expect(graph.get("apps.ts")).toContain("hub.ts");
  });

  it("form no cycle, type-only imports included", () => {
    expect(findCycles(importGraph())).toEqual([]);
  });

  it("the cycle finder reports a cycle", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    expect(findCycles(graph)).toEqual(["a.ts → b.ts → c.ts → a.ts"]);
  });
});
