import { useState } from "preact/hooks";
import type { AdminApi } from "../api.js";
import type { Action, TokenRequestJson } from "../types.js";
import { CopyButton, ErrorBanner, linesOf, Section, useAction, usePoll } from "../ui.js";
import { ACTIONS } from "./Keys.js";

/** The header and claims of a compact JWT (not verified: the server signed it just now). */
export function decodeJwt(token: string): { header: unknown; claims: unknown } {
  const part = (s: string | undefined): unknown => {
    const b64 = (s ?? "").replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  };
  const [h, p] = token.split(".");
  return { header: part(h), claims: part(p) };
}

function jsonObject(field: string, text: string): Record<string, unknown> | undefined {
  if (text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${field} is not valid JSON (${e instanceof Error ? e.message : "parse error"})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`${field} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

export interface Minted {
  token: string;
  expiresAt: number;
  peerId: string;
}

export function TokensView({
  api,
  appId,
  onMinted,
}: {
  api: AdminApi;
  appId: string;
  onMinted: (m: Minted) => void;
}) {
  const keys = usePoll("Could not load the keys", () => api.listKeys(appId), 0, [api, appId]);
  const secretKeys = (keys.data ?? []).filter((k) => k.type === "secret" && !k.revoked);
  const [keyId, setKeyId] = useState("");
  const [peerId, setPeerId] = useState("");
  const [channels, setChannels] = useState("");
  const [permissions, setPermissions] = useState<Action[]>([]);
  const [metadata, setMetadata] = useState("");
  const [peerMetadata, setPeerMetadata] = useState("");
  const [ttl, setTtl] = useState("3600");
  const [minted, setMinted] = useState<Minted>();
  const mint = useAction();
  const signingKey = keyId || secretKeys[0]?.id || "";
  const decoded = minted ? decodeJwt(minted.token) : undefined;

  return (
    <>
      <Section title="Mint a token">
        <ErrorBanner message={keys.error} />
        {keys.data && secretKeys.length === 0 && (
          <p class="warning">This app has no live secret key: create one in Keys to sign tokens.</p>
        )}
        <form
          class="stack"
          onSubmit={async (e) => {
            e.preventDefault();
            const result = await mint.run("Could not mint the token", async () => {
              const md = jsonObject("Metadata", metadata);
              const pmd = jsonObject("Peer metadata", peerMetadata);
              const chans = linesOf(channels);
              const body: TokenRequestJson = {
                peerId,
                ...(chans.length > 0 && { channels: chans }),
                ...(permissions.length > 0 && { permissions }),
                ...(ttl.trim() !== "" && { expiresInSec: Number(ttl) }),
                ...(md && { metadata: md }),
                ...(pmd && { peerMetadata: pmd }),
              } as TokenRequestJson;
              if (!signingKey) throw new Error("choose a secret key to sign with");
              return api.mintToken(signingKey, body);
            });
            if (result) {
              const m = { ...result, peerId };
              setMinted(m);
              onMinted(m);
            }
          }}
        >
          <label for="token-key">Signing key</label>
          <select id="token-key" value={signingKey} onChange={(e) => setKeyId(e.currentTarget.value)}>
            {secretKeys.map((k) => (
              <option key={k.id} value={k.id}>
                {k.id} ({k.channelPatterns.join(" ")})
              </option>
            ))}
          </select>
          <label for="token-peer">Peer ID</label>
          <input id="token-peer" required value={peerId} onInput={(e) => setPeerId(e.currentTarget.value)} />
          <label for="token-channels">Channels</label>
          <textarea
            id="token-channels"
            rows={2}
            aria-describedby="token-channels-hint"
            value={channels}
            onInput={(e) => setChannels(e.currentTarget.value)}
          />
          <span id="token-channels-hint" class="hint">
            One name or pattern per line; empty grants the key's patterns.
          </span>
          <fieldset>
            <legend>Permissions</legend>
            {ACTIONS.map((a) => (
              <label key={a} class="check">
                <input
                  type="checkbox"
                  checked={permissions.includes(a)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setPermissions((cur) => ACTIONS.filter((x) => (x === a ? on : cur.includes(x))));
                  }}
                />
                {a}
              </label>
            ))}
            <span class="hint">None checked grants the key's actions.</span>
          </fieldset>
          <label for="token-metadata">Metadata (JSON)</label>
          <textarea
            id="token-metadata"
            rows={2}
            value={metadata}
            onInput={(e) => setMetadata(e.currentTarget.value)}
          />
          <label for="token-peer-metadata">Peer metadata (JSON)</label>
          <textarea
            id="token-peer-metadata"
            rows={2}
            value={peerMetadata}
            onInput={(e) => setPeerMetadata(e.currentTarget.value)}
          />
          <label for="token-ttl">TTL (seconds)</label>
          <input
            id="token-ttl"
            type="number"
            min={1}
            value={ttl}
            onInput={(e) => setTtl(e.currentTarget.value)}
          />
          <div>
            <button type="submit" disabled={mint.busy}>
              Mint token
            </button>
          </div>
          <ErrorBanner message={mint.error} />
        </form>
      </Section>
      {minted && (
        <Section title="Minted token">
          <div class="stack wide">
            <label for="minted-token">Token</label>
            <textarea id="minted-token" class="mono" readOnly rows={4} value={minted.token} />
            <CopyButton text={minted.token} label="Copy token" />
          </div>
          <p>Expires {new Date(minted.expiresAt * 1000).toLocaleString()}.</p>
          <h3 id="decoded-claims">Decoded claims</h3>
          <pre class="meta" data-testid="decoded-claims">
            {JSON.stringify(decoded?.claims, null, 2)}
          </pre>
          <p class="hint">Header: {JSON.stringify(decoded?.header)}</p>
        </Section>
      )}
    </>
  );
}
