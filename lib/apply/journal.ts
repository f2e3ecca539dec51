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
import { mkdir, open, readFile, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
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

/**
 * JSON lines: a header line (written, with fsync, when execution begins), then
 * one entry per line, appended with write + fsync (group commit). A journal of
 * another plan or tenant at the same path is refused; a torn last line (a
 * crash mid-write) is ignored, as its entry was never durable.
 */
export class FileJournal implements Journal {
  private buffer: string[] = [];
  private handle: FileHandle | null = null;
  /** The flush in progress, and the one queued behind it that later sync() calls share. */
  private current: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private failed: unknown = null;
  /** fsyncs done, for tests and measurements. */
  fsyncs = 0;

  constructor(
    readonly file: string,
    private readonly header: JournalHeader,
  ) {}

  async load(): Promise<JournalState> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { begun: false, entries: [] };
      throw e;
    }
    // no complete header line: the run that created it died before beginning
    if (!text.includes("\n")) return { begun: false, entries: [] };
    return { begun: true, entries: parseJournal(this.file, text, this.header) };
  }

  async begin(): Promise<void> {
    if (this.handle !== null) return;
    await mkdir(dirname(this.file), { recursive: true });
    const state = await this.load();
    const handle = await open(this.file, "a");
    try {
      if (!state.begun) {
        await handle.truncate(0);
        await handle.write(`${JSON.stringify(this.header)}\n`);
        await handle.sync();
        await syncDirectory(dirname(this.file));
      } else {
        // a torn last line (never durable): cut it off, so the next entry starts on a line of its own
        const bytes = await readFile(this.file);
        const end = bytes.lastIndexOf(0x0a) + 1;
        if (end < bytes.length) {
          await handle.truncate(end);
          await handle.sync();
        }
      }
    } catch (e) {
      await handle.close();
      throw e;
    }
    this.handle = handle;
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

  async close(): Promise<void> {
    try {
      while (this.handle !== null && (this.current !== null || this.next !== null || this.buffer.length > 0)) await this.sync();
    } finally {
      await this.handle?.close();
      this.handle = null;
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
      this.failed = e;
      throw e;
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

/** fsync a directory so a newly created file's entry survives a crash (no-op where unsupported). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | null = null;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // some platforms cannot fsync a directory; the file's own fsync is the best we can do there
  } finally {
    await handle?.close();
  }
}
