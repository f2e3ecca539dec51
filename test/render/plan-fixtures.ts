/**
 * Hand-built plan documents for the renderer tests. Renderers read only the
 * PlanDocument, so these are written from lib/plan/types.ts and the contoso
 * cast, not produced by the planner; only the id scheme and the summary
 * counts come from the planner's own helpers, so the documents stay
 * realistic as those evolve.
 */
import type { Diagnostic } from "../../lib/diagnostics/diagnostic.js";
import type { Right } from "../../lib/provider/observed.js";
import type { ActionType, PlanAction, PlanDocument } from "../../lib/plan/types.js";
import { PLAN_FORMAT_VERSION } from "../../lib/plan/types.js";
import { summarize } from "../../lib/plan/document.js";
import { actionId } from "../../lib/plan/ids.js";
import { digestOf, sha256Hex } from "../../lib/private/canonical-json.js";

export const OBSERVED_AT = "2026-11-01T09:00:00Z";

/** What a test says about an action; id, type and target are filled in by action(). */
type ActionSpec = Pick<PlanAction, "reason" | "description"> &
  Partial<Pick<PlanAction, "params" | "destructive" | "access">> & { readonly after?: readonly string[] };

export function action(type: ActionType, target: string, spec: ActionSpec): PlanAction {
  return {
    id: actionId(type, target, spec.params ?? {}),
    type,
    target,
    params: spec.params ?? {},
    dependsOn: spec.after ?? [],
    reason: spec.reason,
    // The planner writes sentences that start with a capital letter.
    description: `${spec.description.charAt(0).toUpperCase()}${spec.description.slice(1)}`,
    destructive: spec.destructive ?? false,
    access: spec.access ?? [],
  };
}

export function grant(
  mailbox: string,
  right: Right,
  trustee: string,
  spec: { reason: string; description: string; after?: readonly string[]; autoMapping?: boolean },
): PlanAction {
  return action("permission.grant", mailbox, {
    params: { right, trustee, ...(right === "FullAccess" ? { autoMapping: spec.autoMapping ?? true } : {}) },
    reason: spec.reason,
    description: spec.description,
    ...(spec.after !== undefined ? { after: spec.after } : {}),
    access: [{ mailbox, principal: trustee, right, change: "gain" }],
  });
}

export function revoke(mailbox: string, right: Right, trustee: string, spec: { reason: string; description: string }): PlanAction {
  return action("permission.revoke", mailbox, {
    params: { right, trustee },
    reason: spec.reason,
    description: spec.description,
    destructive: true,
    access: [{ mailbox, principal: trustee, right, change: "lose" }],
  });
}

/** A complete document around `actions`: summary, fingerprint and digests computed from them. */
export function planDocument(input: {
  actions: readonly PlanAction[];
  diagnostics?: readonly Diagnostic[];
  stack?: string;
  targets?: readonly string[];
}): PlanDocument {
  const { actions } = input;
  const diagnostics = input.diagnostics ?? [];
  const objects: Record<string, string> = {};
  for (const a of actions) {
    const kind = a.type.startsWith("user.") ? "user" : a.type.startsWith("permission.") ? "grants" : "mailbox";
    objects[`${kind}:${a.target}`] = sha256Hex(`${kind}:${a.target}`).slice(0, 16);
  }
  const body: Omit<PlanDocument, "contentDigest"> = {
    formatVersion: PLAN_FORMAT_VERSION,
    stack: input.stack ?? "contoso",
    tenantId: "contoso",
    observedAt: OBSERVED_AT,
    desiredDigest: `sha256:${sha256Hex(`desired:${input.stack ?? "contoso"}`)}`,
    fingerprint: { algorithm: "sha256" as const, objects },
    actions,
    diagnostics,
    summary: summarize(actions, diagnostics),
  };
  const withTargets = input.targets !== undefined ? { ...body, targets: input.targets } : body;
  return { ...withTargets, contentDigest: digestOf(withTargets) };
}

const C = (local: string) => `${local}@contoso.com`;

