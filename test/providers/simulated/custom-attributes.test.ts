/**
 * The simulated tenant's custom attributes (providers/simulated/store.ts,
 * rules.ts): CustomAttribute1..15 are the mailbox's own attributes, the
 * management tag lives in the one the desired state's
 * tenant.managementAttribute names, and tenant files made before keep
 * working, CustomAttribute15 being the column they always had.
 */
import Database from "better-sqlite3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ManagementAttribute } from "../../../lib/model/management-tag.js";
import { ProviderError } from "../../../lib/provider/errors.js";
import { attributeName, loadFixture, SimulatedTenant, type TenantFixture } from "../../../providers/simulated/index.js";
import { tempTenants } from "./helpers.js";

const tenants = tempTenants();
const TAG = "exoform:stack=contoso;removal=delete";
const support = "support@contoso.com";

/** Contoso with support@ carrying a department code in CustomAttribute3 and a note in CustomAttribute7. */
function contosoWithAttributes(): TenantFixture {
  const f = loadFixture("contoso");
  return { ...f, mailboxes: f.mailboxes.map((m) => (m.address === support ? { ...m, customAttributes: { CustomAttribute7: "note", CustomAttribute3: "DEPT-42" } } : m)) };
}

describe("the simulated tenant's custom attributes", () => {
  it("reads the management tag from the attribute it is told, CustomAttribute15 unless told", async () => {
    const t = tenants.from(contosoWithAttributes());
    expect((await t.getMailbox("events-2025@contoso.com"))?.managementTag).toBe(TAG);
    expect((await t.getMailbox(support))?.managementTag).toBeNull();
    t.setManagementAttribute("CustomAttribute3");
    expect((await t.getMailbox(support))?.managementTag).toBe("DEPT-42");
    expect((await t.listMailboxes()).find((m) => m.address === "events-2025@contoso.com")?.managementTag).toBeNull();
    t.setManagementAttribute(null);
    expect((await t.listMailboxes()).find((m) => m.address === "events-2025@contoso.com")?.managementTag).toBe(TAG);
  });

  it("writes the tag into the management attribute only, and a Set-Mailbox by attribute name into that attribute", async () => {
    const t = tenants.from(contosoWithAttributes());
    t.setManagementAttribute("CustomAttribute9");
    await t.updateMailbox(support, { managementTag: TAG });
    expect(await t.getCustomAttributes(support)).toEqual({ CustomAttribute3: "DEPT-42", CustomAttribute7: "note", CustomAttribute9: TAG });
    await t.updateMailbox(support, { customAttributes: { CustomAttribute7: null, CustomAttribute15: "x" } });
    expect(await t.getCustomAttributes(support)).toEqual({ CustomAttribute3: "DEPT-42", CustomAttribute9: TAG, CustomAttribute15: "x" });
    await t.updateMailbox(support, { managementTag: "" });
    expect((await t.getMailbox(support))?.managementTag).toBeNull();
    expect(await t.getCustomAttributes(support)).toEqual({ CustomAttribute3: "DEPT-42", CustomAttribute15: "x" });
  });

  it("refuses a value longer than 1024 characters, naming the attribute and the mailbox, and changes nothing", async () => {
    const t = tenants.contoso();
    t.setManagementAttribute("CustomAttribute4");
    const error = await t.updateMailbox(support, { displayName: "Help", managementTag: "x".repeat(1025) }).then(() => null, (e: unknown) => e);
    expect(ProviderError.is(error) && error.message).toBe(`the value for CustomAttribute4 of ${support} is longer than 1024 characters; shorten it`);
    expect(await t.getMailbox(support)).toMatchObject({ displayName: "Contoso Support", managementTag: null });
  });

  it("moves a mailbox's custom attributes with it when it is renamed", async () => {
    const t = tenants.from(contosoWithAttributes());
    await t.setPrimaryAddress(support, "help@contoso.com");
    expect(await t.getCustomAttributes("help@contoso.com")).toEqual({ CustomAttribute3: "DEPT-42", CustomAttribute7: "note" });
    expect(await t.getCustomAttributes(support)).toEqual({});
  });

  it("exports custom attributes in the fixture, which init reads back to the same tenant", async () => {
    const t = tenants.from(contosoWithAttributes());
    t.adminSetCustomAttribute("legal@contoso.com", "CustomAttribute12", "hold since 2025");
    const exported = t.exportFixture();
    expect(exported.mailboxes.find((m) => m.address === support)?.customAttributes).toEqual({ CustomAttribute3: "DEPT-42", CustomAttribute7: "note" });
    expect(Object.keys(exported.mailboxes.find((m) => m.address === support)!.customAttributes!)).toEqual(["CustomAttribute3", "CustomAttribute7"]);
    expect(exported.mailboxes.find((m) => m.address === "ann.lee@contoso.com")).not.toHaveProperty("customAttributes");
    expect(tenants.from(exported).exportFixture()).toEqual(exported);
  });

  it("refuses a fixture naming CustomAttribute15 in customAttributes (it is managementTag), at its path", () => {
    const f = contosoWithAttributes();
    const bad = { ...f, mailboxes: f.mailboxes.map((m) => (m.address === support ? { ...m, customAttributes: { CustomAttribute15: "x" } } : m)) } as TenantFixture;
    const error = (() => {
      try {
        tenants.from(bad);
        return null;
      } catch (e) {
        return e as { diagnostics: Array<{ location: string; message: string }> };
      }
    })();
    const index = f.mailboxes.findIndex((m) => m.address === support);
    expect(error?.diagnostics.map((d) => [d.location, d.message])).toEqual([[`<fixture>#/mailboxes/${index}/customAttributes`, 'unknown field "CustomAttribute15"; check its spelling against schema/tenant-fixture.schema.json']]);
  });

  it("opens a tenant file made before custom attributes, its CustomAttribute15 still the tag, and writes the others", async () => {
    const path = tenants.path();
    SimulatedTenant.create(path, loadFixture("contoso")).close();
    const db = new Database(path);
    db.exec("DROP TABLE custom_attributes");
    db.close();
    const t = SimulatedTenant.open(path);
    try {
      expect(await t.getCustomAttributes("events-2025@contoso.com")).toEqual({ CustomAttribute15: TAG });
      t.setManagementAttribute("CustomAttribute2");
      expect((await t.getMailbox("events-2025@contoso.com"))?.managementTag).toBeNull();
      await t.updateMailbox(support, { managementTag: TAG });
      expect(await t.getCustomAttributes(support)).toEqual({ CustomAttribute2: TAG });
      expect((await t.listMailboxes()).filter((m) => m.managementTag === TAG).map((m) => m.address)).toEqual([support]);
    } finally {
      t.close();
    }
  });

  it("whichever attribute holds the tag, writing the tag changes that attribute and no other (property)", async () => {
    const t = tenants.contoso();
    const numbers = fc.integer({ min: 1, max: 15 });
    const others = fc.dictionary(numbers.map((n) => attributeName(n)), fc.string({ minLength: 1, maxLength: 8 }), { maxKeys: 5 });
    await fc.assert(
      fc.asyncProperty(numbers, others, fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: null }), async (n, before, tag) => {
        const attribute = attributeName(n);
        t.setManagementAttribute(null);
        const clear = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [attributeName(i + 1), null])) as Record<ManagementAttribute, null>;
        await t.updateMailbox(support, { customAttributes: { ...clear, ...before } });
        t.setManagementAttribute(attribute);
        const updated = await t.updateMailbox(support, { managementTag: tag });
        const { [attribute]: _replaced, ...kept } = before;
        expect(updated.managementTag).toBe(tag);
        expect(await t.getCustomAttributes(support)).toEqual(sortedByNumber(tag === null ? kept : { ...kept, [attribute]: tag }));
      }),
      { numRuns: 40, seed: 13 },
    );
  });
});

/** Custom attributes in attribute order, as the tenant lists them. */
function sortedByNumber(values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).sort(([a], [b]) => Number(a.slice(15)) - Number(b.slice(15))));
}
