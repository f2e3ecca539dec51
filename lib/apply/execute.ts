/**
 * One plan action = one provider write, and a way to tell from the tenant
 * whether the action's effect is already there (isDone). isDone serves three
 * callers: the pre-check right before a write (skip what is already done), the
 * settling of a write that may have half-run before a crash, and the
 * verification after apply (against one bulk read, see EffectReader).
 *
 * Writes are not idempotent (lib/provider/provider.ts): adding a grant that
 * exists is a conflict, removing an absent one is notFound. So nothing here
 * writes blindly twice; the engine reads first.
 */
import type { PlanAction } from "../plan/types.js";
import { indexObserved } from "../compare/observed-index.js";
import { ProviderError } from "../provider/errors.js";
import type { ITenantProvider, UpdateMailboxInput } from "../provider/provider.js";
import { mailboxSettings, type ObservedGrant, type ObservedMailbox, type ObservedState, type ObservedUser, type Right } from "../provider/observed.js";

/** What isDone needs to read: point reads on a live tenant, or lookups in one observation. */
export interface EffectReader {
  mailbox(address: string): Promise<ObservedMailbox | null>;
  /** The live user with this UPN, or null. */
  user(userPrincipalName: string): Promise<ObservedUser | null>;
  /** The direct grant of `right` to `trustee` on the mailbox, or null. */
  grant(address: string, right: Right, trustee: string): Promise<ObservedGrant | null>;
  now(): Promise<Date>;
}

export function pointReader(provider: ITenantProvider): EffectReader {
  return {
    mailbox: (a) => provider.getMailbox(a),
    user: (u) => provider.getUser(u),
    grant: async (a, right, trustee) => (await provider.getGrants(a)).find((g) => g.right === right && g.trustee === trustee) ?? null,
    now: () => provider.clock.now(),
  };
}

/**
 * An EffectReader over one bulk observation: verification without a read per
 * action, and apply's opening read. Over the observation's index, so a
 * mailbox's grants are found by search (and made into objects only for the
 * mailboxes asked about, when they were read a mailbox at a time).
 */
export function snapshotReader(observed: ObservedState): EffectReader {
  const ix = indexObserved(observed);
  const now = new Date(observed.observedAt);
  return {
    // a live mailbox wins over a soft-deleted one at the same address, as Get-Mailbox does
    mailbox: async (a) => ix.mailboxes.get(a) ?? ix.deletedMailboxes.get(a)?.at(-1) ?? null,
    user: async (u) => ix.users.get(u) ?? null,
    grant: async (a, right, trustee) => ix.heldAt(a).list.find((g) => g.right === right && g.trustee === trustee) ?? null,
    now: async () => now,
  };
}

/** An action whose params lack what its type needs: a bad plan document, never retried. */
export class ActionParamError extends Error {
  constructor(action: PlanAction, what: string) {
    super(`action ${action.id}: ${what}`);
    this.name = "ActionParamError";
  }
}

function need<T>(action: PlanAction, value: T | undefined, name: string): T {
  if (value === undefined) throw new ActionParamError(action, `params.${name} is missing`);
  return value;
}

/** The on/off Set-Mailbox fields a mailbox.update may change. */
const FLAGS = new Set(["litigationHold", "archive", "hiddenFromAddressLists", "messageCopyForSentAs", "messageCopyForSendOnBehalf"]);

const isAddressList = (v: unknown): v is readonly string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/**
 * The Set-Mailbox fields of a mailbox.update, from params.changes[*].to;
 * emailAddresses as the difference of its from and to ({add, remove}), never
 * the full list, which would drop proxy addresses exoform does not manage
 * (decision 0010).
 */
