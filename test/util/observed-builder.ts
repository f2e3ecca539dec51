/**
 * A small fluent builder for ObservedState in tests:
 *
 *   tenant().sku("EXCHANGESTANDARD", { prepaid: 2 })
 *     .user("ann@contoso.com", { licenses: ["EXCHANGESTANDARD"] })
 *     .sharedMailbox("support@contoso.com", { displayName: "Support" })
 *     .grant("support@contoso.com", "FullAccess", "ann@contoso.com")
 *     .build()
 *
 * SKU seat consumption defaults to the number of live users holding the SKU.
 * Ids are derived from UPNs, so two builds of the same script are deep-equal.
 */
import { GB } from "../../lib/model/licensing.js";
import { compareStrings } from "../../lib/private/canonical-json.js";
import type {
  ObservedGrant,
  ObservedMailbox,
  ObservedSku,
  ObservedState,
  ObservedUser,
  Right,
} from "../../lib/provider/observed.js";

/** R7.5: skuId and Exchange service plans of the SKUs the tests use. */
export const KNOWN_SKUS: Readonly<Record<string, { skuId: string; servicePlans: readonly string[] }>> = {
  EXCHANGESTANDARD: { skuId: "4b9405b0-7788-4568-add1-99614e613b69", servicePlans: ["EXCHANGE_S_STANDARD"] },
  EXCHANGEENTERPRISE: { skuId: "19ec0d23-8335-4cbd-94ac-6050e30712fa", servicePlans: ["EXCHANGE_S_ENTERPRISE"] },
  EXCHANGEARCHIVE_ADDON: { skuId: "ee02fd1b-340e-4a4b-b355-4a514e4c8943", servicePlans: ["EXCHANGE_S_ARCHIVE_ADDON"] },
  SPE_E3: { skuId: "05e9a617-0261-4cee-bb44-138d3ef5d965", servicePlans: ["EXCHANGE_S_ENTERPRISE"] },
  SPB: { skuId: "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", servicePlans: ["EXCHANGE_S_STANDARD", "EXCHANGE_S_ARCHIVE_ADDON"] },
  ENTERPRISEPACK: { skuId: "6fd2c87f-b296-42f0-b197-1e91e994b900", servicePlans: [] },
};

export interface SkuOptions {
  readonly prepaid: number;
  /** Default: the number of live users holding it. */
  readonly consumed?: number;
  readonly servicePlans?: readonly string[];
}

export interface UserOptions {
  readonly displayName?: string;
  readonly licenses?: readonly string[];
  /** accountEnabled; default true. */
  readonly enabled?: boolean;
  /** Default "US". */
  readonly usageLocation?: string | null;
  readonly synced?: boolean;
  readonly deletedAt?: string | null;
  readonly id?: string;
}

export interface MailboxOptions {
  readonly displayName?: string;
  readonly alias?: string;
  readonly sizeGB?: number;
  readonly litigationHold?: boolean;
  readonly archive?: boolean;
  readonly readyAt?: string | null;
  readonly managementTag?: string | null;
  readonly quotaBytes?: number;
}

/** Options for the anchor account of a mailbox. */
export interface AnchorOptions extends MailboxOptions {
  readonly licenses?: readonly string[];
  readonly enabled?: boolean;
  readonly usageLocation?: string | null;
  readonly synced?: boolean;
}

function titleOf(upn: string): string {
  return upn
    .slice(0, upn.indexOf("@"))
    .split(/[.\-_]/)
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join(" ");
}

export class ObservedBuilder {
  private readonly skus = new Map<string, SkuOptions>();
  private readonly users: ObservedUser[] = [];
  private readonly mailboxes: ObservedMailbox[] = [];
  private readonly grants: ObservedGrant[] = [];
  private clock = "2026-11-01T09:00:00.000Z";

  constructor(
    private readonly id: string,
    private readonly domains: readonly string[],
    private readonly hybrid: boolean,
  ) {}

  now(iso: string): this {
    this.clock = iso;
    return this;
  }

  sku(part: string, options: SkuOptions): this {
    this.skus.set(part, options);
    return this;
  }

  user(upn: string, o: UserOptions = {}): this {
    this.users.push({
      id: o.id ?? (o.deletedAt ? `deleted:${o.deletedAt}:${upn}` : `user:${upn}`),
      userPrincipalName: upn,
      displayName: o.displayName ?? titleOf(upn),
      accountEnabled: o.enabled ?? true,
      usageLocation: o.usageLocation === undefined ? "US" : o.usageLocation,
      licenses: [...(o.licenses ?? [])].sort(compareStrings),
      onPremisesSyncEnabled: o.synced ?? false,
      deletedAt: o.deletedAt ?? null,
    });
    return this;
  }

