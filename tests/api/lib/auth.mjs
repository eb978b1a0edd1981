// auth.mjs: users, log-in and TOTP for API tests (issue 4).
//   totp(secret)                 the RFC 6238 code for a base32 secret (30 s, 6 digits, SHA-1)
//   createUser(url, name, opts)  `dangjian user add` -> its JSON (initial_password, mfa_secret, ...)
//   login(base, name, password, {mfaSecret})  -> a Session (cookie + CSRF), MFA completed
//   asRole(srv, role, orgCode)   a new user holding role (over orgCode's subtree, or the whole
//                                system when orgCode is null), logged in
import { createHmac } from 'node:crypto'
import { cli } from './server.mjs'

export const PASSWORD = 'Test-Passw0rd-2026'

function base32(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0, value = 0
  const out = []
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c)
    bits += 5
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8 }
  }
  return Buffer.from(out)
}

export function totpAt(secret, step) {
  const msg = Buffer.alloc(8)
  msg.writeBigUInt64BE(BigInt(step))
  const h = createHmac('sha1', base32(secret)).update(msg).digest()
  const o = h[h.length - 1] & 15
  const n = ((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]
  return String(n % 1000000).padStart(6, '0')
}

// Each code works once (the server refuses a step not newer than the last one used), so
// successive log-ins of one user take successive steps: now-1, now, now+1, then wait.
const lastStep = new Map()
export async function totp(secret) {
  for (;;) {
    const now = Math.floor(Date.now() / 1000 / 30)
    const step = Math.max(now - 1, (lastStep.get(secret) ?? -Infinity) + 1)
    if (step <= now + 1) {
      lastStep.set(secret, step)
      return totpAt(secret, step)
    }
    await new Promise((r) => setTimeout(r, 1000))
  }
}

export function createUser(dbUrl, username, { roles = [], mfa = false, password = PASSWORD, displayName, memberId, phone } = {}) {
  const args = ['user', 'add', username, '--db', dbUrl, '--display-name', displayName || username]
  for (const r of roles) args.push('--role', r)
  if (mfa) args.push('--with-mfa')
  if (memberId) args.push('--member-id', String(memberId))
  if (phone) args.push('--phone', phone)
  if (password) args.push('--password-stdin')
  const r = cli(args, { input: password ? password + '\n' : undefined, stdio: ['pipe', 'pipe', 'pipe'] })
  if (r.code !== 0) throw new Error(`user add ${username} failed (${r.code}): ${r.stderr}`)
  return JSON.parse(r.stdout)
}

export class Session {
  constructor(base, cookie, csrf, body) {
    this.base = base
    this.cookie = cookie
    this.csrf = csrf
    this.login = body
  }

  // Like server.mjs api(): { status, headers, body }.
  async req(method, path, body, headers = {}) {
    const init = { method, headers: { Cookie: this.cookie, ...headers } }
    if (method !== 'GET' && method !== 'HEAD' && this.csrf && !('X-CSRF-Token' in headers)) init.headers['X-CSRF-Token'] = this.csrf
    if (body !== undefined) {
      init.body = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)
      init.headers['Content-Type'] = init.headers['Content-Type'] || 'application/json'
    }
    const res = await fetch(this.base + path, init)
    const setCookie = res.headers.get('set-cookie')
    if (setCookie && /dj_session=([^;]*)/.test(setCookie)) {
      const v = setCookie.match(/dj_session=([^;]*)/)[1]
      this.cookie = v ? `dj_session=${v}` : ''
    }
    const text = await res.text()
    let parsed = text
    try { parsed = text ? JSON.parse(text) : null } catch { /* keep text */ }
    if (parsed && typeof parsed === 'object' && parsed.csrf_token) this.csrf = parsed.csrf_token
    return { status: res.status, headers: res.headers, body: parsed }
  }

  get(path, headers) { return this.req('GET', path, undefined, headers) }
  post(path, body, headers) { return this.req('POST', path, body ?? {}, headers) }
  patch(path, body, headers) { return this.req('PATCH', path, body, headers) }
  del(path, body, headers) { return this.req('DELETE', path, body, headers) }
}

// Logs in (and passes the TOTP step when the account has MFA). Throws on failure unless
// opts.expect is given, in which case the raw first answer is returned.
export async function login(base, username, password = PASSWORD, { mfaSecret } = {}) {
  const s = new Session(base, '', null, null)
  const r = await s.req('POST', '/api/v1/auth/login', { login: username, password })
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`)
  s.login = r.body
  if (r.body.stage === 'mfa') {
    if (!mfaSecret) throw new Error(`login ${username}: MFA needed but no secret`)
    const v = await s.post('/api/v1/auth/mfa/verify', { code: await totp(mfaSecret) })
    if (v.status !== 200) throw new Error(`mfa ${username}: ${v.status} ${JSON.stringify(v.body)}`)
  }
  return s
}

let seq = 0
export async function asRole(srv, role, orgCode = null, opts = {}) {
  const name = `${role.replace(/_/g, '')}${process.pid % 1000}x${seq++}`
  const spec = orgCode ? `${role}@${orgCode}` : role
  const mfa = ['committee_admin', 'auditor', 'security_admin', 'system_admin'].includes(role)
  const u = createUser(srv.url, name, { roles: role === 'member' ? [] : [spec], mfa, memberId: opts.memberId })
  const s = await login(srv.base, name, PASSWORD, { mfaSecret: u.mfa_secret })
  s.user = u
  return s
}
