import type { FastifySchemaCompiler } from "fastify";
import type { TSchema } from "typebox";
import { Compile } from "typebox/compile";

/**
 * A Fastify validator compiler for the secret-key routes, built on TypeBox's own compiler: it
 * checks without changing anything. Fastify's default AJV setup coerces types (`"1"` passes as
 * `1`) and silently strips properties that `additionalProperties: false` forbids; the REST
 * contract wants both refused with 400 `invalid_request` (protocol.md §11). Set on the REST plugin
 * only, so other routes keep the default behaviour.
 *
 * A request without a body is validated as `{}`, so a body whose fields are all optional may be
 * left out entirely (e.g. `POST /v1/turn/credentials`).
 */
export const strictValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = Compile(schema);
  return (data: unknown) => {
    const value = httpPart === "body" && (data === null || data === undefined) ? {} : data;
    if (validator.Check(value)) return { value };
    const errors = validator.Errors(value);
    // A forbidden extra property is reported twice: as "schema is false" at the property and as
    // "must not have additional properties" at its object; the latter reads better.
    const first = errors.find((e) => e.keyword !== "boolean") ?? errors[0];
    const where = `${httpPart ?? "request"}${first?.instancePath ?? ""}`;
    return { error: new Error(`${where} ${first?.message ?? "is invalid"}`) };
  };
};