  /** A person: a user and their user mailbox. */
  userMailbox(upn: string, o: AnchorOptions & { readonly deletedAt?: string | null } = {}): this {
    this.user(upn, { ...this.userOpts(o), ...(o.deletedAt !== undefined ? { deletedAt: o.deletedAt } : {}) });
    return this.mailbox(upn, "user", o, this.users[this.users.length - 1]!.id, o.deletedAt ?? null);
  }

  /** A shared mailbox and its anchor account (unlicensed and blocked unless said). */
  sharedMailbox(address: string, o: AnchorOptions = {}): this {
    this.user(address, { ...this.userOpts(o), enabled: o.enabled ?? false, usageLocation: o.usageLocation === undefined ? null : o.usageLocation });
    return this.mailbox(address, "shared", o, `user:${address}`, null);
  }

  /** A soft-deleted user with its soft-deleted user mailbox. */
  deletedUserMailbox(upn: string, deletedAt: string, o: AnchorOptions = {}): this {
    return this.userMailbox(upn, { ...o, deletedAt });
  }

  grant(mailbox: string, right: Right, trustee: string, o: { readonly autoMapping?: boolean } = {}): this {
    this.grants.push({
      mailbox,
      right,
      trustee,
      ...(right === "FullAccess" ? { autoMapping: o.autoMapping ?? true } : {}),
    });
    return this;
  }

  build(): ObservedState {
    const holders = new Map<string, number>();
    for (const u of this.users) if (u.deletedAt === null) for (const l of u.licenses) holders.set(l, (holders.get(l) ?? 0) + 1);
    const skus: ObservedSku[] = [...this.skus].map(([part, o]) => ({
      skuPartNumber: part,
      skuId: KNOWN_SKUS[part]?.skuId ?? `sku:${part}`,
      prepaidUnits: o.prepaid,
      consumedUnits: o.consumed ?? holders.get(part) ?? 0,
      servicePlans: [...(o.servicePlans ?? KNOWN_SKUS[part]?.servicePlans ?? [])],
    }));
    return {
      tenant: { id: this.id, domains: [...this.domains], hybrid: this.hybrid },
      observedAt: this.clock,
      skus: skus.sort((a, b) => compareStrings(a.skuPartNumber, b.skuPartNumber)),
      users: [...this.users].sort((a, b) => compareStrings(a.userPrincipalName, b.userPrincipalName) || compareStrings(a.id, b.id)),
      mailboxes: [...this.mailboxes].sort((a, b) => compareStrings(a.address, b.address) || compareStrings(a.userId, b.userId)),
      grants: [...this.grants].sort(
        (a, b) => compareStrings(a.mailbox, b.mailbox) || compareStrings(a.right, b.right) || compareStrings(a.trustee, b.trustee),
      ),
    };
  }

  private userOpts(o: AnchorOptions): UserOptions {
    return {
      ...(o.displayName !== undefined ? { displayName: o.displayName } : {}),
      ...(o.licenses !== undefined ? { licenses: o.licenses } : {}),
      ...(o.enabled !== undefined ? { enabled: o.enabled } : {}),
      ...(o.usageLocation !== undefined ? { usageLocation: o.usageLocation } : {}),
      ...(o.synced !== undefined ? { synced: o.synced } : {}),
    };
  }

  private mailbox(address: string, type: "user" | "shared", o: MailboxOptions, userId: string, deletedAt: string | null): this {
    this.mailboxes.push({
      address,
      displayName: o.displayName ?? titleOf(address),
      alias: o.alias ?? address.slice(0, address.indexOf("@")),
      type,
      userId,
      sizeBytes: Math.round((o.sizeGB ?? 1) * GB),
      quotaBytes: o.quotaBytes ?? 50 * GB,
      litigationHold: o.litigationHold ?? false,
      archive: o.archive ?? false,
      readyAt: o.readyAt ?? null,
      deletedAt,
      managementTag: o.managementTag ?? null,
    });
    return this;
  }
}

export function tenant(
  id = "contoso",
  o: { readonly domains?: readonly string[]; readonly hybrid?: boolean } = {},
): ObservedBuilder {
  return new ObservedBuilder(id, o.domains ?? ["contoso.com", "contoso.onmicrosoft.com"], o.hybrid ?? false);
}
