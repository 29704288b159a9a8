import t from 'tap'
import { formatDateTime, refundId, systemClock } from '../src/clock.js'

t.test('the clock is in microseconds and strictly increasing', async t => {
  const readings = [1000001.1, 1000001.1, 999500, 1000002.1]
  const clock = systemClock(() => readings.shift() as number)
  t.strictSame([clock.stamp(), clock.stamp(), clock.stamp(), clock.stamp()], [1000001, 1000002, 1000003, 1000004])
  const real = systemClock()
  const a = real.stamp()
  t.ok(Math.abs(a / 1000 - Date.now()) < 1000, 'close to the wall clock')
  t.ok(real.stamp() > a)
})

t.test('DRF datetimes', async t => {
  const us = Date.UTC(2023, 10, 7, 5, 31, 56) * 1000
  t.equal(formatDateTime(us), '2023-11-07T05:31:56Z')
  t.equal(formatDateTime(us + 123456), '2023-11-07T05:31:56.123456Z')
  t.equal(formatDateTime(us + 123000), '2023-11-07T05:31:56.123000Z')
  t.equal(formatDateTime(us + 7), '2023-11-07T05:31:56.000007Z')
})

t.test('refund ids', async t => {
  const ids = Array.from({ length: 3000 }, (_, i) => refundId(1_700_000_000_000_000 + i))
  t.ok(ids.every(id => /^ref_[0-9a-f]{26}$/.test(id)))
  t.equal(new Set(ids).size, ids.length)
  t.strictSame([...ids].sort(), ids, 'sorted by time')
  t.equal(ids[0]?.slice(4, 18), (1_700_000_000_000_000).toString(16).padStart(14, '0'))
})
