/**
 * Test scaffolding for apply: a small contoso-like tenant on the fake
 * provider, a plan builder that produces real PlanDocuments (fingerprints and
 * contentDigest included), and a 35-action plan that exercises every action
 * type with real dependencies.
 */
import { FingerprintIndex } from "../../lib/plan/fingerprint.js";
import { PLAN_FORMAT_VERSION, type ActionParams, type ActionType, type PlanAction, type PlanDocument } from "../../lib/plan/types.js";
import { observe } from "../../lib/provider/observe.js";
import type { ObservedSku } from "../../lib/provider/observed.js";
import { digestOf } from "../../lib/private/canonical-json.js";
import { FakeProvider, mailbox, user, type FakeSeed } from "../util/fake-provider.js";

export interface ActionSpec {
  readonly type: ActionType;
  readonly target: string;
  readonly params?: ActionParams;
  readonly dependsOn?: readonly string[];
  readonly id?: string;
}

export function actionId(spec: ActionSpec): string {
  const p = spec.params ?? {};
  return spec.id ?? [spec.type, spec.target, p.right, p.trustee, p.sku, p.to, p.for].filter((x) => x !== undefined).join(":");
}

export function action(spec: ActionSpec): PlanAction {
  const params = spec.params ?? {};
  return {
    id: actionId(spec),
    type: spec.type,
    target: spec.target,
    params,
    dependsOn: spec.dependsOn ?? [],
    reason: "test",
    description: `${spec.type} ${spec.target}`,
    destructive: spec.type === "mailbox.delete" || spec.type === "permission.revoke",
    access: [],
  };
}

/** Seal a document: contentDigest over everything else. */
export function seal(doc: Omit<PlanDocument, "contentDigest">): PlanDocument {
  return { ...doc, contentDigest: digestOf(doc) } as PlanDocument;
}

/** A plan over the provider's current state: fingerprints of every object the actions name. */
export async function buildPlan(provider: FakeProvider, specs: readonly ActionSpec[]): Promise<PlanDocument> {
  const observed = await observe(provider);
  const actions = specs.map(action);
  const keys: string[] = [];
  for (const a of actions) {
    keys.push(`mailbox:${a.target}`, `grants:${a.target}`, `user:${a.target}`);
    if (a.params.trustee !== undefined) keys.push(`user:${a.params.trustee}`);
    if (a.params.sku !== undefined) keys.push(`sku:${a.params.sku}`);
  }
  return seal({
    formatVersion: PLAN_FORMAT_VERSION,
    stack: "contoso",
    tenantId: observed.tenant.id,
    observedAt: observed.observedAt,
    desiredDigest: "sha256:0",
    fingerprint: { algorithm: "sha256", objects: FingerprintIndex.over(observed).ofAll(keys) },
    actions,
    diagnostics: [],
    summary: { actions: actions.length, create: 0, update: 0, destroy: 0, destructive: 0, accessGained: 0, accessLost: 0, errors: 0, warnings: 0 },
  });
}

const sku = (skuPartNumber: string, plans: string[]): ObservedSku => ({
  skuPartNumber,
  skuId: `00000000-0000-0000-0000-${skuPartNumber.length.toString().padStart(12, "0")}`,
  prepaidUnits: 10,
  consumedUnits: 0,
  servicePlans: plans,
});

const c = (local: string) => `${local}@contoso.com`;

export function contosoSeed(): FakeSeed {
  return {
    skus: [sku("EXCHANGESTANDARD", ["EXCHANGE_S_STANDARD"]), sku("SPE_E3", ["EXCHANGE_S_ENTERPRISE"])],
    users: [
      ...["ann.lee", "ben.ortiz", "carla.diaz", "erin.kim", "dev.patel", "gina.rossi"].map((n) => user(c(n), { licenses: ["SPE_E3"] })),
      user(c("support")),
      user(c("harry.wells"), { licenses: ["EXCHANGESTANDARD"] }),
      user(c("ivy.chen")),
      user(c("jack.hale"), { id: "id-jack", deletedAt: "2026-10-22T09:00:00.000Z" }),
      user(c("events-2025"), { accountEnabled: false }),
    ],
    mailboxes: [
      mailbox(c("support"), { displayName: "Contoso Support" }),
      mailbox(c("harry.wells"), { type: "user" }),
      mailbox(c("ivy.chen"), { type: "user" }),
      mailbox(c("jack.hale"), { type: "user", userId: "id-jack", deletedAt: "2026-10-22T09:00:00.000Z" }),
      mailbox(c("events-2025"), { managementTag: "exoform:stack=contoso;removal=delete" }),
    ],
    grants: [
      { mailbox: c("support"), right: "FullAccess", trustee: c("ann.lee"), autoMapping: true },
      { mailbox: c("support"), right: "FullAccess", trustee: c("gina.rossi"), autoMapping: true },
      { mailbox: c("support"), right: "SendAs", trustee: c("ann.lee") },
    ],
  };
}

