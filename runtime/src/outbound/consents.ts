import type { Logger } from "pino";
import { auditFor, type Caller } from "../conversations/caller";
import type { PatientRefFn } from "../conversations/patientRef";
import { validateDestination } from "../conversations/agentRequests";
import { AppError } from "../errors";
import type { AuditLog } from "../logging/audit";
import type { OutboundStore } from "../store/outboundStore";
import type { ConsentRecord } from "./sendRecord";

export interface ConsentRequest {
  to: string;
  scope: string;
  source: string;
  capturedAt: string;
  evidenceRef?: string;
}

export interface ConsentAnswer extends Record<string, unknown> {
  scope: string;
  granted: boolean;
  /** False when a newer change of the same scope was already recorded (it stands). */
  applied: boolean;
  recordedAt: string;
}

const STOP_SOURCE = "keyword:STOP";
const START_SOURCE = "keyword:START";
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Consent by scope, with its provenance: given or revoked by the agent (`/v1/consents`), revoked
 * for every scope by STOP and restored by START for the scopes STOP revoked (not the ones the
 * agent revoked). Every change is an audit event naming the patient reference and the scope.
 */
export class Consents {
  constructor(
    private readonly deps: {
      store: Pick<OutboundStore, "putConsent" | "listConsents">;
      patientRef: PatientRefFn;
      audit: AuditLog;
      log: Logger;
      now: () => Date;
    },
  ) {}

  async record(request: ConsentRequest, granted: boolean, caller: Caller): Promise<ConsentAnswer> {
    validateDestination(request.to);
    if (
      !ISO_WITH_OFFSET.test(request.capturedAt) ||
      !Number.isFinite(Date.parse(request.capturedAt))
    ) {
      throw new AppError(
        "INVALID_REQUEST",
        "capturedAt must be an ISO 8601 time with an offset, e.g. 2026-11-20T14:05:00Z",
      );
    }
    const patientRef = this.deps.patientRef(request.to);
    const recordedAt = this.deps.now().toISOString();
    const consent: ConsentRecord = {
      patientRef,
      scope: request.scope,
      granted,
      source: request.source,
      capturedAt: new Date(request.capturedAt).toISOString(),
      ...(request.evidenceRef ? { evidenceRef: request.evidenceRef } : {}),
      at: recordedAt,
    };
    const applied = await this.deps.store.putConsent(consent);
    this.audit(caller, patientRef, consent, applied);
    return { scope: request.scope, granted, applied, recordedAt };
  }

  /** STOP: every granted scope is revoked, marked as STOP's so that START can restore it. */
  async revokeForStop(patientRef: string, capturedAt: string, caller: Caller): Promise<void> {
    const consents = await this.deps.store.listConsents(patientRef);
    for (const consent of consents.filter((c) => c.granted)) {
      await this.change(consent, false, STOP_SOURCE, capturedAt, caller);
    }
  }

  /** START: the scopes STOP revoked are granted again; an agent's own revocation stands. */
  async restoreForStart(patientRef: string, capturedAt: string, caller: Caller): Promise<void> {
    const consents = await this.deps.store.listConsents(patientRef);
    for (const consent of consents.filter((c) => !c.granted && c.source === STOP_SOURCE)) {
      await this.change(consent, true, START_SOURCE, capturedAt, caller);
    }
  }

  private async change(
    consent: ConsentRecord,
    granted: boolean,
    source: string,
    capturedAt: string,
    caller: Caller,
  ): Promise<void> {
    const { evidenceRef: _previousEvidence, ...rest } = consent;
    const next: ConsentRecord = {
      ...rest,
      granted,
      source,
      capturedAt,
      at: this.deps.now().toISOString(),
    };
    const applied = await this.deps.store.putConsent(next);
    this.audit(caller, consent.patientRef, next, applied);
  }

  private audit(
    caller: Caller,
    patientRef: string,
    consent: ConsentRecord,
    applied: boolean,
  ): void {
    auditFor(
      this.deps.audit,
      caller,
      consent.granted ? "patient.consent.granted" : "patient.consent.revoked",
      `patient:${patientRef}`,
      applied ? "success" : "duplicate",
      `scope:${consent.scope};source:${consent.source}`,
    );
  }
}
