/**
 * One apply per tenant at a time. A lock records who holds it (user@host,
 * pid), since when, and which plan it applies; a second apply fails fast with
 * that information. A lock left by a dead process is reported as such but is
 * never taken over silently: `exoform force-unlock <id>` releases it, as in
 * Terraform, because only a person can tell that nothing is still running
 * (another host, a paused process).
 */
import { randomUUID } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { dirname } from "node:path";
import { UserError } from "../diagnostics/errors.js";

export interface LockHolder {
  /** "user@host". */
  readonly who: string;
  readonly host: string;
  readonly pid: number;
}

export interface LockInfo extends LockHolder {
  /** Random id, given to force-unlock. */
  readonly id: string;
  readonly tenantId: string;
  /** The plan being applied (its contentDigest). */
  readonly planId: string;
  /** Wall-clock time the lock was taken (ISO-8601). */
  readonly since: string;
}

export interface HeldLock {
  readonly info: LockInfo;
  /** Release the lock if it is still ours (a force-unlocked lock is left to its new holder). */
  release(): Promise<void>;
}

/** A lock file this process holds, as releaseHeldLocksSync reports it. */
export interface ReleasedLock {
  readonly info: LockInfo;
  readonly location: string;
  /** Why it could not be removed (then `exoform force-unlock <id>` releases it), or undefined. */
  readonly error?: unknown;
}

/** Lock files this process holds, by lock id: released at once when the process must exit now. */
const heldByThisProcess = new Map<string, { readonly info: LockInfo; readonly location: string }>();

/**
 * Release, synchronously, every lock file this process holds: for a process
 * that exits now (a third signal) while an apply still runs. Each is removed
 * only if it still carries this process's lock id.
 */
export function releaseHeldLocksSync(): ReleasedLock[] {
  const released: ReleasedLock[] = [];
  for (const [id, { info, location }] of heldByThisProcess) {
    heldByThisProcess.delete(id);
    try {
      if (readLockSync(location)?.id === id) unlinkQuiet(location);
      released.push({ info, location });
    } catch (error) {
      released.push({ info, location, error });
    }
  }
  return released;
}

export interface LockStore {
  /** Where the lock lives, for messages. */
  readonly location: string;
  /** Take the lock or throw a UserError ("tenant_locked") naming the holder. */
  acquire(request: { readonly tenantId: string; readonly planId: string; readonly holder: LockHolder }): Promise<HeldLock>;
  /** The current lock, or null. */
  read(): Promise<LockInfo | null>;
  /** Remove the lock whose id is `id`; a UserError when there is none or it has another id. */
  forceUnlock(id: string): Promise<LockInfo>;
}

export function currentHolder(): LockHolder {
  const host = hostname();
  let user = process.env["USER"] ?? process.env["USERNAME"] ?? "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep the environment's name
  }
  return { who: `${user}@${host}`, host, pid: process.pid };
}