/** The members of a mailbox get FullAccess and SendAs (R3.2: separate grants). */
function member(mailbox: string, trustee: string, after?: readonly string[]): PlanAction[] {
  const opts = after !== undefined ? { after } : {};
  return [
    grant(mailbox, "FullAccess", trustee, { reason: "member_declared", description: `give member ${trustee} full access to ${mailbox}`, ...opts }),
    grant(mailbox, "SendAs", trustee, { reason: "member_declared", description: `let member ${trustee} send as ${mailbox}`, ...opts }),
  ];
}

/** A new shared mailbox: create, wait for provisioning (R3.4), block the anchor's sign-in (R4.2). */
function created(address: string, displayName: string): { actions: PlanAction[]; ready: string } {
  const create = action("mailbox.create", address, {
    params: { displayName, alias: address.split("@")[0] ?? address },
    reason: "declared_mailbox_missing",
    description: `create shared mailbox ${address} "${displayName}"`,
  });
  const wait = action("mailbox.wait", address, {
    params: { for: "provisioned", minutes: 15 },
    after: [create.id],
    reason: "new_mailbox_provisioning",
    description: `wait up to 15 min until ${address} is provisioned`,
  });
  const block = action("user.blockSignIn", address, {
    after: [wait.id],
    reason: "anchor_sign_in_enabled",
    description: `block sign-in for the anchor account of ${address} so no one can sign in as the mailbox`,
  });
  return { actions: [create, wait, block], ready: wait.id };
}

/** Departed user -> shared: convert, rename, block sign-in, release the license afterwards (R1.3, R4.1). */
function converted(address: string, from: string, to: string, sku: string, convertAfter: readonly string[], temporary: boolean) {
  const convert = action("mailbox.convert", address, {
    params: { to: "shared" },
    after: convertAfter,
    reason: "declared_shared_origin_convert",
    description: `convert ${address} from a user mailbox to a shared mailbox`,
  });
  return {
    convert,
    actions: [
      convert,
      action("mailbox.update", address, {
        params: { changes: { displayName: { from, to } } },
        after: [convert.id],
        reason: "display_name_differs",
        description: `rename ${address} to "${to}"`,
      }),
      action("user.blockSignIn", address, {
        after: [convert.id],
        reason: "anchor_sign_in_enabled",
        description: `block sign-in for ${address}: a shared mailbox's anchor must not sign in`,
      }),
      action("user.removeLicense", address, {
        params: { sku },
        after: [convert.id],
        reason: temporary ? "temporary_license_released" : "license_not_needed_after_conversion",
        description: `remove the ${sku} license from ${address} now that it is shared${temporary ? " (it was only needed for the conversion)" : ""}`,
      }),
    ],
  };
}

