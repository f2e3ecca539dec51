/**
 * The provider conformance suite: behaviour every ITenantProvider must show,
 * whatever tenant it talks to (lib/provider/provider.ts is the contract).
 * A provider file runs it with a factory:
 *
 *   runConformanceSuite("simulated", async () => ({ provider, admin, cleanup }));
 *
 * The suite seeds its own small tenant through ConformanceAdmin, then uses
 * only the provider's methods. Tests are behaviour sentences; each can fail.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ITenantProvider } from "../../lib/provider/provider.js";
import { ProviderError, type ProviderErrorKind } from "../../lib/provider/errors.js";
import { observe } from "../../lib/provider/observe.js";
import { GrantTexts } from "../../lib/provider/packed-grants.js";
import { compareStrings } from "../../lib/private/canonical-json.js";
import type { TenantFixture } from "../../providers/simulated/fixture.js";
import type { ManagementAttribute } from "../../lib/model/management-tag.js";

/** What the suite needs beyond the contract: seeding and time. */
export interface ConformanceAdmin {
  /** Replace the tenant's whole state with `fixture` (the tenant fixture format). */
  seed(fixture: TenantFixture): Promise<void>;
  /** Move the tenant clock forward by `ms` (a real tenant would wait). */
  advanceClock(ms: number): Promise<void>;
  /** Optional: make the next `n` bulk reads fail transiently, to check reads are never partial. */
  failNextReads?(n: number): Promise<void>;
}

export interface ConformanceSubject {
  readonly provider: ITenantProvider;
  readonly admin: ConformanceAdmin;
  /**
   * False when the service cannot report a FullAccess grant's autoMapping (Microsoft's cmdlets never
   * return it): the suite then expects the field to be absent rather than a value.
   */
  readonly readsAutoMapping?: boolean;
  /**
   * Read and write the management tag in `attribute` (the desired state's tenant.managementAttribute;
   * null: CustomAttribute15), as the CLI tells a provider before it plans (lib/cli/provider.ts prepare).
   */
  useManagementAttribute(attribute: ManagementAttribute | null): void;
  cleanup(): Promise<void>;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const D = "conformance.test";

/** The suite's tenant. Deliberately unsorted and mixed-case: providers must sort and lower-case. */
export function conformanceFixture(): TenantFixture {
  return {
    formatVersion: 1,
    tenant: { id: "conformance", domains: [D], hybrid: false },
    clock: "2026-11-01T09:00:00.000Z",
    skus: [
      { skuPartNumber: "EXCHANGESTANDARD", skuId: "4b9405b0-7788-4568-add1-99614e613b69", prepaidUnits: 5, servicePlans: ["EXCHANGE_S_STANDARD"] },
      { skuPartNumber: "EXCHANGEENTERPRISE", skuId: "19ec0d23-8335-4cbd-94ac-6050e30712fa", prepaidUnits: 2, servicePlans: ["EXCHANGE_S_ENTERPRISE"] },
    ],
    users: [
      { id: "c-zed", userPrincipalName: `Zed@${D}`, displayName: "Zed", usageLocation: "US", licenses: ["EXCHANGESTANDARD"] },
      { id: "c-amy", userPrincipalName: `amy@${D}`, displayName: "Amy", usageLocation: "US", licenses: ["EXCHANGESTANDARD"] },
      { id: "c-bo", userPrincipalName: `bo@${D}`, displayName: "Bo", usageLocation: "US" },
      { id: "c-team", userPrincipalName: `team@${D}`, displayName: "Team", accountEnabled: false },
      { id: "c-gone", userPrincipalName: `gone@${D}`, displayName: "Gone", usageLocation: "US", deletedAt: "2026-10-25T09:00:00.000Z", accountEnabled: false },
    ],
    mailboxes: [
      { address: `Team@${D}`, displayName: "Team", type: "shared", userId: "c-team", sizeBytes: 1024 },
      { address: `zed@${D}`, displayName: "Zed", type: "user", userId: "c-zed" },
      { address: `amy@${D}`, displayName: "Amy", type: "user", userId: "c-amy" },
      { address: `bo@${D}`, displayName: "Bo", type: "user", userId: "c-bo" },
      { address: `gone@${D}`, displayName: "Gone", type: "user", userId: "c-gone", deletedAt: "2026-10-25T09:00:00.000Z" },
    ],
    grants: [
      { mailbox: `team@${D}`, right: "SendAs", trustee: `ZED@${D}` },
      { mailbox: `team@${D}`, right: "FullAccess", trustee: `zed@${D}`, autoMapping: false },
      { mailbox: `team@${D}`, right: "FullAccess", trustee: `amy@${D}` },
      { mailbox: `zed@${D}`, right: "SendAs", trustee: `Amy@${D}` },
    ],
  };
}

/** The rejection of `promise`, which must be a ProviderError of `kind`. */
export async function rejection(promise: Promise<unknown>, kind: ProviderErrorKind): Promise<ProviderError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  expect(ProviderError.is(caught), `expected a ProviderError of kind ${kind}, got ${String(caught)}`).toBe(true);
  const error = caught as ProviderError;
  expect(error.kind).toBe(kind);
  expect(error.code).not.toBe("");
  expect(error.message).not.toBe("");
  return error;
}

