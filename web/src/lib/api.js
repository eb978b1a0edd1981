// Thin fetch wrapper for /api/v1 (ARCHITECTURE.md §5). Errors come back as
// {"error":{"code","message","fields"}}, already translated per Accept-Language.
import { currentLocale, i18n } from './i18n.js'

export const API_BASE = '/api/v1'

export class ApiError extends Error {
  constructor(status, error, retryAfter = null) {
    super(error?.message || '')
    this.name = 'ApiError'
    this.status = status
    this.code = error?.code || 'unknown'
    this.fields = error?.fields && typeof error.fields === 'object' ? error.fields : {}
    // Seconds from a 429's Retry-After header (null when absent).
    this.retryAfter = retryAfter
  }
}

// The session's CSRF token (ARCHITECTURE.md §5): sent with every state-changing call. It is
// learnt from the log-in answer or from GET /auth/me, never stored beyond the page.
let csrfToken = null
export function setCsrfToken(t) { csrfToken = t || null }

// Called with the ApiError of any 401 answer (the session ended or still owes a step) and of a
// 403 auth.password_change_required: the app sends the user to the log-in page. Set by the
// router.
let onUnauthorized = null
export function setUnauthorizedHandler(fn) { onUnauthorized = fn }

async function ensureCsrf() {
  if (csrfToken) return
  const res = await fetch(API_BASE + '/auth/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
  if (res.ok) csrfToken = (await res.json())?.csrf_token || null
}

export async function request(method, path, { body, query, signal } = {}) {
  let url = API_BASE + path
  if (query) {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') qs.set(k, String(v))
    }
    const s = qs.toString()
    if (s) url += '?' + s
  }
  const headers = { Accept: 'application/json', 'Accept-Language': currentLocale() }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let res
  try {
    if (method !== 'GET' && method !== 'HEAD' && !path.startsWith('/auth/login')) {
      await ensureCsrf()
      if (csrfToken) headers['X-CSRF-Token'] = csrfToken
    }
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    })
  } catch (e) {
    if (e?.name === 'AbortError') throw e
    throw new ApiError(0, { code: 'network', message: i18n.global.t('errors.network') })
  }
  if (res.status === 204) return null
  let data = null
  const text = await res.text()
  if (text) {
    try { data = JSON.parse(text) } catch { data = null }
  }
  if (!res.ok) throw failure(path, res.status, data, res.headers.get('Retry-After'))
  return data
}

/** The ApiError of a non-2xx answer; a 401 (or a password change owed) also leaves the page. */
function failure(path, status, data, retryAfter) {
  const err = data?.error
  const ra = Number.parseInt(retryAfter || '', 10)
  const e = new ApiError(status, {
    code: err?.code || `http_${status}`,
    message: err?.message || i18n.global.t('errors.http', { status }),
    fields: err?.fields,
  }, Number.isFinite(ra) && ra >= 0 ? ra : null)
  if (status === 401) csrfToken = null
  if ((status === 401 || e.code === 'auth.password_change_required') && onUnauthorized &&
      !path.startsWith('/auth/')) onUnauthorized(e)
  return e
}

/**
 * POST a file as the raw request body (XMLHttpRequest, for its upload progress): resolves with
 * the JSON answer, rejects with an ApiError. `onProgress(loaded, total)` follows the upload.
 */
export async function upload(path, file, { onProgress } = {}) {
  await ensureCsrf().catch(() => {})
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', API_BASE + path)
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.setRequestHeader('Accept-Language', currentLocale())
    xhr.setRequestHeader('Content-Type', 'application/octet-stream')
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken)
    if (onProgress) xhr.upload.onprogress = (ev) => onProgress(ev.loaded, ev.lengthComputable ? ev.total : file.size)
    xhr.onerror = () => reject(new ApiError(0, { code: 'network', message: i18n.global.t('errors.network') }))
    xhr.onload = () => {
      let data = null
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null } catch { data = null }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data)
      else reject(failure(path, xhr.status, data, xhr.getResponseHeader('Retry-After')))
    }
    xhr.send(file)
  })
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body) => request('POST', path, { body }),
  patch: (path, body) => request('PATCH', path, { body }),
  del: (path, body) => request('DELETE', path, { body }),
}

