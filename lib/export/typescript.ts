/**
 * desiredToTypeScript: a desired-state document as a readable constructs
 * program in the style of examples/contoso/main.ts, one `new SharedMailbox`
 * per mailbox, that synthesizes back to exactly that document. Pure and
 * deterministic: the same document always gives the same bytes.
 *
 * - Construct ids come from the address's local part in PascalCase
 *   ("ceo-office@" -> "CeoOffice"), made unique in address order by a numeric
 *   suffix ("Support", "Support2"); they only name things in the program.
 * - A trustee with FullAccess (autoMapping on) and SendAs is a member;
 *   everything else is listed in fullAccess / sendAs / sendOnBehalf.
 * - Only properties that differ from their defaults are written.
 * - Every string from the document is written with JSON.stringify, so quotes,
 *   backslashes, "${" and any unicode stay literal; none is put in a comment.
 */
import type { CanonicalDesiredState, CanonicalSharedMailbox, CanonicalUserMailbox } from "../model/normalize.js";

/** Where the generated program imports exoform from: the npm package, by its name (docs/decisions/0012-package.md). */
export const DEFAULT_IMPORT_FROM = "@exoform/exoform";

export interface TypeScriptOptions {
  /** The module specifier of exoform's library. Default: DEFAULT_IMPORT_FROM. */
  readonly importFrom?: string;
}

/** Lines longer than this put one list item per line. */
const WIDTH = 100;
/** Child ids TenantStack uses itself, or that constructs treats specially. */
const RESERVED_IDS = ["Tenant", "Resource", "Default"];

export function desiredToTypeScript(desired: CanonicalDesiredState, options: TypeScriptOptions = {}): string {
  const ids = new Set(RESERVED_IDS);
  const uniqueId = (address: string): string => {
    const base = constructIdFor(address);
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}${n}`;
    ids.add(id);
    return id;
  };
  const shared = desired.sharedMailboxes.map((m) => sharedMailboxBlock(m, uniqueId(m.address)));
  const users = desired.userMailboxes.map((m) => userMailboxBlock(m, uniqueId(m.address)));

  const names = new Set(["TenantStack"]);
  if (shared.length > 0) names.add("SharedMailbox");
  if (users.length > 0) names.add("UserMailbox");
  for (const b of shared) for (const n of b.uses) names.add(n);

  const stackProps: string[] = [
    `  tenantId: ${str(desired.tenant.id)},`,
    `  // Every mailbox and every person granted access must be in one of these (R3.8).`,
    `  ${list("domains", desired.tenant.domains.map(str), 2)},`,
  ];
  if (desired.tenant.usageLocation !== undefined) stackProps.push(`  usageLocation: ${str(desired.tenant.usageLocation)},`);
  if (desired.ignore !== undefined && desired.ignore.length > 0) {
    stackProps.push("  ignore: [");
    for (const r of desired.ignore) {
      const fields = [`mailbox: ${str(r.mailbox)}`];
      if (r.field !== undefined) fields.push(`field: ${str(r.field)}`);
      if (r.reason !== undefined) fields.push(`reason: ${str(r.reason)}`);
      stackProps.push(`    { ${fields.join(", ")} },`);
    }
    stackProps.push("  ],");
  }

  const out: string[] = [
    "/**",
    ` * Tenant stack "${desired.stack}", exported from the tenant by \`exoform export --format ts\`.`,
    " * Planned against the tenant it was exported from, it changes nothing (apart",
    " * from what the export's notes said). From now on this file is the code:",
    " * edit it, run `exoform plan`, review, `exoform apply`.",
    " *",
    " * Every mailbox is identified by its address. The construct ids only name",
    " * things in this file: renaming one changes nothing in the tenant.",
    " */",
    `import { App } from "cdktf";`,
    `import { ${[...names].sort().join(", ")} } from ${str(options.importFrom ?? DEFAULT_IMPORT_FROM)};`,
    "",
    "const app = new App();",
    "",
    `const stack = new TenantStack(app, ${str(desired.stack)}, {`,
    ...stackProps,
    "});",
  ];
  for (const b of shared) out.push("", ...b.lines);
  for (const b of users) out.push("", ...b.lines);
  out.push("", "app.synth();", "");
  return out.join("\n");
}

/**
 * The construct id an address suggests: its local part in PascalCase, ASCII
 * letters and digits only ("kim.nguyen@contoso.com" -> "KimNguyen"); prefixed
 * with "Mailbox" when that would be empty or start with a digit.
 */
