import { describe, expect, it } from "vitest";
import { queryOf } from "./query.js";

const viaUrl = (target: string) => new URL(target, "http://localhost").searchParams;
const entries = (params: URLSearchParams) => [...params.entries()];

describe("queryOf", () => {
  it.each([
    "/v1",
    "/v1?",
    "/v1?token=a.b.c",
    "/v1?token=a&token=b",
    "/v1?key=pk_live_x&token=y",
    "/v1?token",
    "/v1?=x&&token=",
    "/v1?tok%65n=x",
    "/v1?token=a+b%20c%2Bd",
    "/v1?token=%zz%4",
    "/v1?token=a#frag&key=b",
    "/v1#x?token=a",
    "/v1?token=a?b=c",
    "/v1?token=\u00c3\u00a9", // UTF-8 bytes of é as Node's parser hands them over (latin1)
    "/v1?token=%C3%A9%FF",
    "/v1?token=\"<>'`{}|\\^",
    "/v1?token=a;key=b",
  ])("%s gives what the URL parser gives", (target) => {
    expect(entries(queryOf(target))).toEqual(entries(viaUrl(target)));
  });
});