export function updateInput(action: PlanAction): UpdateMailboxInput {
  const changes = need(action, action.params.changes, "changes");
  const input: Record<string, unknown> = {};
  for (const [field, change] of Object.entries(changes)) {
    const { from, to } = change;
    if (field === "emailAddresses" && isAddressList(from) && isAddressList(to)) {
      input[field] = { add: to.filter((a) => !from.includes(a)), remove: from.filter((a) => !to.includes(a)) };
      continue;
    }
    const ok =
      ((field === "displayName" || field === "alias") && typeof to === "string") ||
      (FLAGS.has(field) && typeof to === "boolean") ||
      (field === "managementTag" && (typeof to === "string" || to === null));
    if (!ok) throw new ActionParamError(action, `params.changes.${field} is not a field exoform can set (to ${JSON.stringify(to)})`);
    input[field] = to;
  }
  return input as UpdateMailboxInput;
}

/** Whether `m` shows every field of the update (absent settings read as the service's defaults). */
function showsUpdate(m: ObservedMailbox, input: UpdateMailboxInput): boolean {
  const current = { ...m, ...mailboxSettings(m) } as unknown as Record<string, unknown>;
  return Object.entries(input).every(([field, value]) => {
    if (field !== "emailAddresses") return current[field] === value;
    const held = new Set(current[field] as readonly string[]);
    const { add, remove } = value as NonNullable<UpdateMailboxInput["emailAddresses"]>;
    return add.every((a) => held.has(a)) && !remove.some((a) => held.has(a));
  });
}

/** Whether the action's grant is on the mailbox (for a grant: with the planned autoMapping). */
async function hasGrant(reader: EffectReader, action: PlanAction, matchAutoMapping: boolean): Promise<boolean> {
  const right = need(action, action.params.right, "right");
  const g = await reader.grant(action.target, right, need(action, action.params.trustee, "trustee"));
  if (g === null) return false;
  // an autoMapping change is a revoke then a grant (R3.5): the grant is done only with the planned value;
  // where the provider cannot read autoMapping back (Microsoft), the grant's presence is all there is to go by
  return !matchAutoMapping || right !== "FullAccess" || action.params.autoMapping === undefined || g.autoMapping === undefined || g.autoMapping === action.params.autoMapping;
}

/** Whether the mailbox accepts grants and conversions (readyAt passed). */
export function isReady(mailbox: ObservedMailbox | null, now: Date): boolean {
  return mailbox !== null && mailbox.deletedAt === null && (mailbox.readyAt === null || Date.parse(mailbox.readyAt) <= now.getTime());
}

/**
 * Whether the tenant already shows the action's effect. null when the effect
 * cannot be read (user.resetPassword: a password is never readable), so the
 * caller must rely on its journal.
 */
export async function isDone(reader: EffectReader, action: PlanAction): Promise<boolean | null> {
  const t = action.target;
  switch (action.type) {
    case "user.restore": {
      const user = await reader.user(t);
      return user !== null && (action.params.userId === undefined || user.id === action.params.userId);
    }
    case "user.assignLicense": {
      const licenses = (await reader.user(t))?.licenses ?? [];
      return licenses.includes(need(action, action.params.sku, "sku")) && !(action.params.replaces ?? []).some((s) => licenses.includes(s));
    }
    case "user.removeLicense": {
      const user = await reader.user(t);
      return user !== null && !user.licenses.includes(need(action, action.params.sku, "sku"));
    }
    case "user.resetPassword":
      return null;
    case "user.blockSignIn":
      return (await reader.user(t))?.accountEnabled === false;
    case "user.allowSignIn":
      return (await reader.user(t))?.accountEnabled === true;
    case "user.rename":
      return (await reader.user(t)) !== null;
    case "mailbox.rename": {
      const m = await reader.mailbox(t);
      return m !== null && m.deletedAt === null;
    }
    case "user.revokeSessions": {
      // done once the tenant shows sessions valid only from the plan's observation on (a revocation is never undone);
      // no time read (a provider that does not report it, or never revoked): unknown, so the journal decides, and a
      // revocation run twice ends the same sessions
      const user = await reader.user(t);
      if (user === null) return false;
      if (user.sessionsRevokedAt == null) return null;
      return Date.parse(user.sessionsRevokedAt) >= Date.parse(need(action, action.params.revokedAfter, "revokedAfter"));
    }
    case "mailbox.create": {
      const m = await reader.mailbox(t);
      return m !== null && m.deletedAt === null;
    }
    case "mailbox.convert": {
      const m = await reader.mailbox(t);
      const to = need(action, action.params.to, "to");
      return m !== null && m.deletedAt === null && m.type === (to === "shared" ? "shared" : "user");
    }
    case "mailbox.update": {
      const m = await reader.mailbox(t);
      if (m === null || m.deletedAt !== null) return false;
      return showsUpdate(m, updateInput(action));
    }
    case "mailbox.wait":
      return isReady(await reader.mailbox(t), await reader.now());
    case "mailbox.delete": {
      const m = await reader.mailbox(t);
      return m === null || m.deletedAt !== null;
    }
    case "permission.grant":
      return hasGrant(reader, action, true);
    case "permission.revoke":
      return !(await hasGrant(reader, action, false));
  }
}