export function contosoPlan(): PlanDocument {
  const support = C("support");
  const supportBlock = action("user.blockSignIn", support, {
    reason: "anchor_sign_in_enabled",
    description: `block sign-in for the anchor account of ${support}, which is enabled`,
  });

  const info = created(C("info"), "Contoso Info");
  const ceo = created(C("ceo-office"), "Office of the CEO");

  const harry = converted(C("harry.wells"), "Harry Wells", "Harry Wells (departed)", "EXCHANGESTANDARD", [], false);

  const ivyLicense = action("user.assignLicense", C("ivy.chen"), {
    params: { sku: "EXCHANGESTANDARD", temporary: true },
    reason: "license_required_for_conversion",
    description: `assign a temporary EXCHANGESTANDARD license to ${C("ivy.chen")}: an unlicensed mailbox cannot be converted`,
  });
  const ivy = converted(C("ivy.chen"), "Ivy Chen", "Ivy Chen (departed)", "EXCHANGESTANDARD", [ivyLicense.id], true);

  const jackAddr = C("jack.hale");
  const jackRestore = action("user.restore", jackAddr, {
    params: { userId: "6f1c2d3e-0000-4000-8000-00000000j4ck" },
    reason: "deleted_user_restorable",
    description: `restore ${jackAddr} from the recycle bin (deleted 2026-10-22, purged after 30 days)`,
  });
  const jackLicense = action("user.assignLicense", jackAddr, {
    params: { sku: "EXCHANGESTANDARD", temporary: true },
    after: [jackRestore.id],
    reason: "license_required_for_conversion",
    description: `assign a temporary EXCHANGESTANDARD license to ${jackAddr} so its mailbox is re-created`,
  });
  const jackPassword = action("user.resetPassword", jackAddr, {
    after: [jackRestore.id],
    reason: "restored_user_password",
    description: `reset the password of ${jackAddr} to a random value no one knows`,
  });
  const jackWait = action("mailbox.wait", jackAddr, {
    params: { for: "recreated", minutes: 30 },
    after: [jackLicense.id, jackPassword.id],
    reason: "restored_mailbox_recreation",
    description: `wait up to 30 min until the mailbox of ${jackAddr} is re-created`,
  });
  const jack = converted(jackAddr, "Jack Hale", "Jack Hale (departed)", "EXCHANGESTANDARD", [jackWait.id], true);

  const legal = C("legal");
  const events = C("events-2025");
  const kim = C("kim.nguyen");
  const kimConvert = action("mailbox.convert", kim, {
    params: { to: "regular" },
    reason: "declared_user_mailbox",
    description: `convert ${kim} back from a shared mailbox to a user mailbox`,
  });
  const kimLicense = action("user.assignLicense", kim, {
    params: { sku: "EXCHANGESTANDARD" },
    after: [kimConvert.id],
    reason: "license_required_for_user_mailbox",
    description: `assign an EXCHANGESTANDARD license to ${kim}: a user mailbox needs one within 30 days`,
  });
  const kimPassword = action("user.resetPassword", kim, {
    after: [kimConvert.id],
    reason: "converted_back_password",
    description: `reset the password of ${kim} so she can sign in again`,
  });

  const actions: PlanAction[] = [
    supportBlock,
    ...member(support, C("ben.ortiz")),
    revoke(support, "FullAccess", C("gina.rossi"), {
      reason: "grant_not_declared",
      description: `revoke full access to ${support} from ${C("gina.rossi")}, who is not declared`,
    }),
    ...info.actions,
    ...member(C("info"), C("carla.diaz"), [info.ready]),
    grant(C("info"), "FullAccess", C("erin.kim"), {
      reason: "full_access_declared",
      description: `give ${C("erin.kim")} full access to ${C("info")} without auto-mapping`,
      after: [info.ready],
      autoMapping: false,
    }),
    ...ceo.actions,
    grant(C("ceo-office"), "FullAccess", C("erin.kim"), {
      reason: "full_access_declared",
      description: `give ${C("erin.kim")} full access to ${C("ceo-office")}`,
      after: [ceo.ready],
    }),
    grant(C("ceo-office"), "SendOnBehalf", C("dev.patel"), {
      reason: "send_on_behalf_declared",
      description: `let ${C("dev.patel")} send on behalf of ${C("ceo-office")}`,
      after: [ceo.ready],
    }),
    ...harry.actions,
    ...member(C("harry.wells"), C("ben.ortiz"), [harry.convert.id]),
    ivyLicense,
    ...ivy.actions,
    grant(C("ivy.chen"), "FullAccess", C("carla.diaz"), {
      reason: "full_access_declared",
      description: `give ${C("carla.diaz")} full access to ${C("ivy.chen")}`,
      after: [ivy.convert.id],
    }),
    jackRestore,
    jackLicense,
    jackPassword,
    jackWait,
    ...jack.actions,
    grant(jackAddr, "FullAccess", C("ann.lee"), {
      reason: "full_access_declared",
      description: `give ${C("ann.lee")} full access to ${jackAddr}`,
      after: [jack.convert.id],
    }),
    grant(legal, "FullAccess", C("gina.rossi"), {
      reason: "full_access_declared",
      description: `give ${C("gina.rossi")} full access to ${legal}`,
    }),
    action("mailbox.delete", events, {
      reason: "undeclared_removal_delete",
      description: `delete ${events} "Events 2025": no longer declared and tagged removal=delete; recoverable for 30 days only`,
      destructive: true,
    }),
    kimConvert,
    kimLicense,
    kimPassword,
    action("user.allowSignIn", kim, {
      after: [kimLicense.id, kimPassword.id],
      reason: "user_mailbox_sign_in",
      description: `allow sign-in for ${kim}, blocked while the mailbox was shared`,
    }),
  ];
  return planDocument({
    actions,
    diagnostics: [
      {
        severity: "warning",
        code: "trustee_without_exchange_license",
        target: legal,
        location: "desired.json#/sharedMailboxes/3/fullAccess/0",
        message: `${C("gina.rossi")} has no exchange license: the FullAccess grant is made, but she cannot open the mailbox until she is licensed`,
      },
    ],
  });
}

