import { describe, expect, it } from "vitest";
import { detectDrift } from "../../lib/drift/detect.js";
import { parseIgnoreRules } from "../../lib/drift/ignore.js";
import { renderDrift } from "../../lib/drift/render.js";
import { addGrant, appliedContoso, contosoDesired, editAccount, editMailbox, removeGrant, removeMailbox } from "./builders.js";

/** Several kinds of drift at once, one pending mailbox, one ignored item. */
function driftedReport() {
  let o = appliedContoso();
  o = addGrant(o, { mailbox: "support@contoso.com", right: "FullAccess", trustee: "gina.rossi@contoso.com", autoMapping: true });
  o = editAccount(o, "support@contoso.com", { accountEnabled: true });
  o = removeGrant(o, "ceo-office@contoso.com", "SendOnBehalf", "dev.patel@contoso.com");
  o = editAccount(o, "legal@contoso.com", { licenses: [] });
  o = editMailbox(o, "harry.wells@contoso.com", { displayName: "Harry | <b>W</b>" });
  o = removeMailbox(o, "info@contoso.com");
  return detectDrift(contosoDesired(), o, { ignore: [{ mailbox: "harry.wells@contoso.com", field: "alias" }, { mailbox: "ceo-office@contoso.com", field: "sendOnBehalf" }] });
}

describe("drift renderers", () => {
  const report = driftedReport();

  it("renders text grouped by mailbox with severity markers (golden file)", async () => {
    const text = renderDrift(report, "text");
    await expect(text).toMatchFileSnapshot("__golden__/drift.txt");
    expect(text).toContain("4 drifted items (1 critical, 2 high, 1 low) on 3 mailboxes; 1 pending (not drift), 1 ignored");
    expect(text).not.toContain("\u001b[");
  });

  it("colours text only when asked", () => {
    expect(renderDrift(report, "text", { color: true })).toContain("\u001b[1;31m[critical]");
  });

  it("renders markdown for an issue body: summary line, table, details, escaped values (golden file)", async () => {
    const markdown = renderDrift(report, "markdown");
    await expect(markdown).toMatchFileSnapshot("__golden__/drift.md");
    expect(markdown).toContain("| severity | mailbox | field | trustee | expected | actual | code |");
    expect(markdown).toContain("Harry \\| &lt;b&gt;W&lt;/b&gt;");
    expect(markdown).not.toContain("<b>");
  });

  it("renders json as the canonical report (golden file)", async () => {
    const json = renderDrift(report, "json");
    await expect(json).toMatchFileSnapshot("__golden__/drift.json");
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it("says plainly when there is no drift", () => {
    const clean = detectDrift(contosoDesired(), appliedContoso());
    expect(renderDrift(clean, "text")).toContain("no drift: the tenant matches the desired state; 0 pending (not drift), 0 ignored");
    expect(renderDrift(clean, "markdown")).toContain("**No drift.**");
  });
});

describe("parseIgnoreRules", () => {
  it("parses <mailbox|*>[:<field>] and lower-cases the mailbox", () => {
    expect(parseIgnoreRules(["Support@Contoso.com:fullAccess", "*:accountEnabled", "legal@contoso.com"])).toEqual({
      rules: [{ mailbox: "support@contoso.com", field: "fullAccess" }, { mailbox: "*", field: "accountEnabled" }, { mailbox: "legal@contoso.com" }],
      diagnostics: [],
    });
  });

  it("reports every bad rule at once, naming the valid fields", () => {
    const { rules, diagnostics } = parseIgnoreRules(["support@contoso.com:members", "nobody", "ok@contoso.com:sendAs"]);
    expect(rules).toEqual([{ mailbox: "ok@contoso.com", field: "sendAs" }]);
    expect(diagnostics.map((d) => d.message)).toEqual([
      'unknown field "members"; use one of mailbox, type, accountEnabled, license, displayName, alias, litigationHold, archive, hiddenFromAddressLists, emailAddresses, messageCopyForSentAs, messageCopyForSendOnBehalf, fullAccess, sendAs, sendOnBehalf',
      'expected <mailbox address|*>[:<field>], got "nobody"',
    ]);
  });

  it("suggests the field a rule meant when only its case is wrong", () => {
    expect(parseIgnoreRules(["support@contoso.com:sendas"]).diagnostics.map((d) => d.message)).toEqual([
      'unknown field "sendas"; did you mean "sendAs"? (fields are case-sensitive)',
    ]);
  });
});
