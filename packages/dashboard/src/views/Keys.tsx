import { channelError, compilePattern } from "@switchboard/protocol";
import { useState } from "preact/hooks";
import type { AdminApi } from "../api.js";
import type { Action, CreatedKeyJson, KeyJson } from "../types.js";
import { CopyButton, ErrorBanner, linesOf, Section, useAction, usePoll } from "../ui.js";

export const ACTIONS: Action[] = ["subscribe", "publish", "presence", "send"];
const DEFAULT_ACTIONS: Record<"publishable" | "secret", Action[]> = {
  publishable: ["subscribe", "publish", "presence"],
  secret: [...ACTIONS],
};

/** Which of `patterns` match a concrete channel name, with the protocol package's matcher. */
function PatternTester({ patterns }: { patterns: string[] }) {
  const [channel, setChannel] = useState("");
  let verdict = "";
  if (channel !== "") {
    const problem = channelError(channel);
    const matching = patterns.filter((p) => compilePattern(p)(channel));
    verdict =
      problem === "invalid_channel"
        ? `“${channel}” is not a valid channel name.`
        : problem === "channel_reserved"
          ? `“${channel}” is reserved: no client can use it.`
          : matching.length > 0
            ? `Matches: ${matching.join(", ")}`
            : "No pattern matches this channel.";
  }
  return (
    <div class="tester">
      <label for="pattern-test">Does this channel match?</label>
      <input
        id="pattern-test"
        placeholder="e.g. room-42/chat"
        value={channel}
        onInput={(e) => setChannel(e.currentTarget.value)}
      />
      <output for="pattern-test" aria-live="polite" class={verdict.startsWith("Matches") ? "ok" : "hint"}>
        {verdict}
      </output>
    </div>
  );
}

function KeyForm({
  api,
  appId,
  onCreated,
}: {
  api: AdminApi;
  appId: string;
  onCreated: (k: CreatedKeyJson) => void;
}) {
  const [type, setType] = useState<"publishable" | "secret">("publishable");
  const [patterns, setPatterns] = useState("**");
  const [actions, setActions] = useState<Action[]>(DEFAULT_ACTIONS.publishable);
  const [origins, setOrigins] = useState("");
  const [turn, setTurn] = useState(false);
  const create = useAction();
  const patternList = linesOf(patterns);
  const toggle = (a: Action, on: boolean) =>
    setActions((cur) => ACTIONS.filter((x) => (x === a ? on : cur.includes(x))));
  return (
    <form
      class="stack"
      onSubmit={async (e) => {
        e.preventDefault();
        const originList = linesOf(origins);
        const key = await create.run("Could not create the key", () =>
          api.createKey(appId, {
            type,
            channelPatterns: patternList,
            actions,
            ...(type === "publishable" && originList.length > 0 && { allowedOrigins: originList }),
            autoInjectTurn: turn,
          }),
        );
        if (key) onCreated(key);
      }}
    >
      <label for="key-type">Key type</label>
      <select
        id="key-type"
        value={type}
        onChange={(e) => {
          const t = e.currentTarget.value as "publishable" | "secret";
          setType(t);
          setActions(DEFAULT_ACTIONS[t]);
          setTurn(t === "secret");
        }}
      >
        <option value="publishable">publishable (for browsers and apps)</option>
        <option value="secret">secret (for your backend: REST and token signing)</option>
      </select>

      <label for="key-patterns">Channel patterns</label>
      <textarea
        id="key-patterns"
        rows={3}
        aria-describedby="key-patterns-hint"
        value={patterns}
        onInput={(e) => setPatterns(e.currentTarget.value)}
      />
      <span id="key-patterns-hint" class="hint">
        One per line. <code>*</code> matches within a segment, <code>**</code> across <code>/</code>.
      </span>
      <PatternTester patterns={patternList} />

      <fieldset>
        <legend>Actions</legend>
        {ACTIONS.map((a) => (
          <label key={a} class="check">
            <input
              type="checkbox"
              checked={actions.includes(a)}
              onChange={(e) => toggle(a, e.currentTarget.checked)}
            />
            {a}
          </label>
        ))}
      </fieldset>
      {type === "publishable" && actions.includes("send") && (
        <p class="warning" role="alert">
          Warning: <code>send</code> on a publishable key lets anyone who has the key message any peer
          directly. Prefer tokens minted by your backend for direct messages.
        </p>
      )}

      <label for="key-origins">Allowed origins</label>
      <textarea
        id="key-origins"
        rows={2}
        aria-describedby="key-origins-hint"
        placeholder="https://app.example.com"
        value={origins}
        disabled={type === "secret"}
        onInput={(e) => setOrigins(e.currentTarget.value)}
      />
      <span id="key-origins-hint" class="hint">
        Publishable keys only; one exact origin per line; empty allows any origin.
      </span>

      <label class="check">
        <input type="checkbox" checked={turn} onChange={(e) => setTurn(e.currentTarget.checked)} />
        Inject TURN credentials into welcome
      </label>

      <div>
        <button type="submit" disabled={create.busy}>
          Create key
        </button>
      </div>
      <ErrorBanner message={create.error} />
    </form>
  );
}

