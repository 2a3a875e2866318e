import type { FastifyInstance } from "fastify";
import type { Lifecycle } from "../lifecycle";
import type { NumberReadiness } from "../sms/numberReadiness";
import type { ConversationStore } from "../store/conversationStore";

const READY_TIMEOUT_MS = 2000;

/** `/healthz`: the process answers. `/readyz`: it can do its job (store reachable, not draining). */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: {
    store: ConversationStore;
    lifecycle: Lifecycle;
    /** The origination number's state, reported but never failing readiness. */
    numberReadiness?: { current(): NumberReadiness };
    /** Why sends are held (queued, not failed) now, or undefined when they are not. */
    sendsHeld?: () => string | undefined;
  },
): void {
  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (_request, reply) => {
    if (deps.lifecycle.shuttingDown) {
      return reply.code(503).send({ status: "draining" });
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        deps.store.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("store ping timed out")), READY_TIMEOUT_MS);
        }),
      ]);
      const number = deps.numberReadiness?.current();
      // Held sends never fail readiness: they wait in the queue, and the service still answers.
      // `sendsHeld` is shown where a number is checked, or whenever sends are held.
      const held = deps.sendsHeld?.();
      const showHeld = deps.sendsHeld !== undefined && (held !== undefined || number !== undefined);
      return {
        status: "ready",
        ...(number ? { number } : {}),
        ...(showHeld ? { sendsHeld: held !== undefined } : {}),
        ...(held ? { sendsHeldReason: held } : {}),
      };
    } catch (err) {
      reply.log.warn({ err }, "readiness check failed");
      return reply.code(503).send({ status: "store_unavailable" });
    } finally {
      clearTimeout(timer);
    }
  });
}