function sortedBy<T>(list: readonly T[], key: (x: T) => string): boolean {
  for (let i = 1; i < list.length; i++) if (compareStrings(key(list[i - 1]!), key(list[i]!)) > 0) return false;
  return true;
}

export function runConformanceSuite(name: string, makeProvider: () => Promise<ConformanceSubject>): void {
  describe(`provider conformance: ${name}`, () => {
    let subject: ConformanceSubject;
    let p: ITenantProvider;
    /** The autoMapping part of an expected FullAccess grant, as this provider can report it. */
    const am = (autoMapping: boolean): { autoMapping?: boolean } => (subject.readsAutoMapping === false ? {} : { autoMapping });

    beforeEach(async () => {
      subject = await makeProvider();
      p = subject.provider;
      await subject.admin.seed(conformanceFixture());
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    /** Create a shared mailbox and wait, on the tenant clock, until it is ready. */
    async function readyMailbox(address: string): Promise<void> {
      const created = await p.createSharedMailbox({ address, displayName: "Ops" });
      if (created.readyAt !== null) await p.clock.sleep(Date.parse(created.readyAt) - (await p.clock.now()).getTime());
      expect((await p.getMailbox(address))?.readyAt).toBeNull();
    }

    it("reads the same grants a mailbox at a time as in one list, when it can, each mailbox's text in the contract's form", async () => {
      if (p.listGrantsByMailbox === undefined) return; // optional: observe() reads the list instead
      const byMailbox = await p.listGrantsByMailbox();
      expect(byMailbox.mailboxes).toEqual([...new Set(byMailbox.mailboxes)].sort(compareStrings));
      expect(byMailbox.texts).toHaveLength(byMailbox.mailboxes.length);
      for (const text of byMailbox.texts) expect(text).toBe(JSON.stringify(JSON.parse(text)));
      expect(new GrantTexts().unpackAll(byMailbox)).toEqual(await p.listGrants());
    });

    it("returns every bulk read sorted by natural key with lower-cased identities", async () => {
      const users = await p.listUsers();
      const mailboxes = await p.listMailboxes();
      const grants = await p.listGrants();
      const skus = await p.listSkus();
      expect(sortedBy(users, (u) => `${u.userPrincipalName}\u0000${u.id}`)).toBe(true);
      expect(sortedBy(mailboxes, (m) => m.address)).toBe(true);
      expect(sortedBy(grants, (g) => `${g.mailbox}\u0000${g.right}\u0000${g.trustee}`)).toBe(true);
      expect(sortedBy(skus, (s) => s.skuPartNumber)).toBe(true);
      for (const u of users) expect(u.userPrincipalName).toBe(u.userPrincipalName.toLowerCase());
      for (const m of mailboxes) expect(m.address).toBe(m.address.toLowerCase());
      for (const g of grants) expect([g.mailbox, g.trustee]).toEqual([g.mailbox.toLowerCase(), g.trustee.toLowerCase()]);
      expect(users.map((u) => u.userPrincipalName)).toContain(`zed@${D}`);
      expect(grants.filter((g) => g.mailbox === `team@${D}`)).toEqual([
        { mailbox: `team@${D}`, right: "FullAccess", trustee: `amy@${D}`, ...am(true) },
        { mailbox: `team@${D}`, right: "FullAccess", trustee: `zed@${D}`, ...am(false) },
        { mailbox: `team@${D}`, right: "SendAs", trustee: `zed@${D}` },
      ]);
    });

    it("counts consumed seats from the licenses users hold", async () => {
      const skus = await p.listSkus();
      expect(skus.find((s) => s.skuPartNumber === "EXCHANGESTANDARD")).toMatchObject({ prepaidUnits: 5, consumedUnits: 2 });
      await p.assignLicense(`bo@${D}`, { add: ["EXCHANGESTANDARD"], remove: [] });
      expect((await p.listSkus()).find((s) => s.skuPartNumber === "EXCHANGESTANDARD")?.consumedUnits).toBe(3);
    });

    it("lists soft-deleted users and mailboxes with deletedAt, and point reads hide deleted users", async () => {
      const users = await p.listUsers();
      expect(users.find((u) => u.id === "c-gone")?.deletedAt).toBe("2026-10-25T09:00:00.000Z");
      expect((await p.getMailbox(`gone@${D}`))?.deletedAt).toBe("2026-10-25T09:00:00.000Z");
      expect(await p.getUser(`gone@${D}`)).toBeNull();
      expect(await p.getUser(`nobody@${D}`)).toBeNull();
      expect(await p.getMailbox(`nobody@${D}`)).toBeNull();
      expect(await p.getGrants(`nobody@${D}`)).toEqual([]);
      expect(await p.getGrants(`gone@${D}`)).toEqual([]);
    });

    it("creates a shared mailbox that accepts grants once ready, and reads them back", async () => {
      const created = await p.createSharedMailbox({ address: `Ops@${D}`, displayName: "Ops" });
      expect(created).toMatchObject({ address: `ops@${D}`, type: "shared", deletedAt: null });
      const anchor = await p.getUser(`ops@${D}`);
      expect(anchor).toMatchObject({ accountEnabled: true, licenses: [] });
      if (created.readyAt !== null) {
        await rejection(p.addMailboxPermission(`ops@${D}`, `amy@${D}`, { autoMapping: true }), "precondition");
        await p.clock.sleep(Date.parse(created.readyAt) - (await p.clock.now()).getTime());
      }
      await p.addMailboxPermission(`ops@${D}`, `AMY@${D}`, { autoMapping: false });
      await p.addRecipientPermission(`ops@${D}`, `amy@${D}`);
      await p.setSendOnBehalf(`ops@${D}`, { add: [`bo@${D}`], remove: [] });
      const expected = [
        { mailbox: `ops@${D}`, right: "FullAccess", trustee: `amy@${D}`, ...am(false) },
        { mailbox: `ops@${D}`, right: "SendAs", trustee: `amy@${D}` },
        { mailbox: `ops@${D}`, right: "SendOnBehalf", trustee: `bo@${D}` },
      ];
      expect(await p.getGrants(`ops@${D}`)).toEqual(expected);
      expect((await p.listGrants()).filter((g) => g.mailbox === `ops@${D}`)).toEqual(expected);
    });

    it("reports errors as typed ProviderErrors naming the operation and the object", async () => {
      const error = await rejection(p.removeMailboxPermission(`team@${D}`, `bo@${D}`), "notFound");
      expect(error.operation).toBe("removeMailboxPermission");
      expect(error.target).toBe(`team@${D}`);
      expect(error.retryable).toBe(false);
      await rejection(p.setMailboxType(`nobody@${D}`, "shared"), "notFound");
      await rejection(p.setAccountEnabled(`nobody@${D}`, false), "notFound");
    });

    it("answers notFound when removing a grant that is absent, for each right", async () => {
      await rejection(p.removeMailboxPermission(`team@${D}`, `bo@${D}`), "notFound");
      await rejection(p.removeRecipientPermission(`team@${D}`, `bo@${D}`), "notFound");
      await rejection(p.setSendOnBehalf(`team@${D}`, { add: [], remove: [`bo@${D}`] }), "notFound");
    });

    it("answers conflict when adding a grant that exists, and changes nothing", async () => {
      await rejection(p.addMailboxPermission(`team@${D}`, `zed@${D}`, { autoMapping: true }), "conflict");
      await rejection(p.addRecipientPermission(`team@${D}`, `zed@${D}`), "conflict");
      await p.setSendOnBehalf(`team@${D}`, { add: [`bo@${D}`], remove: [] });
      await rejection(p.setSendOnBehalf(`team@${D}`, { add: [`bo@${D}`], remove: [] }), "conflict");
      const fa = (await p.getGrants(`team@${D}`)).find((g) => g.right === "FullAccess" && g.trustee === `zed@${D}`);
      expect(fa).toEqual({ mailbox: `team@${D}`, right: "FullAccess", trustee: `zed@${D}`, ...am(false) });
    });

    it("changes autoMapping only by removing and re-adding the FullAccess grant", async () => {
      await p.removeMailboxPermission(`team@${D}`, `zed@${D}`);
      await p.addMailboxPermission(`team@${D}`, `zed@${D}`, { autoMapping: true });
      const fa = (await p.getGrants(`team@${D}`)).find((g) => g.right === "FullAccess" && g.trustee === `zed@${D}`);
      expect(fa).toEqual({ mailbox: `team@${D}`, right: "FullAccess", trustee: `zed@${D}`, ...am(true) });
    });

    it("keeps FullAccess, SendAs and SendOnBehalf independent", async () => {
      await p.removeMailboxPermission(`team@${D}`, `zed@${D}`);
      const grants = await p.getGrants(`team@${D}`);
      expect(grants.filter((g) => g.trustee === `zed@${D}`).map((g) => g.right)).toEqual(["SendAs"]);
    });

    it("applies send-on-behalf changes incrementally", async () => {
      await p.setSendOnBehalf(`team@${D}`, { add: [`bo@${D}`], remove: [] });
      await p.setSendOnBehalf(`team@${D}`, { add: [`amy@${D}`], remove: [] });
      await p.setSendOnBehalf(`team@${D}`, { add: [], remove: [`bo@${D}`] });
      const sob = (await p.getGrants(`team@${D}`)).filter((g) => g.right === "SendOnBehalf").map((g) => g.trustee);
      expect(sob).toEqual([`amy@${D}`]);
    });

    it("refuses to convert an unlicensed user mailbox to shared until it is licensed", async () => {
      await rejection(p.setMailboxType(`bo@${D}`, "shared"), "precondition");
      expect((await p.getMailbox(`bo@${D}`))?.type).toBe("user");
      await p.assignLicense(`bo@${D}`, { add: ["EXCHANGESTANDARD"], remove: [] });
      const converted = await p.setMailboxType(`bo@${D}`, "shared");
      expect(converted.type).toBe("shared");
      await p.assignLicense(`bo@${D}`, { add: [], remove: ["EXCHANGESTANDARD"] });
      expect((await p.getUser(`bo@${D}`))?.licenses).toEqual([]);
    });

    it("refuses a license without a free seat", async () => {
      await p.assignLicense(`bo@${D}`, { add: ["EXCHANGEENTERPRISE"], remove: [] });
      await p.assignLicense(`amy@${D}`, { add: ["EXCHANGEENTERPRISE"], remove: ["EXCHANGESTANDARD"] });
      const error = await rejection(p.assignLicense(`zed@${D}`, { add: ["EXCHANGEENTERPRISE"], remove: ["EXCHANGESTANDARD"] }), "precondition");
      expect(error.code).toBe("CountViolation");
      expect((await p.getUser(`zed@${D}`))?.licenses).toEqual(["EXCHANGESTANDARD"]);
    });

    it("licenses a new mailbox's account only once it has a usage location", async () => {
      await p.createSharedMailbox({ address: `desk@${D}`, displayName: "Desk" });
      expect((await p.getUser(`desk@${D}`))?.usageLocation).toBeNull();
      const error = await rejection(p.assignLicense(`desk@${D}`, { add: ["EXCHANGESTANDARD"], remove: [] }), "precondition");
      expect(error.code).toBe("InvalidUsageLocation");
      expect((await p.setUsageLocation(`DESK@${D}`, "US")).usageLocation).toBe("US");
      expect((await p.assignLicense(`desk@${D}`, { add: ["EXCHANGESTANDARD"], remove: [] })).licenses).toEqual(["EXCHANGESTANDARD"]);
    });

    it("restores a deleted user and its mailbox within 30 days, and not after", async () => {
      const restored = await p.restoreUser("c-gone");
      expect(restored).toMatchObject({ userPrincipalName: `gone@${D}`, deletedAt: null });
      const mailbox = await p.getMailbox(`gone@${D}`);
      expect(mailbox?.deletedAt).toBeNull();
      await p.removeMailbox(`gone@${D}`);
      expect((await p.getMailbox(`gone@${D}`))?.deletedAt).not.toBeNull();
      expect(await p.getUser(`gone@${D}`)).toBeNull();
      await subject.admin.advanceClock(31 * DAY);
      await rejection(p.restoreUser("c-gone"), "notFound");
      expect((await p.listUsers()).some((u) => u.id === "c-gone")).toBe(false);
      expect(await p.getMailbox(`gone@${D}`)).toBeNull();
    });

    it("blocks and re-enables sign-in, and resets passwords", async () => {
      const blocked = await p.setAccountEnabled(`Team@${D}`, false);
      expect(blocked.accountEnabled).toBe(false);
      await p.setAccountEnabled(`amy@${D}`, false);
      expect((await p.getUser(`amy@${D}`))?.accountEnabled).toBe(false);
      expect((await p.listUsers()).find((u) => u.id === "c-amy")?.accountEnabled).toBe(false);
      await p.setAccountEnabled(`amy@${D}`, true);
      expect((await p.getUser(`amy@${D}`))?.accountEnabled).toBe(true);
      await expect(p.resetPassword(`amy@${D}`)).resolves.toBeUndefined();
    });

    it("answers conflict when creating a mailbox at an address that is taken", async () => {
      await rejection(p.createSharedMailbox({ address: `amy@${D}`, displayName: "Amy again" }), "conflict");
    });

    it("refuses grants to trustees outside the tenant or unknown", async () => {
      await rejection(p.addMailboxPermission(`team@${D}`, "someone@gmail.com", { autoMapping: true }), "precondition");
      await rejection(p.addRecipientPermission(`team@${D}`, `nobody@${D}`), "precondition");
    });

    it("moves the tenant clock on sleep", async () => {
      const before = (await p.clock.now()).getTime();
      await p.clock.sleep(10 * MINUTE);
      expect((await p.clock.now()).getTime() - before).toBeGreaterThanOrEqual(10 * MINUTE);
    });

    it("updates the mailbox fields it manages, including the management tag", async () => {
      await readyMailbox(`ops@${D}`);
      const updated = await p.updateMailbox(`ops@${D}`, { displayName: "Operations", managementTag: "exoform:stack=x;removal=delete" });
      expect(updated).toMatchObject({ displayName: "Operations", managementTag: "exoform:stack=x;removal=delete" });
      expect((await p.updateMailbox(`ops@${D}`, { managementTag: null })).managementTag).toBeNull();
    });

    it("reads and writes the management tag in the custom attribute it is told, leaving the others as people set them", async () => {
      const stackTag = "exoform:stack=a;removal=delete";
      const fixture = conformanceFixture();
      await subject.admin.seed({
        ...fixture,
        mailboxes: fixture.mailboxes.map((m) => (m.address === `Team@${D}` ? { ...m, managementTag: stackTag, customAttributes: { CustomAttribute3: "DEPT-42" } } : m)),
      });
      subject.useManagementAttribute("CustomAttribute3");
      expect((await p.getMailbox(`team@${D}`))?.managementTag).toBe("DEPT-42");
      expect((await p.listMailboxes()).find((m) => m.address === `team@${D}`)?.managementTag).toBe("DEPT-42");
      await readyMailbox(`ops@${D}`);
      expect((await p.updateMailbox(`ops@${D}`, { managementTag: "exoform:stack=x;removal=delete" })).managementTag).toBe("exoform:stack=x;removal=delete");
      expect((await p.listMailboxes()).find((m) => m.address === `ops@${D}`)?.managementTag).toBe("exoform:stack=x;removal=delete");
      subject.useManagementAttribute(null);
      // CustomAttribute15 was never touched: the tag went to CustomAttribute3 only
      expect((await p.getMailbox(`ops@${D}`))?.managementTag).toBeNull();
      expect((await p.getMailbox(`team@${D}`))?.managementTag).toBe(stackTag);
      subject.useManagementAttribute("CustomAttribute3");
      expect((await p.updateMailbox(`ops@${D}`, { managementTag: null })).managementTag).toBeNull();
      expect((await p.getMailbox(`team@${D}`))?.managementTag).toBe("DEPT-42");
    });

    it("reads mailbox settings with the service's defaults, and sets several in one update", async () => {
      await readyMailbox(`ops@${D}`);
      expect(await p.getMailbox(`ops@${D}`)).toMatchObject({ hiddenFromAddressLists: false, emailAddresses: [], messageCopyForSentAs: false, messageCopyForSendOnBehalf: false });
      const updated = await p.updateMailbox(`ops@${D}`, {
        hiddenFromAddressLists: true,
        messageCopyForSentAs: true,
        messageCopyForSendOnBehalf: true,
        emailAddresses: { add: [`Help@${D}`, `desk@${D}`], remove: [] },
      });
      const expected = { hiddenFromAddressLists: true, emailAddresses: [`desk@${D}`, `help@${D}`], messageCopyForSentAs: true, messageCopyForSendOnBehalf: true };
      expect(updated).toMatchObject(expected);
      expect((await p.listMailboxes()).find((m) => m.address === `ops@${D}`)).toMatchObject(expected);
      await p.updateMailbox(`ops@${D}`, { messageCopyForSentAs: false, emailAddresses: { add: [], remove: [`desk@${D}`] } });
      expect(await p.getMailbox(`ops@${D}`)).toMatchObject({ hiddenFromAddressLists: true, emailAddresses: [`help@${D}`], messageCopyForSentAs: false, messageCopyForSendOnBehalf: true });
    });

    it("keeps an extra address to one mailbox: another mailbox's address is a conflict, and so is creating a mailbox at it", async () => {
      await readyMailbox(`ops@${D}`);
      await rejection(p.updateMailbox(`ops@${D}`, { emailAddresses: { add: [`amy@${D}`], remove: [] } }), "conflict");
      await p.updateMailbox(`ops@${D}`, { emailAddresses: { add: [`help@${D}`], remove: [] } });
      await rejection(p.createSharedMailbox({ address: `help@${D}`, displayName: "Help" }), "conflict");
      expect((await p.getMailbox(`ops@${D}`))?.emailAddresses).toEqual([`help@${D}`]);
    });

    it("refuses an extra address outside the accepted domains, and removing one the mailbox lacks", async () => {
      await readyMailbox(`ops@${D}`);
      await rejection(p.updateMailbox(`ops@${D}`, { emailAddresses: { add: ["ops@elsewhere.example"], remove: [] } }), "precondition");
      await rejection(p.updateMailbox(`ops@${D}`, { emailAddresses: { add: [], remove: [`nobody@${D}`] } }), "notFound");
      expect((await p.getMailbox(`ops@${D}`))?.emailAddresses).toEqual([]);
    });

    it("renames a mailbox: the new primary address, the old one kept as an extra address, its grants and settings moved with it", async () => {
      await readyMailbox(`ops@${D}`);
      await p.addRecipientPermission(`ops@${D}`, `amy@${D}`);
      await p.updateMailbox(`ops@${D}`, { hiddenFromAddressLists: true, emailAddresses: { add: [`desk@${D}`], remove: [] } });
      const renamed = await p.setPrimaryAddress(`ops@${D}`, `Operations@${D}`);
      expect(renamed).toMatchObject({ address: `operations@${D}`, emailAddresses: [`desk@${D}`, `ops@${D}`], hiddenFromAddressLists: true });
      expect(await p.getMailbox(`ops@${D}`)).toBeNull();
      expect((await p.getGrants(`operations@${D}`)).map((g) => `${g.right} ${g.trustee}`)).toEqual([`SendAs amy@${D}`]);
      expect((await p.listMailboxes()).map((m) => m.address)).toContain(`operations@${D}`);
      // the old address is still the mailbox's: nobody else may take it (R5.2)
      await rejection(p.createSharedMailbox({ address: `ops@${D}`, displayName: "Ops again" }), "conflict");
    });

    it("renames a mailbox to one of its own extra addresses, and refuses another recipient's address or a foreign domain", async () => {
      await readyMailbox(`ops@${D}`);
      await p.updateMailbox(`ops@${D}`, { emailAddresses: { add: [`desk@${D}`], remove: [] } });
      await rejection(p.setPrimaryAddress(`ops@${D}`, `amy@${D}`), "conflict");
      await rejection(p.setPrimaryAddress(`ops@${D}`, "ops@elsewhere.example"), "precondition");
      expect(await p.setPrimaryAddress(`ops@${D}`, `desk@${D}`)).toMatchObject({ address: `desk@${D}`, emailAddresses: [`ops@${D}`] });
    });

    it("renames a user's sign-in name, refusing one a live user already has", async () => {
      await rejection(p.setUserPrincipalName(`bo@${D}`, `amy@${D}`), "conflict");
      const renamed = await p.setUserPrincipalName(`bo@${D}`, `Bo.Renamed@${D}`);
      expect(renamed).toMatchObject({ id: "c-bo", userPrincipalName: `bo.renamed@${D}` });
      expect(await p.getUser(`bo@${D}`)).toBeNull();
      expect((await p.getUser(`bo.renamed@${D}`))?.id).toBe("c-bo");
    });

    it("revokes a user's sign-in sessions, reads the revocation back as sessionsRevokedAt, and answers notFound for a user that is not there", async () => {
      expect((await p.getUser(`amy@${D}`))?.sessionsRevokedAt ?? null).toBeNull();
      const before = (await p.clock.now()).getTime();
      await p.revokeSignInSessions("c-amy");
      const revokedAt = (await p.getUser(`amy@${D}`))?.sessionsRevokedAt;
      expect(revokedAt).toBeDefined();
      expect(Date.parse(revokedAt!)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      await rejection(p.revokeSignInSessions("c-nobody"), "notFound");
    });

    it("reads mail-enabled security groups with their live members, and takes a group as a trustee of every right", async () => {
      await subject.admin.seed({
        ...conformanceFixture(),
        groups: [
          { id: "g-help", address: `Helpdesk@${D}`, displayName: "Helpdesk", members: ["c-zed", "c-amy", "c-gone"] },
          { id: "g-empty", address: `empty@${D}`, displayName: "Empty" },
        ],
      });
      expect(await p.listGroups!()).toEqual([
        { id: "g-empty", address: `empty@${D}`, displayName: "Empty", members: [] },
        { id: "g-help", address: `helpdesk@${D}`, displayName: "Helpdesk", members: [`amy@${D}`, `zed@${D}`] },
      ]);
      expect((await observe(p)).groups?.map((g) => g.address)).toEqual([`empty@${D}`, `helpdesk@${D}`]);
      await p.addMailboxPermission(`team@${D}`, `helpdesk@${D}`, { autoMapping: false });
      await p.addRecipientPermission(`team@${D}`, `helpdesk@${D}`);
      await p.setSendOnBehalf(`team@${D}`, { add: [`helpdesk@${D}`], remove: [] });
      const held = (await p.getGrants(`team@${D}`)).filter((g) => g.trustee === `helpdesk@${D}`).map((g) => g.right);
      expect(held).toEqual(["FullAccess", "SendAs", "SendOnBehalf"]);
    });

    it("names a group trustee by its address in a single mailbox's grants, as the bulk read does", async () => {
      await subject.admin.seed({ ...conformanceFixture(), groups: [{ id: "g-help", address: `helpdesk@${D}`, displayName: "Help Desk", members: ["c-amy"] }] });
      await p.addMailboxPermission(`team@${D}`, `helpdesk@${D}`, { autoMapping: false });
      await p.addRecipientPermission(`zed@${D}`, `helpdesk@${D}`);
      await p.setSendOnBehalf(`team@${D}`, { add: [`helpdesk@${D}`], remove: [] });
      const listed = await p.listGrants();
      for (const mailbox of [`team@${D}`, `zed@${D}`]) expect(await p.getGrants(mailbox)).toEqual(listed.filter((g) => g.mailbox === mailbox));
      expect(listed.filter((g) => g.trustee === `helpdesk@${D}`).map((g) => `${g.mailbox} ${g.right}`)).toEqual([`team@${D} FullAccess`, `team@${D} SendOnBehalf`, `zed@${D} SendAs`]);
    });

    it("returns complete bulk reads: the grants listed equal the grants read mailbox by mailbox", async () => {
      const all = await p.listGrants();
      const mailboxes = await p.listMailboxes(); // soft-deleted ones included: a restore brings their grants back
      const one = (await Promise.all(mailboxes.map((m) => p.getGrants(m.address)))).flat();
      expect(all).toEqual(one);
    });

    it("never answers a partial observation: a failing bulk read rejects the whole read", async () => {
      if (!subject.admin.failNextReads) return;
      await subject.admin.failNextReads(1);
      const error = await observe(p).then(
        () => null,
        (e: unknown) => e,
      );
      expect(ProviderError.is(error) && error.retryable).toBe(true);
      const state = await observe(p);
      expect(state.mailboxes.length).toBe(5);
    });
  });
}
