import type { AppRegistry } from "../apps.js";
import type { KeyDirectory } from "../auth/keys.js";
import type { ClusterNode } from "../cluster/cluster-node.js";
import type { ServerConfig } from "../config.js";
import type { Gateway } from "../gateway.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { Store } from "../store/types.js";
import type { ClientAddressOf } from "./client-address.js";

/** Whether the node takes new clients; `draining` once shutdown started. */
export interface Lifecycle {
  accepting: boolean;
  draining: boolean;
}

/**
 * What HTTP routes may use. Each route module takes this and reads only the parts it needs; it is
 * built once by `createServer`.
 */
export interface RouteContext {
  /** Cluster mode: this node's part in the cluster; undefined on a single node. */
  readonly cluster: ClusterNode | undefined;
  readonly config: ServerConfig;
  readonly store: Store;
  readonly apps: AppRegistry;
  readonly keys: KeyDirectory;
  readonly gateway: Gateway;
  readonly lifecycle: Lifecycle;
  readonly log: Logger;
  /** This node's Prometheus registry and hot-path counters. */
  readonly metrics: Metrics;
  /** The client address of a request (`config.trustProxy`); per-IP limits key on `limitKeyOf` of it. */
  readonly clientAddress: ClientAddressOf;
}
