/**
 * @switchboard/protocol: the Switchboard wire protocol v1 as pure, dependency-free code that runs
 * in Node and in browsers (no I/O, no Node APIs).
 */

export * from "./channel.js";
export * from "./codes.js";
export * from "./coverage.js";
export * from "./decode.js";
export * from "./encode.js";
export type * from "./frames.js";
export * from "./limits.js";
export * from "./pattern.js";
