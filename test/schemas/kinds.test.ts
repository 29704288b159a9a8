// Nullable, the kind the answer schemas document `T | null` with: a body read through it takes null or the inner
// type, says DRF's message for anything else, and decodes to the value given.
import t from 'tap'
import { Type } from '@sinclair/typebox'
import { decode, Dict, Nullable } from '../../src/schemas/kinds.js'
import { Problems, schemaReader } from '../../src/schemas/validate.js'
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

t.test('errors at the root and under a record are placed too', async t => {
  const root = schemaReader(Type.Object({}, { minProperties: 1 }))
  const r1 = root(loads('{}') as PyDict)
  t.equal(r1.ok, false)
  const record = schemaReader(Type.Object({ r: Type.Record(Type.String(), Type.Integer()) }))
  const r2 = record(loads('{"r": {"a": "x"}}') as PyDict)
  t.equal(r2.ok, false)
  if (!r2.ok) t.strictSame(Object.keys(r2.problems.errors), ['r.a'])
})

t.test('Dict decodes to the dict given, or null; Problems keeps several messages and orders a field before its parts', async t => {
  t.type(decode(Dict(), new Map() as never), Map)
  t.equal(decode(Dict(), 'x' as never), null)
  const schema = Type.Object({ a: Type.Object({ b: Type.Integer() }) })
  const problems = new Problems(schema)
  problems.add(['a', 'b'], 'inner')
  problems.add(['a'], ['outer', 'and more'])
  t.strictSame(problems.errors, { a: ['outer', 'and more'], 'a.b': ['inner'] })
  // a body wrong in many places names the first 20
  const many = new Problems(Type.Object({}))
  for (let i = 0; i < 25; i++) many.add([`f${i}`], 'wrong')
  t.equal(Object.keys(many.errors).length, 20)
})
