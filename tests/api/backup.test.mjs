// backup.test.mjs: `dangjian backup` / `dangjian restore` on SQLite and PostgreSQL (DJ_TEST_DB).
// A backup taken while the server writes restores to a consistent copy; a restore refuses a
// database in use; and every damaged, cut, extended, empty, foreign or non-backup file is
// refused with a clear message while the database stays exactly as it was.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createHash, randomBytes, randomInt } from 'node:crypto'
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { bin, cli, engine, freshDb, startServer, api, root } from './lib/server.mjs'
import { asRole } from './lib/auth.mjs'

const en = { env: { ...process.env, DJ_LANG: 'en' } }
// The sanitizer build costs ~0.1 s per process: the 120 random-byte cases run on the plain build
// when there is one (same code; tests/unit/features/backup flips every byte under ASan), the
// rest and a sample of them on DJ_BIN.
const plainBin = existsSync(resolve(root, 'build/dangjian')) ? resolve(root, 'build/dangjian') : bin
const REFUSED = /damaged|not a dangjian backup|not made with this installation's keys|empty|format/

// Query text from either engine (rows as lines, columns joined by |).
function query(url, sql) {
  if (engine === 'sqlite') return execFileSync('sqlite3', [url.slice(7), sql], { encoding: 'utf8' })
  return execFileSync('psql', [url, '-qAt', '-c', sql], { encoding: 'utf8' })
}
const count = (url, table) => Number(query(url, `SELECT COUNT(*) FROM ${table}`).trim())

// What "unchanged" means: the file's bytes and its folder (SQLite); the rows (PostgreSQL).
function fingerprint(url) {
  if (engine === 'sqlite') {
    const path = url.slice(7)
    return createHash('sha256').update(readFileSync(path)).digest('hex') + ' ' + readdirSync(dirname(path)).sort().join(',')
  }
  return ['orgs', 'members', 'audit_log', 'schema_migrations']
    .map((t) => query(url, `SELECT COUNT(*), md5(COALESCE(string_agg(x::text, ',' ORDER BY x::text), '')) FROM ${t} x`)).join('')
}

function run(args, binary = bin) {
  return new Promise((resolve) => {
    execFile(binary, args, { ...en, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, signal: err ? err.signal : null, stdout, stderr })
    })
  })
}

// jobs: [args, binary]; runs `width` at a time.
async function runAll(jobs, width = 3) {
  const out = new Array(jobs.length)
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) {
      const i = next++
      out[i] = await run(...jobs[i])
    }
  }))
  return out
}

