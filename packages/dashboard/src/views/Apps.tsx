import { useState } from "preact/hooks";
import type { AdminApi } from "../api.js";
import type { AppJson, AppWithUsageJson } from "../types.js";
import { ErrorBanner, Section, useAction, usePoll } from "../ui.js";
import { UsageBar } from "./Bar.js";

const limitOf = (text: string): number | null => (text.trim() === "" ? null : Number(text));
const limitText = (n: number | null): string => (n === null ? "" : String(n));

function LimitsForm({ api, app, onSaved }: { api: AdminApi; app: AppJson; onSaved: () => void }) {
  const [conn, setConn] = useState(limitText(app.plan.maxConcurrentConnections));
  const [msgs, setMsgs] = useState(limitText(app.plan.maxMessagesPerPeriod));
  const action = useAction();
  const id = app.id;
  return (
    <form
      class="inline-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const saved = await action.run("Could not save the plan limits", () =>
          api.updateApp(id, {
            plan: { maxConcurrentConnections: limitOf(conn), maxMessagesPerPeriod: limitOf(msgs) },
          }),
        );
        if (saved) onSaved();
      }}
    >
      <label for={`conn-${id}`}>Max connections</label>
      <input
        id={`conn-${id}`}
        type="number"
        min={1}
        placeholder="unlimited"
        value={conn}
        onInput={(e) => setConn(e.currentTarget.value)}
      />
      <label for={`msgs-${id}`}>Max messages per period</label>
      <input
        id={`msgs-${id}`}
        type="number"
        min={1}
        placeholder="unlimited"
        value={msgs}
        onInput={(e) => setMsgs(e.currentTarget.value)}
      />
      <button type="submit" disabled={action.busy}>
        Save limits
      </button>
      <ErrorBanner message={action.error} />
    </form>
  );
}

function AppCard({ api, app, onChange }: { api: AdminApi; app: AppWithUsageJson; onChange: () => void }) {
  const action = useAction();
  const { usage, plan } = app;
  return (
    <article class="card app-card" aria-label={`App ${app.name}`}>
      <h3>
        {app.name} <code>{app.id}</code>{" "}
        {app.suspended ? <span class="badge badge-bad">suspended</span> : <span class="badge">active</span>}
      </h3>
      <p class="hint">
        Plan “{plan.name}”, period of {Math.round(plan.periodSec / 86400)} days, from{" "}
        {new Date(usage.periodStartUnix * 1000).toLocaleDateString()}.
      </p>
      <UsageBar label="Connections" used={usage.concurrentNow} limit={plan.maxConcurrentConnections} />
      <UsageBar label="Messages this period" used={usage.messagesUsed} limit={plan.maxMessagesPerPeriod} />
      <p class="hint">Peak concurrent connections this period: {usage.peakConcurrent}</p>
      <LimitsForm api={api} app={app} onSaved={onChange} />
      <button
        type="button"
        class={app.suspended ? "" : "danger"}
        disabled={action.busy}
        onClick={async () => {
          const done = await action.run(`Could not ${app.suspended ? "resume" : "suspend"} ${app.name}`, () =>
            api.setSuspended(app.id, !app.suspended),
          );
          if (done) onChange();
        }}
      >
        {app.suspended ? "Resume" : "Suspend"}
      </button>
      <ErrorBanner message={action.error} />
    </article>
  );
}

export function AppsView({ api, onAppsChanged }: { api: AdminApi; onAppsChanged: () => void }) {
  const apps = usePoll(
    "Could not load the apps",
    async () => Promise.all((await api.listApps()).map((a) => api.getApp(a.id))),
    5000,
    [api],
  );
  const [name, setName] = useState("");
  const create = useAction();
  const changed = () => {
    apps.refresh();
    onAppsChanged();
  };
  return (
    <>
      <Section title="Create an app">
        <form
          class="inline-form"
          onSubmit={async (e) => {
            e.preventDefault();
            const made = await create.run("Could not create the app", () =>
              api.createApp({ name: name.trim() }),
            );
            if (made) {
              setName("");
              changed();
            }
          }}
        >
          <label for="new-app-name">App name</label>
          <input id="new-app-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" disabled={create.busy}>
            Create app
          </button>
        </form>
        <ErrorBanner message={create.error} />
      </Section>
      <Section title="Apps">
        <ErrorBanner message={apps.error} />
        {apps.data === undefined && !apps.error && <p>Loading…</p>}
        <div class="grid">
          {apps.data?.map((app) => (
            <AppCard
              key={`${app.id}:${app.plan.maxConcurrentConnections}:${app.plan.maxMessagesPerPeriod}`}
              api={api}
              app={app}
              onChange={changed}
            />
          ))}
        </div>
      </Section>
    </>
  );
}
