// Schemas of the test kit's calls, for the OpenAPI document (requests are read by src/test-kit/faults.ts and
// src/test-kit/snapshot.ts) and the programmatic API's types.
import { Type, type Static } from '@sinclair/typebox'
import { AMOUNT, NOTE, NOTE_MAX_LENGTH, PAYMENT_ID, RECEIPT, RECEIPT_MAX_LENGTH, REFUND_OUTCOMES, REFUND_REASONS, REFUND_STATUSES } from '../domain.js'
import { Metadata } from './common.js'
import { MAX_ADVANCE_MS } from '../clock.js'
import { Dict, DrfChar, DrfDecimal, DrfInteger, Duration, Instant, Nullable, StatusMatch, StringEnum, UtcDateTime, Workspace } from './kinds.js'

/** GET /__admin/requests' query, read as DRF reads query parameters (the last of a repeated one). */
export const JournalQuery = Type.Object({
  method: Type.Optional(Type.String()),
  path: Type.Optional(Type.String({ description: 'exact path, without the query string' })),
  status: Type.Optional(DrfInteger({ min: 100, max: 599 })),
  limit: Type.Optional(DrfInteger({ min: 1, max: Number.MAX_SAFE_INTEGER }, { default: 100, description: 'at most this many entries; fewer when the page reaches 1 MiB' })),
  before: Type.Optional(Type.String({
    pattern: '^req_\\d{1,15}$',
    description: 'entries older than this one (req_…): the `next` link of the page before',
    errorMessage: 'Enter a request id such as "req_00000042".'
  })),
  format: Type.Optional(StringEnum(['json', 'har'] as const, {
    description: 'har: a HAR 1.2 document of every entry the filters select (or the newest `limit`), oldest first, not paged'
  }))
})

/** The longest a fault rule (or all of those a request matches together) delays an answer. */
export const MAX_DELAY_MS = 60_000

/**
 * POST /__admin/faults. What the schema cannot say is checked after it (src/test-kit/faults.ts): which actions go
 * together, headers as Node checks what it sends, the body's size and whether JSON can carry it.
 */
export const FaultRuleSchema = Type.Object({
  match: Type.Optional(Type.Object({
    method: Type.Optional(Type.String({ pattern: "^[!#$%&'*+.^\\w`|~-]+$", errorMessage: 'Enter an HTTP method such as "POST".' })),
    path: Type.Optional(Type.String({
      pattern: '^/',
      maxLength: 2048,
      description: 'exact, or a prefix ending in "*"',
      errorMessage: 'Enter a path starting with "/" (a trailing "*" matches any rest).'
    }))
  })),
  action: Type.Object({
    status: Type.Optional(DrfInteger({ min: 200, max: 599 })),
    delay_ms: Type.Optional(DrfInteger({ min: 0, max: MAX_DELAY_MS })),
    drop_connection: Type.Optional(Type.Boolean({ errorMessage: 'Must be a valid boolean.' })),
    after_commit: Type.Optional(Type.Boolean({ description: 'run the real handler first (the refund is stored), then fail', errorMessage: 'Must be a valid boolean.' })),
    body: Type.Optional(Type.Unknown({ description: 'the answer\'s JSON body, at most 4 KiB' })),
    headers: Type.Optional(Dict({ additionalProperties: { type: 'string' }, description: 'at most 4 KiB; no Content-Type, no Set-Cookie' }))
  }),
  times: Type.Optional(DrfInteger({ min: 0, max: 1_000_000 }, { default: 1, description: '0 = until removed' }))
})

/** What the fault rules a request matched did to it, as its journal entry keeps it. */
export const FaultRecordSchema = Type.Object({
  rule: Type.String({ description: 'the rule that decided the answer, or the first that applied' }),
  rules: Type.Array(Type.String(), { description: 'every rule that applied, in creation order' }),
  status: Nullable(Type.Integer()),
  delay_ms: Type.Integer(),
  drop_connection: Type.Boolean(),
  after_commit: Type.Boolean()
})

/** A fault rule as the admin API answers it. */
export const FaultRuleAnswerSchema = Type.Object({
  id: Type.String(),
  match: Type.Object({ method: Type.Optional(Type.String()), path: Type.Optional(Type.String()) }),
  action: Type.Object({
    status: Type.Optional(Type.Integer()),
    delay_ms: Type.Optional(Type.Integer()),
    drop_connection: Type.Optional(Type.Literal(true)),
    after_commit: Type.Optional(Type.Literal(true)),
    body: Type.Optional(Type.Unknown()),
    headers: Type.Optional(Type.Record(Type.String(), Type.String()))
  }),
  times: Type.Integer(),
  fired: Type.Integer(),
  active: Type.Boolean(),
  workspace: Nullable(Type.String()),
  test_mode: Nullable(Type.Boolean())
})

