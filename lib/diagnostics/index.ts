/** lib/diagnostics: the Diagnostic shape every stage reports in, and the branded errors the CLI maps to exit codes. */
export * from "./diagnostic.js";
export * from "./errors.js";
