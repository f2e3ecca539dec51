/**
 * The validators compiled at build time (lib/model/generated/desired-state-validators.ts,
 * docs/decisions/0014) are ajv's own: on any document, valid or broken
 * anywhere, they answer and explain exactly as ajv compiling the schema at
 * run time with the same options does. Documents are the contoso example
 * with random edits: a field set to any JSON value or to a string near a
 * rule (an alias too long, emoji counted by code point), a field removed, a
 * field added.
 */
import { Ajv, type ValidateFunction } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import schema from "../../schema/desired-state.schema.json" with { type: "json" };
import * as precompiled from "../../lib/model/generated/desired-state-validators.js";
import { contosoDesiredDocument } from "../drift/builders.js";

const ajv = new Ajv({ ...precompiled.COMPILED_WITH });
ajv.addSchema(schema);
const atRunTime = (ref: string): ValidateFunction => ajv.getSchema(`${schema.$id}${ref}`)!;

/** Every property name the schema knows, so that added fields are often known ones with a wrong value. */
const KNOWN_KEYS = [...new Set([...Object.keys(schema.properties), ...Object.values(schema.definitions).flatMap((d) => Object.keys((d as { properties?: object }).properties ?? {}))])];

/** Strings at the edges of the schema's rules. */
const nearRules = fc.constantFrom(
  "",
  " ",
  "a".repeat(64),
  "a".repeat(65),
  "😀".repeat(256), // 256 code points, 512 UTF-16 units: within maxLength 256 as ajv counts
  "😀".repeat(257),
  ".alias",
  "ann.lee@contoso.com",
  "Ann.Lee@Contoso.com",
  "not an address",
  "EXCHANGESTANDARD",
  "Exchange Plan 2",
  "none",
  "convert",
  "delete",
  "CustomAttribute15",
  "de",
  "DE",
);

const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), nearRules, fc.constant(undefined));

/** One edit: follow `path` (each step picks a key or an item, modulo their number), then set it to `value`, remove it (undefined), or add `key` beside it. */
const edit = fc.record({ path: fc.array(fc.nat(), { maxLength: 4 }), add: fc.boolean(), key: fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.string({ maxLength: 6 })), value });
type Edit = typeof edit extends fc.Arbitrary<infer E> ? E : never;

function applyEdit(doc: unknown, { path, add, key, value: v }: Edit): unknown {
  const root: { doc: unknown } = { doc };
  let parent: Record<string, unknown> | unknown[] = root as Record<string, unknown>;
  let at: string | number = "doc";
  for (const step of path) {
    const cur: unknown = Array.isArray(parent) ? parent[at as number] : parent[at as string];
    if (cur === null || typeof cur !== "object") break;
    const keys = Array.isArray(cur) ? cur.map((_, i) => i) : Object.keys(cur);
    if (keys.length === 0) break;
    parent = cur as Record<string, unknown> | unknown[];
    at = keys[step % keys.length]!;
  }
  if (Array.isArray(parent)) parent[at as number] = v;
  else if (add) parent[key] = v;
  else if (v === undefined) delete parent[at as string];
  else parent[at as string] = v;
  return root.doc;
}

/** Both validators' verdicts on `data`, and their errors. */
function verdicts(compiled: precompiled.PrecompiledValidator, runtime: ValidateFunction, data: unknown) {
  const a = compiled(data);
  const b = runtime(data);
  return { precompiled: { valid: a, errors: compiled.errors ?? null }, runtime: { valid: b, errors: runtime.errors ?? null } };
}

const edits = fc.array(edit, { minLength: 0, maxLength: 3 });

describe("precompiled desired-state validators", () => {
  it("judge and explain a whole document exactly as ajv compiling the schema at run time does", () => {
    const runtime = atRunTime("");
    let invalid = 0;
    fc.assert(
      fc.property(edits, (list) => {
        const doc = list.reduce<unknown>(applyEdit, contosoDesiredDocument());
        const v = verdicts(precompiled.validateDesiredState, runtime, doc);
        if (!v.runtime.valid) invalid++;
        expect(v.precompiled).toEqual(v.runtime);
      }),
      { numRuns: 300 },
    );
    // the edits do break documents, so the errors were compared, not only the verdicts
    expect(invalid).toBeGreaterThan(100);
  });

  it("judge a shared mailbox spec and a user mailbox spec on their own as ajv does", () => {
    const [support] = contosoDesiredDocument().sharedMailboxes;
    const [kim] = contosoDesiredDocument().userMailboxes;
    const shared = atRunTime("#/definitions/SharedMailboxSpec");
    const user = atRunTime("#/definitions/UserMailboxSpec");
    fc.assert(
      fc.property(edits, (list) => {
        const s = verdicts(precompiled.validateSharedMailboxSpec, shared, list.reduce<unknown>(applyEdit, structuredClone(support)));
        expect(s.precompiled).toEqual(s.runtime);
        const u = verdicts(precompiled.validateUserMailboxSpec, user, list.reduce<unknown>(applyEdit, structuredClone(kim)));
        expect(u.precompiled).toEqual(u.runtime);
      }),
      { numRuns: 200 },
    );
  });

  it("count a display name's length in code points, as ajv does: 256 emoji pass, 257 do not", () => {
    const named = (displayName: string) => ({ address: "a@contoso.com", displayName });
    expect(precompiled.validateSharedMailboxSpec(named("😀".repeat(256)))).toBe(true);
    expect(precompiled.validateSharedMailboxSpec(named("😀".repeat(257)))).toBe(false);
    expect(precompiled.validateSharedMailboxSpec.errors).toEqual([expect.objectContaining({ keyword: "maxLength", instancePath: "/displayName" })]);
  });
});
