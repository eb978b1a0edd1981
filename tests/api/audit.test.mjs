// audit.test.mjs: `dangjian audit verify` and `audit list` on a real log (SQLite or PostgreSQL,
// DJ_TEST_DB), written by bench/audit-fill exactly as audit_append writes it; then tampered
// with the way an attacker with database access would (sqlite3 / psql, dropping the
// append-only triggers first): verify must exit 1 and name the first broken entry.
// The HTTP endpoints run against a live server with a logged-in auditor: list and filters,
// CSV export (itself audited), verification as a job before and after tampering, permissions.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { api, bin, cli, engine, freshDb, startServer } from './lib/server.mjs'
import { asRole, createUser, login } from './lib/auth.mjs'

const fillBin = join(dirname(bin), 'bench', 'audit-fill')
const en = { env: { ...process.env, DJ_LANG: 'en', DJ_LOG_LEVEL: 'warn' } }

// A fresh database with n valid entries and its own key file.
function filledLog(n) {
  const db = freshDb()
  const dir = mkdtempSync(join(tmpdir(), 'dj-audit-'))
  const keys = join(dir, 'keys.json')
  execFileSync(fillBin, ['--db', db.url, '--keys', keys, '--entries', String(n)], { stdio: ['ignore', 'pipe', 'pipe'] })
  return {
    url: db.url,
    keys,
    verify: () => cli(['audit', 'verify', '--db', db.url, '--keys', keys], en),
    cleanup() { db.cleanup(); rmSync(dir, { recursive: true, force: true }) },
  }
}

// Runs SQL as the attacker: straight at the database (log.url), triggers dropped first.
function tamper(log, sql) {
  if (engine === 'postgresql') {
    execFileSync('psql', [log.url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c',
      `DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log; ${sql}`])
  } else {
    execFileSync('sqlite3', ['-cmd', '.timeout 5000', log.url.slice('sqlite:'.length),
      `DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; ${sql}`])
  }
}

function broken(log, firstBad, problem, reason) {
  const r = log.verify()
  assert.equal(r.code, 1, r.stderr)
  const out = JSON.parse(r.stdout)
  assert.equal(out.ok, false)
  assert.equal(out.first_bad_seq, firstBad)
  assert.equal(out.problem, problem)
  assert.equal(out.reason, reason)
  assert.match(r.stderr, new RegExp(`BROKEN at entry ${firstBad}:`))
}

test('an intact log verifies: exit 0, every entry and checkpoint counted', () => {
  const log = filledLog(2500)
  try {
    const r = log.verify()
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.equal(out.ok, true)
    assert.equal(out.entries, 2500)
    assert.equal(out.checkpoints, 3)
    assert.equal(out.signed_through, 2001)
    assert.equal(out.first_bad_seq, null)
    assert.ok(out.job_id > 0, 'the run is recorded for the auditor page')
  } finally { log.cleanup() }
})

test('an altered entry: exit 1 naming it, on stdout (JSON) and stderr', () => {
  const log = filledLog(2500)
  try {
    tamper(log, "UPDATE audit_log SET changes = '{}' WHERE seq = 1234")
    broken(log, 1234, 'entry_altered', 'entry 1234 altered')
    const zh = cli(['audit', 'verify', '--db', log.url, '--keys', log.keys], { env: { ...process.env, DJ_LANG: 'zh-CN' } })
    assert.equal(zh.code, 1)
    assert.match(zh.stderr, /第 1234 条记录已被篡改/)
  } finally { log.cleanup() }
})

