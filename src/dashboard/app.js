// The dashboard: payments, the request journal and fault rules, read from the documented admin API and polled
// every second. Everything shown is set as text (the journal holds whatever clients sent), never as HTML.
const TOKEN_KEY = 'piriod-mock-admin-token'
const POLL_MS = 1000
const $ = id => document.getElementById(id)

const state = {
  view: 'payments',
  paymentsPage: 1,
  requestsBefore: null, // the journal page shown: null for the newest, else the id the page starts below
  open: new Set(), // expanded rows: payment keys and journal entry ids
  shown: {} // the last answer rendered per view, to leave an unchanged table alone
}

// ---- the admin API, with ADMIN_TOKEN when the emulator asks for it

class Unauthorized extends Error {}

async function call (path, { method = 'GET', headers = {} } = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY)
  const res = await fetch(path, { method, headers: { ...headers, ...(token ? { authorization: `Token ${token}` } : {}) } })
  if (res.status === 401) throw new Unauthorized()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`)
  return res
}

const api = async (path, options) => (await call(path, options)).json()

// Bodies' numbers exactly as they were written (an amount of 25.0 stays 25.0, a long integer keeps its digits), where
// the browser can (JSON.parse source text access: Chromium 114, Firefox 135); elsewhere as JavaScript reads them.
// Only a number JavaScript would write differently is kept as raw text, so statuses and durations stay numbers.
const exactNumbers = typeof JSON.rawJSON === 'function'
  ? (_key, value, context) => typeof value === 'number' && context?.source !== undefined && context.source !== String(value) ? JSON.rawJSON(context.source) : value
  : undefined
const apiExact = async (path, options) => JSON.parse(await (await call(path, options)).text(), exactNumbers)

const scopeHeaders = (workspace, mode) => ({
  ...(workspace ? { 'x-simple-workspace': workspace } : {}),
  ...(mode ? { 'x-piriod-test-mode': mode === 'test' ? 'true' : 'false' } : {})
})

const filters = name => Object.fromEntries(new FormData(document.querySelector(`[data-filters="${name}"]`)))

// ---- building rows as text

function el (tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v
    else if (k === 'onclick') node.addEventListener('click', v)
    else if (k === 'style') Object.assign(node.style, v) // through the CSSOM: the page's policy refuses style attributes
    else node.setAttribute(k, v)
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? '')))
  return node
}

const money = n => Number(n).toFixed(2)
const pretty = body => typeof body === 'string' ? body : JSON.stringify(body, null, 2)
const mode = testMode => testMode === null ? '' : testMode ? 'test' : 'live'

// ---- payments

async function showPayments () {
  const f = filters('payments')
  const page = await api(`/__admin/payments?page=${state.paymentsPage}`, { headers: scopeHeaders(f.workspace, f.mode) })
  const key = JSON.stringify(page) + [...state.open].join()
  if (state.shown.payments === key) return
  const rows = []
  for (const p of page.results) {
    const id = `${p.workspace}|${p.test_mode}|${p.id}`
    const share = p.amount > 0 ? Math.round(100 * p.refunded / p.amount) : 0
    rows.push(el('tr', { class: 'entry', 'data-payment': id, onclick: () => toggle(id) },
      el('td', { class: 'mono' }, p.workspace), el('td', {}, mode(p.test_mode)), el('td', { class: 'mono' }, p.id),
      el('td', { class: 'num' }, money(p.amount)), el('td', { class: 'num' }, money(p.refunded)), el('td', { class: 'num balance' }, money(p.balance)),
      el('td', {}, el('span', { class: 'bar', title: `${share}% refunded` }, el('span', { style: { width: `${share}%` } })), ` ${share}%`),
      el('td', {}, p.refund_outcome), el('td', { class: 'num' }, p.refund_count)))
    if (state.open.has(id)) rows.push(el('tr', { class: 'detail' }, el('td', { colspan: '9' }, await refundsOf(p))))
  }
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: '9' }, 'No payments in this scope.')))
  $('payment-rows').replaceChildren(...rows)
  state.shown.payments = key // only once drawn: a refund list that failed to load is tried again on the next poll
  const pages = Math.max(1, Math.ceil(page.count / 20))
  $('payments-page').textContent = `page ${state.paymentsPage} of ${pages} · ${page.count} payments`
  $('payments-previous').disabled = page.previous === null
  $('payments-next').disabled = page.next === null
}

async function refundsOf (p) {
  const full = await api(`/__admin/payments/${p.id}`, { headers: scopeHeaders(p.workspace, p.test_mode ? 'test' : 'live') })
  if (full.refunds.length === 0) return el('p', { class: 'note' }, 'No refunds yet.')
  return el('div', { class: 'scroll' }, el('table', {},
    el('thead', {}, el('tr', {}, ['Refund', 'Amount', 'Balance after', 'Reason', 'Receipt', 'Note', 'Status', 'Metadata', 'Created'].map(h => el('th', {}, h)))),
    el('tbody', {}, full.refunds.map(r => el('tr', {},
      el('td', { class: 'mono' }, r.id), el('td', { class: 'num' }, money(r.amount)), el('td', { class: 'num' }, money(r.balance)),
      el('td', {}, r.reason), el('td', { class: 'mono' }, r.receipt), el('td', {}, r.note ?? ''), el('td', {}, r.status),
      el('td', { class: 'mono' }, JSON.stringify(r.metadata)), el('td', { class: 'mono' }, r.created))))))
}

// ---- requests

const faultEffect = f => [f.status === null ? '' : `status ${f.status}`, f.drop_connection ? 'connection dropped' : '',
  f.delay_ms > 0 ? `${f.delay_ms} ms late` : '', f.after_commit ? 'after commit' : ''].filter(Boolean).join(', ')

function marks (e) {
  const out = []
  if (e.possible_duplicate) out.push(el('span', { class: 'mark duplicate', title: 'the same refund twice within DUPLICATE_WINDOW_MS' }, 'possible duplicate'))
  if (e.fault) out.push(el('span', { class: 'mark fault', title: faultEffect(e.fault) }, `fault ${e.fault.rules.join(' ')}`))
  if (e.hidden_response) {
    out.push(el('span', { class: 'mark hidden', title: `the handler answered ${e.hidden_response.status}; a fault rule replaced or dropped it` },
      e.hidden_response.status < 300 ? 'stored, answer hidden' : `answer hidden (${e.hidden_response.status})`))
  }
  if (e.response === null) out.push(el('span', { class: 'mark error' }, 'no answer'))
  else if (e.response.status >= 400) out.push(el('span', { class: 'mark error' }, `${Math.floor(e.response.status / 100)}xx`))
  return out
}

/** Why a request failed, in its answer's words: the detail, or the first field's first message. */
function firstError (e) {
  const body = e.response?.body
  if (e.response === null || e.response.status < 400 || body === null || typeof body !== 'object') return ''
  if (typeof body.detail === 'string') return body.detail
  const [field, messages] = Object.entries(body)[0] ?? []
  const message = Array.isArray(messages) ? messages[0] : undefined
  return typeof message === 'string' ? `${field === 'non_field_errors' ? '' : `${field}: `}${message}` : ''
}

function entryDetail (e) {
  const headers = Object.entries(e.request.headers).map(([k, v]) => `${k}: ${v}`).join('\n')
  return el('div', { class: 'detail' },
    el('h3', { class: 'entry-id' }, `${e.id} · ${e.time.replace('T', ' ').replace('Z', ' UTC')}`),
    el('h3', {}, `${e.method} ${e.path}${e.query ? `?${e.query}` : ''} — request headers`), el('pre', {}, headers),
    el('h3', {}, 'Request body'), el('pre', {}, e.request.body === null ? '(none)' : pretty(e.request.body)),
    el('h3', {}, e.response === null ? 'No answer (the connection was dropped)' : `Answer ${e.response.status}`),
    e.response === null ? '' : el('pre', {}, pretty(e.response.body)),
    e.hidden_response ? [el('h3', {}, `What the fault hid: the handler's answer ${e.hidden_response.status}`), el('pre', {}, pretty(e.hidden_response.body))] : '')
}