export function constructIdFor(address: string): string {
  const local = address.slice(0, address.lastIndexOf("@") === -1 ? address.length : address.lastIndexOf("@"));
  const id = local
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("");
  return id === "" || /^[0-9]/.test(id) ? `Mailbox${id}` : id;
}

interface Block {
  readonly lines: string[];
  /** Library names the block refers to (MailboxOrigin, RemovalPolicy...). */
  readonly uses: string[];
}

function sharedMailboxBlock(m: CanonicalSharedMailbox, id: string): Block {
  const uses: string[] = [];
  const sendAs = new Set(m.sendAs);
  const members = m.fullAccess.filter((g) => g.autoMapping && sendAs.has(g.trustee)).map((g) => g.trustee);
  const memberSet = new Set(members);
  const fullAccess = m.fullAccess
    .filter((g) => !memberSet.has(g.trustee))
    .map((g) => (g.autoMapping ? str(g.trustee) : `{ trustee: ${str(g.trustee)}, autoMapping: false }`));
  const props = [`address: ${str(m.address)}`];
  if (m.previousAddresses.length > 0) props.push(list("previousAddresses", m.previousAddresses.map(str), 2));
  props.push(`displayName: ${str(m.displayName)}`);
  if (m.alias !== undefined) props.push(`alias: ${str(m.alias)}`);
  if (m.origin === "convert") {
    props.push("origin: MailboxOrigin.CONVERT");
    uses.push("MailboxOrigin");
  }
  if (members.length > 0) props.push(list("members", members.map(str), 2));
  if (fullAccess.length > 0) props.push(list("fullAccess", fullAccess, 2));
  const onlySendAs = m.sendAs.filter((t) => !memberSet.has(t));
  if (onlySendAs.length > 0) props.push(list("sendAs", onlySendAs.map(str), 2));
  if (m.sendOnBehalf.length > 0) props.push(list("sendOnBehalf", m.sendOnBehalf.map(str), 2));
  if (m.permissionsMode === "additive") {
    props.push("permissionsMode: PermissionsMode.ADDITIVE");
    uses.push("PermissionsMode");
  }
  // one licence is written as the license shorthand, several as licenses
  if (m.licenses.length === 1) props.push(`license: ${str(m.licenses[0]!)}`);
  else if (m.licenses.length > 1) props.push(list("licenses", m.licenses.map(str), 2));
  if (m.usageLocation !== undefined) props.push(`usageLocation: ${str(m.usageLocation)}`);
  if (m.litigationHold) props.push("litigationHold: true");
  if (m.archive) props.push("archive: true");
  if (m.removalPolicy === "delete") {
    props.push("removalPolicy: RemovalPolicy.DELETE");
    uses.push("RemovalPolicy");
  }
  if (m.signIn !== undefined) props.push(`signIn: { allowed: true, reason: ${str(m.signIn.reason)} }`);
  if (m.hiddenFromAddressLists) props.push("hiddenFromAddressLists: true");
  if (m.emailAddresses.length > 0) props.push(list("emailAddresses", m.emailAddresses.map(str), 2));
  if (m.messageCopyForSentAs) props.push("messageCopyForSentAs: true");
  if (m.messageCopyForSendOnBehalf) props.push("messageCopyForSendOnBehalf: true");
  return { lines: construct("SharedMailbox", id, props), uses };
}

function userMailboxBlock(m: CanonicalUserMailbox, id: string): Block {
  return { lines: construct("UserMailbox", id, [`address: ${str(m.address)}`, `license: ${str(m.license)}`]), uses: [] };
}

function construct(kind: string, id: string, props: readonly string[]): string[] {
  return [`new ${kind}(stack, ${str(id)}, {`, ...props.map((p) => `  ${p},`), "});"];
}

/** `name: [a, b]` on one line when it fits, otherwise one item per line. */
function list(name: string, items: readonly string[], indent: number): string {
  const inline = `${name}: [${items.join(", ")}]`;
  if (indent + inline.length + 1 <= WIDTH) return inline;
  const pad = " ".repeat(indent);
  return `${name}: [\n${items.map((i) => `${pad}  ${i},`).join("\n")}\n${pad}]`;
}

/** A TypeScript string literal: JSON's escaping is valid TypeScript, and "${" stays literal in double quotes. */
const str = (s: string): string => JSON.stringify(s);