/** Whether the holder is a process on this host that no longer runs. */
export function isDeadHolder(info: LockHolder, host = hostname()): boolean {
  if (info.host !== host) return false;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export function describeHeldLock(info: LockInfo, location: string): string {
  const dead = isDeadHolder(info)
    ? `; that process is no longer running on ${info.host}: if no apply is running, release the lock with exoform force-unlock ${info.id}`
    : `; wait for it to finish, or if it is gone, release the lock with exoform force-unlock ${info.id}`;
  return `tenant "${info.tenantId}" is locked by ${info.who} (pid ${info.pid}) since ${info.since}, applying plan ${info.planId} (lock ${info.id} in ${location})${dead}`;
}

/**
 * How long acquire waits for a lock another apply holds (`apply
 * --lock-timeout`), as Terraform's -lock-timeout: it polls with backoff until
 * the lock frees or the time is up, then fails as it would at once, saying
 * how long it waited. Waiting never takes a lock over.
 */
export interface LockWait {
  /** Most time to wait, in ms; 0 (the default) fails at once. */
  readonly timeoutMs: number;
  /** The pause between polls; tests pass a virtual one that moves `now`. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told before each pause who holds the lock and how long it has waited, so a wait is never silent. */
  readonly onWait?: (held: LockInfo, waitedMs: number) => void;
  /** Stops the wait (an interrupted apply): the lock error comes at once. */
  readonly signal?: AbortSignal;
}

/** The first pause between polls; it doubles up to LOCK_POLL_MAX_MS. */
export const LOCK_POLL_FIRST_MS = 250;
export const LOCK_POLL_MAX_MS = 5000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** "45 s", "2 min 5 s", "250 ms": a wait as people read it. */
export function formatWait(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 > 0 ? ` ${s % 60} s` : ""}`;
}

/**
 * A lock file, created atomically and exclusively: the record is written to a
 * private temporary file, then hard-linked to the lock path, which fails with
 * EEXIST when the lock exists (the same guarantee as O_EXCL, and a reader
 * never sees a half-written record). Put it where every process applying to
 * the tenant looks: next to the tenant (`<tenant>.lock`).
 */
export class FileLockStore implements LockStore {
  constructor(
    readonly location: string,
    private readonly now: () => Date = () => new Date(),
    private readonly wait: LockWait = { timeoutMs: 0 },
  ) {}

  async acquire(request: { readonly tenantId: string; readonly planId: string; readonly holder: LockHolder }): Promise<HeldLock> {
    const started = this.now().getTime();
    let pause = LOCK_POLL_FIRST_MS;
    let vanished = false;
    for (;;) {
      const taken = this.tryTake(request);
      if ("release" in taken) return taken;
      const waited = this.now().getTime() - started;
      const left = this.wait.timeoutMs - waited;
      const stop = left <= 0 || this.wait.signal?.aborted === true;
      if (taken.held === null) {
        // released between our attempt and our read: one more try at once
        if (!vanished) {
          vanished = true;
          continue;
        }
        if (stop) throw new UserError(`${this.location}: the lock keeps changing hands; try again`, "tenant_locked");
      } else if (stop) {
        const gaveUp = this.wait.timeoutMs > 0 ? `; gave up after waiting ${formatWait(waited)} (--lock-timeout ${formatWait(this.wait.timeoutMs)})` : "";
        throw new UserError([{ severity: "error", code: "tenant_locked", target: request.tenantId, message: `${describeHeldLock(taken.held, this.location)}${gaveUp}` }]);
      } else this.wait.onWait?.(taken.held, waited);
      vanished = false;
      await (this.wait.sleep ?? realSleep)(Math.min(pause, left));
      pause = Math.min(pause * 2, LOCK_POLL_MAX_MS);
    }
  }

  /** One attempt: the lock, now ours, or who holds it (null when it was released before we could read it). */
  private tryTake(request: { readonly tenantId: string; readonly planId: string; readonly holder: LockHolder }): HeldLock | { readonly held: LockInfo | null } {
    const info: LockInfo = {
      id: randomUUID(),
      tenantId: request.tenantId,
      planId: request.planId,
      who: request.holder.who,
      host: request.holder.host,
      pid: request.holder.pid,
      since: this.now().toISOString(),
    };
    mkdirSync(dirname(this.location), { recursive: true });
    const temp = `${this.location}.${info.id}.tmp`;
    writeFileSync(temp, `${JSON.stringify(info, null, 2)}\n`, { flag: "wx", mode: 0o644 });
    try {
      linkSync(temp, this.location);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      return { held: readLockSync(this.location) };
    } finally {
      unlinkQuiet(temp);
    }
    heldByThisProcess.set(info.id, { info, location: this.location });
    return {
      info,
      release: async () => {
        heldByThisProcess.delete(info.id);
        const current = await this.read();
        if (current?.id === info.id) unlinkQuiet(this.location);
      },
    };
  }

  async read(): Promise<LockInfo | null> {
    return readLockSync(this.location);
  }

  async forceUnlock(id: string): Promise<LockInfo> {
    const current = await this.read();
    if (current === null) throw new UserError(`${this.location}: no lock to release (nothing is applying to this tenant)`, "no_lock");
    if (current.id !== id) {
      throw new UserError(
        `${this.location}: the lock's id is ${current.id}, not ${id} (held by ${current.who}, pid ${current.pid}, since ${current.since}); check the id and try again`,
        "lock_id_mismatch",
      );
    }
    unlinkQuiet(this.location);
    return current;
  }
}

function readLockSync(location: string): LockInfo | null {
  let text: string;
  try {
    text = readFileSync(location, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  try {
    return JSON.parse(text) as LockInfo;
  } catch {
    // written by a process that died mid-write: still a lock, with an id force-unlock accepts
    return { id: "unreadable", tenantId: "?", planId: "?", who: "unknown", host: "?", pid: 0, since: "?" };
  }
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}
