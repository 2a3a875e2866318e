import { lazyRouteValidators } from "../../runtime/src/routes/lazyRouteValidators";
import { agentHeaders, buildTestApp, type TestApp } from "../support/testApp";

/** What Fastify hands a validator compiler for one part of one route. */
const routePart = (schema: unknown) => ({
  schema: schema as object,
  method: "POST",
  url: "/v1/example",
  httpPart: "body",
});

describe("route validators compiled on first use", () => {
  it("does not compile a schema until its route validates a request", () => {
    const { compiler, compileAll } = lazyRouteValidators();
    // A schema Ajv refuses: Fastify's own compiler would have thrown here, at start.
    const validate = compiler(routePart({ type: "not-a-json-schema-type" }));
    expect(() => validate({})).toThrow(/type/);
    expect(() => compileAll()).toThrow(/type/);
  });

  it("answers as Ajv does, with the reason on the function's errors", () => {
    const { compiler } = lazyRouteValidators();
    const validate = compiler(
      routePart({
        type: "object",
        required: ["to"],
        additionalProperties: false,
        properties: { to: { type: "string" }, retries: { type: "integer", default: 0 } },
      }),
    ) as ((data: unknown) => boolean) & { errors?: { message?: string }[] | null };
    expect(validate({ to: 1 })).toBe(false);
    expect(validate.errors?.[0]?.message).toBe("must be string");
    // No coercion and nothing removed: the service's choices, not Fastify's defaults.
    expect(validate({ to: "x", extra: true })).toBe(false);
    const data: Record<string, unknown> = { to: "x" };
    expect(validate(data)).toBe(true);
    expect(validate.errors).toBeNull();
    expect(data).toEqual({ to: "x", retries: 0 });
  });

  describe("in the service", () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await buildTestApp();
    });
    afterEach(async () => {
      await t.app.close();
    });

    it("compiles every route's schema (as Fastify did at start)", () => {
      expect(() => t.validators.compileAll()).not.toThrow();
    });

    it("refuses a body its route's schema refuses, with the API's error", async () => {
      const res = await t.request({
        method: "POST",
        url: "/v1/messages",
        headers: agentHeaders,
        payload: { to: "+14255550182", body: "hi", extra: 1 },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: "INVALID_REQUEST" });
    });
  });
});
