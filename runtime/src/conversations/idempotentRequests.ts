import { createHash, randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { AppError } from "../errors";
import type { ConversationStore } from "../store/conversationStore";
import type { PatientRefFn } from "./patientRef";
import { mayHaveBeenSent, sentNotRecorded } from "./sendFailures";
import type { ServiceClock } from "./serviceClock";

/** An answer as the idempotency record stores it; a retry with the same key replays `body`. */
export interface ApiResult {
  statusCode: number;
  body: Record<string, unknown>;
}

/** The agent requests that take an idempotency key, each its own key space. */
export type IdempotencyScope = "messages" | "conversations";

/**
 * The HTTP status stored with a completed answer: the one its route answers with. Replays use
 * the body only; the status stays in the record so records keep the shape they always had.
 */
const ANSWER_STATUS: Record<IdempotencyScope, number> = { messages: 202, conversations: 201 };

/** One run of an agent request: its claim token, and whether a text has left yet. */
export interface Attempt {
  token: string;
  sent: boolean;
  /** End User Messaging's id of the text that left, once it has. */
  messageId?: string;
}

const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Runs agent requests once per idempotency key. A retry with the same key and request gets the
 * first answer; one that comes while the first is running, or after it ended in an unknown
 * outcome, gets 409 rather than a second text to the patient. Only failures that certainly sent
 * nothing release the key; once a text may have left, the key is kept whatever fails after it.
 */
export class IdempotentRequests {
  constructor(
    private readonly deps: {
      store: ConversationStore;
      patientRef: PatientRefFn;
      log: Logger;
      clock: ServiceClock;
    },
  ) {}

  async run<T extends Record<string, unknown>>(
    key: string | undefined,
    scope: IdempotencyScope,
    request: object,
    operation: (attempt: Attempt) => Promise<T>,
  ): Promise<T> {
    if (key === undefined) return this.attempt(randomUUID(), operation);
    const scopedKey = `${scope}:${key}`;
    const fingerprint = this.fingerprint(scope, request);
    // Random per claim, so the claimer recognises its own write after a lost answer.
    const token = randomUUID();
    const clock = this.deps.clock;
    const claim = await this.deps.store.claimIdempotencyKey({
      key: scopedKey,
      token,
      fingerprint,
      state: "pending",
      createdAt: clock.timestamp(),
      expiresAt: clock.timestamp(IDEMPOTENCY_TTL_MS),
    });
    if (!claim.claimed) {
      const existing = claim.existing;
      if (existing.fingerprint !== fingerprint) {
        throw new AppError(
          "IDEMPOTENCY_KEY_REUSED",
          "this idempotencyKey was used for a different request",
        );
      }
      if (existing.state === "completed" && existing.response) {
        return (existing.response as ApiResult).body as T;
      }
      if (existing.state === "unknown") {
        throw new AppError(
          "SEND_OUTCOME_UNKNOWN",
          "the first request with this idempotencyKey ended with an unknown outcome; check delivery status before sending again with a new key",
          { repeat: true },
        );
      }
      throw new AppError(
        "IDEMPOTENCY_IN_PROGRESS",
        "a request with this idempotencyKey is in progress",
      );
    }
    // The same key and request make the same conversation token: a retry after a failure that
    // sent nothing recognises the conversation the first attempt created (its answer lost).
    const creationToken = createHash("sha256")
      .update(`${scopedKey}\n${fingerprint}`)
      .digest("base64url");
    let result: T;
    try {
      result = await this.attempt(creationToken, operation);
    } catch (err) {
      if (mayHaveBeenSent(err)) {
        await this.settleKey(scopedKey, token, "unknown", {
          statusCode: err.statusCode,
          body: { code: err.code, message: err.message },
        });
      } else {
        await this.releaseKey(scopedKey, token);
      }
      throw err;
    }
    // The text went out and was recorded: the agent gets its answer even if the key cannot be
    // completed (retries then get 409 IDEMPOTENCY_IN_PROGRESS until it expires, never a resend).
    await this.settleKey(scopedKey, token, "completed", {
      statusCode: ANSWER_STATUS[scope],
      body: result,
    });
    return result;
  }

  /** Runs one attempt; any failure after a text left becomes SENT_NOT_RECORDED. */
  private async attempt<T>(token: string, operation: (attempt: Attempt) => Promise<T>): Promise<T> {
    const attempt: Attempt = { token, sent: false };
    try {
      return await operation(attempt);
    } catch (err) {
      if (!attempt.sent || mayHaveBeenSent(err)) throw err;
      this.deps.log.error({ err }, "sms sent but a later step failed");
      throw sentNotRecorded();
    }
  }

  private async settleKey(
    key: string,
    token: string,
    state: "completed" | "unknown",
    response: ApiResult,
  ): Promise<void> {
    try {
      if (await this.deps.store.completeIdempotencyKey(key, token, state, response)) return;
      this.deps.log.error({ state }, "idempotency key no longer held by its claim");
    } catch (err) {
      // The key stays "pending": retries get 409 until it expires, never a second text.
      this.deps.log.error({ err, state }, "idempotency key could not be completed");
    }
  }

  private async releaseKey(key: string, token: string): Promise<void> {
    try {
      if (await this.deps.store.releaseIdempotencyKey(key, token)) return;
      this.deps.log.warn("idempotency key was not held by its claim at release");
    } catch (err) {
      // Not fatal (retries get 409 IDEMPOTENCY_IN_PROGRESS until expiry) but worth seeing.
      this.deps.log.error({ err }, "idempotency key could not be released");
    }
  }

  private fingerprint(scope: IdempotencyScope, request: object): string {
    const {
      to,
      idempotencyKey: _ignored,
      ...rest
    } = request as { to?: string; idempotencyKey?: string };
    const canonical = canonicalJson({
      scope,
      patient: to ? this.deps.patientRef(to) : null,
      rest,
    });
    return createHash("sha256").update(canonical).digest("base64url");
  }
}

/** JSON with object keys sorted at every depth: equal requests, equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
