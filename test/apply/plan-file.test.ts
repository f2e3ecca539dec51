/**
 * An edited plan whose digest was recomputed must not be applied. A digest
 * detects accidents, not edits: whoever can edit the file can recompute it.
 * What catches an edit instead: the schema's closed vocabulary, the
 * consistency the planner always keeps, the rules apply checks against the
 * tenant itself (before any write), and, with EXOFORM_PLAN_KEY, a signature.
 */
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { applyPlan, pointReader } from "../../lib/apply/index.js";
import { checkPlanFile, checkPlanInvariants, planKeyFrom, writeRefusal } from "../../lib/apply/check-plan.js";
import { UserError } from "../../lib/diagnostics/errors.js";
import { contentDigestOf, signPlan, summarize, type SignedPlanDocument } from "../../lib/plan/document.js";
import { FingerprintIndex } from "../../lib/plan/fingerprint.js";
import { actionId } from "../../lib/plan/ids.js";
import { plan } from "../../lib/plan/planner.js";
import type { PlanAction, PlanDocument } from "../../lib/plan/types.js";
import { canonicalJson } from "../../lib/private/canonical-json.js";
import { observe } from "../../lib/provider/observe.js";
import { contosoDesired, contosoTenant } from "../plan/contoso.js";
import { buildPlan, contoso, FAST, seal } from "./helpers.js";

const KEY = "k3y-for-tests-0123456789abcdef0123456789abcdef";
const OTHER_KEY = "another-key-0123456789abcdef0123456789abcdef";
const FILE = "plan.json";

