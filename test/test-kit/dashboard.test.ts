// The dashboard (GET /__admin/), in a real browser: Debian's chromium driven by playwright-core. Tests seed
// payments, make refunds (a blind retry, one hit by a fault) and assert on what a person sees; a screenshot of
// each view goes to SCREENSHOTS_DIR (default .tap/screenshots; `npm run screenshots` refreshes docs/screenshots).
import t, { type Test } from 'tap'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import harSdk from '@har-sdk/validator'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startPiriodMock, type PiriodMock } from '../../src/index.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(p => existsSync(p))
const SHOTS = process.env.SCREENSHOTS_DIR ?? join(ROOT, '.tap', 'screenshots')

// without a browser the tests are skipped, except where one is required (.ci/run installs chromium and sets this)
const skip = CHROMIUM === undefined && process.env.REQUIRE_BROWSER !== '1' ? 'no chromium: apt-get install chromium, or set CHROMIUM_PATH' : false

let browser: Browser | undefined
t.before(async () => {
  if (skip !== false) return
  if (CHROMIUM === undefined) throw new Error('REQUIRE_BROWSER=1 and no chromium found: apt-get install chromium, or set CHROMIUM_PATH')
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
  })
})
t.teardown(() => browser?.close())

const HEADERS = { authorization: 'Token tok_secret_1234', 'content-type': 'application/json' }

function refund (mock: PiriodMock, workspace: string, body: Record<string, unknown>, testMode = false): Promise<Response> {
  return fetch(`${mock.url}/refunds/`, {
    method: 'POST',
    headers: { ...HEADERS, 'x-simple-workspace': workspace, 'x-piriod-test-mode': String(testMode) },
    body: JSON.stringify({ reason: 'requested_by_customer', receipt: 'R-1', ...body })
  })
}

/** Two workspaces, both modes; a refund, its blind retry, one answered by a fault, one refused. */
async function scenario (t: Test, mock: PiriodMock): Promise<void> {
  await mock.createPayment({ workspace: 'acc_shop', id: 7, amount: '100.00' })
  await mock.createPayment({ workspace: 'acc_shop', id: 8, amount: '42.50' })
  await mock.createPayment({ workspace: 'acc_shop', id: 7, amount: '15.00', testMode: true, refundOutcome: 'failed' })
  await mock.createPayment({ workspace: 'acc_other', id: 3, amount: '9.99' })
  t.equal((await refund(mock, 'acc_shop', { payment: 7, amount: '30.00' })).status, 201)
  t.equal((await refund(mock, 'acc_shop', { payment: 7, amount: '30.00' })).status, 201, 'the blind retry')
  await mock.addFault({ match: { method: 'POST', path: '/refunds/' }, action: { status: 503 }, times: 1 }, { workspace: 'acc_shop' })
  await mock.addFault({ match: { path: '/never/*' }, action: { delay_ms: 5 }, times: 0 })
  t.equal((await refund(mock, 'acc_shop', { payment: 8, amount: '2.50' })).status, 503, 'hit by the fault')
  t.equal((await refund(mock, 'acc_shop', { payment: 8, amount: '2.50', receipt: 'R-2' })).status, 201)
  t.equal((await refund(mock, 'acc_shop', { payment: 7, amount: '5.00' }, true)).status, 201)
  t.equal((await refund(mock, 'acc_other', { payment: 3, amount: '10.00' })).status, 400, 'more than the balance')
}

/** What the Content-Security-Policy refused, on any page the tests opened (checked by the last test). */
const refusedByPolicy: string[] = []

async function open (t: Test, mock: PiriodMock, viewport = { width: 1280, height: 800 }): Promise<{ page: Page, requested: string[] }> {
  const context = await (browser as Browser).newContext({ viewport, acceptDownloads: true })
  t.teardown(() => context.close())
  const page = await context.newPage()
  const requested: string[] = []
  page.on('request', r => requested.push(r.url()))
  // the page runs under a strict Content-Security-Policy: anything it refuses is a defect of the dashboard
  page.on('console', m => { if (/Content Security Policy|Refused to/i.test(m.text())) refusedByPolicy.push(`${t.name}: ${m.text()}`) })
  await page.goto(`${mock.url}/__admin/`)
  return { page, requested }
}

