// Starts a real `dangjian serve` on a fresh temporary SQLite database with demo data.
//   DJ_BIN   the binary (default build/dangjian; a relative path is taken from the repo root)
//   DJ_VERBOSE=1 passes the server's stderr through.
import { spawn, execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { asRole } from '../../api/lib/auth.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
export const repoRoot = path.resolve(here, '..', '..', '..')
export const djBin = path.resolve(repoRoot, process.env.DJ_BIN || path.join('build', 'dangjian'))

function run(args, timeout = 120000) {
  return new Promise((resolve, reject) => {
    execFile(djBin, args, { timeout, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${path.basename(djBin)} ${args.join(' ')} failed (${err.code ?? err.signal}):\n${stderr}`))
      } else resolve({ stdout, stderr })
    })
  })
}

/**
 * @param {{members?: number, seed?: number, demo?: boolean}} [opts]
 * @returns {Promise<{base: string, db: string, dir: string, stop: () => Promise<void>}>}
 */
export async function startServer({ members = 200, seed = 1, demo = true, extra = [] } = {}) {
  if (!existsSync(djBin)) {
    throw new Error(`${djBin} not found: build the server first (meson setup build -Dspa_dist=web/dist && ninja -C build) or set DJ_BIN`)
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dj-ui-'))
  const db = `sqlite:${path.join(dir, 't.db')}`
  let child
  const cleanup = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await run(['migrate', '--db', db])
    if (demo) await run(['demo', '--db', db, '--members', String(members), '--seed', String(seed)])
    child = spawn(djBin, ['serve', '--db', db, '--listen', '127.0.0.1:0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] })
    const killOnExit = () => child.kill('SIGKILL')
    process.once('exit', killOnExit)
    child.once('exit', () => process.removeListener('exit', killOnExit))
    let stderr = ''
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-8000)
      if (process.env.DJ_VERBOSE) process.stderr.write(d)
    })
    const base = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not report "listening on" within 20 s\n${stderr}`)), 20000)
      const lines = createInterface({ input: child.stdout })
      lines.on('line', (line) => {
        const m = line.match(/listening on (http:\/\/\S+)/)
        if (m) {
          clearTimeout(timer)
          resolve(m[1].replace(/\/$/, ''))
        }
      })
      child.once('exit', (code, sig) => {
        clearTimeout(timer)
        reject(new Error(`server exited early (${code ?? sig})\n${stderr}`))
      })
    })
    // A system-wide committee administrator (with MFA), logged in; openPage(browser, {}, srv)
    // puts its session cookie in the browser.
    const session = await asRole({ url: db, base }, 'committee_admin')
    sessions.set(base, session)
    return { base, db, dir, session, stop: cleanup }
  } catch (e) {
    await cleanup()
    throw e
  }
}

const sessions = new Map()   // base URL -> its administrator's session (several servers per file)

/** fetch JSON from the running server's API (for finding test data and checking results), as
 * that server's administrator unless another session is given. */
export async function apiJson(base, method, apiPath, body, lang = 'zh-CN', session = sessions.get(base)) {
  const res = await fetch(base + '/api/v1' + apiPath, {
    method,
    headers: {
      Accept: 'application/json', 'Accept-Language': lang, ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...(session ? { Cookie: session.cookie, 'X-CSRF-Token': session.csrf } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}
