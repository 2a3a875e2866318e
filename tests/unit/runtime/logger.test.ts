import { Writable } from "node:stream";
import { AppError } from "../../../runtime/src/errors";
import { createLogger, serializeError } from "../../../runtime/src/logging/logger";

const PHONE = "+14255550182";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "debug", destination }) };
}

describe("PHI-safe logging", () => {
  it("keeps only the type, code and stack frames of a foreign error", () => {
    let err: unknown;
    try {
      JSON.parse(`{"originationNumber":"${PHONE}", oops}`);
    } catch (e) {
      err = e;
    }
    const out = JSON.stringify(serializeError(err));
    expect(out).toContain("SyntaxError");
    expect(out).not.toContain("4255550182");
    expect(out).not.toContain("oops");
  });

  it("keeps our own AppError messages, which hold no PHI by construction", () => {
    expect(
      serializeError(new AppError("PATIENT_OPTED_OUT", "the patient opted out")),
    ).toMatchObject({
      type: "AppError",
      message: "the patient opted out",
    });
  });

  it("drops the AWS error message and keeps its metadata", () => {
    const awsError = Object.assign(new Error(`Invalid destination ${PHONE}`), {
      name: "ValidationException",
      $metadata: { httpStatusCode: 400, requestId: "req-1" },
    });
    const out = serializeError(awsError);
    expect(out).toMatchObject({
      type: "ValidationException",
      aws: { httpStatusCode: 400, requestId: "req-1" },
    });
    expect(JSON.stringify(out)).not.toContain("4255550182");
  });

  it("redacts PHI-named fields if one is ever logged by mistake", () => {
    const { lines, logger } = capture();
    logger.info(
      { to: PHONE, body: "see you Tuesday", sns: { Message: `{"originationNumber":"${PHONE}"}` } },
      "oops",
    );
    expect(lines.join("")).not.toContain("4255550182");
    expect(lines.join("")).not.toContain("Tuesday");
  });

  it("logs requests by route pattern, not by URL", () => {
    const { lines, logger } = capture();
    logger.info({
      req: {
        id: "r1",
        method: "GET",
        url: "/v1/conversations/abc?phone=1",
        routeOptions: { url: "/v1/conversations/:id" },
      },
    });
    expect(JSON.parse(lines[0]!).req).toEqual({
      id: "r1",
      method: "GET",
      route: "/v1/conversations/:id",
    });
  });
});

describe("the key guard under the serializers", () => {
  it("censors PHI-named fields at any depth and in the AWS SDK's casing", () => {
    const { lines, logger } = capture();
    logger.info(
      {
        send: { input: { DestinationPhoneNumber: PHONE, MessageBody: "see you Tuesday" } },
        batch: [{ to: PHONE }, { nested: { body: "see you Tuesday" } }],
        conversationId: "c-1",
      },
      "oops",
    );
    const out = lines.join("");
    expect(out).not.toContain("4255550182");
    expect(out).not.toContain("Tuesday");
    const line = JSON.parse(lines[0]!);
    expect(line.send.input.DestinationPhoneNumber).toBe("[redacted]");
    expect(line.batch[0].to).toBe("[redacted]");
    expect(line.batch[1].nested.body).toBe("[redacted]");
    expect(line.conversationId).toBe("c-1"); // the rest is kept
  });

  it("censors whole what nests deeper than it looks, and bytes and self-printing objects", () => {
    const { lines, logger } = capture();
    logger.info({
      a: { b: { c: { d: { to: PHONE } } } },
      raw: Buffer.from(PHONE),
      link: new URL(`https://example.com/?to=${encodeURIComponent(PHONE)}`),
      at: new Date(0),
    });
    expect(lines.join("")).not.toContain("4255550182");
    const line = JSON.parse(lines[0]!);
    expect(line.a.b.c.d).toBe("[redacted: nested too deep]");
    expect(line.raw).toBe("[redacted]");
    expect(line.link).toBe("[redacted]");
    expect(line.at).toBe("1970-01-01T00:00:00.000Z");
  });

  it("reduces an Error outside `err` to what the error serializer keeps", () => {
    const { lines, logger } = capture();
    logger.warn({ failure: { cause: new Error(`Invalid destination ${PHONE}`) } }, "failed");
    expect(lines.join("")).not.toContain("4255550182");
    expect(JSON.parse(lines[0]!).failure.cause.type).toBe("Error");
  });

  it("checks a child logger's bindings, and its children's", () => {
    const { lines, logger } = capture();
    logger.child({ requestId: "r1", to: PHONE }).child({ body: "see you Tuesday" }).info("hi");
    const out = lines.join("");
    expect(out).not.toContain("4255550182");
    expect(out).not.toContain("Tuesday");
    expect(JSON.parse(lines[0]!).requestId).toBe("r1");
  });

  it("does not touch the caller's object", () => {
    const { logger } = capture();
    const fields = { nested: { to: PHONE } };
    logger.info(fields);
    expect(fields.nested.to).toBe(PHONE);
  });
});