test('a removed entry, reordered entries and a cut tail are each found', () => {
  const log = filledLog(1500)
  try {
    tamper(log, 'DELETE FROM audit_log WHERE seq = 57')
    broken(log, 57, 'entry_missing', 'entry 57 missing')
  } finally { log.cleanup() }
  const swap = filledLog(300)
  try {
    tamper(swap, 'UPDATE audit_log SET seq = -10 WHERE seq = 10; UPDATE audit_log SET seq = 10 WHERE seq = 11; UPDATE audit_log SET seq = 11 WHERE seq = -10')
    broken(swap, 10, 'entry_unlinked', 'entry 10 does not follow entry 9 (entries removed or reordered)')
  } finally { swap.cleanup() }
  const cut = filledLog(1500)
  try {
    tamper(cut, 'DELETE FROM audit_log WHERE seq >= 1001')
    broken(cut, 1001, 'log_truncated', 'log truncated after 1000: checkpoint 1001 exists')
  } finally { cut.cleanup() }
})

test('a forged checkpoint signature and an unknown signing key are found', () => {
  const log = filledLog(1500)
  try {
    tamper(log, `UPDATE audit_checkpoints SET signature = '${'ab'.repeat(64)}' WHERE seq = 1001`)
    broken(log, 1001, 'checkpoint_bad_signature', 'checkpoint 1001 signature invalid')
    tamper(log, 'UPDATE audit_checkpoints SET key_id = 99 WHERE seq = 1')
    broken(log, 1, 'checkpoint_unknown_key', 'checkpoint 1 signed with unknown key 99')
  } finally { log.cleanup() }
})

test('verify with another key file fails the signatures; without one it cannot check (exit 2)', () => {
  const log = filledLog(100)
  const other = filledLog(100)
  try {
    const r = cli(['audit', 'verify', '--db', log.url, '--keys', other.keys], en)
    assert.equal(r.code, 1)
    assert.equal(JSON.parse(r.stdout).problem, 'checkpoint_bad_signature')
    const none = cli(['audit', 'verify', '--db', log.url, '--keys', '/nonexistent/keys.json'], en)
    assert.equal(none.code, 2)
    assert.match(none.stderr, /key file/i)
    assert.equal(none.stdout, '')
  } finally { log.cleanup(); other.cleanup() }
})

test('usage errors exit 2; a database without the audit tables cannot be checked', () => {
  assert.equal(cli(['audit']).code, 2)
  assert.equal(cli(['audit', 'verify', '--extra']).code, 2)
  assert.equal(cli(['audit', 'list', '--limit', 'x']).code, 2)
  assert.equal(cli(['audit', 'list', '--from', '2024-02-30']).code, 2)
  const db = freshDb()
  try {
    const r = cli(['audit', 'verify', '--db', db.url, '--keys', '/nonexistent'], en)
    assert.equal(r.code, 2)
    assert.match(r.stderr, /no audit log/)
  } finally { db.cleanup() }
})

test('audit list filters by action prefix, actor and day, newest first', () => {
  const log = filledLog(400)
  try {
    const all = JSON.parse(cli(['audit', 'list', '--db', log.url, '--limit', '1000'], en).stdout)
    assert.equal(all.length, 400)
    assert.equal(all[0].seq, 400)
    assert.equal(all[399].seq, 1)
    const login = JSON.parse(cli(['audit', 'list', '--db', log.url, '--action', 'login.', '--limit', '1000'], en).stdout)
    assert.ok(login.length > 0)
    assert.ok(login.every((e) => e.action.startsWith('login.')))
    const mine = JSON.parse(cli(['audit', 'list', '--db', log.url, '--actor', 'user:5', '--limit', '1000'], en).stdout)
    assert.ok(mine.length > 0 && mine.every((e) => e.actor === 'user:5'))
    const day = all[0].time.slice(0, 10)
    const today = JSON.parse(cli(['audit', 'list', '--db', log.url, '--from', day, '--to', day, '--limit', '1000'], en).stdout)
    assert.ok(today.length > 0 && today.every((e) => e.time.startsWith(day)))
    const none = JSON.parse(cli(['audit', 'list', '--db', log.url, '--to', '2000-01-01'], en).stdout)
    assert.deepEqual(none, [])
    assert.equal(typeof all[0].changes, 'object')
  } finally { log.cleanup() }
})

// ---- HTTP: the auditor's page ----

