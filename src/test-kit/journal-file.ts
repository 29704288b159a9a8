// JOURNAL_FILE: every journal entry appended to a file as one JSON line (NDJSON), in GET /__admin/requests'
// shape, so that what happened outlives the process (a CI job uploads the file after the sidecar is gone).
// Lines are written synchronously, before the answer goes out: a request the client saw answered is in the file
// even if the process is then killed (SIGKILL) — the line is in the kernel's page cache, not in a buffer of ours.
// The file is bounded on disk: a line that would take it past JOURNAL_FILE_MAX_BYTES first moves it to
// `<file>.1` (replacing the one there), so at most twice the bound is kept; `piriod-mock har <file>` reads both.
import { closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { makeFolder } from '../paths.js'
import { entryJson } from './journal-json.js'
import type { Entry } from './journal.js'

export interface JournalFile {
  append(entry: Entry): void
  close(): void
}

/** The file a journal file is rotated to. */
export const rotatedPath = (path: string): string => `${path}.1`

/**
 * Opens (creating it and its folder, appending when it exists) the file at `path`; throws when it cannot be
 * written. A later write that fails (a full disk) is reported through `onError` once per run of failures.
 */
export function openJournalFile (path: string, maxBytes: number, onError: (message: string) => void): JournalFile {
  makeFolder(dirname(resolve(path)))
  // readable by others (0644 under the usual umask): a CI runner's user is seldom the container's
  let fd = openSync(path, 'a')
  let size = fstatSync(fd).size
  let failing = false
  let open = true

  function rotate (): void {
    closeSync(fd)
    try {
      renameSync(path, rotatedPath(path))
    } finally {
      // appending goes on, to a new file if the rename worked (else to the same one)
      fd = openSync(path, 'a')
      size = fstatSync(fd).size
    }
  }

  return {
    append (entry) {
      // an answer still going out while the server closes: its fd number may belong to another file by now
      if (!open) return
      const line = Buffer.from(`${entryJson(entry)}\n`)
      try {
        if (size > 0 && size + line.length > maxBytes) rotate()
        for (let written = 0; written < line.length;) written += writeSync(fd, line, written)
        size += line.length
        failing = false
      } catch (err) {
        if (!failing) onError(`JOURNAL_FILE ${path}: cannot append (${(err as Error).message}); the journal in memory goes on`)
        failing = true
      }
    },
    close () {
      open = false
      closeSync(fd)
    }
  }
}
