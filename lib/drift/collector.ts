/** The items and pending entries of one drift run, as the checks find them (detect.ts sorts and filters them). */
import type { Right } from "../provider/observed.js";
import type { DriftCode, DriftField, DriftItem, DriftSeverity, DriftValue, PendingItem } from "./types.js";

/** Collects items and pending entries for one run. */
export class Collector {
  readonly items: DriftItem[] = [];
  readonly pending: PendingItem[] = [];

  add(
    mailbox: string,
    code: DriftCode,
    severity: DriftSeverity,
    field: DriftField,
    expected: DriftValue,
    actual: DriftValue,
    message: string,
    grant?: { readonly trustee: string; readonly right: Right },
  ): void {
    this.items.push({ mailbox, code, severity, field, ...(grant ?? {}), expected, actual, message });
  }

  addPending(mailbox: string, reason: PendingItem["reason"], message: string): void {
    this.pending.push({ mailbox, reason, message });
  }
}