const grant = (mbx: string, right: "FullAccess" | "SendAs" | "SendOnBehalf", trustee: string, dependsOn: string[] = [], autoMapping?: boolean): ActionSpec => ({
  type: "permission.grant",
  target: c(mbx),
  params: { right, trustee: c(trustee), ...(autoMapping !== undefined ? { autoMapping } : right === "FullAccess" ? { autoMapping: true } : {}) },
  dependsOn,
});

/** 35 actions, every type but resetPassword, with the dependencies a planner would draw. */
export function contosoSpecs(): ActionSpec[] {
  const wait = (m: string, forWhat: "provisioned" | "recreated", minutes: number, dependsOn: string[]): ActionSpec => ({
    type: "mailbox.wait",
    target: c(m),
    params: { for: forWhat, minutes },
    dependsOn,
  });
  const create = (m: string, displayName: string): ActionSpec => ({ type: "mailbox.create", target: c(m), params: { displayName } });
  const block = (m: string, dependsOn: string[] = []): ActionSpec => ({ type: "user.blockSignIn", target: c(m), dependsOn });
  const license = (type: "user.assignLicense" | "user.removeLicense", m: string, dependsOn: string[] = []): ActionSpec => ({
    type,
    target: c(m),
    params: { sku: "EXCHANGESTANDARD" },
    dependsOn,
  });
  const convert = (m: string, dependsOn: string[] = []): ActionSpec => ({ type: "mailbox.convert", target: c(m), params: { to: "shared" }, dependsOn });
  const id = (spec: ActionSpec) => actionId(spec);
  const specs: ActionSpec[] = [];
  const add = (spec: ActionSpec): string => {
    specs.push(spec);
    return id(spec);
  };
  // support: block sign-in, members [ann, ben], gina loses FullAccess, renamed
  add(block("support"));
  add(grant("support", "FullAccess", "ben.ortiz"));
  add(grant("support", "SendAs", "ben.ortiz"));
  add({ type: "permission.revoke", target: c("support"), params: { right: "FullAccess", trustee: c("gina.rossi") } });
  add({ type: "mailbox.update", target: c("support"), params: { changes: { displayName: { from: "Contoso Support", to: "Contoso Support Desk" } } } });
  // info: new
  const info = add(create("info", "Contoso Info"));
  const infoReady = add(wait("info", "provisioned", 5, [info]));
  add(block("info", [info]));
  add(grant("info", "FullAccess", "carla.diaz", [infoReady]));
  add(grant("info", "SendAs", "carla.diaz", [infoReady]));
  add(grant("info", "FullAccess", "erin.kim", [infoReady], false));
  add({
    type: "mailbox.update",
    target: c("info"),
    params: { changes: { managementTag: { from: null, to: "exoform:stack=contoso;removal=delete" } } },
    dependsOn: [infoReady],
  });
  // ceo-office: new
  const ceo = add(create("ceo-office", "Office of the CEO"));
  const ceoReady = add(wait("ceo-office", "provisioned", 5, [ceo]));
  add(block("ceo-office", [ceo]));
  add(grant("ceo-office", "FullAccess", "erin.kim", [ceoReady]));
  add(grant("ceo-office", "SendOnBehalf", "dev.patel", [ceoReady]));
  // harry: licensed user mailbox -> shared, then unlicensed
  const harry = add(convert("harry.wells"));
  add(license("user.removeLicense", "harry.wells", [harry]));
  add(block("harry.wells", [harry]));
  add(grant("harry.wells", "FullAccess", "ben.ortiz", [harry]));
  add(grant("harry.wells", "SendAs", "ben.ortiz", [harry]));
  // ivy: unlicensed -> temporary license, convert, remove
  const ivyLicense = add({ ...license("user.assignLicense", "ivy.chen"), params: { sku: "EXCHANGESTANDARD", temporary: true } });
  const ivy = add(convert("ivy.chen", [ivyLicense]));
  add(license("user.removeLicense", "ivy.chen", [ivy]));
  add(block("ivy.chen", [ivy]));
  add(grant("ivy.chen", "FullAccess", "carla.diaz", [ivy]));
  // jack: soft-deleted -> restore, wait, license, convert, unlicense
  const restore = add({ type: "user.restore", target: c("jack.hale"), params: { userId: "id-jack" } });
  const jackReady = add(wait("jack.hale", "recreated", 30, [restore]));
  const jackLicense = add({ ...license("user.assignLicense", "jack.hale", [restore]), params: { sku: "EXCHANGESTANDARD", temporary: true } });
  const jack = add(convert("jack.hale", [jackReady, jackLicense]));
  add(license("user.removeLicense", "jack.hale", [jack]));
  add(block("jack.hale", [jack]));
  add(grant("jack.hale", "FullAccess", "ann.lee", [jack]));
  // events-2025: tagged for deletion
  add({ type: "mailbox.delete", target: c("events-2025") });
  return specs;
}

export async function contosoPlan(provider: FakeProvider): Promise<PlanDocument> {
  return buildPlan(provider, contosoSpecs());
}

export function contoso(): FakeProvider {
  return FakeProvider.create(contosoSeed());
}

/** Fast engine options for tests: no real waiting anywhere, backoff on the virtual clock. */
export const FAST = { seed: 7 } as const;
