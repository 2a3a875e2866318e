/** One thing `pulumi up` needs, as preflight found it. */
export interface Finding {
  check: string;
  /** ok: present; missing: `up` would fail or the stack would not work; note: worth knowing. */
  status: "ok" | "missing" | "note";
  detail: string;
  /** What to do about it (for missing and note). */
  fix?: string;
}

export const ok = (check: string, detail: string): Finding => ({ check, status: "ok", detail });
export const missing = (check: string, detail: string, fix: string): Finding => ({
  check,
  status: "missing",
  detail,
  fix,
});
export const note = (check: string, detail: string, fix: string): Finding => ({
  check,
  status: "note",
  detail,
  fix,
});

/**
 * A call that failed for a reason other than "not there" (no permission, throttled, no network):
 * the item could not be checked, which is reported as missing so preflight never passes blind.
 */
export function couldNotCheck(check: string, action: string, err: unknown): Finding {
  const name = err instanceof Error ? err.name : "Error";
  const message = (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ");
  const denied = /AccessDenied|Unauthorized|AuthFailure|Forbidden/i.test(name);
  return missing(
    check,
    `could not check: ${action} failed (${name}: ${message})`,
    denied
      ? `run preflight with credentials allowed ${action} in this account and region`
      : `make sure ${action} can be reached with these credentials in this region, then run preflight again`,
  );
}

export const errorName = (err: unknown): string =>
  err instanceof Error ? err.name : typeof err === "string" ? err : "";