function requestsQuery (extra) {
  const f = filters('requests')
  const query = new URLSearchParams(extra)
  for (const name of ['method', 'path', 'status']) if (f[name]) query.set(name, f[name])
  return { query, headers: scopeHeaders(f.workspace) }
}

async function showRequests () {
  const { query, headers } = requestsQuery({ limit: '100', ...(state.requestsBefore ? { before: state.requestsBefore } : {}) })
  const page = await apiExact(`/__admin/requests?${query}`, { headers })
  const key = JSON.stringify(page) + [...state.open].join()
  if (state.shown.requests === key) return
  state.shown.requests = key
  const rows = []
  for (const e of page.results) {
    const status = e.response?.status
    const why = firstError(e)
    // the status and the marks come before the path, where a narrow window still shows them; why it failed under the path
    rows.push(el('tr', { class: 'entry', 'data-request': e.id, onclick: () => toggle(e.id) },
      el('td', { class: 'mono' }, el('span', { class: 'date' }, `${e.time.slice(0, 10)} `), e.time.slice(11, -1)), el('td', {}, e.method),
      el('td', { class: `num status-${String(status ?? '').charAt(0)}` }, status ?? '—'), el('td', { class: 'marks' }, marks(e)),
      el('td', { class: 'mono path' }, e.path, why ? el('span', { class: 'why', title: why }, why) : ''),
      el('td', { class: 'num' }, Number(e.duration_ms).toFixed(1)), el('td', { class: 'mono' }, e.workspace ?? '', e.test_mode ? ' (test)' : '')))
    if (state.open.has(e.id)) rows.push(el('tr', { class: 'detail' }, el('td', { colspan: '7' }, entryDetail(e))))
  }
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: '7' }, 'No requests recorded.')))
  $('request-rows').replaceChildren(...rows)
  const shown = page.results.length === 0 ? 'none' : `${page.results.at(-1).id} to ${page.results[0].id}`
  $('requests-count').textContent = `${state.requestsBefore ? '' : 'newest '}${page.results.length} (${shown}) of ${page.count} matching requests`
  $('requests-newest').disabled = state.requestsBefore === null
  $('requests-older').disabled = page.next === null
  $('requests-older').dataset.before = page.results.at(-1)?.id ?? ''
}

