// Schemas of the test kit's calls, for the OpenAPI document (requests are read by src/test-kit/faults.ts and
// src/test-kit/snapshot.ts) and the programmatic API's types.
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { NOTE_MAX_LENGTH, PAYMENT_ID, RECEIPT_MAX_LENGTH, REFUND_OUTCOMES, REFUND_REASONS, REFUND_STATUSES } from '../domain.js'
import { MAX_DELAY_MS } from '../test-kit/faults.js'
import { Metadata, Nullable, StringEnum } from './common.js'

export const JournalQuery = Type.Object({
  method: Type.Optional(Type.String()),
  path: Type.Optional(Type.String({ description: 'exact path, without the query string' })),
  status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, default: 100, description: 'at most this many entries; fewer when the page reaches 1 MiB' })),
  before: Type.Optional(Type.String({ description: 'entries older than this one (req_…): the `next` link of the page before' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('har')], {
    description: 'har: a HAR 1.2 document of every entry the filters select (or the newest `limit`), oldest first, not paged'
  }))
})

export const FaultRuleSchema = Type.Object({
  match: Type.Optional(Type.Object({
    method: Type.Optional(Type.String()),
    path: Type.Optional(Type.String({ description: 'exact, or a prefix ending in "*"' }))
  })),
  action: Type.Object({
    status: Type.Optional(Type.Integer({ minimum: 200, maximum: 599 })),
    body: Type.Optional(Type.Unknown()),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_DELAY_MS })),
    drop_connection: Type.Optional(Type.Boolean()),
    after_commit: Type.Optional(Type.Boolean({ description: 'run the real handler first (the refund is stored), then fail' }))
  }),
  times: Type.Optional(Type.Integer({ minimum: 0, default: 1, description: '0 = until removed' }))
})

/** A fault rule as POST /__admin/faults takes it. */
export type FaultRuleInput = Static<typeof FaultRuleSchema>

// a snapshot's entries, with money as the document gives it: numbers in an answer, numbers or strings in a request
const snapshotRefund = <M extends TSchema>(money: M) => Type.Object({
  id: Type.Optional(Type.String()),
  amount: money,
  balance: Type.Optional(money),
  reason: StringEnum(REFUND_REASONS),
  note: Type.Optional(Nullable(Type.String({ maxLength: NOTE_MAX_LENGTH }))),
  receipt: Type.String({ maxLength: RECEIPT_MAX_LENGTH }),
  status: Type.Optional(StringEnum(REFUND_STATUSES)),
  metadata: Type.Optional(Metadata),
  created: Type.Optional(Type.String({ format: 'date-time' })),
  updated: Type.Optional(Type.String({ format: 'date-time' }))
})

const snapshotPayment = <M extends TSchema>(money: M) => Type.Object({
  workspace: Type.String(),
  test_mode: Type.Optional(Type.Boolean()),
  id: Type.Integer({ minimum: PAYMENT_ID.min }),
  amount: money,
  refund_outcome: Type.Optional(StringEnum(REFUND_OUTCOMES)),
  created: Type.Optional(Type.String({ format: 'date-time' }))
})

const Amount = Type.Number()
const AmountInput = Type.Union([Type.Number(), Type.String()])

/** A snapshot as POST /__admin/snapshot and SEED_FILE take it (optional fields have defaults). */
export const SnapshotSchema = Type.Object({
  payments: Type.Array(Type.Composite([
    snapshotPayment(AmountInput),
    Type.Object({ refunds: Type.Optional(Type.Array(snapshotRefund(AmountInput))) })
  ])),
  clock: Type.Optional(Type.String({ format: 'date-time', description: 'the clock continues from here, if that is later' }))
})

/** A snapshot or seed document, as the programmatic API takes it. */
export type SnapshotDocument = Static<typeof SnapshotSchema>

/**
 * A snapshot as GET answers it: every field there, in this order (fast-json-stringify writes required
 * properties before optional ones, and the key order is part of the byte-for-byte round trip).
 */
export const SnapshotAnswerSchema = Type.Object({
  payments: Type.Array(Type.Composite([
    Type.Required(snapshotPayment(Amount)),
    Type.Object({ refunds: Type.Array(Type.Required(snapshotRefund(Amount))) })
  ])),
  clock: Type.Optional(Type.String({ format: 'date-time', description: 'under a fixed clock, its time when the snapshot was taken' }))
})

export type SnapshotAnswer = Static<typeof SnapshotAnswerSchema>

export const ClockSchema = Type.Object({
  now: Type.String({ format: 'date-time' }),
  mode: StringEnum(['system', 'fixed'] as const)
})

export const ClockChangeSchema = Type.Object({
  now: Type.Optional(Type.String({ format: 'date-time', description: 'set the clock (never backwards)' })),
  advance_ms: Type.Optional(Type.Integer({ minimum: 0 })),
  advance: Type.Optional(Type.String({ description: 'an ISO-8601 duration: PT10M, P1DT2H, PT0.5S' })),
  reset: Type.Optional(Type.Literal(true, { description: 'back to the configured clock' }))
}, { description: 'exactly one of the four' })