/** A fault rule as the admin API answers it. */
export type FaultRule = Static<typeof FaultRuleAnswerSchema>

export const FaultListSchema = Type.Object({ count: Type.Integer(), results: Type.Array(FaultRuleAnswerSchema) })

export const DeletedSchema = Type.Object({ deleted: Type.Integer() })

const Answered = Type.Object({ status: Type.Integer(), body: Type.Unknown({ description: 'JSON as sent, or text; {truncated, bytes, text} past 16 KiB' }) })

/** A journal entry as GET /__admin/requests answers it (and JOURNAL_FILE keeps it, a line each). */
export const JournalEntrySchema = Type.Object({
  id: Type.String({ description: 'req_…, in the order requests arrived' }),
  time: Type.String({ format: 'date-time' }),
  method: Type.String(),
  path: Type.String(),
  query: Nullable(Type.String()),
  workspace: Nullable(Type.String()),
  test_mode: Nullable(Type.Boolean()),
  request: Type.Object({ headers: Type.Record(Type.String(), Type.String()), body: Type.Unknown() }),
  response: Nullable(Answered),
  hidden_response: Nullable(Type.Object({ ...Answered.properties }, { description: 'the answer an after-commit fault replaced or dropped' })),
  duration_ms: Type.Number(),
  possible_duplicate: Type.Boolean(),
  fault: Nullable(FaultRecordSchema)
})

export const JournalPageSchema = Type.Object({
  count: Type.Integer(),
  next: Nullable(Type.String({ description: 'the URL of the rest, when the page stopped short' })),
  results: Type.Array(JournalEntrySchema)
})

/** A fault rule as POST /__admin/faults takes it. */
export type FaultRuleInput = Static<typeof FaultRuleSchema>

/** A refund of a snapshot document, as POST /__admin/snapshot and SEED_FILE take it (read as the API reads a refund). */
export const SnapshotRefundSchema = Type.Object({
  id: Type.Optional(Type.String({ pattern: '^[\\x21-\\x7e]{1,64}$', errorMessage: 'Enter 1 to 64 printable characters without spaces.' })),
  amount: DrfDecimal(AMOUNT),
  balance: Type.Optional(DrfDecimal({ ...AMOUNT, minCents: 0 }, { description: 'checked: what the refunds up to this one leave' })),
  reason: StringEnum(REFUND_REASONS),
  note: Type.Optional(DrfChar(NOTE)),
  receipt: DrfChar(RECEIPT),
  status: Type.Optional(StringEnum(REFUND_STATUSES, { default: 'succeeded' })),
  metadata: Type.Optional(Dict({ description: 'at most 256 KiB as JSON' })),
  created: Type.Optional(UtcDateTime()),
  updated: Type.Optional(UtcDateTime())
}, { additionalProperties: false, errorMessage: 'Expected an object.' })

/** A payment of a snapshot document, with its refunds oldest first. */
export const SnapshotPaymentSchema = Type.Object({
  workspace: Workspace(),
  test_mode: Type.Optional(Type.Boolean({ default: false, errorMessage: 'Must be true or false.' })),
  id: DrfInteger(PAYMENT_ID),
  amount: DrfDecimal(AMOUNT),
  refund_outcome: Type.Optional(StringEnum(REFUND_OUTCOMES, { default: 'succeeded' })),
  created: Type.Optional(UtcDateTime()),
  refunds: Type.Optional(Type.Array(SnapshotRefundSchema, { errorMessage: 'Expected a list.' }))
}, { additionalProperties: false, errorMessage: 'Expected an object.' })

/** A snapshot as POST /__admin/snapshot and SEED_FILE take it (optional fields have defaults). */
export const SnapshotSchema = Type.Object({
  payments: Type.Array(SnapshotPaymentSchema, { errorMessage: 'Expected a list.' }),
  clock: Type.Optional(UtcDateTime({ description: 'the clock continues from here, if that is later' }))
}, { additionalProperties: false })

/** A snapshot or seed document, as the programmatic API takes it. */
export type SnapshotDocument = Static<typeof SnapshotSchema>

// a snapshot as GET answers it: the refunds as the API answers them (without `payment`), money as numbers
const answeredRefund = Type.Object({
  id: Type.String(),
  amount: Type.Number(),
  balance: Type.Number(),
  reason: StringEnum(REFUND_REASONS),
  note: Nullable(Type.String({ maxLength: NOTE_MAX_LENGTH })),
  receipt: Type.String({ maxLength: RECEIPT_MAX_LENGTH }),
  status: StringEnum(REFUND_STATUSES),
  metadata: Metadata,
  created: Type.String({ format: 'date-time' }),
  updated: Type.String({ format: 'date-time' })
})