// --- organizations -------------------------------------------------------------------
export const orgApi = {
  health: () => api.get('/health'),
  list: (query) => api.get('/orgs', query),
  roots: () => api.get('/orgs', { parent_id: 'root', per_page: 100 }),
  get: (id) => api.get(`/orgs/${id}`),
  children: (id) => api.get(`/orgs/${id}/children`),
  create: (body) => api.post('/orgs', body),
  update: (id, body) => api.patch(`/orgs/${id}`, body),
  move: (id, parentId) => api.post(`/orgs/${id}/move`, { parent_id: parentId }),
  dissolve: (id) => api.del(`/orgs/${id}`),
}

// --- log-in, my account ----------------------------------------------------------------
export const authApi = {
  login: (login, password) => api.post('/auth/login', { login, password }),
  me: () => api.get('/auth/me'),
  verify: (body) => api.post('/auth/mfa/verify', body), // {code} | {recovery_code}
  enroll: () => api.post('/auth/mfa/enroll'),
  confirm: (code) => api.post('/auth/mfa/confirm', { code }),
  disableMfa: (password) => api.del('/auth/mfa', { password }),
  logout: () => api.post('/auth/logout'),
  logoutAll: () => api.post('/auth/logout-all'),
  sessions: () => api.get('/auth/sessions'),
  endSession: (id) => api.del(`/auth/sessions/${id}`),
  changePassword: (current, next) => api.post('/auth/password', { current_password: current, new_password: next }),
}

export const tokenApi = {
  list: () => api.get('/tokens'),
  create: (body) => api.post('/tokens', body),
  revoke: (id) => api.del(`/tokens/${id}`),
}

// --- users and roles -------------------------------------------------------------------
export const userApi = {
  list: (query) => api.get('/users', query),
  get: (id) => api.get(`/users/${id}`),
  create: (body) => api.post('/users', body),
  update: (id, body) => api.patch(`/users/${id}`, body),
  resetPassword: (id) => api.post(`/users/${id}/password-reset`),
  resetMfa: (id) => api.post(`/users/${id}/mfa-reset`),
  endSessions: (id) => api.del(`/users/${id}/sessions`),
  grant: (id, role, orgId) => api.post(`/users/${id}/roles`, { role, org_id: orgId ?? null }),
  revoke: (id, grantId) => api.del(`/users/${id}/roles/${grantId}`),
}

// --- audit log and jobs ------------------------------------------------------------------
export const auditApi = {
  list: (query) => api.get('/audit', query),
  exportUrl(query) {
    const qs = new URLSearchParams()
    for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v))
    const s = qs.toString()
    return API_BASE + '/audit/export.csv' + (s ? '?' + s : '')
  },
  verify: () => api.post('/audit/verify'),
  verification: () => api.get('/audit/verification'),
}

export const jobApi = {
  get: (id) => api.get(`/jobs/${id}`),
}

// --- members (docs/api.md "Members") ------------------------------------------------------
function queryString(query) {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v))
  const s = qs.toString()
  return s ? '?' + s : ''
}

export const memberApi = {
  list: (query) => api.get('/members', query),
  get: (id) => api.get(`/members/${id}`),
  create: (body) => api.post('/members', body),
  update: (id, body) => api.patch(`/members/${id}`, body),
  setStatus: (id, body) => api.post(`/members/${id}/status`, body),
  restore: (id, reason) => api.post(`/members/${id}/restore`, { reason }),
  reveal: (id, field) => api.post(`/members/${id}/reveal`, { field }),
  archive: (query) => api.get('/member-archive', query),
  addPost: (id, body) => api.post(`/members/${id}/posts`, body),
  updatePost: (id, postId, body) => api.patch(`/members/${id}/posts/${postId}`, body),
  deletePost: (id, postId) => api.del(`/members/${id}/posts/${postId}`),
  addAward: (id, body) => api.post(`/members/${id}/awards`, body),
  updateAward: (id, awardId, body) => api.patch(`/members/${id}/awards/${awardId}`, body),
  deleteAward: (id, awardId) => api.del(`/members/${id}/awards/${awardId}`),
  putPhoto: (id, mime, data) => request('PUT', `/members/${id}/photo`, { body: { mime, data } }),
  deletePhoto: (id) => api.del(`/members/${id}/photo`),
  photoUrl: (id, version) => `${API_BASE}/members/${id}/photo?v=${version || 0}`,
  exportUrl: (query, format = 'csv') => API_BASE + `/members/export.${format === 'xlsx' ? 'xlsx' : 'csv'}` + queryString(query),
  filters: () => api.get('/member-filters'),
  saveFilter: (name, params) => api.post('/member-filters', { name, params }),
  deleteFilter: (id) => api.del(`/member-filters/${id}`),
  codes: () => api.get('/codes'),
}