async function waitJob(s, id) {
  for (let i = 0; i < 100; i++) {
    const j = await s.get(`/api/v1/jobs/${id}`)
    assert.equal(j.status, 200, JSON.stringify(j.body))
    if (j.body.state === 'done' || j.body.state === 'failed') return j.body
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`job ${id} did not finish`)
}

async function withServer(fn) {
  const srv = await startServer()
  try {
    await fn(srv)
  } finally {
    await srv.stop()
  }
}

test('an auditor lists entries newest first, filtered by action prefix, actor, dates and text', () => withServer(async (srv) => {
  const c = await api(srv.base, 'POST', '/api/v1/orgs', { code: 'AUD1', name: '审计测试党委', type: 'committee' })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  const auditor = await asRole(srv, 'auditor')
  const all = await auditor.get('/api/v1/audit?per_page=200')
  assert.equal(all.status, 200, JSON.stringify(all.body))
  assert.ok(all.body.meta.total >= 3)
  assert.equal(all.body.meta.page, 1)
  const seqs = all.body.data.map((e) => e.seq)
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first')
  const orgs = await auditor.get('/api/v1/audit?action=org.')
  assert.ok(orgs.body.data.length >= 1 && orgs.body.data.every((e) => e.action.startsWith('org.')))
  const created = orgs.body.data.find((e) => e.action === 'org.create')
  assert.ok(created, JSON.stringify(orgs.body.data))
  assert.equal(created.object, `org:${c.body.id}`)
  assert.match(created.hash, /^[0-9a-f]{64}$/)
  const mine = await auditor.get(`/api/v1/audit?actor=${encodeURIComponent(created.actor)}`)
  assert.ok(mine.body.data.every((e) => e.actor === created.actor))
  const day = created.time.slice(0, 10)
  const today = await auditor.get(`/api/v1/audit?from=${day}&to=${day}&q=AUD1`)
  assert.ok(today.body.data.some((e) => e.seq === created.seq), JSON.stringify(today.body))
  const old = await auditor.get('/api/v1/audit?to=2000-01-01')
  assert.deepEqual(old.body.data, [])
  assert.equal(old.body.meta.total, 0)
  const page2 = await auditor.get('/api/v1/audit?per_page=1&page=2')
  assert.equal(page2.body.data[0].seq, seqs[1])
  const bad = await auditor.get('/api/v1/audit?from=2024-02-30&to=2023-01-01', { 'Accept-Language': 'en' })
  assert.equal(bad.status, 400)
  assert.equal(bad.body.error.code, 'validation_failed')
  assert.equal(bad.body.error.fields.from, 'Expected an existing date as YYYY-MM-DD')
  const order = await auditor.get('/api/v1/audit?from=2024-02-01&to=2024-01-01')
  assert.equal(order.body.error.fields.to, '结束日期不能早于开始日期')
}))

test('only the auditor reads the audit log: administrators get 403, anonymous callers 401', () => withServer(async (srv) => {
  for (const path of ['/api/v1/audit', '/api/v1/audit/export.csv', '/api/v1/audit/verification']) {
    const admin = await api(srv.base, 'GET', path)
    assert.equal(admin.status, 403, path)
    assert.equal(admin.body.error.code, 'forbidden')
    const anon = await api(srv.base, 'GET', path, undefined, { 'X-No-Session': '1' })
    assert.equal(anon.status, 401, path)
  }
  const sys = await asRole(srv, 'system_admin')
  assert.equal((await sys.get('/api/v1/audit')).status, 403)
  assert.equal((await sys.post('/api/v1/audit/verify')).status, 403)
}))

