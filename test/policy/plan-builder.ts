/**
 * A small contoso plan document for policy tests, built by hand so policy
 * tests do not depend on the planner: create info@, grant on legal@ (on
 * hold), revoke gina's FullAccess on support@, delete events-2025@.
 */
import type { AccessChange, ActionParams, ActionType, PlanAction, PlanDocument } from "../../lib/plan/types.js";
import type { Right } from "../../lib/provider/observed.js";

export function action(type: ActionType, target: string, params: ActionParams = {}, extra: Partial<PlanAction> = {}): PlanAction {
  const access: AccessChange[] = [];
  if ((type === "permission.grant" || type === "permission.revoke") && params.trustee && params.right) {
    access.push({ mailbox: target, principal: params.trustee, right: params.right, change: type === "permission.grant" ? "gain" : "lose" });
  }
  return {
    id: `${type}:${target}${params.right ? `:${params.right}` : ""}${params.trustee ? `:${params.trustee}` : ""}`,
    type,
    target,
    params,
    dependsOn: [],
    reason: "test",
    description: `${type} on ${target}`,
    destructive: type === "mailbox.delete" || type === "permission.revoke",
    access,
    ...extra,
  };
}

export function grant(mailbox: string, right: Right, trustee: string, extra: Partial<ActionParams> = {}): PlanAction {
  return action("permission.grant", mailbox, { right, trustee, ...extra });
}

export function revoke(mailbox: string, right: Right, trustee: string): PlanAction {
  return action("permission.revoke", mailbox, { right, trustee });
}

export function planDocument(actions: readonly PlanAction[]): PlanDocument {
  return {
    formatVersion: 1,
    stack: "contoso",
    tenantId: "contoso",
    observedAt: "2026-11-01T09:00:00.000Z",
    desiredDigest: `sha256:${"0".repeat(64)}`,
    fingerprint: { algorithm: "sha256", objects: {} },
    actions,
    diagnostics: [],
    summary: { actions: actions.length, create: 0, update: 0, destroy: 0, destructive: actions.filter((a) => a.destructive).length, accessGained: 0, accessLost: 0, errors: 0, warnings: 0 },
    contentDigest: `sha256:${"1".repeat(64)}`,
  };
}

export function contosoPlan(): PlanDocument {
  return planDocument([
    action("mailbox.create", "info@contoso.com", { displayName: "Contoso Info" }),
    grant("info@contoso.com", "FullAccess", "carla.diaz@contoso.com"),
    grant("info@contoso.com", "FullAccess", "erin.kim@contoso.com", { autoMapping: false }),
    grant("info@contoso.com", "SendAs", "carla.diaz@contoso.com"),
    grant("support@contoso.com", "FullAccess", "ben.ortiz@contoso.com"),
    revoke("support@contoso.com", "FullAccess", "gina.rossi@contoso.com"),
    grant("legal@contoso.com", "FullAccess", "gina.rossi@contoso.com"),
    action("mailbox.delete", "events-2025@contoso.com"),
  ]);
}
