/**
 * `exoform force-unlock <id>`: release the tenant lock an apply left behind
 * (a killed process, a lost CI runner). The id is the one printed by the
 * apply that found the tenant locked. A holder that is still running on this
 * host is not unlocked unless --force is given: two applies at once is what
 * the lock prevents.
 */
import type { Command } from "commander";
import { hostname } from "node:os";
import { FileLockStore, isDeadHolder } from "../../apply/index.js";
import { UserError } from "../../diagnostics/errors.js";
import { tenantStatePaths } from "../provider.js";
import { TENANT_OPTION_HELP } from "../tenant.js";

interface ForceUnlockOptions {
  readonly tenant?: string;
  readonly force?: boolean;
}

export function register(program: Command): void {
  program
    .command("force-unlock")
    .description("release the tenant lock left by an apply that is no longer running")
    .argument("<id>", "the lock id, as printed by the apply that found the tenant locked")
    .option("--tenant <path>", TENANT_OPTION_HELP)
    .option("--force", "release the lock even though its holder still runs on this host")
    .action(async (id: string, options: ForceUnlockOptions) => {
      const store = new FileLockStore(tenantStatePaths(options).lockPath);
      const held = await store.read();
      if (held !== null && held.id === id && held.host === hostname() && !isDeadHolder(held) && !options.force) {
        throw new UserError(
          `lock ${id} is held by process ${held.pid} on this host, which is still running (since ${held.since}); stop that apply first, or pass --force if the pid now belongs to something else`,
          "lock_holder_running",
        );
      }
      const released = await store.forceUnlock(id);
      process.stdout.write(
        `released lock ${released.id} on tenant "${released.tenantId}" (held by ${released.who}, pid ${released.pid}, since ${released.since}, plan ${released.planId})\n`,
      );
    });
}
