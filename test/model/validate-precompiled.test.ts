/**
 * Validation compiles nothing at run time (docs/decisions/0014): here ajv
 * cannot even be constructed, and every entry point of lib/model/validate.ts
 * still judges documents, good and bad, with the words of its tests.
 */
import { describe, expect, it, vi } from "vitest";
import { contosoDesiredDocument } from "../drift/builders.js";

vi.mock("ajv", () => {
  class Ajv {
    constructor() {
      throw new Error("ajv was used at run time: desired-state validation must use the precompiled validators (npm run gen:types)");
    }
  }
  return { Ajv, default: Ajv };
});

const { validateDesiredState, checkSharedMailboxSpec, checkUserMailboxSpec } = await import("../../lib/model/validate.js");

describe("validation without a schema compiled at run time", () => {
  it("accepts a valid document and reports a broken one, with ajv unavailable", () => {
    expect(validateDesiredState(contosoDesiredDocument(), "t.json").state).toBeDefined();
    const broken = { ...contosoDesiredDocument(), formatVersion: 2 };
    expect(validateDesiredState(broken, "t.json").diagnostics).toEqual([expect.objectContaining({ code: "schema_const", message: '"formatVersion" is 2; it must be 1' })]);
  });

  it("checks shared and user mailbox specs on their own, with ajv unavailable", () => {
    expect(checkSharedMailboxSpec({ address: "help@contoso.com", displayName: "Help", licence: "EXCHANGESTANDARD" }, ["contoso.com"], "<construct>")).toEqual([
      expect.objectContaining({ code: "schema_additionalProperties", target: "help@contoso.com", message: expect.stringContaining('did you mean "license"?') as unknown }),
    ]);
    expect(checkUserMailboxSpec({ address: "kim@contoso.com", license: "none" }, ["contoso.com"], "<construct>").map((d) => d.code)).toEqual(["schema_pattern"]);
  });
});
