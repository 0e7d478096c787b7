import { CloseCode, ERROR_CODES, ErrorCode as ProtocolErrorCode } from "@switchboard/protocol";
import { describe, expect, it } from "vitest";
import { ErrorCode, WsCloseCode } from "./codes.js";

// The SDK re-declares these so its .d.ts files stand alone; they must stay equal to the protocol's.
describe("re-declared protocol codes", () => {
  it("WsCloseCode equals the protocol CloseCode", () => {
    expect(WsCloseCode).toEqual(CloseCode);
    const typed: typeof CloseCode = WsCloseCode;
    expect(typed).toBe(WsCloseCode);
  });

  it("ErrorCode equals the protocol ErrorCode", () => {
    expect(ErrorCode).toEqual(ProtocolErrorCode);
    expect(Object.values(ErrorCode).sort()).toEqual([...ERROR_CODES].sort());
    const typed: typeof ProtocolErrorCode = ErrorCode;
    expect(typed).toBe(ErrorCode);
  });
});