/** The planner's own plan of the contoso cast, as a file holds it (JSON, read back). */
function contosoPlanFile(): PlanDocument {
  const doc = plan(contosoDesired(), contosoTenant());
  expect(doc.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return JSON.parse(JSON.stringify(doc)) as PlanDocument;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };
type Mutable = Omit<Writable<SignedPlanDocument>, "actions"> & { actions: Array<Writable<PlanAction>> };

/** What an editor does after an edit: recompute the content digest (and keep any signature as it was). */
function redigest<T extends PlanDocument>(doc: T): T {
  return { ...doc, contentDigest: contentDigestOf(doc) };
}

function edit(doc: PlanDocument, change: (d: Mutable) => void): Mutable {
  const copy = JSON.parse(JSON.stringify(doc)) as Mutable;
  change(copy);
  return copy;
}

type Found = { code: string; target: string; location?: string; message: string };

/** The diagnostics of the UserError `run` throws or rejects with (a plan refused); fails the test when it does not. */
async function refusal(run: () => unknown): Promise<Found[]> {
  try {
    await run();
  } catch (e) {
    if (UserError.is(e)) return e.diagnostics.map(({ code, target, location, message }) => ({ code, target, ...(location !== undefined ? { location } : {}), message }));
    throw e;
  }
  throw new Error("expected the plan to be refused");
}

const asLines = (found: readonly Found[]) => found.map((d) => `${d.code}: ${d.target}: ${d.message}`);

const grantIndex = (doc: PlanDocument, target: string, trustee: string) =>
  doc.actions.findIndex((a) => a.type === "permission.grant" && a.target === target && a.params.trustee === trustee && a.params.right === "FullAccess");

describe("a plan file is untrusted input", () => {
  it("the planner's own plan passes, unsigned and without a key", async () => {
    const { doc, warnings } = checkPlanFile(contosoPlanFile(), FILE);
    expect(doc.actions.length).toBeGreaterThan(30);
    expect(warnings).toEqual([]);
  });

  it("a swapped trustee with a recomputed digest is refused: its id, its access and its fingerprints no longer match", async () => {
    const original = contosoPlanFile();
    const i = grantIndex(original, "support@contoso.com", "ben.ortiz@contoso.com");
    const forged = redigest(edit(original, (d) => (d.actions[i]!.params = { ...d.actions[i]!.params, trustee: "mallory@contoso.com" })));
    const found = await refusal(() => checkPlanFile(forged, FILE));
    expect(found.map((d) => d.code)).toEqual(["plan_inconsistent", "plan_inconsistent", "fingerprint_missing"]);
    expect(found[0]).toMatchObject({ target: "support@contoso.com", location: `${FILE}#/actions/${i}` });
    expect(found[0]!.message).toContain("its id is not derived from its type, target and params");
    expect(found[1]!.message).toContain("its access (ben.ortiz@contoso.com would gain FullAccess on support@contoso.com) is not what its params do");
    expect(found[2]!.message).toContain("depends on user:mallory@contoso.com, which has no fingerprint");
  });

  it("with EXOFORM_PLAN_KEY, a swap made fully consistent (id, access, fingerprint, digest) is refused by the signature", async () => {
    const signed = signPlan(contosoPlanFile(), KEY);
    const i = grantIndex(signed, "support@contoso.com", "ben.ortiz@contoso.com");
    const forged = redigest(
      edit(signed, (d) => {
        const a = d.actions[i]!;
        const params = { ...a.params, trustee: "gina.rossi@contoso.com" };
        d.actions[i] = { ...a, params, id: actionId(a.type, a.target, params), access: [{ ...a.access[0]!, principal: "gina.rossi@contoso.com" }] };
        d.fingerprint = { ...d.fingerprint, objects: { ...d.fingerprint.objects, "user:gina.rossi@contoso.com": "0123456789abcdef" } };
      }),
    );
    // nothing a file carries by itself tells this edit apart from a plan (a trustee inside the tenant): only a key can
    expect(checkPlanFile(forged, FILE).warnings.map((w) => w.code)).toEqual(["plan_signature_not_checked"]);
    const found = await refusal(() => checkPlanFile(forged, FILE, { key: KEY }));
    expect(found).toEqual([
      {
        code: "plan_signature_mismatch",
        target: "",
        message: `${FILE}: the plan's signature does not match its content: it was modified after it was signed (rule: signed plans cannot be edited); plan again with exoform plan --out and review the new plan; nothing was changed`,
      },
    ]);
  });

  it("emptied fingerprints are refused by the schema", async () => {
    const forged = redigest(edit(contosoPlanFile(), (d) => (d.fingerprint = { algorithm: "sha256", objects: {} })));
    const found = await refusal(() => checkPlanFile(forged, FILE));
    expect(found).toEqual([
      {
        code: "plan_schema",
        target: "",
        location: `${FILE}#/fingerprint/objects`,
        message:
          "the plan does not match schema/plan.schema.json: fingerprint.objects is empty, but the plan has actions: every action records the tenant objects it depends on (docs/decisions/0005); plans come from exoform plan and cannot be edited: plan again",
      },
    ]);
  });

  it("an action whose fingerprints were removed is refused, naming the action and the missing key", async () => {
    const original = contosoPlanFile();
    const del = original.actions.find((a) => a.type === "mailbox.delete")!;
    const forged = redigest(
      edit(original, (d) => {
        const objects = { ...d.fingerprint.objects };
        delete objects[`mailbox:${del.target}`];
        delete objects[`grants:${del.target}`];
        d.fingerprint = { ...d.fingerprint, objects };
      }),
    );
    const found = await refusal(() => checkPlanFile(forged, FILE));
    expect(found.map((d) => [d.code, d.target])).toEqual([
      ["fingerprint_missing", del.target],
      ["fingerprint_missing", del.target],
    ]);
    expect(found[0]!.message).toContain(`action ${del.id} depends on mailbox:${del.target}, which has no fingerprint`);
  });

  it("an unknown action type is refused by the schema", async () => {
    const forged = redigest(edit(contosoPlanFile(), (d) => (d.actions[0]!.type = "user.delete" as PlanAction["type"])));
    const found = await refusal(() => checkPlanFile(forged, FILE));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: "plan_schema", location: `${FILE}#/actions/0/type` });
    expect(found[0]!.message).toContain('action type "user.delete" is unknown to this exoform');
  });

  it("an unknown reason is refused by the schema", async () => {
    const forged = redigest(edit(contosoPlanFile(), (d) => (d.actions[0]!.reason = "approved_by_security")));
    const found = await refusal(() => checkPlanFile(forged, FILE));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: "plan_schema", location: `${FILE}#/actions/0/reason` });
    expect(found[0]!.message).toContain('reason "approved_by_security" is not one the planner gives');
  });

  it("a param of another action type is refused: each type takes exactly its own params", async () => {
    const original = contosoPlanFile();
    const i = grantIndex(original, "support@contoso.com", "ben.ortiz@contoso.com");
    const forged = redigest(edit(original, (d) => (d.actions[i]!.params = { ...d.actions[i]!.params, sku: "SPE_E3" })));
    const found = await refusal(() => checkPlanFile(forged, FILE));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: "plan_schema", target: "support@contoso.com", location: `${FILE}#/actions/${i}/params` });
    expect(found[0]!.message).toContain('unknown field "sku" in the params of a permission.grant action');
  });

  it("an added mailbox.delete whose summary was not recounted is refused as inconsistent", async () => {
    const original = contosoPlanFile();
    const del = original.actions.find((a) => a.type === "mailbox.delete")!;
    const forged = redigest(edit(original, (d) => d.actions.push({ ...del, target: "support@contoso.com", id: "support@contoso.com:mailbox.delete", access: [] })));
    const found = await refusal(() => checkPlanFile(forged, FILE));
    expect(found.map((d) => d.code)).toContain("plan_inconsistent");
    expect(found.find((d) => d.location === `${FILE}#/summary/actions`)?.message).toContain(`summary.actions is ${original.actions.length}, but the actions and diagnostics count ${original.actions.length + 1}`);
  });
});

