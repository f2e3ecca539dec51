/**
 * The apply journal: an append-only record of what an apply of one plan has
 * done, so that a crashed or killed apply can be resumed without doing
 * anything twice or losing anything (docs/decisions/0004).
 *
 * Lifecycle: load() (what earlier runs left; under the tenant lock), begin()
 * (durably marks that this plan's execution has begun, before its first
 * write), then append()/sync() per action.
 *
 * Durability contract (what the engine relies on): an entry is durable once a
 * sync() called after its append() has resolved. The engine starts an
 * action's dependents only after the sync covering its "done" entry, so a
 * dependent's effect is never on the tenant while its prerequisite's
 * completion could still be lost.
 *
 * Group commit: sync() calls that arrive while a flush is in progress share the
 * next flush, so thousands of completions cost a handful of fsyncs.
 */
import { fsyncSync, writeFileSync } from "node:fs";
import { mkdir, open, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PRIVATE_FILE_MODE, writeFileAtomic } from "../private/atomic-file.js";
import { sha256Hex } from "../private/canonical-json.js";

export type JournalEntry =
  /** The write is about to be called (not awaited to disk: a resume reads the tenant anyway). */
  | { readonly t: "started"; readonly id: string }
  /** The effect is on the tenant: "ran" by this apply, "skipped" (was already there), or "settled" by a read. */
  | { readonly t: "done"; readonly id: string; readonly how: "ran" | "skipped" | "settled" }
  /** The action failed terminally; a later run of the plan tries it again. */
  | { readonly t: "failed"; readonly id: string; readonly code: string };

/** What earlier runs of a plan left in its journal. */
export interface JournalState {
  /** An earlier run passed the checks and began writing: any target of the plan may have changed. */
  readonly begun: boolean;
  /** Entries in order, oldest first. */
  readonly entries: readonly JournalEntry[];
  /**
   * The journal file exists but is empty (0 bytes). Its header is written
   * whole, so something emptied it after this plan's apply began (a full
   * disk, an edit): whether that run changed the tenant is unknown.
   */
  readonly emptied?: true;
}

export interface Journal {
  /** Read what earlier runs of the same plan recorded. Called once, under the tenant lock. */
  load(): Promise<JournalState>;
  /** Durably record that this plan's execution begins; called before its first write. */
  begin(): Promise<void>;
  /** Buffer an entry; it is not durable until a later sync() resolves. */
  append(entry: JournalEntry): void;
  /** Resolves once every entry appended before the call is durable. */
  sync(): Promise<void>;
  /** Flush what is left and release the file. */
  close(): Promise<void>;
}

/** A journal kept in memory: for tests (a crash keeps only snapshot()) and for applies that need no resume. */
export class MemoryJournal implements Journal {
  private begun: boolean;
  /** What survived: entries covered by a completed sync(), earlier runs' entries included. */
  private readonly durable: JournalEntry[];
  private pending: JournalEntry[] = [];

  constructor(previous: JournalState = { begun: false, entries: [] }) {
    this.begun = previous.begun;
    this.durable = [...previous.entries];
  }

  /** What a process crashing now would leave behind. */
  snapshot(): JournalState {
    return { begun: this.begun, entries: [...this.durable] };
  }

  async load(): Promise<JournalState> {
    return this.snapshot();
  }

  async begin(): Promise<void> {
    this.begun = true;
  }

  append(entry: JournalEntry): void {
    this.pending.push(entry);
  }

  sync(): Promise<void> {
    // durable at once, but after a turn of the event loop, like a real flush
    const batch = this.pending;
    this.pending = [];
    return Promise.resolve().then(() => {
      for (const e of batch) this.durable.push(e);
    });
  }

  async close(): Promise<void> {
    await this.sync();
  }
}

export interface JournalHeader {
  readonly journal: 1;
  /** The plan's contentDigest. */
  readonly planId: string;
  readonly tenantId: string;
  /** ITenantProvider.instance: the tenant store the plan is applied to (a re-created tenant is another). */
  readonly tenantInstance?: string;
}

