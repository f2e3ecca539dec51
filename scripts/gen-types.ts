/**
 * Generates lib/model/generated/ from schema/*.schema.json:
 * - the TypeScript types of a schema (json-schema-to-typescript);
 * - its validators, compiled by ajv at build time into standalone code
 *   (https://ajv.js.org/standalone.html), so that validating a document
 *   compiles nothing at run time (docs/decisions/0014).
 * `--check` fails (exit 1) when a committed file differs from what the
 * schemas generate: CI runs it (npm run check:generated).
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import standalone from "ajv/dist/standalone/index.js";
import { compile } from "json-schema-to-typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

interface Output {
  readonly schema: string;
  readonly out: string;
  /** The file's text, from the parsed schema and the banner naming its source. */
  readonly generate: (json: SchemaDocument, banner: string) => Promise<string> | string;
}

interface SchemaDocument {
  readonly $id: string;
  readonly title: string;
  readonly definitions?: Record<string, unknown>;
}

const outputs: readonly Output[] = [
  { schema: "schema/desired-state.schema.json", out: "lib/model/generated/desired-state.ts", generate: typesOf },
  // the whole document and the definitions lib/model/validate.ts checks on their own (the constructs' specs)
  { schema: "schema/desired-state.schema.json", out: "lib/model/generated/desired-state-validators.ts", generate: (json, banner) => validatorsOf(json, banner, ["SharedMailboxSpec", "UserMailboxSpec"]) },
];

const banner = `/* eslint-disable */
/**
 * GENERATED FILE - DO NOT EDIT.
 * Generated from {{schema}} by scripts/gen-types.ts (npm run gen:types).
 * Edit the schema, then regenerate; CI fails when this file is stale.
 */`;

function typesOf(json: SchemaDocument, bannerComment: string): Promise<string> {
  return compile(json as never, json.title, {
    bannerComment,
    format: false,
    additionalProperties: false,
    unreachableDefinitions: true,
    declareExternallyReferenced: true,
  });
}

/**
 * The options lib/model/validate.ts's messages are written against: every
 * error (allErrors), with the failing schema beside it (verbose: the
 * "did you mean" of an unknown field reads the known ones from it).
 */
const AJV_OPTIONS = { allErrors: true, strict: true, useDefaults: false, verbose: true } as const;

/**
 * Standalone validators, one export per entry: `validate<Title>` for the
 * whole document, `validate<Definition>` for each definition named. The
 * module is ES, self-contained (ajv's run-time helpers are inlined) and
 * typed through `// @ts-nocheck` plus one declared signature per export, so
 * tsc, esbuild and the package build take it like any other source file.
 */
function validatorsOf(json: SchemaDocument, bannerComment: string, definitions: readonly string[]): string {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true, lines: true } });
  ajv.addSchema(json);
  const refs: Record<string, string> = { [`validate${json.title}`]: json.$id };
  for (const name of definitions) {
    if (json.definitions?.[name] === undefined) throw new Error(`${json.$id}: no definition "${name}" to compile a validator for`);
    refs[`validate${name}`] = `${json.$id}#/definitions/${name}`;
  }
  // a CommonJS module: its default import is module.exports, whose .default is the function
  let code = inlineRuntime(standalone.default(ajv, refs)).replace(/^"use strict";\n/, "");
  for (const name of Object.keys(refs)) {
    const declared = new RegExp(`^export const ${name} = (validate\\d+);$`, "m");
    if (!declared.test(code)) throw new Error(`ajv's standalone code no longer declares "export const ${name} = validateN;": update validatorsOf`);
    code = code.replace(declared, `export const ${name}: PrecompiledValidator = $1;`);
  }
  return `// @ts-nocheck: ajv's generated JavaScript; its exports are typed below.
${bannerComment}
import type { ErrorObject } from "ajv";

/** The ajv options these validators were compiled with. */
export const COMPILED_WITH = ${JSON.stringify(AJV_OPTIONS)} as const;

/** A validator compiled from the schema: true when \`data\` matches; otherwise \`errors\` holds every reason. */
export interface PrecompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

${code}
`;
}

/**
 * Standalone code still `require`s ajv's run-time helpers (ucs2length for
 * minLength/maxLength, counted in code points), even as an ES module. Each
 * one is a small self-contained function: its source is written in place
 * of the require, so the module imports nothing at run time.
 */
function inlineRuntime(code: string): string {
  const require = createRequire(import.meta.url);
  return code.replace(/require\("([^"]+)"\)\.default/g, (_all, module: string) => {
    const fn = (require(module) as { default?: unknown }).default;
    const source = typeof fn === "function" ? fn.toString() : "";
    if (!source.startsWith("function") || /\brequire\(/.test(source)) {
      throw new Error(`the standalone validators need ${module} at run time, which cannot be inlined; handle it in scripts/gen-types.ts (inlineRuntime)`);
    }
    return source;
  });
}

const check = process.argv.includes("--check");
let stale = 0;
for (const { schema, out, generate } of outputs) {
  const json = JSON.parse(readFileSync(join(root, schema), "utf8")) as SchemaDocument;
  const text = await generate(json, banner.replace("{{schema}}", schema));
  const target = join(root, out);
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {
    current = "";
  }
  if (check) {
    if (current !== text) {
      console.error(`error: ${out}: stale; it no longer matches ${schema}. Run: npm run gen:types`);
      stale++;
    }
  } else {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    console.log(`wrote ${out}`);
  }
}
if (stale > 0) process.exit(1);
if (check) console.log("generated types and validators are current");
