// Thin fetch wrapper for /api/v1 (ARCHITECTURE.md §5). Errors come back as
// {"error":{"code","message","fields"}}, already translated per Accept-Language.
import { currentLocale, i18n } from './i18n.js'

export const API_BASE = '/api/v1'

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message || '')
    this.name = 'ApiError'
    this.status = status
    this.code = error?.code || 'unknown'
    this.fields = error?.fields && typeof error.fields === 'object' ? error.fields : {}
  }
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
  if (!res.ok) {
    const err = data?.error
    throw new ApiError(res.status, {
      code: err?.code || `http_${res.status}`,
      message: err?.message || i18n.global.t('errors.http', { status: res.status }),
      fields: err?.fields,
    })
  }
  return data
}

export const api = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body) => request('POST', path, { body }),
  patch: (path, body) => request('PATCH', path, { body }),
  del: (path) => request('DELETE', path),
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