async function downloadHar () {
  const { query, headers } = requestsQuery({ format: 'har' })
  const blob = await (await call(`/__admin/requests?${query}`, { headers })).blob()
  const link = el('a', { href: URL.createObjectURL(blob), download: `piriod-mock-${new Date().toISOString().replaceAll(':', '-')}.har` })
  link.click()
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000)
}

// ---- faults

async function showFaults () {
  const rules = await api('/__admin/faults')
  const key = JSON.stringify(rules)
  if (state.shown.faults === key) return
  state.shown.faults = key
  const rows = rules.results.map(r => el('tr', { 'data-fault': r.id },
    el('td', { class: 'mono' }, r.id), el('td', { class: 'mono' }, `${r.match.method ?? '*'} ${r.match.path ?? '*'}`),
    el('td', { class: 'mono' }, JSON.stringify(r.action)), el('td', { class: 'num' }, r.times === 0 ? '∞' : r.times), el('td', { class: 'num' }, r.fired),
    el('td', {}, r.active ? 'yes' : 'no'), el('td', { class: 'mono' }, [r.workspace ?? 'any workspace', mode(r.test_mode)].filter(Boolean).join(', ')),
    el('td', {}, el('button', { onclick: () => removeFault(r.id) }, 'Delete'))))
  if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: '8' }, 'No fault rules.')))
  $('fault-rows').replaceChildren(...rows)
}

async function removeFault (id) {
  await api(id === undefined ? '/__admin/faults' : `/__admin/faults/${id}`, { method: 'DELETE' })
  await refresh()
}

// ---- the loop

const VIEWS = { payments: showPayments, requests: showRequests, faults: showFaults }

function toggle (key) {
  if (state.open.has(key)) state.open.delete(key)
  else state.open.add(key)
  refresh()
}

// One refresh at a time: a filter change while a refresh is in flight runs one more after it, so an older answer
// can never be drawn over a newer one (and then be taken for the current one by the unchanged-table check).
let refreshing = null
let refreshAgain = false
async function refresh () {
  if (refreshing !== null) {
    refreshAgain = true
    return refreshing
  }
  refreshing = (async () => {
    do {
      refreshAgain = false
      await refreshOnce()
    } while (refreshAgain)
  })()
  try {
    await refreshing
  } finally {
    refreshing = null
  }
}

async function refreshOnce () {
  try {
    await VIEWS[state.view]()
    // in UTC, as the journal's times are
    $('status').textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC`
    $('login').hidden = true
    document.querySelector('main').hidden = false
  } catch (err) {
    if (err instanceof Unauthorized) {
      $('login-error').hidden = sessionStorage.getItem(TOKEN_KEY) === null
      $('login').hidden = false
      document.querySelector('main').hidden = true
    } else {
      $('status').textContent = `the emulator did not answer (${err.message})`
    }
  }
}

function select (view) {
  state.view = view
  state.shown = {}
  for (const tab of document.querySelectorAll('[role="tab"]')) tab.setAttribute('aria-selected', String(tab.dataset.view === view))
  for (const panel of document.querySelectorAll('[data-view-panel]')) panel.hidden = panel.id !== view
  refresh()
}

for (const tab of document.querySelectorAll('[role="tab"]')) tab.addEventListener('click', () => select(tab.dataset.view))
for (const form of document.querySelectorAll('.filters')) {
  form.addEventListener('input', () => { state.paymentsPage = 1; state.requestsBefore = null; state.shown = {}; refresh() })
  form.addEventListener('submit', event => event.preventDefault())
}
$('payments-previous').addEventListener('click', () => { state.paymentsPage--; refresh() })
$('payments-next').addEventListener('click', () => { state.paymentsPage++; refresh() })
$('requests-newest').addEventListener('click', () => { state.requestsBefore = null; refresh() })
$('requests-older').addEventListener('click', event => { state.requestsBefore = event.target.dataset.before; refresh() })
$('requests-har').addEventListener('click', () => downloadHar().catch(err => { $('status').textContent = `no HAR: ${err.message}` }))
$('faults-delete-all').addEventListener('click', () => removeFault())
$('login').addEventListener('submit', event => {
  event.preventDefault()
  sessionStorage.setItem(TOKEN_KEY, new FormData(event.target).get('token'))
  state.shown = {}
  refresh()
})

select('payments')
setInterval(refresh, POLL_MS)
