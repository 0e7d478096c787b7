import { useEffect, useRef, useState } from "preact/hooks";
import type { SignallingClient } from "switchboard-sdk";
import type { AdminApi } from "../api.js";
import { errorText } from "../api.js";
import { ErrorBanner, Section, usePoll } from "../ui.js";

interface LogLine {
  n: number;
  text: string;
}

/** The WebSocket URL of the server that served this page. */
const serverUrl = (): string => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`;

export function TryView({ api, appId, lastToken }: { api: AdminApi; appId: string; lastToken: string }) {
  const keys = usePoll("Could not load the keys", () => api.listKeys(appId), 0, [api, appId]);
  const publishable = (keys.data ?? []).filter((k) => k.type === "publishable" && !k.revoked);
  const [mode, setMode] = useState<"key" | "token">("key");
  const [keyId, setKeyId] = useState("");
  const [token, setToken] = useState(lastToken);
  const [channel, setChannel] = useState("lobby");
  const [text, setText] = useState("hello");
  const [state, setState] = useState("idle");
  const [me, setMe] = useState<string>();
  const [members, setMembers] = useState<Map<string, unknown>>(new Map());
  const [log, setLog] = useState<LogLine[]>([]);
  const [error, setError] = useState<string>();
  const client = useRef<SignallingClient>();
  const joined = useRef("");
  const counter = useRef(0);
  const apiKey = keyId || publishable[0]?.id || "";

  const add = (line: string) => setLog((l) => [{ n: ++counter.current, text: line }, ...l].slice(0, 100));

  const leave = async () => {
    const c = client.current;
    client.current = undefined;
    setMembers(new Map());
    if (c) await c.close().catch(() => {});
  };
  useEffect(() => () => void leave(), []);

  const join = async () => {
    setError(undefined);
    await leave();
    try {
      const { SignallingClient } = await import("switchboard-sdk");
      const c = new SignallingClient({
        url: serverUrl(),
        ...(mode === "key" ? { apiKey } : { tokenProvider: async () => token.trim() }),
        reconnect: false,
      });
      client.current = c;
      joined.current = channel;
      c.on("state-change", (s) => setState(s.to));
      c.on("connected", (w) => {
        setMe(w.peerId);
        add(`connected as ${w.peerId}`);
      });
      c.on("disconnected", (d) => {
        add(`disconnected: ${d.code} ${d.reason}`);
        setMembers(new Map());
      });
      c.on("presence", (p) => {
        setMembers((cur) => {
          const next = new Map(cur);
          for (const l of p.left) next.delete(l.peerId);
          for (const j of p.joined) next.set(j.peerId, j.metadata);
          return next;
        });
        for (const j of p.joined) add(`joined: ${j.peerId}`);
        for (const l of p.left) add(`left: ${l.peerId}`);
      });
      c.on("message", (m) => add(`message on ${m.channel} from ${m.from}: ${JSON.stringify(m.data)}`));
      c.on("direct", (m) => add(`direct from ${m.from}: ${JSON.stringify(m.data)}`));
      c.on("server-error", (e) => add(`server error: ${JSON.stringify(e)}`));
      await c.connect();
      await c.subscribe(channel);
      add(`subscribed to ${channel}`);
    } catch (e) {
      setError(errorText("Could not join", e));
    }
  };

  const publish = async () => {
    setError(undefined);
    try {
      let data: unknown = text;
      try {
        data = JSON.parse(text);
      } catch {
        // Plain text is sent as a string.
      }
      await client.current?.publish(joined.current, data);
    } catch (e) {
      setError(errorText("Could not publish", e));
    }
  };

  return (
    <>
      <Section title="Join a channel">
        <ErrorBanner message={keys.error} />
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void join();
          }}
        >
          <fieldset>
            <legend>Connect with</legend>
            <label class="check">
              <input type="radio" name="try-mode" checked={mode === "key"} onChange={() => setMode("key")} />
              API key
            </label>
            <label class="check">
              <input
                type="radio"
                name="try-mode"
                checked={mode === "token"}
                onChange={() => setMode("token")}
              />
              JWT
            </label>
          </fieldset>
          {mode === "key" ? (
            <>
              <label for="try-key">Publishable key</label>
              <select id="try-key" value={apiKey} onChange={(e) => setKeyId(e.currentTarget.value)}>
                {publishable.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.id} ({k.channelPatterns.join(" ")})
                  </option>
                ))}
              </select>
            </>
          ) : (
            <>
              <label for="try-token">Token</label>
              <textarea
                id="try-token"
                rows={3}
                class="mono"
                value={token}
                onInput={(e) => setToken(e.currentTarget.value)}
              />
            </>
          )}
          <label for="try-channel">Channel to join</label>
          <input
            id="try-channel"
            required
            value={channel}
            onInput={(e) => setChannel(e.currentTarget.value)}
          />
          <div class="row">
            <button type="submit">Join</button>
            <button type="button" onClick={() => void leave()}>
              Leave
            </button>
          </div>
        </form>
        <p role="status">
          State: <strong data-testid="try-state">{state}</strong>
          {me && (
            <>
              {" "}
              as <code>{me}</code>
            </>
          )}
        </p>
        <ErrorBanner message={error} />
      </Section>
      <Section title="Presence and messages">
        <ul class="peers" aria-label="Present peers">
          {[...members].map(([peerId, metadata]) => (
            <li key={peerId}>
              <code>{peerId}</code>
              {peerId === me && " (you)"}
              {metadata !== undefined && <pre class="meta">{JSON.stringify(metadata)}</pre>}
            </li>
          ))}
        </ul>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void publish();
          }}
        >
          <label for="try-message">Message</label>
          <input id="try-message" value={text} onInput={(e) => setText(e.currentTarget.value)} />
          <button type="submit" disabled={state !== "connected"}>
            Publish
          </button>
        </form>
        <ol class="log" aria-label="Event log">
          {log.map((l) => (
            <li key={l.n}>{l.text}</li>
          ))}
        </ol>
      </Section>
    </>
  );
}
