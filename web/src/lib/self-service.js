// Self-service change requests (docs/api.md "Self-service change requests"). Codes are labelled
// through lib/codes.js, the one cache of GET /codes.
import { api } from './api.js'
import { codeLabel } from './codes.js'

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

/** Tag colour of a request state (Vant and Element Plus share these names, bar 'info'). */
export const STATE_TAG = { pending: 'warning', approved: 'success', rejected: 'danger', cancelled: 'default' }
/** The same as an Element Plus tag type. */
export const epStateTag = (s) => (STATE_TAG[s] === 'default' ? 'info' : STATE_TAG[s])

/**
 * One change as "current → proposed" while pending (codes labelled; an empty side shows as —);
 * once decided only the proposed value, since `current` is the record's value now.
 */
export function changeText(field, ch, pending = true) {
  if (!ch) return ''
  const show = (v) => (v === null || v === undefined || v === '' ? '—' : field === 'education' ? codeLabel('education', v) : v)
  return pending ? `${show(ch.current)} → ${show(ch.proposed)}` : show(ch.proposed)
}
