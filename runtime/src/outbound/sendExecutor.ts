import type { ScheduledSend } from "./sendRecord";

/**
 * Runs one claimed send: re-reads consent, opt-out, cap and registration and asks the rules
 * (a verdict right before the text leaves, as the opt-out check always was), takes the number's
 * shared rate budget, calls the gateway under `markCallStarted`, and ends the lease with the
 * outcome. The worker calls it for queued sends; the agent API for a send that is due now, so a
 * send that can leave at once still answers `sent`.
 */
export interface SendExecutor {
  execute(
    send: ScheduledSend,
    leaseToken: string,
    options: {
      /**
       * false (the agent API): when the rate budget of this second is spent, the send goes back
       * to `queued` (the caller enqueues it) instead of waiting.
       */
      waitForRate: boolean;
    },
  ): Promise<ScheduledSend>;
}
