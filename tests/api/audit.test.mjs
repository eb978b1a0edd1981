// audit.test.mjs: `dangjian audit verify` and `audit list` on a real log (SQLite or PostgreSQL,
// DJ_TEST_DB), written by bench/audit-fill exactly as audit_append writes it; then tampered
// with the way an attacker with database access would (sqlite3 / psql, dropping the
// append-only triggers first): verify must exit 1 and name the first broken entry.
// HTTP endpoints (/api/v1/audit...) need a logged-in auditor: see the TODO at the end.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { bin, cli, engine, freshDb } from './lib/server.mjs'

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

// Runs SQL as the attacker: straight at the database, triggers dropped first.
function tamper(log, sql) {
  if (engine === 'postgresql') {
    execFileSync('psql', [log.url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c',
      `DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log; ${sql}`])
  } else {
    execFileSync('sqlite3', [log.url.slice('sqlite:'.length),
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

// TODO(audit HTTP): GET /api/v1/audit, /audit/export.csv, POST /audit/verify and
// GET /audit/verification need a logged-in auditor; they are added once tests/api/lib/auth.mjs
// (log-in helper) is on main.