/**
 * What the attempts of one action have done so far, kept by the engine across
 * retries, so that a retry repeats no write it need not: user.assignLicense
 * may first set the account's usage location, a second write of its own.
 */
export interface AttemptState {
  /** The usage location is known to be set (read, or written by an earlier attempt): not read or written again. */
  usageLocationSet?: boolean;
  /** An earlier attempt's setUsageLocation failed transiently: it may have run. */
  usageLocationUnknown?: boolean;
  /** Reads the usage location after such an unknown outcome (the engine re-reads a lagging tenant). Default: one getUser. */
  readonly settleUsageLocation?: (userPrincipalName: string) => Promise<string | null>;
}

/**
 * The service whose write budget the action's write draws on: Graph for the
 * user actions (assignLicense, PATCH /users, restore), the Exchange admin API
 * for mailboxes and their permissions. Apply paces each on its own (pacer.ts).
 */
export function serviceOf(action: PlanAction): "graph" | "exchange" {
  return action.type.startsWith("user.") ? "graph" : "exchange";
}

/** Perform the action's one write. mailbox.wait is not a write: the engine polls it (see engine.ts). */
export async function execute(provider: ITenantProvider, action: PlanAction, state: AttemptState = {}): Promise<void> {
  const t = action.target;
  const p = action.params;
  switch (action.type) {
    case "user.restore":
      await provider.restoreUser(need(action, p.userId, "userId"));
      return;
    case "user.assignLicense":
      // licensing needs a usage location (R7.1)
      if (p.usageLocation !== undefined && state.usageLocationSet !== true) await ensureUsageLocation(provider, t, p.usageLocation, state);
      await provider.assignLicense(t, { add: [need(action, p.sku, "sku")], remove: p.replaces ?? [] });
      return;
    case "user.removeLicense":
      await provider.assignLicense(t, { add: [], remove: [need(action, p.sku, "sku")] });
      return;
    case "user.resetPassword":
      await provider.resetPassword(t);
      return;
    case "user.blockSignIn":
      await provider.setAccountEnabled(t, false);
      return;
    case "user.allowSignIn":
      await provider.setAccountEnabled(t, true);
      return;
    case "user.revokeSessions":
      await provider.revokeSignInSessions(need(action, p.userId, "userId"));
      return;
    case "user.rename":
      await provider.setUserPrincipalName(need(action, p.from, "from"), t);
      return;
    case "mailbox.rename":
      await provider.setPrimaryAddress(need(action, p.from, "from"), t);
      return;
    case "mailbox.create":
      await provider.createSharedMailbox({
        address: t,
        displayName: need(action, p.displayName, "displayName"),
        ...(p.alias !== undefined ? { alias: p.alias } : {}),
      });
      return;
    case "mailbox.convert":
      await provider.setMailboxType(t, need(action, p.to, "to"));
      return;
    case "mailbox.update":
      await provider.updateMailbox(t, updateInput(action));
      return;
    case "mailbox.wait":
      throw new ActionParamError(action, "mailbox.wait is polled, not executed");
    case "mailbox.delete":
      await provider.removeMailbox(t);
      return;
    case "permission.grant":
    case "permission.revoke":
      await writeGrant(provider, action, action.type === "permission.grant");
      return;
  }
}