export function emptyPlan(): PlanDocument {
  return planDocument({ actions: [] });
}

export function failedPlan(): PlanDocument {
  return planDocument({
    actions: [],
    diagnostics: [
      {
        severity: "error",
        code: "convert_synced_user",
        target: C("frank.moss"),
        location: "desired.json#/sharedMailboxes/7",
        message: `cannot convert ${C("frank.moss")}: the user is synced from on-premises active directory (R6.2); convert the mailbox on premises or remove it from the desired state`,
      },
      {
        severity: "error",
        code: "license_seats_exhausted",
        target: C("legal"),
        message: "EXCHANGEENTERPRISE has 0 free seats of 2 (R2.4); buy a seat or free one before applying",
      },
      {
        severity: "warning",
        code: "trustee_without_exchange_license",
        target: C("legal"),
        message: `${C("gina.rossi")} has no exchange license`,
      },
    ],
  });
}

/** A display name and descriptions written to break tables, HTML, code fences and terminals. */
export const HOSTILE_NAME = "Ops | R&D <b>team</b> `x` ``` **bold** @everyone";

export function hostilePlan(): PlanDocument {
  const ops = C("ops");
  return planDocument({
    actions: [
      action("mailbox.update", ops, {
        params: { changes: { displayName: { from: "Ops", to: HOSTILE_NAME }, litigationHold: { from: false, to: true } } },
        reason: "display_name_differs",
        description: `rename ${ops} to "${HOSTILE_NAME}"\u001b[2J\u202e`,
      }),
      revoke(ops, "SendAs", "a|b`c@contoso.com", { reason: "grant_not_declared", description: "revoke | </details> ```\n<script>alert(1)</script>" }),
    ],
    diagnostics: [{ severity: "warning", code: "odd|code", target: ops, message: "a | pipe, a <tag> and a\nnew line" }],
  });
}

/** A user.* action on a UPN that is no mailbox's address: it must land with the mailbox it serves. */
export function strayUserPlan(): PlanDocument {
  const shared = C("projects");
  const create = action("mailbox.create", shared, {
    params: { displayName: "Projects", alias: "projects" },
    reason: "declared_mailbox_missing",
    description: `create shared mailbox ${shared}`,
  });
  return planDocument({
    actions: [
      create,
      action("user.blockSignIn", "projects-anchor@contoso.onmicrosoft.com", {
        after: [create.id],
        reason: "anchor_sign_in_enabled",
        description: "block sign-in for the anchor projects-anchor@contoso.onmicrosoft.com",
      }),
      action("user.resetPassword", "lonely@contoso.com", { reason: "test", description: "reset the password of lonely@contoso.com" }),
    ],
  });
}

/**
 * About `total` actions: one mailbox with `bigMailboxGrants` grants (more
 * than one comment holds), then new mailboxes of 6 actions each.
 */
export function largePlan(total: number, bigMailboxGrants = 1500): PlanDocument {
  const actions: PlanAction[] = [];
  const big = C("all-hands");
  for (let i = 0; i < bigMailboxGrants && actions.length < total; i++) {
    actions.push(
      grant(big, "FullAccess", C(`user${String(i).padStart(6, "0")}`), { reason: "full_access_declared", description: `give user ${i} full access to ${big}` }),
    );
  }
  for (let m = 0; actions.length < total; m++) {
    const mbx = C(`team-${String(m).padStart(6, "0")}`);
    const made = created(mbx, `Team ${m}`);
    actions.push(...made.actions, ...member(mbx, C(`lead${m}`), [made.ready]));
    actions.push(grant(mbx, "SendOnBehalf", C(`deputy${m}`), { reason: "send_on_behalf_declared", description: `let deputy ${m} send on behalf of ${mbx}`, after: [made.ready] }));
  }
  return planDocument({ actions });
}