/**
 * `<stateDir>/journal/<16 hex of the plan digest>[-<8 hex of the tenant instance>].jsonl`:
 * one journal per plan per tenant instance, so the same plan applied to a
 * re-created tenant starts afresh instead of being "already applied".
 */
export function journalPath(stateDir: string, planId: string, tenantInstance?: string): string {
  const hex = planId.replace(/^sha256:/, "").slice(0, 16);
  const instance = tenantInstance !== undefined ? `-${sha256Hex(tenantInstance).slice(0, 8)}` : "";
  return join(stateDir, "journal", `${hex}${instance}.jsonl`);
}

/** A journal file opened for appending (a FileHandle by default; tests inject failures). */
export interface JournalFile {
  /** Append all of `text` (the file is opened in append mode). */
  write(text: string): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
  /** Append and fsync at once, blocking the thread: the last flush of a process that must exit now. */
  writeNowSync?(text: string): void;
}

/** How a FileJournal touches the disk. */
export interface JournalIo {
  /** Create (or replace) `file` holding `text`, atomically, mode 0600. */
  create(file: string, text: string): Promise<void>;
  /** Open `file` for appending. */
  openAppend(file: string): Promise<JournalFile>;
}

export const DEFAULT_JOURNAL_IO: JournalIo = {
  create: (file, text) => writeFileAtomic(file, text),
  openAppend: async (file) => {
    const handle = await open(file, "a", PRIVATE_FILE_MODE);
    return {
      write: (text) => handle.writeFile(text, "utf8"),
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
      writeNowSync: (text) => {
        writeFileSync(handle.fd, text, "utf8");
        fsyncSync(handle.fd);
      },
    };
  },
};

/**
 * The journal file could not be written (ENOSPC, EIO, EDQUOT, EROFS...).
 * Entries appended after the last successful sync are not recorded; the
 * writes they stand for may have happened.
 */
export class JournalWriteError extends Error {
  /** The errno code, e.g. "ENOSPC", or "" when there is none. */
  readonly code: string;

  constructor(
    readonly file: string,
    override readonly cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | null)?.code ?? "";
    super(`${code !== "" ? `${code}: ` : ""}${describeWriteFailure(code, cause)}`);
    this.name = "JournalWriteError";
    this.code = code;
  }
}

const WRITE_FAILURES: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exhausted",
  EIO: "an input/output error on the device",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EFBIG: "the file is too large",
};

function describeWriteFailure(code: string, cause: unknown): string {
  return WRITE_FAILURES[code] ?? (cause instanceof Error ? cause.message : String(cause));
}

/**
 * JSON lines: a header line (its file created atomically, mode 0600, when
 * execution begins), then one entry per line, appended with write + fsync
 * (group commit). A journal of another plan or tenant at the same path is
 * refused; a torn last line (a crash mid-write) is ignored, as its entry was
 * never durable. Once a write fails, every later sync() fails with the same
 * JournalWriteError, and close() only releases the file.
 */
export class FileJournal implements Journal {
  private buffer: string[] = [];
  private handle: JournalFile | null = null;
  /** The flush in progress, and the one queued behind it that later sync() calls share. */
  private current: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private failed: JournalWriteError | null = null;
  /** fsyncs done, for tests and measurements. */
  fsyncs = 0;

  constructor(
    readonly file: string,
    private readonly header: JournalHeader,
    private readonly io: JournalIo = DEFAULT_JOURNAL_IO,
  ) {}

  /** The write failure that stopped this journal, or null. */
  get failure(): JournalWriteError | null {
    return this.failed;
  }

