// Builds the three JavaScript outputs of @switchboard/client with esbuild. Every output bundles
// @switchboard/protocol from its TypeScript sources, so the package ships with no runtime
// dependencies. Type declarations come from `tsc -p tsconfig.json` (see package.json "build").
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const protocolEntry = join(here, "../protocol/src/index.ts");

/** Resolves the protocol package to its sources, so the build does not depend on its dist. */
const bundleProtocol = {
  name: "bundle-protocol",
  setup(b) {
    b.onResolve({ filter: /^@switchboard\/protocol$/ }, () => ({ path: protocolEntry }));
  },
};

rmSync(join(here, "dist"), { recursive: true, force: true });

const common = {
  absWorkingDir: here,
  entryPoints: ["src/index.ts"],
  bundle: true,
  target: "es2022",
  sourcemap: true,
  legalComments: "none",
  plugins: [bundleProtocol],
  logLevel: "warning",
};

await Promise.all([
  build({ ...common, platform: "neutral", format: "esm", outfile: "dist/index.js" }),
  build({ ...common, platform: "node", format: "cjs", outfile: "dist/index.cjs" }),
  // One self-contained ES module a page can import directly (not minified: readable in devtools).
  build({ ...common, platform: "browser", format: "esm", outfile: "dist/browser.js" }),
]);
