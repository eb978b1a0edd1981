// Self-service change requests (docs/api.md "Self-service change requests") and the code tables
// (GET /codes) the record pages label their codes with.
import { api } from './api.js'
import { currentLocale } from './i18n.js'

export const meApi = {
  record: () => api.get('/me/member'),
  requests: (query) => api.get('/me/member/change-requests', query),
  request: (fields, note) => api.post('/me/member/change-requests', { fields, note }),
  cancel: (id) => api.post(`/me/member/change-requests/${id}/cancel`),
}

export const changeRequestApi = {
  list: (query) => api.get('/member-change-requests', query),
  get: (id) => api.get(`/member-change-requests/${id}`),
  approve: (id, comment) => api.post(`/member-change-requests/${id}/approve`, { comment: comment || undefined }),
  reject: (id, comment) => api.post(`/member-change-requests/${id}/reject`, { comment }),
}

/** The fields a member may ask to change, in form order (docs/api.md). */
export const REQUESTABLE = ['phone', 'address', 'education', 'job', 'title', 'work_unit', 'department']

let codesPromise = null
/** GET /codes once per page load: {table: [{code, label_zh, label_en, active}]}. */
export function loadCodes() {
  if (!codesPromise) {
    codesPromise = api.get('/codes').then((r) => r?.data || {}).catch((e) => { codesPromise = null; throw e })
  }
  return codesPromise
}

/** The label of `code` in `table` in the current language (the code itself when unknown). */
export function codeLabel(codes, table, code) {
  if (code === null || code === undefined || code === '') return ''
  const c = (codes?.[table] || []).find((x) => String(x.code) === String(code))
  if (!c) return String(code)
  return currentLocale() === 'en' ? (c.label_en || c.label_zh) : c.label_zh
}

/** Tag colour of a request state (Vant and Element Plus share these names, bar 'info'). */
export const STATE_TAG = { pending: 'warning', approved: 'success', rejected: 'danger', cancelled: 'default' }
/** The same as an Element Plus tag type. */
export const epStateTag = (s) => (STATE_TAG[s] === 'default' ? 'info' : STATE_TAG[s])

/**
 * One change as "current → proposed" while pending (codes labelled; an empty side shows as —);
 * once decided only the proposed value, since `current` is the record's value now.
 */
export function changeText(codes, field, ch, pending = true) {
  if (!ch) return ''
  const show = (v) => (v === null || v === undefined || v === '' ? '—' : field === 'education' ? codeLabel(codes, 'education', v) : v)
  return pending ? `${show(ch.current)} → ${show(ch.proposed)}` : show(ch.proposed)
}
