// Member import API (docs/api.md "Member import") and the wizard's small pure helpers.
import { api, upload, API_BASE } from '../../lib/api.js'
import { currentLocale } from '../../lib/i18n.js'

/** The server's upload limit (larger → 413); checked here first so nothing is sent for nothing. */
export const MAX_BYTES = 50 * 1024 * 1024

const langQuery = () => (currentLocale() === 'en' ? '?lang=en' : '')

export const importApi = {
  upload: (file, onProgress) => upload(`/members/imports?filename=${encodeURIComponent(file.name)}`, file, { onProgress }),
  list: (query) => api.get('/members/imports', query),
  get: (id) => api.get(`/members/imports/${id}`),
  run: (id) => api.post(`/members/imports/${id}/run`),
  cancel: (id) => api.post(`/members/imports/${id}/cancel`),
  undo: (id) => api.post(`/members/imports/${id}/undo`),
  // Plain links (the session cookie goes along); headers and reasons in the page's language.
  templateUrl: (ext) => `${API_BASE}/members/import/template.${ext}${langQuery()}`,
  errorsUrl: (id, ext) => `${API_BASE}/members/imports/${id}/errors.${ext}${langQuery()}`,
}

/** Why a picked file cannot be uploaded (an i18n key under memberImport.file), or null. */
export function fileProblem(file) {
  if (!/\.(xlsx|csv)$/i.test(file.name)) return /\.xls$/i.test(file.name) ? 'xls' : 'type'
  if (file.size === 0) return 'empty'
  if (file.size > MAX_BYTES) return 'tooLarge'
  return null
}

/** The wizard step an import is at: 0 upload, 1 preview, 2 running, 3 result. */
export function stepOf(im) {
  if (!im) return 0
  if (im.state === 'checked') return 1
  if (im.state === 'queued' || im.state === 'running') return 2
  return 3
}

/** Rows the run would write or confirm (every row without an error). */
export const validRows = (im) => Math.max(0, (im?.rows || 0) - (im?.bad || 0))

/** Element Plus tag type per import state. */
export const STATE_TAG = { checked: 'primary', queued: 'warning', running: 'warning', done: 'success', failed: 'danger', cancelled: 'warning', undone: 'info', expired: 'info' }
