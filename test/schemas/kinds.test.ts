// Nullable, the kind the answer schemas document `T | null` with: a body read through it takes null or the inner
// type, says DRF's message for anything else, and decodes to the value given.
import t from 'tap'
import { Type } from '@sinclair/typebox'
import { decode, Nullable } from '../../src/schemas/kinds.js'
import { schemaReader } from '../../src/schemas/validate.js'
import { loads, type PyDict } from '../../src/python/json.js'

t.test('Nullable: null, the inner type, or a message', async t => {
  const note = Nullable(Type.String())
  const read = schemaReader(Type.Object({ note }))
  const body = (text: string): PyDict => loads(text) as PyDict
  t.match(read(body('{"note": null}')), { ok: true })
  t.match(read(body('{"note": "x"}')), { ok: true })
  const refused = read(body('{"note": 5}'))
  t.equal(refused.ok, false)
  if (!refused.ok) t.strictSame(refused.problems.errors, { note: ['Not a valid string.'] })
  t.equal(decode(note as never, null), null)
  t.equal(decode(note as never, 'x'), 'x', 'an inner type that is no kind: the value as given')
  t.strictSame(note.type, ['string', 'null'], 'documented as a type list')
})

t.test('plain TypeBox types in a body schema: a list and a dict say DRF\'s words, anything else "Invalid value."', async t => {
  const read = schemaReader(Type.Object({ l: Type.Optional(Type.Array(Type.String())), n: Type.Optional(Type.Integer()), d: Type.Optional(Type.Object({})) }))
  const problems = (text: string): unknown => { const r = read(loads(text) as PyDict); return r.ok ? null : r.problems.errors }
  t.strictSame(problems('{"l": {}}'), { l: ['Expected a list of items but got type "dict".'] })
  t.strictSame(problems('{"d": []}'), { d: ['Expected a dictionary of items but got type "list".'] })
  t.strictSame(problems('{"n": "x"}'), { n: ['Invalid value.'] })
})
