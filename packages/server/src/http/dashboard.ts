import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";

/** Where the dashboard is served. */
export const DASHBOARD_PREFIX = "/dashboard";

/**
 * The built dashboard (packages/dashboard/dist), found relative to this module: `src/http` when
 * tests run the sources, `dist/http` when the built server runs; both are two levels below the
 * server package.
 */
export const DASHBOARD_DIST = fileURLToPath(new URL("../../../dashboard/dist/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

/** Vite puts content-hashed files under `assets/`: those never change and may be cached for good. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** index.html and unhashed files: always revalidated, so a new build is picked up at once. */
const REVALIDATE = "no-cache";

/** The dashboard's answers never load anything from elsewhere; the page talks to this origin only. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The file under `root` that a URL path below `/dashboard/` names, or undefined when the path
 * could leave `root` (`..`, encoded or not, backslashes, NUL) or is malformed.
 */
export function resolveDashboardFile(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  const segments = decoded.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.some((s) => s === "..")) return undefined;
  const file = normalize(join(root, ...segments));
  const base = root.endsWith(sep) ? root : root + sep;
  return file.startsWith(base) || file === root ? file : undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function notBuilt(reply: FastifyReply, root: string) {
  return reply
    .status(404)
    .header("cache-control", "no-store")
    .send({ error: "not_found", message: `dashboard not built: run npm run build (looked in ${root})` });
}

/**
 * `GET /` → 302 `/dashboard/`; `GET /dashboard/*` → the built dashboard's static files, with
 * `index.html` for any path that names no file (the app's own views) and a JSON 404 for a missing
 * asset. Nothing outside `root` can be read. Without a build every dashboard path answers 404 with
 * "dashboard not built: run npm run build".
 */
export function registerDashboardRoutes(app: FastifyInstance, root = DASHBOARD_DIST): void {
  const index = join(root, "index.html");

  app.get("/", { schema: { hide: true } }, (_request, reply) => reply.redirect(`${DASHBOARD_PREFIX}/`, 302));
  app.get(DASHBOARD_PREFIX, { schema: { hide: true } }, (_request, reply) =>
    reply.redirect(`${DASHBOARD_PREFIX}/`, 302),
  );

  app.get<{ Params: { "*": string } }>(
    `${DASHBOARD_PREFIX}/*`,
    { schema: { hide: true } },
    async (request, reply) => {
      if (!(await isFile(index))) return notBuilt(reply, root);
      // The raw path, so an encoded `..` (%2e%2e) is seen before any decoding.
      const rawPath = (request.raw.url ?? "/").split("?")[0]?.slice(DASHBOARD_PREFIX.length + 1) ?? "";
      const file = resolveDashboardFile(root, rawPath);
      if (file === undefined) {
        return reply.status(400).send({ error: "invalid_request", message: "invalid dashboard path" });
      }
      let path = file;
      if (!(await isFile(path))) {
        // A missing asset is an error; any other path is one of the app's views.
        if (rawPath.startsWith("assets/") || extname(rawPath) !== "") {
          return reply.status(404).send({ error: "not_found", message: `no dashboard file ${rawPath}` });
        }
        path = index;
      }
      const body = await readFile(path);
      const hashed = path.startsWith(join(root, "assets") + sep);
      return reply
        .status(200)
        .header("content-type", TYPES[extname(path)] ?? "application/octet-stream")
        .header("cache-control", hashed ? IMMUTABLE : REVALIDATE)
        .header("x-content-type-options", "nosniff")
        .header("content-security-policy", CSP)
        .header("referrer-policy", "no-referrer")
        .send(body);
    },
  );
}