  async load(): Promise<JournalState> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { begun: false, entries: [] };
      throw e;
    }
    // the header's file is created whole (write, fsync, rename): an empty file was emptied afterwards
    if (text.length === 0) return { begun: false, entries: [], emptied: true };
    // no complete header line: the run that created it (an older exoform, or an edit) never began
    if (!text.includes("\n")) return { begun: false, entries: [] };
    return { begun: true, entries: parseJournal(this.file, text, this.header) };
  }

  async begin(): Promise<void> {
    if (this.handle !== null) return;
    try {
      await mkdir(dirname(this.file), { recursive: true });
      const state = await this.load();
      if (!state.begun) {
        // whole or not at all: a reader never sees a journal without its header
        await this.io.create(this.file, `${JSON.stringify(this.header)}\n`);
        this.handle = await this.io.openAppend(this.file);
        return;
      }
      const handle = await this.io.openAppend(this.file);
      try {
        // a torn last line (never durable): cut it off, so the next entry starts on a line of its own
        const bytes = await readFile(this.file);
        const end = bytes.lastIndexOf(0x0a) + 1;
        if (end < bytes.length) {
          await handle.truncate(end);
          await handle.sync();
        }
      } catch (e) {
        await handle.close().catch(() => undefined);
        throw e;
      }
      this.handle = handle;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === undefined) throw e;
      this.failed = new JournalWriteError(this.file, e);
      throw this.failed;
    }
  }

  append(entry: JournalEntry): void {
    this.buffer.push(JSON.stringify(entry));
  }

  sync(): Promise<void> {
    if (this.failed !== null) return Promise.reject(this.failed);
    if (this.current === null) {
      this.current = this.flush().finally(() => {
        this.current = null;
      });
      return this.current;
    }
    // a flush is running and may not cover this caller's entries: share the next one
    this.next ??= this.current.then(
      () => {
        this.next = null;
        return this.sync();
      },
      (e: unknown) => {
        this.next = null;
        throw e;
      },
    );
    return this.next;
  }

  /** Flush what is left and release the file. After a write failure (already reported by sync()), only releases it. */
  async close(): Promise<void> {
    try {
      while (this.handle !== null && this.failed === null && (this.current !== null || this.next !== null || this.buffer.length > 0)) {
        await this.sync().catch((e: unknown) => {
          if (!(e instanceof JournalWriteError)) throw e;
        });
      }
    } finally {
      const handle = this.handle;
      this.handle = null;
      await handle?.close().catch(() => undefined);
    }
  }

  /**
   * Write what is buffered at once, blocking (a process exiting on a third
   * signal cannot wait for a flush); best effort, never throws. Entries of a
   * flush still in progress are written by that flush or lost: either way a
   * resume settles them by reading the tenant.
   */
  flushNowSync(): void {
    if (this.handle === null || this.failed !== null || this.buffer.length === 0 || this.handle.writeNowSync === undefined) return;
    const lines = this.buffer;
    this.buffer = [];
    try {
      this.handle.writeNowSync(`${lines.join("\n")}\n`);
    } catch {
      // exiting anyway: the entries are lost, and a resume reads the tenant
    }
  }

  private async flush(): Promise<void> {
    const lines = this.buffer;
    this.buffer = [];
    if (lines.length === 0) return;
    if (this.handle === null) throw new Error(`${this.file}: journal written before begin()`);
    try {
      await this.handle.write(`${lines.join("\n")}\n`);
      await this.handle.sync();
      this.fsyncs++;
    } catch (e) {
      this.failed = new JournalWriteError(this.file, e);
      throw this.failed;
    }
  }
}

function parseJournal(file: string, text: string, header: JournalHeader): JournalEntry[] {
  // the last piece is "" (the text ends with a newline) or a torn line that was never durable
  const [first, ...rest] = text.split("\n").slice(0, -1);
  const head = first === undefined ? null : (JSON.parse(first) as Partial<JournalHeader>);
  if (head === null || head.journal !== 1) throw new Error(`${file}: not an exoform journal (no header line)`);
  if (head.planId !== header.planId || head.tenantId !== header.tenantId || (head.tenantInstance ?? null) !== (header.tenantInstance ?? null)) {
    throw new Error(`${file}: journal of plan ${head.planId ?? "?"} on tenant "${head.tenantId ?? "?"}", not of plan ${header.planId} on "${header.tenantId}"`);
  }
  const entries: JournalEntry[] = [];
  rest.forEach((line, i) => {
    if (line === "") return;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      throw new Error(`${file}:${i + 2}: unreadable journal line (the file was edited or corrupted): ${line.slice(0, 80)}`);
    }
  });
  return entries;
}