function Created({ created }: { created: CreatedKeyJson }) {
  const credential = created.secret === undefined ? created.id : `${created.id}:${created.secret}`;
  return (
    <div class="created" role="status" aria-label="New key">
      <p>
        Created {created.type} key <code data-testid="created-key-id">{created.id}</code>.
      </p>
      {created.secret !== undefined ? (
        <>
          <p class="warning">This secret is shown once: copy it now. It is never shown again.</p>
          <label for="created-secret">Secret key credential</label>
          <input id="created-secret" readOnly value={credential} class="mono" />
          <CopyButton text={credential} label="Copy secret" />
        </>
      ) : (
        <CopyButton text={credential} label="Copy key" />
      )}
    </div>
  );
}

export function KeysView({ api, appId }: { api: AdminApi; appId: string }) {
  const keys = usePoll("Could not load the keys", () => api.listKeys(appId), 0, [api, appId]);
  const [created, setCreated] = useState<CreatedKeyJson>();
  const revoke = useAction();
  const list: KeyJson[] = keys.data ? [...keys.data].reverse() : [];
  return (
    <>
      <Section title="Create a key">
        <KeyForm
          key={appId}
          api={api}
          appId={appId}
          onCreated={(k) => {
            setCreated(k);
            keys.refresh();
          }}
        />
        {created && <Created created={created} />}
      </Section>
      <Section title="Keys">
        <ErrorBanner message={keys.error ?? revoke.error} />
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Type</th>
                <th scope="col">Patterns</th>
                <th scope="col">Actions</th>
                <th scope="col">Origins</th>
                <th scope="col">TURN</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {list.map((k) => (
                <tr key={k.id} data-key-id={k.id}>
                  <td>
                    <code>{k.id}</code>
                  </td>
                  <td>{k.type}</td>
                  <td>{k.channelPatterns.join(" ")}</td>
                  <td>{k.actions.join(", ")}</td>
                  <td>
                    {k.type === "secret" ? "—" : k.allowedOrigins.length ? k.allowedOrigins.join(" ") : "any"}
                  </td>
                  <td>{k.autoInjectTurn ? "on" : "off"}</td>
                  <td>
                    {k.revoked ? (
                      <span class="badge badge-bad">revoked</span>
                    ) : (
                      <button
                        type="button"
                        class="danger"
                        aria-describedby={`key-${k.id}`}
                        onClick={async () => {
                          const done = await revoke.run(`Could not revoke ${k.id}`, () =>
                            api.revokeKey(k.id),
                          );
                          if (done) keys.refresh();
                        }}
                      >
                        Revoke
                      </button>
                    )}
                    <span id={`key-${k.id}`} hidden>
                      {k.id}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    </>
  );
}
