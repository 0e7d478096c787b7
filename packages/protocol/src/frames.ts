/** Frames of protocol v1 (protocol.md §3–§4). Each frame is one JSON object with a string `type`. */

import type { ErrorCode } from "./codes.js";

/** Any JSON value (what `data` may carry). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A JSON object (metadata, peerMetadata). */
export type JsonObject = { [key: string]: Json };

// ---- client → server ----

export interface SubscribeFrame {
  type: "subscribe";
  channel: string;
  includeSenderMetadata?: boolean;
  requestId?: string;
}
export interface UnsubscribeFrame {
  type: "unsubscribe";
  channel: string;
  requestId?: string;
}
export interface PublishFrame {
  type: "publish";
  channel: string;
  data: Json;
  requestId?: string;
}
export interface SendFrame {
  type: "send";
  to: string;
  data: Json;
  requestId?: string;
}
export interface PingFrame {
  type: "ping";
  requestId?: string;
}
export type ClientFrame = SubscribeFrame | UnsubscribeFrame | PublishFrame | SendFrame | PingFrame;
export type ClientFrameType = ClientFrame["type"];

// ---- server → client ----

export interface PresenceMember {
  peerId: string;
  metadata?: JsonObject;
}
export interface WelcomeFrame {
  type: "welcome";
  peerId: string;
  expiresAt: number | null;
  serverTime: number;
  maxMessageSize: number;
  metadata: JsonObject;
}
export interface AckFrame {
  type: "ack";
  requestId: string;
}
export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  message: string;
  requestId?: string;
}
export interface MessageFrame {
  type: "message";
  channel: string;
  from: string;
  data: Json;
  fromMetadata?: JsonObject;
}
export interface DirectFrame {
  type: "direct";
  from: string;
  data: Json;
  fromMetadata?: JsonObject;
}
export interface PresenceFrame {
  type: "presence";
  channel: string;
  joined: PresenceMember[];
  left: { peerId: string }[];
}
export interface GoingAwayFrame {
  type: "going_away";
  retryAfterMs: number;
}
export interface PongFrame {
  type: "pong";
  requestId?: string;
}
export type ServerFrame =
  | WelcomeFrame
  | AckFrame
  | ErrorFrame
  | MessageFrame
  | DirectFrame
  | PresenceFrame
  | GoingAwayFrame
  | PongFrame;
export type ServerFrameType = ServerFrame["type"];