test('the CSV export opens in Excel, neutralises formulas and is itself audited', () => withServer(async (srv) => {
  const u = createUser(srv.url, 'formula', { roles: ['committee_admin'], mfa: true, displayName: '=HYPERLINK("http://x")' })
  const evil = await login(srv.base, 'formula', undefined, { mfaSecret: u.mfa_secret })
  assert.equal((await evil.post('/api/v1/orgs', { code: 'CSV1', name: '导出测试党委', type: 'committee' })).status, 201)
  const auditor = await asRole(srv, 'auditor')
  const res = await fetch(`${srv.base}/api/v1/audit/export.csv?action=org.`, { headers: { Cookie: auditor.cookie } })
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type'), /^text\/csv/)
  assert.match(res.headers.get('content-disposition'), /filename="audit-\d{4}-\d{2}-\d{2}\.csv"/)
  const buf = Buffer.from(await res.arrayBuffer())
  assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM')
  const lines = buf.toString('utf8').slice(1).split('\r\n')
  assert.equal(lines[0], '序号,时间,操作人,操作人姓名,操作,对象,组织ID,IP地址,变更内容,哈希')
  const row = lines.find((l) => l.includes(',org.create,'))
  assert.ok(row, lines.join('\n'))
  assert.ok(row.includes(`"'=HYPERLINK(""http://x"")"`), row)
  const en = await fetch(`${srv.base}/api/v1/audit/export.csv?action=org.`, { headers: { Cookie: auditor.cookie, 'Accept-Language': 'en' } })
  assert.match((await en.text()).split('\r\n')[0], /Seq,Time,Actor,Actor name,Action,Object/)
  const logged = await auditor.get('/api/v1/audit?action=audit.export')
  assert.equal(logged.body.data.length, 2)
  assert.equal(logged.body.data[0].actor, `user:${auditor.user.id}`)
  assert.deepEqual(logged.body.data[0].changes, { filters: { action: 'org.' }, rows: 1 })
}))

test('verification runs as a job, reports intact, then names the entry an attacker altered', () => withServer(async (srv) => {
  const auditor = await asRole(srv, 'auditor')
  const none = await auditor.get('/api/v1/audit/verification')
  assert.equal(none.status, 200)
  assert.deepEqual(none.body, { data: null, running: null })
  const start = await auditor.post('/api/v1/audit/verify')
  assert.equal(start.status, 202, JSON.stringify(start.body))
  const job = await waitJob(auditor, start.body.job_id)
  assert.equal(job.state, 'done', JSON.stringify(job))
  assert.equal(job.kind, 'audit.verify')
  const ok = await auditor.get('/api/v1/audit/verification', { 'Accept-Language': 'en' })
  assert.equal(ok.body.data.ok, true, JSON.stringify(ok.body))
  assert.ok(ok.body.data.entries >= 3)
  assert.ok(ok.body.data.checkpoints >= 1)
  assert.equal(ok.body.data.message, 'the audit log is intact')
  assert.equal(ok.body.data.job_id, start.body.job_id)
  assert.ok(ok.body.data.checked_at > 0)
  const started = await auditor.get('/api/v1/audit?action=audit.verify')
  assert.equal(started.body.data[0].actor, `user:${auditor.user.id}`)
  // The command line agrees, with the server's key file.
  const c = cli(['audit', 'verify', '--db', srv.url], en)
  assert.equal(c.code, 0, c.stderr)

  tamper({ url: srv.url }, "UPDATE audit_log SET actor = 'user:999' WHERE seq = 2")
  const again = await auditor.post('/api/v1/audit/verify')
  assert.equal((await waitJob(auditor, again.body.job_id)).state, 'done')
  const broken = await auditor.get('/api/v1/audit/verification', { 'Accept-Language': 'en' })
  assert.equal(broken.body.data.ok, false)
  assert.equal(broken.body.data.first_bad_seq, 2)
  assert.equal(broken.body.data.problem, 'entry_altered')
  assert.equal(broken.body.data.message, 'entry 2 altered')
  const zh = await auditor.get('/api/v1/audit/verification')
  assert.equal(zh.body.data.message, '第 2 条记录已被篡改')
  const c2 = cli(['audit', 'verify', '--db', srv.url], en)
  assert.equal(c2.code, 1)
  assert.match(c2.stderr, /BROKEN at entry 2: entry 2 altered/)
}))
