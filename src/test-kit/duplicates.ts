// The duplicate detector: Piriod has no idempotency header, so a client that retries a refund blindly refunds
// twice. Two succeeded refunds of one payment with the same amount and receipt within DUPLICATE_WINDOW_MS mark
// both of their journal entries `possible_duplicate`.
import type { Partition } from '../partition.js'

/** The detector's key for a created refund, or null for anything else (a failed refund is no double refund). */
export function duplicateKey (p: Partition, refund: { paymentId: number, amount: number, receipt: string, status: string }): string | null {
  if (refund.status !== 'succeeded') return null
  return JSON.stringify([p.workspace, p.testMode, refund.paymentId, refund.amount, refund.receipt])
}

interface Marked { time: number, duplicateKey: string | null, possibleDuplicate: boolean }

export interface DuplicateDetector<E extends Marked> {
  /** A new entry: marks it and the last one with its key when they are close enough. */
  see(entry: E): void
  /** An entry that left the journal: it can mark no later one. */
  forget(entry: E): void
}

/** Remembers, per key, the last entry still in the journal. */
export function createDuplicateDetector<E extends Marked> (windowMs: number): DuplicateDetector<E> {
  const last = new Map<string, E>()
  return {
    see (entry) {
      if (entry.duplicateKey === null) return
      const previous = last.get(entry.duplicateKey)
      if (previous !== undefined && entry.time - previous.time <= windowMs) {
        previous.possibleDuplicate = true
        entry.possibleDuplicate = true
      }
      last.set(entry.duplicateKey, entry)
    },
    forget (entry) {
      if (entry.duplicateKey !== null && last.get(entry.duplicateKey) === entry) last.delete(entry.duplicateKey)
    }
  }
}