async function shot (page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true })
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}

const rowOf = (page: Page, attr: string, value: string) => page.locator(`tr[${attr}="${value}"]`)
const cells = async (page: Page, attr: string, value: string): Promise<string[]> => await rowOf(page, attr, value).locator('td').allInnerTexts()

t.test('payments: every partition, balances and their bars, refunds on opening a payment, filters', { skip }, async t => {
  const mock = await startPiriodMock({ clock: '2026-11-28T10:00:00Z' })
  t.teardown(() => mock.close())
  await scenario(t, mock)
  const { page, requested } = await open(t, mock)
  await rowOf(page, 'data-payment', 'acc_shop|false|7').waitFor()
  t.match(await cells(page, 'data-payment', 'acc_shop|false|7'), ['acc_shop', 'live', '7', '100.00', '60.00', '40.00', /^\s*60%$/, 'succeeded', '2'])
  t.match(await cells(page, 'data-payment', 'acc_shop|true|7'), ['acc_shop', 'test', '7', '15.00', '0.00', '15.00', /^\s*0%$/, 'failed', '1'],
    'a failed refund consumes no balance')
  // set through the CSSOM: the policy refuses style attributes
  t.equal(await page.locator('tr[data-payment="acc_shop|false|7"] .bar span').evaluate(e => (e as unknown as { style: { width: string } }).style.width), '60%')
  t.equal(await page.locator('tr[data-payment="acc_shop|false|7"] .bar span').evaluate(e => e.getBoundingClientRect().width > 0), true, 'and drawn')
  t.equal(await page.locator('#payment-rows tr.entry').count(), 4)
  t.match(await page.locator('#payments-page').innerText(), 'page 1 of 1 · 4 payments')

  await rowOf(page, 'data-payment', 'acc_shop|false|7').click()
  const refunds = page.locator('#payment-rows tr.detail table tbody tr')
  await refunds.first().waitFor()
  t.equal(await refunds.count(), 2)
  const first = await refunds.first().locator('td').allInnerTexts()
  t.match(first, [/^ref_/, '30.00', '70.00', 'requested_by_customer', 'R-1', '', 'succeeded', '{}', '2026-11-28T10:00:00'])
  await shot(page, 'payments')

  await page.fill('[data-filters="payments"] input[name="workspace"]', 'acc_other')
  await page.locator('#payment-rows tr[data-payment="acc_shop|false|7"]').waitFor({ state: 'detached' })
  t.equal(await page.locator('#payment-rows tr.entry').count(), 1)
  await page.fill('[data-filters="payments"] input[name="workspace"]', '')
  await page.selectOption('[data-filters="payments"] select[name="mode"]', 'test')
  await page.locator('#payment-rows tr[data-payment="acc_other|false|3"]').waitFor({ state: 'detached' })
  t.strictSame(await page.locator('#payment-rows tr.entry').evaluateAll(rows => rows.map(r => r.getAttribute('data-payment'))), ['acc_shop|true|7'])

  // live: a refund made now shows without a reload
  await page.selectOption('[data-filters="payments"] select[name="mode"]', '')
  t.equal((await refund(mock, 'acc_other', { payment: 3, amount: '9.99' })).status, 201)
  await page.locator('tr[data-payment="acc_other|false|3"] td.balance', { hasText: '0.00' }).waitFor({ timeout: 5000 })
  t.pass('the new balance appeared by polling')
  t.strictSame([...new Set(requested.map(u => new URL(u).origin))], [new URL(mock.url).origin], 'nothing loaded from anywhere else')
})