/** A snapshot as GET /__admin/snapshot answers it: every field there, in this order (the byte-for-byte round trip). */
export const SnapshotAnswerSchema = Type.Object({
  payments: Type.Array(Type.Object({
    workspace: Type.String(),
    test_mode: Type.Boolean(),
    id: Type.Integer(),
    amount: Type.Number(),
    refund_outcome: StringEnum(REFUND_OUTCOMES),
    created: Type.String({ format: 'date-time' }),
    refunds: Type.Array(answeredRefund)
  })),
  clock: Type.Optional(Type.String({ format: 'date-time', description: 'under a fixed clock, its time when the snapshot was taken' }))
})

export type SnapshotAnswer = Static<typeof SnapshotAnswerSchema>

export const ClockSchema = Type.Object({
  now: Type.String({ format: 'date-time' }),
  mode: StringEnum(['system', 'fixed'] as const)
})

/** POST /__admin/clock: exactly one of the four (a rule checked before the schema, src/test-kit/clock.ts). */
export const ClockChangeSchema = Type.Object({
  now: Type.Optional(Instant({ description: 'set the clock (never backwards)' })),
  advance_ms: Type.Optional(DrfInteger({ min: 0, max: MAX_ADVANCE_MS })),
  advance: Type.Optional(Duration({ description: 'an ISO-8601 duration: PT10M, P1DT2H, PT0.5S' })),
  reset: Type.Optional(Type.Literal(true, { description: 'back to the configured clock', errorMessage: 'Must be true.' }))
}, { description: 'exactly one of the four' })

export const RestoredSchema = Type.Object({
  deleted: Type.Object({ payments: Type.Integer(), refunds: Type.Integer() }),
  imported: Type.Object({ payments: Type.Integer(), refunds: Type.Integer() })
})

/** What a restore replaced: the payments and refunds deleted, and imported. */
export type Restored = Static<typeof RestoredSchema>

/** The longest a verify call waits. */
const MAX_WAIT_MS = 30_000

/** POST /__admin/requests/verify: a match, how many, and how long to wait for them. */
export const VerifySchema = Type.Object({
  match: Type.Optional(Type.Object({
    method: Type.Optional(Type.String({ pattern: "^[!#$%&'*+.^\\w`|~-]+$", errorMessage: 'Enter an HTTP method such as "POST".' })),
    path: Type.Optional(Type.String({ pattern: '^/', maxLength: 2048, description: 'exact, or a prefix ending in "*"', errorMessage: 'Enter a path starting with "/" (a trailing "*" matches any rest).' })),
    status: Type.Optional(StatusMatch()),
    headers: Type.Optional(Dict({ additionalProperties: { type: 'string' }, description: 'names case-insensitive; credentials compared as the journal keeps them (redacted)' })),
    body: Type.Optional(Type.Object({
      payment: Type.Optional(Type.Unknown({ description: 'as DRF reads it: 7, "7" and 7.0 are one payment' })),
      amount: Type.Optional(Type.Unknown({ description: 'a decimal: 30, 30.0 and "30.00" are equal' })),
      reason: Type.Optional(Type.String()),
      receipt: Type.Optional(Type.String()),
      note: Type.Optional(Nullable(Type.String())),
      metadata: Type.Optional(Dict({ description: 'a subset of the metadata sent' }))
    }, { additionalProperties: false }))
  }, { additionalProperties: false })),
  count: Type.Optional(Type.Object({
    exactly: Type.Optional(DrfInteger({ min: 0, max: 1_000_000 })),
    at_least: Type.Optional(DrfInteger({ min: 0, max: 1_000_000 })),
    at_most: Type.Optional(DrfInteger({ min: 0, max: 1_000_000 }))
  }, { additionalProperties: false, description: 'one of the three; default {"at_least": 1}' })),
  wait_ms: Type.Optional(DrfInteger({ min: 0, max: MAX_WAIT_MS }, { default: 0, description: 'wait for the count to hold: at_least answers as soon as it does, exactly and at_most when the time is up' }))
}, { additionalProperties: false })

export const VerifyAnswerSchema = Type.Object({
  ok: Type.Boolean(),
  count: Type.Integer({ description: 'how many requests matched' }),
  expected: Type.String({ description: 'the condition in words' }),
  message: Type.String({ description: 'a sentence a failed assertion can show' }),
  near_misses: Type.Array(Type.Object({
    id: Type.String(),
    method: Type.String(),
    path: Type.String(),
    status: Nullable(Type.Integer()),
    differences: Type.Array(Type.Object({ field: Type.String(), expected: Type.String(), actual: Nullable(Type.String()) }))
  }), { description: 'when not ok: the closest requests (at most 3), field by field' })
})

/** A verify call as the programmatic API takes it. */
export type VerifyMatch = NonNullable<Static<typeof VerifySchema>['match']>
export type VerifyAnswer = Static<typeof VerifyAnswerSchema>