let srv, dir, keys, otherKeys, backupFile, target, created = 0

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dj-backup-'))
  srv = await startServer({ members: 200 })
  // the installation's key file, made by `migrate` (next to SQLite; DJ_KEYS for PostgreSQL)
  keys = engine === 'sqlite' ? srv.url.slice(7) + '.keys' : process.env.DJ_KEYS
  assert.ok(existsSync(keys), keys)
  otherKeys = join(dir, 'other.keys')               // another installation's
  const o = cli(['migrate', '--db', `sqlite:${join(dir, 'other.db')}`, '--keys', otherKeys])
  assert.equal(o.code, 0, o.stderr)
  backupFile = join(dir, 'b.djb')
})
after(async () => {
  await srv?.stop()
  target?.cleanup()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

// Creates top-level committees until stop() is called; returns how many were created.
function writer() {
  let stopping = false
  const done = (async () => {
    while (!stopping) {
      const r = await api(srv.base, 'POST', '/api/v1/orgs', { code: `BK${created}`, name: `备份测试党委${created}`, type: 'committee' })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      created++
    }
  })()
  return { async stop() { stopping = true; await done } }
}

test('a backup taken while the server writes restores to a consistent, complete copy', async () => {
  const w = writer()
  while (created < 3) await new Promise((r) => setTimeout(r, 5))
  const before = created
  const args = ['backup', backupFile, '--db', srv.url]
  if (engine !== 'sqlite') args.push('--keys', keys)     // SQLite: the default <db>.keys
  const b = await run(args)
  const after = created
  await w.stop()
  assert.equal(b.code, 0, b.stderr)
  const out = JSON.parse(b.stdout)
  assert.equal(out.file, backupFile)
  assert.equal(out.engine, engine)
  const mig = cli(['migrate', '--db', srv.url, ...(engine !== 'sqlite' ? ['--keys', keys] : [])])
  assert.equal(out.schema_version, JSON.parse(mig.stdout).version, 'the schema version of the source')
  assert.equal(out.bytes, statSync(backupFile).size)
  assert.equal(out.sha256, createHash('sha256').update(readFileSync(backupFile)).digest('hex'))
  assert.equal(statSync(backupFile).mode & 0o777, 0o600)
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), [], 'no temp file left')
  assert.equal(count(srv.url, "audit_log WHERE action = 'backup.create' AND actor = 'cli'"), 1)

  target = freshDb()
  if (engine === 'sqlite') {                        // a new machine: the key file goes back first
    copyFileSync(keys, target.url.slice(7) + '.keys')
    chmodSync(target.url.slice(7) + '.keys', 0o600)
  }
  const r = cli(['restore', backupFile, '--db', target.url, '--keys', keys])
  assert.equal(r.code, 0, r.stderr)
  const restored = JSON.parse(r.stdout)
  assert.equal(restored.db, engine)
  assert.ok(restored.sessions_ended >= 1, 'the admin session of the source ends')
  assert.equal(count(target.url, 'sessions'), 0)
  assert.equal(count(target.url, 'members'), 200)
  assert.equal(query(target.url, 'SELECT * FROM members ORDER BY id'), query(srv.url, 'SELECT * FROM members ORDER BY id'))
  const restoredOrgs = query(target.url, 'SELECT * FROM orgs ORDER BY id')
  const sourceOrgs = query(srv.url, 'SELECT * FROM orgs ORDER BY id')
  assert.ok(sourceOrgs.startsWith(restoredOrgs), 'the restored orgs are the source orgs up to one commit')
  const committees = count(target.url, "orgs WHERE code LIKE 'BK%'")
  assert.ok(committees >= before && committees <= after, `${committees} written orgs, expected ${before}..${after}`)
  assert.match(query(target.url, 'SELECT action, actor FROM audit_log ORDER BY seq DESC LIMIT 1'), /backup\.restore\|cli/)
  const check = cli(['restore', backupFile, '--check', '--db', target.url, '--keys', keys])
  assert.equal(check.code, 0, check.stderr)
  assert.equal(JSON.parse(check.stdout).ok, true)
})

test('a restore refuses a database that a running server has open, and changes nothing', () => {
  const before = fingerprint(srv.url)
  const r = cli(['restore', backupFile, '--db', srv.url, '--keys', keys], en)
  assert.equal(r.code, 1)
  assert.match(r.stderr, /in use/)
  if (engine === 'sqlite') assert.equal(fingerprint(srv.url).split(' ')[1], before.split(' ')[1], 'no temp file left')
})

test('every damaged, cut, extended, empty, foreign or non-backup file is refused; the database stays as it was', async () => {
  assert.ok(target, 'needs the restored database of the first test')
  const good = readFileSync(backupFile)
  const before = fingerprint(target.url)
  const cases = []       // [label, bytes, keyfile, binary]
  const flip = (pos) => {
    const b = Buffer.from(good)
    b[pos] ^= 1 + randomInt(255)
    cases.push([`byte ${pos} of ${good.length} changed`, b, keys, cases.length % 12 ? plainBin : bin])
  }
  for (let i = 0; i < 100; i++) flip(randomInt(good.length))
  for (let i = 0; i < 10; i++) flip(randomInt(200))                        // header + metadata
  for (let i = 0; i < 10; i++) flip(good.length - 1 - randomInt(64))      // signature
  for (const n of [1, 8, 67, 100, good.length >> 1, good.length - 65, good.length - 64, good.length - 1])
    cases.push([`cut to ${n} bytes`, good.subarray(0, n), keys])
  cases.push(['1 byte appended', Buffer.concat([good, Buffer.from([0])]), keys])
  cases.push(['1000 bytes appended', Buffer.concat([good, randomBytes(1000)]), keys])
  cases.push(['zero-length file', Buffer.alloc(0), keys])
  cases.push(['a text file', Buffer.from('这不是备份文件 / not a backup\n'), keys])
  cases.push(['random bytes', randomBytes(4096), keys])
  cases.push(['the key file', readFileSync(keys), keys])
  cases.push(['restored with another key file', good, otherKeys])
  const foreign = join(dir, 'foreign.djb')
  const fb = cli(['backup', foreign, '--db', srv.url, '--keys', otherKeys])
  assert.equal(fb.code, 0, fb.stderr)
  cases.push(['made with another key file', readFileSync(foreign), keys])

  const jobs = cases.map(([, bytes, k, binary], i) => {
    const f = join(dir, `bad-${i}.djb`)
    writeFileSync(f, bytes)
    return [['restore', f, '--db', target.url, '--keys', k], binary || bin]
  })
  const results = await runAll(jobs)
  results.forEach((r, i) => {
    const label = cases[i][0]
    assert.equal(r.signal, null, `${label}: crashed (${r.signal}): ${r.stderr}`)
    assert.equal(r.code, 1, `${label}: exit ${r.code}: ${r.stderr}`)
    assert.match(r.stderr, REFUSED, `${label}: unclear message: ${r.stderr}`)
    assert.equal(r.stdout, '', label)
  })
  assert.ok(results.filter((r) => /keys/.test(r.stderr)).length >= 2)
  assert.equal(fingerprint(target.url), before, 'the database changed')
})