t.test('requests: newest first, marks for duplicates, faults and errors, redacted headers, filters, HAR', { skip }, async t => {
  const mock = await startPiriodMock({ clock: '2026-11-28T10:00:00Z' })
  t.teardown(() => mock.close())
  await scenario(t, mock)
  const { page } = await open(t, mock)
  await page.click('[data-view="requests"]')
  await rowOf(page, 'data-request', 'req_00000006').waitFor()
  const ids = await page.locator('#request-rows tr.entry').evaluateAll(rows => rows.map(r => r.getAttribute('data-request')))
  t.strictSame(ids, ['req_00000006', 'req_00000005', 'req_00000004', 'req_00000003', 'req_00000002', 'req_00000001'])
  const marks = async (id: string) => await rowOf(page, 'data-request', id).locator('.mark').allInnerTexts()
  t.strictSame(await marks('req_00000001'), ['possible duplicate'])
  t.strictSame(await marks('req_00000002'), ['possible duplicate'])
  t.strictSame(await marks('req_00000003'), ['fault flt_1', '5xx'])
  t.strictSame(await marks('req_00000004'), [])
  t.strictSame(await marks('req_00000006'), ['4xx'])
  t.match(await cells(page, 'data-request', 'req_00000003'), ['2026-11-28 10:00:00.000', 'POST', '503', /fault flt_1/, /^\/refunds\/\s*Service Unavailable \(injected by piriod-mock\)$/, /^\d+\.\d$/, 'acc_shop'])
  t.match(await cells(page, 'data-request', 'req_00000005'), [/./, 'POST', '201', '', '/refunds/', /./, 'acc_shop (test)'])
  // why a request failed, in the row: the first message of its answer
  t.equal(await rowOf(page, 'data-request', 'req_00000006').locator('.why').innerText(),
    "amount: Ensure this value is less than or equal to the payment's remaining refundable balance of 9.99.")
  t.equal(await rowOf(page, 'data-request', 'req_00000005').locator('.why').count(), 0, 'nothing for a 201')
  t.equal(await page.locator('#requests th').first().innerText(), 'Time (UTC)', 'times say their zone')
  t.match(await page.locator('#status').innerText(), /^updated \d\d:\d\d:\d\d UTC$/, 'and so does the status line')

  await rowOf(page, 'data-request', 'req_00000001').click()
  const detail = page.locator('#request-rows tr.detail')
  await detail.waitFor()
  const text = await detail.innerText()
  t.match(text, /^req_00000001 · 2026-11-28 10:00:00(\.\d+)? UTC/, 'the opened entry names its journal id and its time')
  t.match(text, 'authorization: Token …1234', 'the token as the journal redacts it')
  t.notMatch(await page.content(), 'tok_secret', 'never the token itself')
  t.match(text, '"amount": "30.00"', 'the request body, pretty-printed')
  t.match(text, 'Answer 201')
  t.match(text, '"balance": 70.0', 'numbers as the emulator wrote them')
  await shot(page, 'requests')

  await page.fill('[data-filters="requests"] input[name="status"]', '503')
  await rowOf(page, 'data-request', 'req_00000001').waitFor({ state: 'detached' })
  t.strictSame(await page.locator('#request-rows tr.entry').evaluateAll(rows => rows.map(r => r.getAttribute('data-request'))), ['req_00000003'])
  await page.fill('[data-filters="requests"] input[name="status"]', '')
  await page.fill('[data-filters="requests"] input[name="workspace"]', 'acc_other')
  // req_00000003 is on the page before and (with the status filter cleared) in between, only not at the end
  await rowOf(page, 'data-request', 'req_00000003').waitFor({ state: 'detached' })
  t.strictSame(await page.locator('#request-rows tr.entry').evaluateAll(rows => rows.map(r => r.getAttribute('data-request'))), ['req_00000006'])

  // the filtered journal as a HAR file
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#requests-har')])
  const har = JSON.parse(readFileSync(await download.path(), 'utf8')) as { log: { entries: Array<{ comment: string }> } }
  t.match(download.suggestedFilename(), /^piriod-mock-.*\.har$/)
  t.strictSame(har.log.entries.map(e => e.comment), ['req_00000006'])
  t.strictSame(await new harSdk.HarValidator().verify(har as never), [])
})

