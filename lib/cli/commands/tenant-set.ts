/**
 * `exoform tenant set ...`: out-of-band edits of the simulated tenant, as an
 * admin in the portal (or Exchange PowerShell) would make them: no faults,
 * logged as admin.*. Each prints one line saying what changed; a refusal
 * names the object and the fix, and changes nothing.
 */
import type { Command } from "commander";
import type { Right } from "../../provider/observed.js";
import { formatBytes, GB } from "../../model/licensing.js";
import type { ManagementAttribute } from "../../model/management-tag.js";
import { attributeName, attributeNumber } from "../../../providers/simulated/index.js";
import { TENANT_OPTION_HELP } from "../tenant.js";
import { choice, edit, usage, type TenantOption } from "./tenant-edit.js";

const RIGHTS: readonly Right[] = ["FullAccess", "SendAs", "SendOnBehalf"];

export function registerSet(tenant: Command): void {
  const set = tenant.command("set").description("out-of-band edits, as an admin in the portal would make them (no faults, logged as admin.*)");
  const leaf = (name: string, description: string) => set.command(name).description(description).option("--tenant <path>", TENANT_OPTION_HELP);

  leaf("grant", "add a grant")
    .argument("<mailbox>")
    .argument("<right>", RIGHTS.join(" | "))
    .argument("<trustee>")
    .option("--no-automapping", "FullAccess without automapping")
    .action((mailbox: string, right: string, trustee: string, opts: TenantOption & { automapping: boolean }) =>
      edit(opts, `granted ${parseRight(right)} on ${mailbox} to ${trustee}`, (t) => t.adminAddGrant(mailbox, parseRight(right), trustee, { autoMapping: opts.automapping })),
    );
  leaf("revoke", "remove a grant")
    .argument("<mailbox>")
    .argument("<right>", RIGHTS.join(" | "))
    .argument("<trustee>")
    .action((mailbox: string, right: string, trustee: string, opts: TenantOption) =>
      edit(opts, `revoked ${parseRight(right)} on ${mailbox} from ${trustee}`, (t) => t.adminRemoveGrant(mailbox, parseRight(right), trustee)),
    );
  leaf("sign-in", "enable or disable a user's sign-in (for synced users: as if changed on premises)")
    .argument("<upn>")
    .argument("<state>", "enable | disable")
    .action((upn: string, state: string, opts: TenantOption) => {
      const enabled = choice(state, ["enable", "disable"], "sign-in state") === "enable";
      edit(opts, `sign-in of ${upn} ${enabled ? "enabled" : "disabled"}`, (t) => t.adminSetAccountEnabled(upn, enabled));
    });
  leaf("license", "assign or remove one license (seats and usage location still apply)")
    .argument("<upn>")
    .argument("<action>", "add | remove")
    .argument("<sku>", "SKU part number, e.g. EXCHANGEENTERPRISE")
    .action((upn: string, action: string, sku: string, opts: TenantOption) => {
      const a = choice(action, ["add", "remove"], "license action") as "add" | "remove";
      edit(opts, `${a === "add" ? "assigned" : "removed"} ${sku.toUpperCase()} ${a === "add" ? "to" : "from"} ${upn}`, (t) => t.adminLicense(upn, a, sku.toUpperCase()));
    });
  leaf("convert", "convert a mailbox to shared or back to a regular user mailbox")
    .argument("<address>")
    .argument("<type>", "shared | regular")
    .action((address: string, type: string, opts: TenantOption) => {
      const to = choice(type, ["shared", "regular"], "mailbox type") as "shared" | "regular";
      edit(opts, `converted ${address} to ${to}`, (t) => t.adminConvert(address, to));
    });
  leaf("delete-user", "soft-delete a user and its mailbox for 30 days (also a shared mailbox's anchor: Graph allows it)")
    .argument("<upn>")
    .action((upn: string, opts: TenantOption) => edit(opts, `deleted ${upn} (restorable for 30 days)`, (t) => t.adminDeleteUser(upn)));
  leaf("purge-user", "purge a soft-deleted user and its mailbox from the recycle bin")
    .argument("<upn|id>")
    .action((who: string, opts: TenantOption) => edit(opts, `purged ${who}`, (t) => t.adminPurgeUser(who)));
  leaf("size", "set a mailbox's size")
    .argument("<address>")
    .argument("<GB>", "size in GB, e.g. 62 or 49.5")
    .action((address: string, gb: string, opts: TenantOption) => {
      const value = Number(gb);
      if (!Number.isFinite(value) || value < 0) throw usage(`size "${gb}" is not a number of GB; give one such as 62 or 49.5`);
      edit(opts, `size of ${address} set to ${formatBytes(Math.round(value * GB))}`, (t) => t.adminSetMailboxSize(address, Math.round(value * GB)));
    });
  leaf("attribute", "set a mailbox's custom attribute as a person would (Set-Mailbox -CustomAttribute3 ...); without a value, clear it")
    .argument("<mailbox>")
    .argument("<attribute>", "CustomAttribute1 .. CustomAttribute15")
    .argument("[value]", "the value (at most 1024 characters); leave it out to clear the attribute")
    .action((mailbox: string, attribute: string, value: string | undefined, opts: TenantOption) => {
      const name = parseAttribute(attribute);
      const done = value === undefined || value === "" ? `cleared ${name} of ${mailbox}` : `${name} of ${mailbox} set to ${JSON.stringify(value)}`;
      edit(opts, done, (t) => t.adminSetCustomAttribute(mailbox, name, value ?? null));
    });

  // mail-enabled security groups: grant trustees exoform reads and never changes
  leaf("group", "create a mail-enabled security group, a trustee grants may name (add members with: tenant set group-member)")
    .argument("<address>", "the group's address, in one of the tenant's accepted domains")
    .argument("<display-name>")
    .action((address: string, displayName: string, opts: TenantOption) =>
      edit(opts, `created group "${displayName}" (${address.toLowerCase()})`, (t) => void t.adminCreateGroup(address, displayName)),
    );
  leaf("group-member", "add a user to a mail-enabled security group, or remove one")
    .argument("<group>", "the group's address")
    .argument("<action>", "add | remove")
    .argument("<upn>", "a live user")
    .action((group: string, action: string, upn: string, opts: TenantOption) => {
      const a = choice(action, ["add", "remove"], "group member action") as "add" | "remove";
      edit(opts, `${a === "add" ? "added" : "removed"} ${upn.toLowerCase()} ${a === "add" ? "to" : "from"} group ${group.toLowerCase()}`, (t) => void t.adminGroupMember(group, a, upn));
    });
  leaf("delete-group", "delete a mail-enabled security group and the grants it holds (no recycle bin; its members' accounts are kept)")
    .argument("<address>")
    .action((address: string, opts: TenantOption) => edit(opts, `deleted group ${address.toLowerCase()} and the grants it held`, (t) => t.adminDeleteGroup(address)));
}

/** "CustomAttribute3" in any case, as Exchange names it. */
function parseAttribute(text: string): ManagementAttribute {
  const n = attributeNumber(text);
  if (n === null) throw usage(`attribute "${text}" is not one of CustomAttribute1 .. CustomAttribute15; give one such as CustomAttribute3`);
  return attributeName(n);
}

function parseRight(text: string): Right {
  const right = RIGHTS.find((r) => r.toLowerCase() === text.toLowerCase());
  if (!right) throw usage(`right "${text}" is not one of ${RIGHTS.join(", ")}`);
  return right;
}
