/**
 * One reconciler per tenant: a lease, as Kubernetes' leader election keeps
 * one in a Lease object. The holder renews it every cycle; a replica that
 * finds it held (and not expired) skips its cycle; a lease whose holder
 * stopped renewing (a crashed pod, a partitioned node) expires and is taken
 * over, so the loop never stays down because a replica died.
 *
 * Unlike apply's lock, which only a person releases (an apply that died may
 * have left writes in flight), a lease expires by itself: holding it only
 * means "I decide when cycles run", and every cycle that writes still takes
 * the apply lock, which guards the writes themselves.
 *
 * The lease is a file next to the tenant's lock (a shared volume for
 * replicas on several machines). Taking it is atomic: a new lease is linked
 * into place (EEXIST when someone was first); an expired one is first renamed
 * away, and only the replica whose rename succeeded links its own. Renewal
 * rewrites the record by rename, and only while the lease is ours and at
 * least a renewal margin from its expiry, so a holder that was paused past
 * its expiry re-acquires like anyone else instead of overwriting a new holder.
 * Times are wall-clock (replicas on different machines share only that).
 */
import { randomUUID } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface LeaseRecord {
  /** Random id of the holding reconciler (one per process). */
  readonly holder: string;
  /** "user@host (pid N)", for people. */
  readonly who: string;
  readonly acquiredAt: string;
  readonly renewedAt: string;
  readonly expiresAt: string;
}

export type LeaseOutcome =
  | { readonly held: true; readonly record: LeaseRecord; readonly acquired: boolean }
  | { readonly held: false; readonly by: LeaseRecord };

export interface LeaseOptions {
  /** How long a lease lasts without renewal. */
  readonly durationMs: number;
  /** Wall clock in ms; injectable for tests. */
  readonly now?: () => number;
  readonly who: string;
  /** Default: a random UUID. */
  readonly holder?: string;
}

export class FileLease {
  readonly holder: string;
  private readonly now: () => number;

  constructor(
    readonly path: string,
    private readonly options: LeaseOptions,
  ) {
    this.holder = options.holder ?? randomUUID();
    this.now = options.now ?? Date.now;
  }

  /** Take the lease, or renew it when it is ours; otherwise say who holds it. */
  acquire(): LeaseOutcome {
    mkdirSync(dirname(this.path), { recursive: true });
    let outcome: LeaseOutcome | null = null;
    // a few rounds: each lost race (someone linked or renamed first) means another look
    for (let round = 0; round < 3 && outcome === null; round++) outcome = this.round();
    return outcome ?? { held: false, by: this.read() ?? this.record(this.now(), this.now()) };
  }

  /** One look at the lease: its outcome, or null when a race was lost and it is worth looking again. */
  private round(): LeaseOutcome | null {
    const current = this.read();
    const now = this.now();
    if (current === null) return this.acquireFresh(now);
    const expiresAt = Date.parse(current.expiresAt);
    const mine = current.holder === this.holder;
    if (mine && now < expiresAt - this.margin()) {
      const record = this.record(Date.parse(current.acquiredAt), now);
      this.replace(record);
      return { held: true, record, acquired: false };
    }
    if (!mine && now < expiresAt) return { held: false, by: current };
    // expired, or ours but too close to expiry to renew safely: take it as anyone would
    return this.takeOver(current, now);
  }

  /** Give the lease up if it is still ours (SIGTERM, the end of --once). */
  release(): void {
    const current = this.read();
    if (current?.holder !== this.holder) return;
    try {
      unlinkSync(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }

  read(): LeaseRecord | null {
    try {
      return JSON.parse(readFileSync(this.path, "utf8")) as LeaseRecord;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      if (e instanceof SyntaxError) return { holder: "", who: "unreadable lease", acquiredAt: new Date(0).toISOString(), renewedAt: new Date(0).toISOString(), expiresAt: new Date(0).toISOString() };
      throw e;
    }
  }

  /** Renewals happen at least this long before expiry; later, the holder re-acquires like anyone else. */
  private margin(): number {
    return Math.floor(this.options.durationMs / 4);
  }

  private record(acquiredAt: number, now: number): LeaseRecord {
    return {
      holder: this.holder,
      who: this.options.who,
      acquiredAt: new Date(acquiredAt).toISOString(),
      renewedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.options.durationMs).toISOString(),
    };
  }

  /** Move the expired (or our own, nearly expired) record away, then link ours; only one replica's rename of it succeeds. */
  private takeOver(expired: LeaseRecord, now: number): LeaseOutcome | null {
    const aside = `${this.path}.${randomUUID()}.old`;
    try {
      renameSync(this.path, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null; // someone else moved it first
      throw e;
    }
    const moved = readRecord(aside);
    unlinkQuiet(aside);
    const changed = moved !== null && (moved.holder !== expired.holder || moved.renewedAt !== expired.renewedAt);
    if (moved !== null && changed && moved.holder !== this.holder && Date.parse(moved.expiresAt) > now) {
      // between our read and our rename, someone renewed or took it: put theirs back
      this.link(moved);
      return { held: false, by: moved };
    }
    return this.acquireFresh(now);
  }

  /** Link a new lease; null when someone linked theirs first. */
  private acquireFresh(now: number): LeaseOutcome | null {
    const record = this.record(now, now);
    return this.link(record) ? { held: true, record, acquired: true } : null;
  }

  /** Create the lease file whole, failing (false) when one exists. */
  private link(record: LeaseRecord): boolean {
    const temp = `${this.path}.${randomUUID()}.tmp`;
    writeFileSync(temp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    try {
      linkSync(temp, this.path);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw e;
    } finally {
      unlinkQuiet(temp);
    }
  }

  private replace(record: LeaseRecord): void {
    const temp = `${this.path}.${randomUUID()}.tmp`;
    writeFileSync(temp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    renameSync(temp, this.path);
  }
}

function readRecord(path: string): LeaseRecord | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LeaseRecord;
  } catch {
    return null;
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
