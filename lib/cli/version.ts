/** exoform's version, from its package.json: the one place it is written, so `--version` cannot disagree with the package. */
import pkg from "../../package.json" with { type: "json" };

export const EXOFORM_VERSION: string = pkg.version;