/** Set the account's usage location unless it has one; an earlier attempt's write of unknown outcome is settled by reading first. */
async function ensureUsageLocation(provider: ITenantProvider, upn: string, usageLocation: string, state: AttemptState): Promise<void> {
  const current =
    state.usageLocationUnknown === true && state.settleUsageLocation !== undefined
      ? await state.settleUsageLocation(upn)
      : ((await provider.getUser(upn))?.usageLocation ?? null);
  if (current !== null) {
    state.usageLocationSet = true;
    return;
  }
  try {
    await provider.setUsageLocation(upn, usageLocation);
  } catch (e) {
    if (ProviderError.is(e) && e.kind === "transient") state.usageLocationUnknown = true;
    throw e;
  }
  state.usageLocationSet = true;
}

async function writeGrant(provider: ITenantProvider, action: PlanAction, add: boolean): Promise<void> {
  const t = action.target;
  const trustee = need(action, action.params.trustee, "trustee");
  switch (need(action, action.params.right, "right")) {
    case "FullAccess":
      if (add) await provider.addMailboxPermission(t, trustee, { autoMapping: action.params.autoMapping ?? true });
      else await provider.removeMailboxPermission(t, trustee);
      return;
    case "SendAs":
      if (add) await provider.addRecipientPermission(t, trustee);
      else await provider.removeRecipientPermission(t, trustee);
      return;
    case "SendOnBehalf":
      await provider.setSendOnBehalf(t, add ? { add: [trustee], remove: [] } : { add: [], remove: [trustee] });
      return;
  }
}

/**
 * The state an action leaves behind, as a key: of several actions with the
 * same key in one plan, only the last one's effect must hold afterwards (a
 * temporary license is assigned, then removed). null: nothing to verify.
 */
export function effectKey(action: PlanAction): string | null {
  const t = action.target;
  const p = action.params;
  switch (action.type) {
    case "user.restore":
    case "mailbox.create":
    case "mailbox.delete":
      return `exists:${t}`;
    case "user.assignLicense":
    case "user.removeLicense":
      return `license:${t}:${p.sku ?? ""}`;
    case "user.blockSignIn":
    case "user.allowSignIn":
      return `signIn:${t}`;
    case "mailbox.convert":
      return `type:${t}`;
    case "mailbox.update":
      return `update:${t}:${Object.keys(p.changes ?? {}).sort().join(",")}`;
    case "permission.grant":
    case "permission.revoke":
      return `grant:${t}:${p.right ?? ""}:${p.trustee ?? ""}`;
    case "user.revokeSessions":
      return `sessions:${t}`;
    case "user.rename":
    case "mailbox.rename":
      return `${action.type}:${t}`;
    case "user.resetPassword":
    case "mailbox.wait":
      return null;
  }
}

/** A short human label: "permission.grant support@contoso.com FullAccess ben.ortiz@contoso.com". */
export function actionLabel(action: PlanAction): string {
  const p = action.params;
  const detail: string[] = [];
  if (p.right !== undefined) detail.push(p.right);
  if (p.trustee !== undefined) detail.push(p.trustee);
  if (p.sku !== undefined) detail.push(p.sku);
  if (p.to !== undefined) detail.push(`to ${p.to}`);
  if (p.changes !== undefined) detail.push(Object.keys(p.changes).sort().join(","));
  if (action.type === "mailbox.wait") detail.push(`${p.for ?? "ready"}${p.minutes !== undefined ? ` ~${p.minutes}m` : ""}`);
  return [action.type, action.target, ...detail].join(" ");
}
