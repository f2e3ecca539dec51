// Lint: the type-aware rules that catch real bugs, not style (formatting is
// not linted). Run by .ci/run (`npm run lint`). Each rule is here because the
// mistake it catches compiles cleanly and fails at run time:
// - a promise nobody awaits (its rejection is lost, or the process exits first);
// - a promise where a boolean or a void callback is expected (an `if (asyncFn())`);
// - throwing or rejecting with something that is not an Error (no stack, no message);
// - "[object Object]" in a message;
// - a `switch` over a union that forgets a member;
// - `return promise` inside try/catch, which skips the catch.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "build/**", "cdktf.out/**", ".exoform/**", "bench/results/**", "lib/model/generated/**", "templates/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/only-throw-error": "error",
      "@typescript-eslint/prefer-promise-reject-errors": "error",
      "@typescript-eslint/no-base-to-string": "error",
      "@typescript-eslint/no-for-in-array": "error",
      "@typescript-eslint/no-array-delete": "error",
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/return-await": ["error", "error-handling-correctness-only"],
      "@typescript-eslint/no-duplicate-type-constituents": "error",
    },
  },
);
