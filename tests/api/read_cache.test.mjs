// read_cache.test.mjs: what the server keeps in memory between requests (decision 0018), the
// sessions and the member list's answers, never outlives a write: one through the API is seen by
// the next request, one by another process (psql, sqlite3, the CLI) within a moment; callers never
// share answers; response_cache_mb 0 keeps nothing. On SQLite and PostgreSQL.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, sql } from './lib/server.mjs'
import { asRole } from './lib/auth.mjs'

let srv, admin, branch, page
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
// The change watcher also bumps for this process's own writes, twice, within two polls (20 ms
// each): a test that wants to see a hit first lets a recent write's bumps pass.
const settle = () => sleep(150)

// Polls fn until it returns something truthy or ms pass; returns the last value.
async function within(ms, fn) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v || Date.now() > end) return v
    await sleep(10)
  }
}

before(async () => {
  srv = await startServer({ members: 60 })
  admin = srv.admin
  const branches = (await admin.get('/api/v1/orgs?type=branch&per_page=200')).body.data
  branch = branches.find((o) => o.members.total >= 3)
  assert.ok(branch, 'a branch with members')
  page = `/api/v1/members?org_id=${branch.id}&per_page=5`
})

after(() => srv.stop())

test('a repeated page is answered from memory, the same bytes', async () => {
  await settle()
  const a = await admin.get(page)
  const b = await admin.get(page)
  assert.equal(a.status, 200)
  assert.equal(b.status, 200)
  assert.equal(b.headers.get('x-cache'), 'hit')
  assert.deepEqual(b.body, a.body)
  const other = await admin.get(page + '&sort=name')
  assert.equal(other.headers.get('x-cache'), null, 'another query is another answer')
})

test('a change through the API is in the very next answer', async () => {
  await settle()
  const first = (await admin.get(page)).body.data[0]
  assert.equal((await admin.get(page)).headers.get('x-cache'), 'hit')
  const rec = await admin.get(`/api/v1/members/${first.id}`)
  const r = await admin.patch(`/api/v1/members/${first.id}`, { version: rec.body.version, name: '缓存甲' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  const next = await admin.get(page)
  assert.equal(next.headers.get('x-cache'), null)
  assert.equal(next.body.data.find((m) => m.id === first.id)?.name, '缓存甲')
})

test('a write by another process is seen within a moment', async () => {
  await settle()
  const first = (await admin.get(page)).body.data[0]
  assert.equal((await admin.get(page)).headers.get('x-cache'), 'hit')
  sql(srv.url, `UPDATE members SET name = '缓存乙' WHERE id = ${first.id}`)
  const seen = await within(2000, async () =>
    (await admin.get(page)).body.data.find((m) => m.id === first.id)?.name === '缓存乙')
  assert.ok(seen, 'the new name is served')
})

test('callers never share an answer: another scope gets its own (404 here)', async () => {
  const branches = (await admin.get('/api/v1/orgs?type=branch&per_page=200')).body.data
  const elsewhere = branches.find((o) => o.id !== branch.id && !o.path.startsWith(branch.path) &&
    !branch.path.startsWith(o.path))
  const sec = await asRole(srv, 'branch_secretary', elsewhere.code)
  await settle()
  assert.equal((await admin.get(page)).status, 200)
  assert.equal((await admin.get(page)).headers.get('x-cache'), 'hit')
  const r = await sec.get(page)
  assert.equal(r.status, 404, 'outside the secretary\'s subtree')
  assert.equal(r.headers.get('x-cache'), null)
  const own = await sec.get(`/api/v1/members?org_id=${elsewhere.id}&per_page=5`)
  assert.equal(own.status, 200)
  assert.ok(own.body.data.length > 0 && own.body.data.every((m) => m.org_id !== branch.id),
    'its own page, none of the other branch\'s members')
})

test('log-out ends a session at once, though it was just used', async () => {
  const sec = await asRole(srv, 'branch_secretary', branch.code)
  const cookie = sec.cookie
  assert.equal((await sec.get(page)).status, 200)
  assert.equal((await sec.get(page)).status, 200)
  assert.equal((await sec.post('/api/v1/auth/logout')).status, 204)
  const r = await fetch(srv.base + page, { headers: { Cookie: cookie } })
  assert.equal(r.status, 401)
})

test('a session ended or a role taken away by another process stops within a moment', async () => {
  const a = await asRole(srv, 'branch_secretary', branch.code)
  const b = await asRole(srv, 'branch_secretary', branch.code)
  await settle()
  for (const s of [a, b]) {
    assert.equal((await s.get(page)).status, 200)
    assert.equal((await s.get(page)).headers.get('x-cache'), 'hit')
  }
  sql(srv.url, `UPDATE sessions SET revoked_at = 1 WHERE user_id = ${a.user.id}`)
  sql(srv.url, `DELETE FROM role_assignments WHERE user_id = ${b.user.id}`)
  assert.equal(await within(2000, async () => (await a.get(page)).status === 401), true, 'revoked session')
  assert.equal(await within(2000, async () => (await b.get(page)).status === 403), true, 'role removed')
})

test('response_cache_mb 0 keeps no answers', async () => {
  const off = await startServer({ members: 10, extra: ['--response-cache-mb', '0'] })
  try {
    const p = '/api/v1/members?per_page=5'
    for (let i = 0; i < 3; i++) {
      const r = await off.admin.get(p)
      assert.equal(r.status, 200)
      assert.equal(r.headers.get('x-cache'), null)
    }
  } finally {
    await off.stop()
  }
})
