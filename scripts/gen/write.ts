/**
 * Large JSON documents to disk: each top-level array one element per line,
 * written in chunks, so a 1M-grant fixture never becomes one giant string
 * (and stays readable and diffable). The output is plain JSON.
 */
import { closeSync, openSync, writeSync } from "node:fs";

const CHUNK = 1 << 20;

export function writeJsonFile(path: string, doc: Readonly<Record<string, unknown>>): void {
  const fd = openSync(path, "w");
  let buffer = "";
  const put = (s: string) => {
    buffer += s;
    if (buffer.length >= CHUNK) {
      writeSync(fd, buffer);
      buffer = "";
    }
  };
  try {
    const keys = Object.keys(doc).filter((key) => doc[key] !== undefined);
    put("{\n");
    keys.forEach((key, i) => {
      const value = doc[key];
      put(`  ${JSON.stringify(key)}: `);
      if (Array.isArray(value) && value.length > 0) {
        put("[\n");
        value.forEach((item, j) => put(`    ${JSON.stringify(item)}${j < value.length - 1 ? "," : ""}\n`));
        put("  ]");
      } else {
        put(JSON.stringify(value));
      }
      put(i < keys.length - 1 ? ",\n" : "\n");
    });
    put("}\n");
    writeSync(fd, buffer);
  } finally {
    closeSync(fd);
  }
}
