// The benchmark's baseline: bare Fastify on the same Node, one POST route answering a fixed 201 JSON of the size
// of a Refund. PORT from the environment; prints nothing.
import Fastify from 'fastify'

const REFUND = JSON.stringify({
  id: 'ref_0661a2b3c4d5e6f7a8b9c0d1e2',
  payment: 1234,
  amount: 0.01,
  balance: 99999.99,
  reason: 'duplicate',
  note: null,
  receipt: 'R-1',
  status: 'succeeded',
  metadata: {},
  created: '2026-11-26T11:26:44.884764Z',
  updated: '2026-11-26T11:26:44.884764Z'
})

const app = Fastify({ logger: false })
app.post('/refunds/', async (_request, reply) => {
  reply.code(201).type('application/json')
  return REFUND
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
