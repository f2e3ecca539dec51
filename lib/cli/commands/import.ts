/**
 * `exoform import <address>`: print the construct (or the desired-state
 * entry) for one existing shared mailbox, to paste into the code, as
 * `terraform plan -generate-config-out` does. It reads the tenant and uses
 * export's per-mailbox export (lib/export), so an imported mailbox plans to
 * no change exactly as an exported one does; nothing is written or changed.
 */
import type { Command } from "commander";
import { sortDiagnostics } from "../../diagnostics/diagnostic.js";
import { UserError } from "../../diagnostics/errors.js";
import { desiredToTypeScript } from "../../export/index.js";
import { canonicalJson } from "../../private/canonical-json.js";
import { withJsonErrors } from "../json-errors.js";
import { formatOf, formatOption, wantsJson, type FormatOptions } from "../options.js";
import { printDiagnostics, terminalSafeJson } from "../output.js";
import { TENANT_OPTION_HELP } from "../tenant.js";
import { exportTenant, importFromFor } from "./export.js";

const FORMATS = ["ts", "json"] as const;

interface ImportCliOptions extends FormatOptions {
  readonly tenant?: string;
  readonly stack?: string;
}

export function register(program: Command): void {
  const command = program
    .command("import")
    .description("print the construct (ts) or desired-state entry (json) for one existing shared mailbox, to paste into the code")
    .argument("<address>", "the shared mailbox's address")
    .option("--stack <name>", "the stack it will belong to (default: the tenant id, made a valid stack name)")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .addHelpText("after", "\nExamples:\n  $ exoform import support@contoso.com >> main.ts   # then move it into your stack\n  $ exoform import support@contoso.com --format json")
    .action((address: string, options: ImportCliOptions) =>
      withJsonErrors(wantsJson(options), async () => {
        const format = formatOf(options, FORMATS, "an import");
        const { result } = await exportTenant(options, [address]).catch((e: unknown) => {
          throw asImportError(e);
        });
        const mailbox = result.desired.sharedMailboxes[0];
        // export's notes about the mailboxes left out do not concern one imported mailbox
        printDiagnostics(sortDiagnostics(result.diagnostics.filter((d) => d.target === mailbox?.address)));
        if (format === "json") process.stdout.write(terminalSafeJson(`${canonicalJson(mailbox, 2)}\n`));
        else process.stdout.write(constructOnly(desiredToTypeScript(result.desired, { importFrom: importFromFor(undefined) })));
      }),
    );
  formatOption(command, FORMATS, "ts");
}

/** Export's refusals name its option (`--mailbox x is not a mailbox...`); here the address was the argument. */
function asImportError(e: unknown): unknown {
  if (!UserError.is(e)) return e;
  return new UserError(e.diagnostics.map((d) => ({ ...d, message: d.message.replace(/^--mailbox \S+ /, `${d.target} `) })));
}

/**
 * The mailbox's `new SharedMailbox(stack, ...)` statement out of the
 * one-mailbox program export writes (lib/export/typescript.ts lays it out
 * as: imports, the stack, one blank-line-separated block per mailbox,
 * `app.synth()`), with the import it needs as a comment above it.
 */
export function constructOnly(program: string): string {
  const lines = program.split("\n");
  const imports = lines.filter((l) => l.startsWith("import {") && !l.includes('"cdktf"'));
  const stackEnd = lines.indexOf("});");
  const synth = lines.lastIndexOf("app.synth();");
  const block = lines.slice(stackEnd + 1, synth).join("\n").trim();
  return `// needs: ${imports.join(" ")}\n${block}\n`;
}
