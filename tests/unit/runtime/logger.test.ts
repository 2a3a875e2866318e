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
