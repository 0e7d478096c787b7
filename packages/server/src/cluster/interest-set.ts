/**
 * One node's interest, kept by each broker implementation: which concrete channels of which apps
 * it wants, and which apps it wants whole (any `{pattern}` or `{app: true}` key). Turns the hub's
 * idempotent `setInterest` calls into the backend subscriptions they change, and answers the
 * receive-side filter `wants` in one or two map lookups.
 */
import type { InterestKey } from "./types.js";

/** A backend subscription to add or remove: one concrete channel, or the whole app. */
export type InterestChange =
  | { readonly scope: "channel"; readonly appId: string; readonly channel: string; readonly on: boolean }
  | { readonly scope: "app"; readonly appId: string; readonly on: boolean };

/** See the module comment. */
export interface InterestSet {
  /** Records `key` on/off; returns the backend change, or undefined when nothing changes. */
  set(appId: string, key: InterestKey, on: boolean): InterestChange | undefined;
  /** True when a `message` / `presence` envelope for (`appId`, `channel`) is wanted. */
  wants(appId: string, channel: string): boolean;
  /** Every backend subscription currently wanted (to establish them all at once). */
  subscriptions(): InterestChange[];
}

interface AppInterest {
  readonly channels: Set<string>;
  /** Ids of the keys that want the whole app: `p:<pattern>` and `a`. */
  readonly wide: Set<string>;
}

/** An empty {@link InterestSet}. */
export function createInterestSet(): InterestSet {
  const apps = new Map<string, AppInterest>();

  const entry = (appId: string): AppInterest => {
    let app = apps.get(appId);
    if (app === undefined) {
      app = { channels: new Set(), wide: new Set() };
      apps.set(appId, app);
    }
    return app;
  };
  const prune = (appId: string, app: AppInterest): void => {
    if (app.channels.size === 0 && app.wide.size === 0) apps.delete(appId);
  };

  return {
    set(appId, key, on) {
      const app = entry(appId);
      let change: InterestChange | undefined;
      if ("channel" in key) {
        if (app.channels.has(key.channel) !== on) {
          if (on) app.channels.add(key.channel);
          else app.channels.delete(key.channel);
          change = { scope: "channel", appId, channel: key.channel, on };
        }
      } else {
        const id = "pattern" in key ? `p:${key.pattern}` : "a";
        const before = app.wide.size;
        if (on) app.wide.add(id);
        else app.wide.delete(id);
        // Several wide keys share one backend subscription: only the first and the last count.
        if ((before === 0) !== (app.wide.size === 0)) change = { scope: "app", appId, on };
      }
      prune(appId, app);
      return change;
    },
    wants(appId, channel) {
      const app = apps.get(appId);
      return app !== undefined && (app.wide.size > 0 || app.channels.has(channel));
    },
    subscriptions() {
      const all: InterestChange[] = [];
      for (const [appId, app] of apps) {
        if (app.wide.size > 0) all.push({ scope: "app", appId, on: true });
        for (const channel of app.channels) all.push({ scope: "channel", appId, channel, on: true });
      }
      return all;
    },
  };
}
