import t from 'tap'
import { build } from './helper.js'
t.test('x', async t => {
  const { app } = await build(t, { fastify: { logger: { level: 'error' } } })
  const r = await app.inject({ method: 'POST', url: '/__admin/payments', headers: { 'x-simple-workspace': 'a', 'content-type': 'application/json' }, payload: '{}' })
  console.log(r.statusCode, r.body)
})