describe("signed plans (EXOFORM_PLAN_KEY)", () => {
  it("signs with HMAC-SHA256 over the canonical JSON of the document without its signature; keyId is the first 8 hex of the key's SHA-256", async () => {
    const doc = contosoPlanFile();
    const signed = signPlan(doc, KEY);
    const { signature, ...rest } = signed;
    expect(signature).toEqual({
      alg: "HMAC-SHA256",
      keyId: createHash("sha256").update(KEY, "utf8").digest("hex").slice(0, 8),
      value: createHmac("sha256", Buffer.from(KEY, "utf8")).update(canonicalJson(rest), "utf8").digest("hex"),
    });
    // signing does not change the plan's id (its contentDigest), and the key is in no field
    expect(signed.contentDigest).toBe(doc.contentDigest);
    expect(contentDigestOf(signed)).toBe(doc.contentDigest);
    expect(JSON.stringify(signed)).not.toContain(KEY);
  });

  it("a correctly signed plan passes with the key", async () => {
    const signed = JSON.parse(JSON.stringify(signPlan(contosoPlanFile(), KEY))) as SignedPlanDocument;
    const { doc, warnings } = checkPlanFile(signed, FILE, { key: KEY });
    expect(warnings).toEqual([]);
    expect(doc.signature?.alg).toBe("HMAC-SHA256");
  });

  it("an unsigned plan is refused when the key is set, naming the file, the rule and the fix", async () => {
    const found = await refusal(() => checkPlanFile(contosoPlanFile(), FILE, { key: KEY }));
    expect(found).toEqual([
      {
        code: "plan_unsigned",
        target: "",
        message: `${FILE}: the plan is not signed, and EXOFORM_PLAN_KEY is set: apply runs only plans signed with that key (rule: signed plans); make the plan with exoform plan --out while EXOFORM_PLAN_KEY holds the same key (in CI, pass the same secret to the plan job and the apply job); nothing was changed`,
      },
    ]);
  });

  it("a plan signed with another key is refused, naming both key ids and never a key", async () => {
    const found = await refusal(() => checkPlanFile(signPlan(contosoPlanFile(), OTHER_KEY), FILE, { key: KEY }));
    expect(found.map((d) => d.code)).toEqual(["plan_signed_with_other_key"]);
    const ids = [OTHER_KEY, KEY].map((k) => createHash("sha256").update(k).digest("hex").slice(0, 8));
    expect(found[0]!.message).toContain(`signed with key ${ids[0]}, but EXOFORM_PLAN_KEY is key ${ids[1]}`);
    expect(found[0]!.message).not.toContain(KEY);
    expect(found[0]!.message).not.toContain(OTHER_KEY);
  });

  it("a tampered signed plan is refused, whatever was edited (a signature replaced by hand included)", async () => {
    const signed = signPlan(contosoPlanFile(), KEY);
    const flipped = redigest(edit(signed, (d) => (d.actions[0]!.description = "nothing to see here")));
    expect((await refusal(() => checkPlanFile(flipped, FILE, { key: KEY }))).map((d) => d.code)).toEqual(["plan_signature_mismatch"]);
    const resigned = edit(signed, (d) => (d.signature = { ...d.signature!, value: "0".repeat(64) }));
    expect((await refusal(() => checkPlanFile(resigned, FILE, { key: KEY }))).map((d) => d.code)).toEqual(["plan_signature_mismatch"]);
  });

  it("a malformed signature is refused, with or without the key, and never crashes the check", async () => {
    for (const signature of [null, "deadbeef", { alg: "HMAC-SHA1", keyId: "x", value: 1 }]) {
      const forged = { ...contosoPlanFile(), signature } as unknown as PlanDocument;
      for (const key of [undefined, KEY]) {
        const found = await refusal(() => checkPlanFile(forged, FILE, { key }));
        expect(found.some((d) => d.code === "plan_schema" && d.location?.startsWith(`${FILE}#/signature`)), JSON.stringify({ signature, key })).toBe(true);
        if (key !== undefined && signature !== null) expect(found[0]!.code).toMatch(/^plan_sign/);
      }
    }
  });

  it("without the key, a signed plan passes with a warning that its signature was not checked", async () => {
    const { warnings } = checkPlanFile(signPlan(contosoPlanFile(), KEY), FILE);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ severity: "warning", code: "plan_signature_not_checked" });
    expect(warnings[0]!.message).toContain(`${FILE}: the plan is signed (key `);
    expect(warnings[0]!.message).toContain("EXOFORM_PLAN_KEY is not set, so the signature was not checked");
  });

  it("reads the key from the environment: unset or empty is no key; a short one is refused without being printed", async () => {
    expect(planKeyFrom({})).toBeUndefined();
    expect(planKeyFrom({ EXOFORM_PLAN_KEY: "" })).toBeUndefined();
    expect(planKeyFrom({ EXOFORM_PLAN_KEY: KEY })).toBe(KEY);
    const found = await refusal(() => planKeyFrom({ EXOFORM_PLAN_KEY: "hunter2" }));
    expect(found.map((d) => d.code)).toEqual(["plan_key_too_short"]);
    expect(found[0]!.message).not.toContain("hunter2");
  });
});

