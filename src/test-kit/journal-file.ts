// JOURNAL_FILE: every journal entry appended to a file as one JSON line (NDJSON), in GET /__admin/requests'
// shape, so that what happened outlives the process (a CI job uploads the file after the sidecar is gone).
// Lines are written synchronously, before the answer goes out: a request the client saw answered is in the file
// even if the process is then killed (SIGKILL) — the line is in the kernel's page cache, not in a buffer of ours.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { entryJson, type Entry } from './journal.js'

export interface JournalFile {
  append(entry: Entry): void
  close(): void
}

/**
 * Opens (creating it and its folder, appending when it exists) the file at `path`; throws when it cannot be
 * written. A later write that fails (a full disk) is reported through `onError` once per run of failures.
 */
export function openJournalFile (path: string, onError: (message: string) => void): JournalFile {
  mkdirSync(dirname(path), { recursive: true })
  // readable by others (0644 under the usual umask): a CI runner's user is seldom the container's
  const fd = openSync(path, 'a')
  let failing = false
  let open = true
  return {
    append (entry) {
      // an answer still going out while the server closes: its fd number may belong to another file by now
      if (!open) return
      const line = Buffer.from(`${entryJson(entry)}\n`)
      try {
        for (let written = 0; written < line.length;) written += writeSync(fd, line, written)
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