t.test('requests: a full journal pages 100 at a time and stays live', { skip }, async t => {
  const mock = await startPiriodMock()
  t.teardown(() => mock.close())
  await Promise.all(Array.from({ length: 1000 }, (_, i) => fetch(`${mock.url}/nowhere/${i}`)))
  const { page } = await open(t, mock)
  await page.click('[data-view="requests"]')
  await page.locator('#request-rows tr.entry').nth(99).waitFor()
  t.equal(await page.locator('#request-rows tr.entry').count(), 100)
  t.match(await page.locator('#requests-count').innerText(), 'newest 100 (req_00000901 to req_00001000) of 1000 matching requests')
  await page.click('#requests-older')
  await rowOf(page, 'data-request', 'req_00000900').waitFor()
  t.match(await page.locator('#requests-count').innerText(), '100 (req_00000801 to req_00000900) of 1000')
  await page.click('#requests-newest')
  await fetch(`${mock.url}/nowhere/new`)
  await rowOf(page, 'data-request', 'req_00001001').waitFor({ timeout: 5000 })
  t.pass('a new request appeared by polling, the journal full')
})

t.test('faults: the rules with their counts; delete one, then all, through the page', { skip }, async t => {
  const mock = await startPiriodMock({ clock: '2026-11-28T10:00:00Z' })
  t.teardown(() => mock.close())
  await scenario(t, mock)
  const { page } = await open(t, mock)
  await page.click('[data-view="faults"]')
  await rowOf(page, 'data-fault', 'flt_2').waitFor()
  t.strictSame(await cells(page, 'data-fault', 'flt_1'), ['flt_1', 'POST /refunds/', '{"status":503}', '1', '1', 'no', 'acc_shop', 'Delete'])
  t.strictSame(await cells(page, 'data-fault', 'flt_2'), ['flt_2', '* /never/*', '{"delay_ms":5}', '∞', '0', 'yes', 'any workspace', 'Delete'])
  await shot(page, 'faults')
  await rowOf(page, 'data-fault', 'flt_1').locator('button').click()
  await rowOf(page, 'data-fault', 'flt_1').waitFor({ state: 'detached' })
  t.strictSame((await (await fetch(`${mock.url}/__admin/faults`)).json() as { results: Array<{ id: string }> }).results.map(r => r.id), ['flt_2'], 'deleted in the emulator')
  await page.click('#faults-delete-all')
  await page.locator('#fault-rows', { hasText: 'No fault rules.' }).waitFor()
  t.equal((await (await fetch(`${mock.url}/__admin/faults`)).json() as { count: number }).count, 0)
})

