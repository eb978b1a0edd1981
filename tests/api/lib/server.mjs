// server.mjs: starts a real dangjian server for API tests on a fresh database.
// DJ_TEST_DB=sqlite (default) -> a temp SQLite file; DJ_TEST_DB=postgresql -> a new database
// created with psql in the cluster named by DJ_TEST_PG (make test starts one on loopback).
// DJ_BIN: the binary (default build/dangjian, relative to the repo root).
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { once } from 'node:events'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
export const bin = resolve(root, process.env.DJ_BIN || 'build/dangjian')
export const engine = process.env.DJ_TEST_DB === 'postgresql' ? 'postgresql' : 'sqlite'

let dbSeq = 0

// Fast Argon2id for tests (8 MiB, one pass): the log-in bench measures the real setting.
process.env.DJ_PASSWORD_MEM ??= '8'
process.env.DJ_PASSWORD_MS ??= '0'
// The key file: next to a SQLite database by default; one per test process for PostgreSQL.
if (engine === 'postgresql' && !process.env.DJ_KEYS) {
  process.env.DJ_KEYS = join(mkdtempSync(join(tmpdir(), 'dj-keys-')), 'test.keys')
}

// Sessions that api() uses by default, per server base URL (see startServer's `login`).
const sessions = new Map()

// Returns a fresh database URL and a cleanup function.
export function freshDb() {
  if (engine === 'postgresql') {
    const admin = process.env.DJ_TEST_PG
    if (!admin) throw new Error('DJ_TEST_PG is not set')
    const name = `t_${process.pid}_${Date.now()}_${dbSeq++}`
    execFileSync('psql', [admin, '-qAt', '-c', `CREATE DATABASE ${name}`])
    const url = admin.replace(/dbname=\S+/, `dbname=${name}`)
    return {
      url,
      cleanup() {
        try { execFileSync('psql', [admin, '-qAt', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]) } catch { /* best effort */ }
      },
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'dj-api-'))
  return { url: `sqlite:${join(dir, 't.db')}`, cleanup() { rmSync(dir, { recursive: true, force: true }) } }
}

// Runs the CLI; returns { code, stdout, stderr }.
export function cli(args, opts = {}) {
  try {
    const stdout = execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts })
    return { code: 0, stdout, stderr: '' }
  } catch (e) {
    return { code: e.status, stdout: String(e.stdout || ''), stderr: String(e.stderr || ''), signal: e.signal }
  }
}

// Starts `dangjian serve` on an ephemeral port. options: members (demo size; 0 = empty DB),
// extra (more CLI args), login (default true: a system-wide committee administrator with MFA
// is created and logged in, and api() calls on this server carry its session unless they set
// Cookie, Authorization or 'X-No-Session'). Returns { base, url, proc, stop(), demo, admin }.
export async function startServer(options = {}) {
  const { members = 0, extra = [], login: doLogin = true } = options
  const db = freshDb()
  let demo = null
  const mig = cli(['migrate', '--db', db.url])
  if (mig.code !== 0) throw new Error('migrate failed: ' + mig.stderr)
  if (members > 0) {
    const r = cli(['demo', '--db', db.url, '--members', String(members), '--seed', '1'])
    if (r.code !== 0) throw new Error('demo failed: ' + r.stderr)
    demo = JSON.parse(r.stdout)
  }
  const proc = spawn(bin, ['serve', '--db', db.url, '--listen', '127.0.0.1:0', '--log-level', 'warn', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  proc.stderr.on('data', (d) => { stderr += d })
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 60 s: ${stderr}`)), 60000)
    proc.once('exit', () => clearTimeout(timer))
    let out = ''
    proc.stdout.on('data', (d) => {
      out += d
      const m = out.match(/listening on (http:\/\/\S+)/)
      if (m) { clearTimeout(timer); resolve(m[1]) }
    })
    proc.on('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)))
  })
  let exitInfo = null
  const exited = once(proc, 'exit').then(([code, signal]) => { exitInfo = { code, signal } })
  let admin = null
  if (doLogin) {
    const { asRole } = await import('./auth.mjs')
    admin = await asRole({ url: db.url, base }, 'committee_admin')
    sessions.set(base, admin)
  }
  return {
    base,
    url: db.url,
    proc,
    demo,
    admin,
    stderr: () => stderr,
    async stop() {
      if (!exitInfo) proc.kill('SIGTERM')
      await exited
      sessions.delete(base)
      db.cleanup()
      return exitInfo
    },
  }
}

// fetch wrapper: returns { status, headers, body (parsed JSON or text) }.
export async function api(base, method, path, body, headers = {}) {
  const s = sessions.get(base)
  const anonymous = 'X-No-Session' in headers
  if (s && !anonymous && !('Cookie' in headers) && !('Authorization' in headers)) {
    return s.req(method, path, body, headers)
  }
  const init = { method, headers: { ...headers } }
  delete init.headers['X-No-Session']
  if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)
    init.headers['Content-Type'] = init.headers['Content-Type'] || 'application/json'
  }
  const res = await fetch(base + path, init)
  const text = await res.text()
  let parsed = text
  try { parsed = text ? JSON.parse(text) : null } catch { /* keep text */ }
  return { status: res.status, headers: res.headers, body: parsed }
}

// Runs SQL directly on a test database (sqlite3 or psql), as an attacker or a clock would:
// for expiring tokens, tampering with the audit log and checking what is stored. Returns stdout.
// A running server notices another process's write within two polls of its change watcher
// (20 ms each, decision 0018); a write here waits 60 ms so that the next request sees it.
export function sql(dbUrl, statement) {
  const out = dbUrl.startsWith('sqlite:')
    ? execFileSync('sqlite3', [dbUrl.slice(7), statement], { encoding: 'utf8' })
    : execFileSync('psql', [dbUrl, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', statement], { encoding: 'utf8' })
  if (!/^\s*select\b/i.test(statement)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60)
  return out
}
