import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * One operational line per request, written when the response has gone: method, route pattern,
 * status, duration and request id, plus what the handler says happened (`noteOutcome`), so a
 * webhook delivery costs this line and its audit event rather than three lines. Fastify's own
 * per-request lines stay off (`disableRequestLogging`): they log the raw URL.
 */
export interface RequestOutcome {
  /** The line's message, e.g. "inbound sms recorded"; "request completed" when none was noted. */
  msg: string;
  /** Opaque ids and codes only: they pass the logger's key guard, not an allow-list. */
  fields: Record<string, unknown>;
}

declare module "fastify" {
  interface FastifyRequest {
    outcome: RequestOutcome | null;
  }
}

/** What this request did, for its request line. A later note replaces an earlier one. */
export function noteOutcome(
  request: FastifyRequest,
  msg: string,
  fields: Record<string, unknown>,
): void {
  request.outcome = { msg, fields };
}

export function registerRequestLine(app: FastifyInstance): void {
  app.decorateRequest("outcome", null);
  app.addHook("onResponse", (request: FastifyRequest, reply: FastifyReply, done) => {
    const latencyMs = Math.round(reply.elapsedTime * 10) / 10;
    const outcome = request.outcome;
    if (outcome === null) {
      request.log.info({ req: request, res: reply, latencyMs }, "request completed");
    } else {
      request.log.info({ ...outcome.fields, req: request, res: reply, latencyMs }, outcome.msg);
    }
    done();
  });
}
