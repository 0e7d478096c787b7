import { Component, type ComponentChildren, render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { AdminApi, ApiError, errorText } from "./api.js";
import "./style.css";
import type { AppJson } from "./types.js";
import { ErrorBanner } from "./ui.js";
import { AppsView } from "./views/Apps.js";
import { KeysView } from "./views/Keys.js";
import { LiveView } from "./views/Live.js";
import { type Minted, TokensView } from "./views/Tokens.js";
import { TryView } from "./views/Try.js";

/** The admin token lives in this tab's sessionStorage only: never in a URL, never in localStorage. */
const TOKEN_KEY = "switchboard.adminToken";
const BASE = "/dashboard";

const VIEWS = [
  { path: "apps", title: "Apps" },
  { path: "keys", title: "Keys" },
  { path: "live", title: "Live" },
  { path: "tokens", title: "Tokens" },
  { path: "try", title: "Try it" },
] as const;
type ViewPath = (typeof VIEWS)[number]["path"];

function currentView(): ViewPath {
  const rest = location.pathname.startsWith(`${BASE}/`) ? location.pathname.slice(BASE.length + 1) : "";
  const found = VIEWS.find((v) => rest === v.path || rest.startsWith(`${v.path}/`));
  return found?.path ?? "apps";
}

/** A render error is shown in words, never as a blank page. */
class ErrorBoundary extends Component<{ children: ComponentChildren }, { error?: unknown }> {
  override state: { error?: unknown } = {};
  override componentDidCatch(error: unknown) {
    this.setState({ error });
  }
  override render() {
    if (this.state.error !== undefined) {
      return (
        <div class="card">
          <ErrorBanner message={errorText("Something went wrong in the dashboard", this.state.error)} />
          <button type="button" onClick={() => this.setState({ error: undefined })}>
            Try again
          </button>
        </div>
      );
    }
    return this.props.children;
  }
}

function SignIn({
  onSignedIn,
  initialError,
}: {
  onSignedIn: (api: AdminApi) => void;
  initialError?: string;
}) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | undefined>(initialError);
  const [busy, setBusy] = useState(false);
  return (
    <main class="signin">
      <h1>Switchboard</h1>
      <form
        class="card stack"
        aria-label="Sign in"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          const api = new AdminApi(token.trim());
          try {
            await api.listApps();
            sessionStorage.setItem(TOKEN_KEY, token.trim());
            onSignedIn(api);
          } catch (err) {
            setError(
              err instanceof ApiError && err.status === 401
                ? "Sign-in failed: that admin token is not valid for this server (401 unauthorized)."
                : errorText("Sign-in failed", err),
            );
          } finally {
            setBusy(false);
          }
        }}
      >
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          type="password"
          autocomplete="current-password"
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <span class="hint">
          The token given to <code>switchboard serve --admin-token</code>. Kept in this tab only.
        </span>
        <div>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </div>
        <ErrorBanner message={error} />
      </form>
    </main>
  );
}

function Shell({ api, onSignOut }: { api: AdminApi; onSignOut: (why?: string) => void }) {
  const [view, setView] = useState<ViewPath>(currentView());
  const [apps, setApps] = useState<AppJson[]>();
  const [appsError, setAppsError] = useState<string>();
  const [appId, setAppId] = useState<string>("");
  const [appsVersion, setAppsVersion] = useState(0);
  const [minted, setMinted] = useState<Minted>();

  useEffect(() => {
    const onPop = () => setView(currentView());
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  useEffect(() => {
    api.listApps().then(
      (list) => {
        setApps(list);
        setAppsError(undefined);
        setAppId((cur) => (list.some((a) => a.id === cur) ? cur : (list[0]?.id ?? "")));
      },
      (e) => {
        if (e instanceof ApiError && e.status === 401)
          onSignOut("The admin token is no longer accepted: sign in again.");
        else setAppsError(errorText("Could not load the apps", e));
      },
    );
  }, [api, appsVersion]);

  const go = (path: ViewPath) => {
    history.pushState(null, "", `${BASE}/${path}`);
    setView(path);
  };
  const title = VIEWS.find((v) => v.path === view)?.title ?? "Apps";
  useEffect(() => {
    document.title = `${title} · Switchboard`;
  }, [title]);

  return (
    <>
      <header class="top">
        <strong class="brand">Switchboard</strong>
        <nav aria-label="Views">
          {VIEWS.map((v) => (
            <a
              key={v.path}
              href={`${BASE}/${v.path}`}
              aria-current={view === v.path ? "page" : undefined}
              onClick={(e) => {
                if (e.ctrlKey || e.metaKey || e.shiftKey) return;
                e.preventDefault();
                go(v.path);
              }}
            >
              {v.title}
            </a>
          ))}
        </nav>
        {view !== "apps" && (
          <span class="app-picker">
            <label for="app-select">App</label>
            <select id="app-select" value={appId} onChange={(e) => setAppId(e.currentTarget.value)}>
              {apps?.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                  {a.suspended ? " (suspended)" : ""}
                </option>
              ))}
            </select>
          </span>
        )}
        <button type="button" onClick={() => onSignOut()}>
          Sign out
        </button>
      </header>
      <main>
        <h1>{title}</h1>
        <ErrorBanner message={appsError} />
        <ErrorBoundary key={view}>
          {view === "apps" && <AppsView api={api} onAppsChanged={() => setAppsVersion((n) => n + 1)} />}
          {view !== "apps" && apps && !appId && <p>No app yet: create one in Apps.</p>}
          {view === "keys" && appId && <KeysView api={api} appId={appId} />}
          {view === "live" && appId && <LiveView api={api} appId={appId} />}
          {view === "tokens" && appId && <TokensView api={api} appId={appId} onMinted={setMinted} />}
          {view === "try" && appId && <TryView api={api} appId={appId} lastToken={minted?.token ?? ""} />}
        </ErrorBoundary>
      </main>
    </>
  );
}

function Root() {
  const stored = useMemo(() => sessionStorage.getItem(TOKEN_KEY), []);
  const [api, setApi] = useState<AdminApi | undefined>(stored ? new AdminApi(stored) : undefined);
  const [why, setWhy] = useState<string>();
  if (!api) return <SignIn onSignedIn={setApi} {...(why !== undefined && { initialError: why })} />;
  return (
    <Shell
      api={api}
      onSignOut={(reason) => {
        sessionStorage.removeItem(TOKEN_KEY);
        setWhy(reason);
        setApi(undefined);
      }}
    />
  );
}

const root = document.getElementById("root");
if (root) render(<Root />, root);
