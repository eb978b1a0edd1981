// keys.test.mjs: personal data in the demo and field-key rotation from the command line
// (issue 4 §6), on SQLite and on PostgreSQL (DJ_TEST_DB): the demo seals ID numbers, phones and
// addresses; `keys status` counts values per key, `keys verify` opens them all and digests the
// plaintexts; `keys rotate` moves every value to a new key without changing a plaintext, survives
// SIGKILL in the middle (a rerun continues with the same key and job), refuses to run twice at
// once, and leaves a finished job row that GET /api/v1/jobs/{id} reports; the server, started
// again on the new key file, reveals the same values as before.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { asRole, createUser, login } from './lib/auth.mjs'
import { bin, cli, freshDb } from './lib/server.mjs'

const MEMBERS = 300
const USERS = 1               // withServer's administrator: an MFA secret, no phone

// A fresh database with its own key file; every command of the test (user add and serve too)
// uses that file through DJ_KEYS.
function setup() {
  const db = freshDb()
  const dir = mkdtempSync(join(tmpdir(), 'dj-keys-test-'))
  const keys = join(dir, 'test.keys')
  const saved = process.env.DJ_KEYS
  process.env.DJ_KEYS = keys
  const run = (...args) => {
    const r = cli([...args, '--db', db.url], { env: { ...process.env, DJ_LANG: 'en' } })
    return { ...r, json: r.stdout ? JSON.parse(r.stdout) : null }
  }
  return {
    db, keys, run,
    cleanup() {
      if (saved === undefined) delete process.env.DJ_KEYS
      else process.env.DJ_KEYS = saved
      db.cleanup()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

// Runs fn(session) against `dangjian serve` on the database, logged in as a system-wide
// committee administrator (who may reveal personal data), then stops the server.
async function withServer(db, fn) {
  const srv = spawn(bin, ['serve', '--db', db.url, '--listen', '127.0.0.1:0', '--log-level', 'warn',
    '--jobs', 'off'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = once(srv, 'exit')
  try {
    const base = await new Promise((resolve, reject) => {
      let out = ''
      srv.stdout.on('data', (d) => { out += d; const m = out.match(/listening on (http:\/\/\S+)/); if (m) resolve(m[1]) })
      srv.on('exit', (code) => reject(new Error(`serve exited ${code}`)))
    })
    return await fn(await asRole({ url: db.url, base }, 'committee_admin'))
  } finally {
    srv.kill('SIGTERM')
    await exited
  }
}

async function reveal(session, id) {
  const out = {}
  for (const field of ['id_number', 'phone', 'address']) {
    const r = await session.post(`/api/v1/members/${id}/reveal`, { field })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    out[field] = r.body.value
  }
  return out
}

// Starts `keys rotate` with extra flags; resolves once its first progress line arrived.
async function startRotation(db, flags) {
  const proc = spawn(bin, ['keys', 'rotate', '--db', db.url, ...flags],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DJ_LANG: 'en' } })
  let err = ''
  const exited = once(proc, 'exit')
  await new Promise((resolve, reject) => {
    proc.stderr.on('data', (d) => {
      err += d
      if (/\d+\/\d+ rows \(/.test(err)) resolve()
    })
    proc.on('exit', (code) => reject(new Error(`rotate exited (${code}) before progress: ${err}`)))
  })
  return { proc, exited, stderr: () => err }
}

const byKey = (status, column) => status.columns[column].by_key

test('demo data is sealed; rotate moves every value to a new key; a SIGKILL mid-way is resumed', async () => {
  const t = setup()
  try {
    const demo = t.run('demo', '--members', String(MEMBERS), '--seed', '2')
    assert.equal(demo.code, 0, demo.stderr)
    assert.equal(statSync(t.keys).mode & 0o777, 0o600)
    let s = t.run('keys', 'status').json
    assert.equal(s.current_key, 1)
    for (const c of ['members.id_number', 'members.phone', 'members.address']) {
      assert.equal(s.columns[c].total, MEMBERS, c)
      assert.deepEqual(byKey(s, c), { 1: MEMBERS }, c)
      assert.equal(s.columns[c].unknown, 0, c)
    }
    assert.equal(s.pending_rows, 0)
    const before = await withServer(t.db, async (s) => [await reveal(s, 1), await reveal(s, MEMBERS)])
    assert.match(before[0].id_number, /^\d{17}[\dX]$/)
    assert.match(before[0].phone, /^1[3-9]\d{9}$/)
    assert.match(before[1].address, /市.+区/)
    const v0 = t.run('keys', 'verify')
    assert.equal(v0.code, 0, v0.stderr)
    assert.equal(v0.json.values, MEMBERS * 3 + USERS)    // + the administrator's MFA secret
    assert.equal(v0.json.failed, 0)
    assert.match(v0.json.digest, /^[0-9a-f]{64}$/)
    const digest = v0.json.digest

    const r1 = t.run('keys', 'rotate')
    assert.equal(r1.code, 0, r1.stderr)
    assert.equal(r1.json.key_id, 2)
    assert.equal(r1.json.new_key, true)
    assert.equal(r1.json.rows, MEMBERS + USERS)
    assert.equal(r1.json.values, MEMBERS * 3 + USERS)
    s = t.run('keys', 'status').json
    assert.deepEqual(s.keys, [1, 2])
    assert.deepEqual(byKey(s, 'members.phone'), { 1: 0, 2: MEMBERS })
    assert.equal(s.on_current, MEMBERS * 3 + USERS)
    assert.equal(s.pending_rows, 0)
    assert.equal(t.run('keys', 'verify').json.digest, digest)

    // a second rotation, killed after its first batch of 10 rows
    const run = await startRotation(t.db, ['--batch', '10', '--pause-ms', '40'])
    run.proc.kill('SIGKILL')
    const [, signal] = await run.exited
    assert.equal(signal, 'SIGKILL')
    s = t.run('keys', 'status').json
    assert.equal(s.current_key, 3)                      // the key was saved before any value moved
    assert.ok(s.pending_rows > 0 && s.pending_rows < MEMBERS, `pending ${s.pending_rows}`)
    assert.ok(byKey(s, 'members.id_number')[3] >= 10)
    assert.equal(t.run('keys', 'verify').json.failed, 0)  // every value still opens

    const r2 = t.run('keys', 'rotate')                  // plain rerun: resumes, adds no key
    assert.equal(r2.code, 0, r2.stderr)
    assert.equal(r2.json.resumed, true)
    assert.equal(r2.json.new_key, false)
    assert.equal(r2.json.key_id, 3)
    assert.equal(r2.json.rows, s.pending_rows)
    s = t.run('keys', 'status').json
    assert.deepEqual(s.keys, [1, 2, 3])
    assert.equal(s.pending_rows, 0)
    for (const c of ['members.id_number', 'members.phone', 'members.address'])
      assert.deepEqual(byKey(s, c), { 1: 0, 2: 0, 3: MEMBERS }, c)
    const v = t.run('keys', 'verify').json
    assert.equal(v.failed, 0)
    assert.equal(v.digest, digest)                       // plaintexts unchanged

    const r3 = t.run('keys', 'rotate', '--resume')     // nothing left to resume
    assert.equal(r3.code, 0, r3.stderr)
    assert.equal(r3.json.rows, 0)
    assert.equal(t.run('keys', 'status').json.current_key, 3)

    // the server, started on the new key file, opens the same values; the resumed run
    // finished the killed run's job row
    await withServer(t.db, async (s) => {
      assert.deepEqual([await reveal(s, 1), await reveal(s, MEMBERS)], before)
      const job = await s.get(`/api/v1/jobs/${r2.json.job_id}`)
      assert.equal(job.status, 200)
      assert.equal(job.body.state, 'done')
      assert.equal(job.body.done, job.body.total)
      assert.equal(job.body.total, MEMBERS + USERS)
    })
  } finally { t.cleanup() }
})

// Searches by ID number or phone (the blind indexes) find exactly one member.
async function findsOne(s, q, id) {
  const r = await s.get(`/api/v1/members?q=${encodeURIComponent(q)}`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.deepEqual(r.body.data.map((m) => m.id), [id], q)
}

// A copy of member id's record under its own ID number: must be refused as a duplicate.
async function duplicateRefused(s, id, idNumber) {
  const m = (await s.get(`/api/v1/members/${id}`)).body
  const body = { id_number: idNumber, birth_date: null, gender: null }
  for (const k of ['org_id', 'name', 'ethnicity', 'education', 'category', 'applied_on', 'activist_on',
    'candidate_on', 'joined_on', 'full_on']) body[k] = m[k] ?? null
  const r = await s.post('/api/v1/members', body)
  assert.equal(r.status, 409, JSON.stringify(r.body))
  assert.ok(r.body.error.fields.id_number, 'the duplicate is the ID number')
}

test('ID-number and phone searches, log-in by phone and the duplicate check work before, during and after a rotation of the blind key', async () => {
  const t = setup()
  try {
    assert.equal(t.run('demo', '--members', String(MEMBERS), '--seed', '5').code, 0)
    createUser(t.db.url, 'phoneuser', { phone: '13912340077' })
    const ids = [1, MEMBERS]                               // first and last batch of a rotation
    const plain = await withServer(t.db, async (s) => {
      const out = [await reveal(s, ids[0]), await reveal(s, ids[1])]
      for (let i = 0; i < 2; i++) {
        await findsOne(s, out[i].id_number, ids[i])
        await findsOne(s, out[i].phone, ids[i])
      }
      return out
    })
    assert.equal(t.run('keys', 'status').json.blind_keys, 1)
    // a rotation killed after its first batches: member 1 re-indexed, the last one not yet
    const run = await startRotation(t.db, ['--batch', '10', '--pause-ms', '40'])
    run.proc.kill('SIGKILL')
    await run.exited
    const mid = t.run('keys', 'status').json
    assert.equal(mid.blind_keys, 2)
    assert.ok(mid.pending_rows > 0, 'part of the rows still on the old keys')
    await withServer(t.db, async (s) => {
      for (let i = 0; i < 2; i++) {
        await findsOne(s, plain[i].id_number, ids[i])
        await findsOne(s, plain[i].phone, ids[i])
        await duplicateRefused(s, ids[i], plain[i].id_number)
      }
      await login(s.base, '13912340077')                   // log-in by phone, either index
    })
    assert.equal(t.run('keys', 'rotate').code, 0)          // finishes the killed run
    assert.equal(t.run('keys', 'status').json.blind_keys, 2)
    // the next rotation starts with every index on the current blind key: the older is forgotten
    const r = t.run('keys', 'rotate')
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.json.new_key, true)
    assert.equal(t.run('keys', 'status').json.blind_keys, 2)
    await withServer(t.db, async (s) => {
      for (let i = 0; i < 2; i++) {
        await findsOne(s, plain[i].id_number, ids[i])
        await findsOne(s, plain[i].phone, ids[i])
      }
      await login(s.base, '13912340077')
    })
    assert.equal(t.run('keys', 'verify').json.failed, 0)
  } finally { t.cleanup() }
})

test('a second rotation while one runs is refused; bad flags are usage errors', async () => {
  const t = setup()
  try {
    assert.equal(t.run('demo', '--members', '60', '--seed', '3').code, 0)
    const run = await startRotation(t.db, ['--batch', '5', '--pause-ms', '40'])
    const second = t.run('keys', 'rotate')
    assert.equal(second.code, 1)
    assert.match(second.stderr, /Another key rotation is running/)
    const [code] = await run.exited
    assert.equal(code, 0, run.stderr())
    assert.equal(t.run('keys', 'status').json.pending_rows, 0)
    assert.equal(t.run('keys', 'rotate', '--batch', '0').code, 2)
    assert.equal(t.run('keys', 'rotate', '--resume', '--new-key').code, 2)
    assert.equal(t.run('keys', 'frobnicate').code, 2)
    const missing = cli(['keys', 'status', '--db', t.db.url, '--keys', join(tmpdir(), 'dj-no-such.keys')])
    assert.match(missing.stderr, /密钥文件/)
    assert.equal(missing.code, 1)
  } finally { t.cleanup() }
})

test('a running server takes up the key file a rotation changed: rotated values open, new ones use the new key', async () => {
  const t = setup()
  try {
    assert.equal(t.run('demo', '--members', '40', '--seed', '4').code, 0)
    await withServer(t.db, async (s) => {
      const before = await reveal(s, 7)
      const r = t.run('keys', 'rotate')                  // another process, while serving
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.json.key_id, 2)
      // the server looks at the key file every 2 s; until then a rotated value may not open
      let after = null
      for (let i = 0; i < 40 && after === null; i++) {
        const v = await s.post('/api/v1/members/7/reveal', { field: 'phone' })
        if (v.status === 200 && v.body.value === before.phone) after = await reveal(s, 7)
        else await new Promise((res) => setTimeout(res, 250))
      }
      assert.deepEqual(after, before, 'rotated values open without a restart')
      // a value the server seals now (an MFA secret at enrolment) uses the new current key
      createUser(t.db.url, 'keysenrol')
      const m = await login(s.base, 'keysenrol')
      const en = await m.post('/api/v1/auth/mfa/enroll')
      assert.equal(en.status, 200, JSON.stringify(en.body))
    })
    const st = t.run('keys', 'status').json
    assert.equal(st.current_key, 2)
    for (const c of Object.keys(st.columns)) assert.equal(st.columns[c].by_key['1'] ?? 0, 0, c)
  } finally { t.cleanup() }
})
