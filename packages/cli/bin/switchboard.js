#!/usr/bin/env node
// Thin launcher so the bin link exists before the first build; the command lives in dist/.
import("../dist/main.js").catch((err) => {
  process.stderr.write(`switchboard: cannot start (${err?.message}). Run \`npm run build\` first.\n`);
  process.exit(1);
});