test('a restore over an existing database replaces it whole, and a server starts on the result', async () => {
  const extra = cli(['org', 'create', '--db', target.url, '--code', 'GONE', '--name', '恢复后应消失的党委', '--type', 'committee'])
  assert.equal(extra.code, 0, extra.stderr)
  const expected = query(target.url, "SELECT * FROM orgs WHERE code <> 'GONE' ORDER BY id")
  const r = cli(['restore', backupFile, '--db', target.url, '--keys', keys])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(count(target.url, "orgs WHERE code = 'GONE'"), 0)
  assert.equal(query(target.url, 'SELECT * FROM orgs ORDER BY id'), expected)
  if (engine === 'sqlite') {
    const files = readdirSync(dirname(target.url.slice(7)))
    assert.deepEqual(files.filter((f) => /-wal$|-shm$|-journal$|\.restore-/.test(f)), [], files.join(','))
  }
  const proc = spawn(bin, ['serve', '--db', target.url, '--listen', '127.0.0.1:0', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const base = await new Promise((resolve, reject) => {
      let out = ''
      proc.stdout.on('data', (d) => { out += d; const m = out.match(/listening on (http:\/\/\S+)/); if (m) resolve(m[1]) })
      proc.on('exit', (code) => reject(new Error(`server exited ${code}`)))
    })
    const admin = await asRole({ url: target.url, base }, 'committee_admin')
    const list = await admin.get('/api/v1/orgs?per_page=1')
    assert.equal(list.status, 200, JSON.stringify(list.body))
    assert.equal(list.body.meta.total, count(target.url, 'orgs'))
  } finally {
    proc.kill('SIGTERM')
    await once(proc, 'exit')
  }
})

test('a missing key file is an error, never a new key file', () => {
  const missing = join(dir, 'nowhere.keys')
  const b = cli(['backup', join(dir, 'x.djb'), '--db', srv.url, '--keys', missing], en)
  assert.equal(b.code, 1)
  assert.match(b.stderr, /key file/)
  assert.equal(existsSync(missing), false)
  assert.equal(existsSync(join(dir, 'x.djb')), false)
  const r = cli(['restore', backupFile, '--db', target.url, '--keys', missing], en)
  assert.equal(r.code, 1)
  assert.equal(existsSync(missing), false)
})

test('a backup never overwrites the database, the key file or anything else that is not a backup', () => {
  const victims = [keys, join(dir, 'notes.txt')]
  writeFileSync(victims[1], '会议记录\n')
  if (engine === 'sqlite') victims.push(srv.url.slice(7))
  for (const f of victims) {
    const before = readFileSync(f)
    const r = cli(['backup', f, '--db', srv.url, '--keys', keys], en)
    assert.equal(r.code, 1, f)
    assert.match(r.stderr, /not a dangjian backup/)
    if (f !== srv.url.slice(7)) assert.deepEqual(readFileSync(f), before)
  }
  const again = cli(['backup', backupFile, '--db', srv.url, '--keys', keys])   // an older backup: fine
  assert.equal(again.code, 0, again.stderr)
})

test('backup and restore without a FILE are usage errors; a backup of another engine is refused', () => {
  assert.equal(cli(['backup']).code, 2)
  assert.equal(cli(['restore']).code, 2)
  assert.equal(cli(['restore', backupFile, '--bogus']).code, 2)
  const other = engine === 'sqlite' ? `host=127.0.0.1 port=1 dbname=x` : `sqlite:${join(dir, 'other.db')}`
  const r = cli(['restore', backupFile, '--db', other, '--keys', keys], en)
  assert.equal(r.code, 1)
  assert.match(r.stderr, /another database engine/)
})
