/**
 * Files written whole or not at all, readable only by their owner.
 *
 * Plan files, journals, drift reports, exported desired state and synth
 * output say who can read whose mail: they are created with mode 0600, and
 * written to a temporary file in the same folder, fsynced, renamed into place
 * and the folder fsynced, so a reader (or a crash, a full disk, a kill) never
 * sees half a file. A failure removes the temporary file: nothing is left
 * behind but what was there before.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Owner read and write only. */
export const PRIVATE_FILE_MODE = 0o600;

/** What to write: a string, or pieces of one (a document too large for one string). */
export type FileContent = string | Iterable<string>;

/** Pieces of at most this many characters are collected before each write. */
const WRITE_CHUNK = 1 << 20;

/** `.<name>.<random>.tmp` next to `file`: the same folder, hence the same file system, so the rename is atomic. */
export function temporaryPathFor(file: string): string {
  return join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
}

function* batches(content: FileContent): Generator<string> {
  if (typeof content === "string") {
    yield content;
    return;
  }
  let buffer = "";
  for (const piece of content) {
    buffer += piece;
    if (buffer.length >= WRITE_CHUNK) {
      yield buffer;
      buffer = "";
    }
  }
  if (buffer.length > 0) yield buffer;
}

function writeAllSync(fd: number, text: string): void {
  let bytes = Buffer.from(text, "utf8");
  while (bytes.length > 0) {
    const n = writeSync(fd, bytes);
    bytes = bytes.subarray(n);
  }
}

/** fsync a folder so a rename or a new entry in it survives a crash; a no-op where folders cannot be fsynced. */
export function syncDirectorySync(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // some platforms and file systems cannot fsync a folder: the file's own fsync is the best there is
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | null = null;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // as syncDirectorySync
  } finally {
    await handle?.close();
  }
}

/** A file-system error about the temporary file, told about the file the caller named (messages name the path given). */
function aboutDestination(e: unknown, temp: string, file: string): unknown {
  const err = e as NodeJS.ErrnoException | null;
  if (err !== null && typeof err === "object" && err.path === temp) {
    err.path = file;
    if (typeof err.message === "string") err.message = err.message.split(temp).join(file);
  }
  return e;
}

function unlinkQuietSync(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone, or the folder is unwritable: nothing more can be done
  }
}

/**
 * Write `content` to `file` atomically, mode 0600 (the folder must exist).
 * Throws the file-system error (ENOSPC, EACCES...) after removing the
 * temporary file; `file` is then as it was.
 */
export function writeFileAtomicSync(file: string, content: FileContent): void {
  const temp = temporaryPathFor(file);
  let fd: number;
  try {
    fd = openSync(temp, "wx", PRIVATE_FILE_MODE);
  } catch (e) {
    throw aboutDestination(e, temp, file);
  }
  let closed = false;
  try {
    for (const batch of batches(content)) writeAllSync(fd, batch);
    fsyncSync(fd);
    closeSync(fd);
    closed = true;
    renameSync(temp, file);
  } catch (e) {
    if (!closed) {
      try {
        closeSync(fd);
      } catch {
        // the write's error is the one to report
      }
    }
    unlinkQuietSync(temp);
    throw aboutDestination(e, temp, file);
  }
  syncDirectorySync(dirname(file));
}

/** writeFileAtomicSync without blocking the event loop. */
export async function writeFileAtomic(file: string, content: FileContent): Promise<void> {
  const temp = temporaryPathFor(file);
  let handle: FileHandle;
  try {
    handle = await open(temp, "wx", PRIVATE_FILE_MODE);
  } catch (e) {
    throw aboutDestination(e, temp, file);
  }
  let closed = false;
  try {
    for (const batch of batches(content)) await handle.writeFile(batch, "utf8");
    await handle.sync();
    await handle.close();
    closed = true;
    await rename(temp, file);
  } catch (e) {
    if (!closed) await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw aboutDestination(e, temp, file);
  }
  await syncDirectory(dirname(file));
}