t.test('a narrow window: usable, nothing wider than the screen but the tables, which scroll', { skip }, async t => {
  const mock = await startPiriodMock({ clock: '2026-11-28T10:00:00Z' })
  t.teardown(() => mock.close())
  await scenario(t, mock)
  const { page } = await open(t, mock, { width: 390, height: 800 })
  await rowOf(page, 'data-payment', 'acc_shop|false|7').waitFor()
  t.equal(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'), true, 'the page itself does not scroll sideways')
  t.equal(await page.locator('#payments .scroll').evaluate(el => el.scrollWidth > el.clientWidth), true, 'the table scrolls inside its box')
  await page.click('[data-view="requests"]')
  await rowOf(page, 'data-request', 'req_00000001').waitFor()
  t.equal((await cells(page, 'data-request', 'req_00000001'))[0], '10:00:00.000', 'the time without its date')
  const status = await rowOf(page, 'data-request', 'req_00000003').locator('td').nth(2).boundingBox()
  t.ok(status !== null && status.x + status.width <= 390, 'the status is on screen without scrolling')
  for (const id of ['req_00000001', 'req_00000003', 'req_00000006']) {
    for (const mark of await rowOf(page, 'data-request', id).locator('td.marks .mark').all()) {
      const box = await mark.boundingBox()
      t.ok(box !== null && box.x + box.width <= 390, `${id}: "${await mark.innerText()}" is on screen (it ends at ${box === null ? '?' : Math.round(box.x + box.width)} px)`)
    }
  }
  await shot(page, 'narrow')
})

t.test('a loading state until the first answer, in every view', { skip }, async t => {
  const mock = await startPiriodMock()
  t.teardown(() => mock.close())
  const context = await (browser as Browser).newContext()
  t.teardown(() => context.close())
  const page = await context.newPage()
  // the admin API held back: what shows before the first poll answers
  let release: () => void = () => {}
  const held = new Promise<void>(resolve => { release = resolve })
  await page.route('**/__admin/payments*', async route => { await held; await route.continue() })
  await page.goto(`${mock.url}/__admin/`)
  t.equal(await page.locator('#payment-rows tr.loading').innerText(), 'Loading…')
  t.equal(await page.locator('#status').innerText(), 'loading…')
  release()
  await page.locator('#payment-rows').getByText('No payments in this scope.').waitFor()
  t.equal(await page.locator('#payment-rows tr.loading').count(), 0, 'gone once the answer came')
  t.equal(await page.locator('#request-rows tr.loading').count(), 1, 'the other views load when opened')
})

t.test('with ADMIN_TOKEN: the page holds no data, asks for the token once and keeps it for the session', { skip }, async t => {
  const mock = await startPiriodMock({ adminToken: 'adm_secret' })
  t.teardown(() => mock.close())
  await mock.createPayment({ workspace: 'acc_shop', id: 7, amount: 100 })
  for (const file of ['', 'app.js', 'style.css']) {
    const res = await fetch(`${mock.url}/__admin/${file}`)
    t.equal(res.status, 200, `/__admin/${file} needs no token`)
    t.notMatch(await res.text(), 'acc_shop', 'and holds no data')
  }
  t.equal((await fetch(`${mock.url}/__admin/payments`)).status, 401, 'the data calls do')
  const { page, requested } = await open(t, mock)
  await page.locator('#login').waitFor()
  t.equal(await page.locator('main').isHidden(), true)
  await page.fill('#login input[name="token"]', 'wrong')
  await page.click('#login button')
  await page.locator('#login-error').waitFor()
  t.match(await page.locator('#login-error').innerText(), 'That token was refused.')
  await page.fill('#login input[name="token"]', 'adm_secret')
  await page.click('#login button')
  await rowOf(page, 'data-payment', 'acc_shop|false|7').waitFor()
  t.equal(await page.locator('#login').isHidden(), true)
  t.equal(await page.evaluate('sessionStorage.getItem("piriod-mock-admin-token")'), 'adm_secret')
  await page.reload()
  await rowOf(page, 'data-payment', 'acc_shop|false|7').waitFor()
  t.pass('after a reload the page does not ask again')
  t.ok(requested.every(u => u.startsWith(mock.url)))
})

t.test('the emulator stopping shows in the status line; the page is not left blank', { skip }, async t => {
  const mock = await startPiriodMock()
  await mock.createPayment({ workspace: 'acc_shop', id: 7, amount: 100 })
  const { page } = await open(t, mock)
  await rowOf(page, 'data-payment', 'acc_shop|false|7').waitFor()
  await mock.close()
  await page.locator('#status', { hasText: 'the emulator did not answer' }).waitFor({ timeout: 5000 })
  t.equal(await rowOf(page, 'data-payment', 'acc_shop|false|7').count(), 1, 'what was shown stays')
})

t.test('every page above ran under the Content-Security-Policy, and it refused nothing', { skip }, async t => {
  t.strictSame(refusedByPolicy, [])
})