describe("apply checks the rules it can check itself, before any write", () => {
  it("an added mailbox.delete of an untagged mailbox is refused by the invariant even without a key, and nothing is written", async () => {
    const tenant = contoso();
    // a plan that passes every check a file can carry: real fingerprints, digest, counts
    const forged = await buildPlan(tenant, [
      { type: "permission.grant", target: "support@contoso.com", params: { right: "SendAs", trustee: "ben.ortiz@contoso.com" } },
      { type: "mailbox.delete", target: "support@contoso.com" },
    ]);
    // it is well-formed: the delete's fingerprints are the tenant's own, and the counts match
    const observed = await observe(tenant);
    const keys = FingerprintIndex.over(observed).ofAll(["mailbox:support@contoso.com", "grants:support@contoso.com"]);
    for (const [k, v] of Object.entries(keys)) expect(forged.fingerprint.objects[k]).toBe(v);
    expect(summarize(forged.actions, forged.diagnostics).destroy).toBe(1);
    expect((await refusal(() => checkPlanInvariants(forged, observed))).map((d) => d.code)).toEqual(["delete_not_tagged"]);
    const diagnostics = await refusal(() => applyPlan(forged, tenant, FAST));
    expect(diagnostics.map((d) => [d.code, d.target, d.location])).toEqual([["delete_not_tagged", "support@contoso.com", "plan#/actions/1"]]);
    expect(diagnostics[0]!.message).toBe(
      `refused: action mailbox.delete:support@contoso.com breaks the rule "a mailbox is deleted only when its management tag (CustomAttribute15) names this plan's stack with removal=delete (docs/decisions/0002)": it deletes support@contoso.com, which has no management tag, not "exoform:stack=contoso;removal=delete"; exoform plan never writes such a plan, so it was edited or made for another tenant: plan again and review it; nothing was changed`,
    );
    expect(tenant.writes()).toEqual([]);
  });

  it("a mailbox tagged for deletion by another stack is not deleted by this one", async () => {
    const tenant = contoso();
    const built = await buildPlan(tenant, [{ type: "mailbox.delete", target: "events-2025@contoso.com" }]);
    const { contentDigest: _, ...rest } = built;
    const otherStack = seal({ ...rest, stack: "fabrikam" });
    const messages = asLines(await refusal(() => applyPlan(otherStack, tenant, FAST)));
    expect(messages).toEqual([expect.stringContaining('delete_not_tagged: events-2025@contoso.com: refused: action mailbox.delete:events-2025@contoso.com breaks the rule')]);
    expect(messages[0]).toContain('which has management tag "exoform:stack=contoso;removal=delete", not "exoform:stack=fabrikam;removal=delete"');
    expect(tenant.writes()).toEqual([]);
    // the stack that tagged it may delete it
    const own = await buildPlan(tenant, [{ type: "mailbox.delete", target: "events-2025@contoso.com" }]);
    expect((await applyPlan(own, tenant, FAST)).summary.done).toBe(1);
  });

  it("re-reads the rule right before each write: a mailbox whose deletion tag is removed after the plan was checked is not deleted", async () => {
    const tenant = contoso();
    const own = await buildPlan(tenant, [{ type: "mailbox.delete", target: "events-2025@contoso.com" }]);
    // the bulk read the stale check uses still shows the tag; the point read right before the write does not
    const getMailbox = tenant.getMailbox.bind(tenant);
    tenant.getMailbox = async (address: string) => {
      const m = await getMailbox(address);
      return m === null ? null : { ...m, managementTag: null };
    };
    const result = await applyPlan(own, tenant, FAST);
    expect(result.summary.failed).toBe(1);
    expect(result.actions[0]!.error).toMatchObject({ code: "PlanRuleViolated", kind: "precondition" });
    expect(tenant.writes()).toEqual([]);
  });

  it("a grant to a trustee outside the tenant's domains is refused before any write", async () => {
    const tenant = contoso();
    const forged = await buildPlan(tenant, [
      { type: "user.blockSignIn", target: "support@contoso.com" },
      { type: "permission.grant", target: "support@contoso.com", params: { right: "FullAccess", trustee: "eve@fabrikam.com", autoMapping: false } },
    ]);
    const messages = asLines(await refusal(() => applyPlan(forged, tenant, FAST)));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`trustee_outside_tenant: support@contoso.com: refused: action ${forged.actions[1]!.id} breaks the rule "grants go only to people inside the tenant's domains (R3.8)"`);
    expect(messages[0]).toContain('"eve@fabrikam.com", who is not in a domain the tenant owns (contoso.com, contoso.onmicrosoft.com)');
    expect(tenant.writes()).toEqual([]);
  });

  it("a plan that writes another stack's tag, or tags a mailbox and deletes it, is refused", async () => {
    const tenant = contoso();
    const forged = await buildPlan(tenant, [
      { type: "mailbox.update", target: "support@contoso.com", params: { changes: { managementTag: { from: null, to: "exoform:stack=contoso;removal=delete" } } } },
      { type: "mailbox.delete", target: "support@contoso.com" },
      { type: "mailbox.update", target: "events-2025@contoso.com", params: { changes: { managementTag: { from: null, to: "exoform:stack=fabrikam;removal=delete" } } } },
    ]);
    const messages = asLines(await refusal(() => applyPlan(forged, tenant, FAST)));
    expect(messages.map((m) => m.split(":")[0])).toEqual(["delete_not_tagged", "delete_not_tagged", "foreign_management_tag"]);
    expect(messages[1]).toContain("the same plan writes the management tag of support@contoso.com that would allow it");
    expect(tenant.writes()).toEqual([]);
  });

  it("writeRefusal re-checks a delete against a point read right before its write", async () => {
    const tenant = contoso();
    const reader = pointReader(tenant);
    const domains = ["contoso.com"];
    const del = (target: string): PlanAction => ({ id: `${target}:mailbox.delete`, type: "mailbox.delete", target, params: {}, dependsOn: [], reason: "removed_from_code_with_delete_policy", description: "d", destructive: true, access: [] });
    expect(await writeRefusal({ stack: "contoso" }, del("events-2025@contoso.com"), reader, domains)).toBeNull();
    // the tag is removed by hand between the plan's read and the write
    const m = tenant.state.mailboxes.get("events-2025@contoso.com")!;
    tenant.state.mailboxes.set(m.address, { ...m, managementTag: null });
    const refused = await writeRefusal({ stack: "contoso" }, del("events-2025@contoso.com"), reader, domains);
    expect(refused).toMatchObject({ code: "PlanRuleViolated", kind: "precondition" });
    expect(refused!.message).toContain("which has no management tag");
    // a mailbox already gone: nothing to refuse (the pre-check counts the delete as done)
    expect(await writeRefusal({ stack: "contoso" }, del("nobody@contoso.com"), reader, domains)).toBeNull();
  });
});
