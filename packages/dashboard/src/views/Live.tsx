import { useEffect, useState } from "preact/hooks";
import type { AdminApi } from "../api.js";
import type { NodeStatsJson } from "../types.js";
import { ErrorBanner, Section, useAction, usePoll } from "../ui.js";
import { LineChart } from "./Chart.js";

/** One sample a second, five minutes kept. */
const SAMPLE_MS = 1000;
const WINDOW = 300;

/** Samples per app, kept while the page is open so switching views does not blank the chart. */
const histories = new Map<string, { connections: number[]; rate: number[] }>();
function historyOf(appId: string) {
  let h = histories.get(appId);
  if (!h) {
    h = { connections: [], rate: [] };
    histories.set(appId, h);
  }
  return h;
}

function Presence({ api, appId, channel }: { api: AdminApi; appId: string; channel: string }) {
  const presence = usePoll("Could not load the presence", () => api.presence(appId, channel), SAMPLE_MS, [
    api,
    appId,
    channel,
  ]);
  const kick = useAction();
  const [kicked, setKicked] = useState("");
  const peers = presence.data?.peers ?? [];
  return (
    <section class="card" aria-label={`Presence in ${channel}`}>
      <h3>
        Presence in <code>{channel}</code>
      </h3>
      <ErrorBanner message={presence.error ?? kick.error} />
      <p role="status" class="hint">
        {kicked}
      </p>
      {presence.data && peers.length === 0 && <p>Nobody is present.</p>}
      <ul class="peers" aria-label="Peers">
        {peers.map((p) => (
          <li key={p.peerId} data-peer-id={p.peerId}>
            <code>{p.peerId}</code>
            <pre class="meta">{p.metadata ? JSON.stringify(p.metadata, null, 2) : "no peerMetadata"}</pre>
            <button
              type="button"
              class="danger"
              onClick={async () => {
                const done = await kick.run(`Could not kick ${p.peerId}`, () => api.kick(appId, p.peerId));
                if (done) {
                  setKicked(`Kicked ${done.peerId}: ${done.closed} connection(s) closed with 4020.`);
                  presence.refresh();
                }
              }}
            >
              Kick
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Nodes({ stats }: { stats: NodeStatsJson }) {
  if (!stats.cluster) return <p class="hint">Single node: {stats.connections} connections.</p>;
  return (
    <div class="table-wrap">
      <table aria-label="Cluster nodes">
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Connections</th>
            <th scope="col">Draining</th>
            <th scope="col">Version</th>
            <th scope="col">Age (ms)</th>
          </tr>
        </thead>
        <tbody>
          {stats.cluster.nodes.map((n) => (
            <tr key={n.nodeId}>
              <td>
                <code>{n.nodeId}</code> {n.self && <span class="badge">this node</span>}
              </td>
              <td>{n.connections}</td>
              <td>{n.draining ? "yes" : "no"}</td>
              <td>{n.version}</td>
              <td>{n.ageMs}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function LiveView({ api, appId }: { api: AdminApi; appId: string }) {
  const node = usePoll("Could not load the node stats", () => api.nodeStats(), SAMPLE_MS, [api]);
  const app = usePoll("Could not load the app's live stats", () => api.appStats(appId), SAMPLE_MS, [
    api,
    appId,
  ]);
  const [, redraw] = useState(0);
  const [channel, setChannel] = useState<string>();
  const [customChannel, setCustomChannel] = useState("");

  useEffect(() => {
    const s = app.data;
    if (!s || s.appId !== appId) return;
    const h = historyOf(appId);
    h.connections = [...h.connections, s.connections].slice(-WINDOW);
    h.rate = [...h.rate, s.messagesInPerSec].slice(-WINDOW);
    redraw((n) => n + 1);
  }, [app.data]);
  useEffect(() => setChannel(undefined), [appId]);
  const history = historyOf(appId);

  const cluster = node.data?.cluster;
  const stats = app.data;
  return (
    <>
      <Section title="Traffic">
        <ErrorBanner message={app.error ?? node.error} />
        <p class="figures">
          <span>
            Connections: <strong data-figure="connections">{stats?.connections ?? "…"}</strong>
          </span>
          <span>
            Peers: <strong>{stats?.peers ?? "…"}</strong>
          </span>
          <span>
            Messages in/s: <strong data-figure="messages-in">{stats?.messagesInPerSec ?? "…"}</strong>
          </span>
          <span>
            Deliveries/s: <strong>{stats?.messagesOutPerSec ?? "…"}</strong>
          </span>
          {cluster && (
            <span>
              Cluster connections: <strong>{cluster.connections}</strong> on {cluster.nodes.length} nodes
            </span>
          )}
        </p>
        <LineChart
          label="Connections and messages per second, last 5 minutes"
          slots={WINDOW}
          series={[
            { name: "connections", values: history.connections, className: "s1" },
            { name: "messages/s", values: history.rate, className: "s2" },
          ]}
        />
        <p class="hint">Messages per second are averaged by the server over the last 60 s.</p>
      </Section>
      <Section title="Nodes">{node.data && <Nodes stats={node.data} />}</Section>
      <Section title="Channels">
        {stats && stats.channels.length === 0 && <p>No channel has subscribers.</p>}
        <div class="table-wrap">
          <table aria-label="Channels">
            <thead>
              <tr>
                <th scope="col">Channel (select to see its presence)</th>
                <th scope="col">Subscribers</th>
                <th scope="col">Peers</th>
              </tr>
            </thead>
            <tbody>
              {stats?.channels.map((c) => (
                <tr key={c.channel}>
                  <td>
                    <button
                      type="button"
                      class="link"
                      aria-label={`Show presence of ${c.channel}`}
                      aria-pressed={channel === c.channel}
                      onClick={() => setChannel(c.channel)}
                    >
                      {c.channel}
                    </button>
                  </td>
                  <td>{c.subscribers}</td>
                  <td>{c.peers}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {stats && stats.channelCount > stats.channels.length && (
          <p class="hint">
            Showing the {stats.channels.length} busiest of {stats.channelCount} channels.
          </p>
        )}
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (customChannel.trim() !== "") setChannel(customChannel.trim());
          }}
        >
          <label for="presence-channel">Channel</label>
          <input
            id="presence-channel"
            value={customChannel}
            onInput={(e) => setCustomChannel(e.currentTarget.value)}
          />
          <button type="submit">Show presence</button>
        </form>
        {channel && <Presence api={api} appId={appId} channel={channel} />}
      </Section>
    </>
  );
}
