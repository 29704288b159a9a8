// Schemas of the test kit's calls, for the OpenAPI document (requests are read by src/test-kit/faults.ts and
// src/test-kit/snapshot.ts).
import { Type } from '@sinclair/typebox'
import { REFUND_REASONS } from '../db/refund-store.js'
import { REFUND_OUTCOMES } from '../serializers/payment.js'
import { Nullable, StringEnum } from './common.js'

export const JournalQuery = Type.Object({
  method: Type.Optional(Type.String()),
  path: Type.Optional(Type.String({ description: 'exact path, without the query string' })),
  status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, default: 100, description: 'at most this many entries; fewer when the page reaches JOURNAL_MAX_BYTES' })),
  before: Type.Optional(Type.String({ description: 'entries older than this one (req_…): the `next` link of the page before' }))
})

export const FaultRuleInput = Type.Object({
  match: Type.Optional(Type.Object({
    method: Type.Optional(Type.String()),
    path: Type.Optional(Type.String({ description: 'exact, or a prefix ending in "*"' }))
  })),
  action: Type.Object({
    status: Type.Optional(Type.Integer({ minimum: 200, maximum: 599 })),
    body: Type.Optional(Type.Unknown()),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    delay_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
    drop_connection: Type.Optional(Type.Boolean()),
    after_commit: Type.Optional(Type.Boolean({ description: 'run the real handler first (the refund is stored), then fail' }))
  }),
  times: Type.Optional(Type.Integer({ minimum: 0, default: 1, description: '0 = until removed' }))
})

const SnapshotRefund = Type.Object({
  id: Type.Optional(Type.String()),
  amount: Type.Number(),
  balance: Type.Optional(Type.Number()),
  reason: StringEnum(REFUND_REASONS),
  note: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  receipt: Type.String({ maxLength: 256 }),
  status: Type.Optional(StringEnum(['succeeded', 'failed'] as const)),
  metadata: Type.Optional(Type.Object({}, { additionalProperties: true })),
  created: Type.Optional(Type.String({ format: 'date-time' })),
  updated: Type.Optional(Type.String({ format: 'date-time' }))
})

const SnapshotPayment = Type.Object({
  workspace: Type.String(),
  test_mode: Type.Optional(Type.Boolean()),
  id: Type.Integer({ minimum: 1 }),
  amount: Type.Number(),
  refund_outcome: Type.Optional(StringEnum(REFUND_OUTCOMES)),
  created: Type.Optional(Type.String({ format: 'date-time' })),
  refunds: Type.Optional(Type.Array(SnapshotRefund))
})

/** A snapshot as POST /__admin/snapshot and SEED_FILE take it (optional fields have defaults). */
export const SnapshotSchema = Type.Object({ payments: Type.Array(SnapshotPayment) })

/**
 * A snapshot as GET answers it: every field there, in this order (fast-json-stringify writes required
 * properties before optional ones, and the key order is part of the byte-for-byte round trip).
 */
export const SnapshotAnswerSchema = Type.Object({
  payments: Type.Array(Type.Composite([
    Type.Required(Type.Omit(SnapshotPayment, ['refunds'])),
    Type.Object({ refunds: Type.Array(Type.Required(SnapshotRefund)) })
  ]))
})
