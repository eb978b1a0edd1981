// Data-quality report API (docs/api.md "Data-quality report") and how a score is shown.
import { api } from '../../lib/api.js'

export const qualityApi = {
  run: (orgId) => api.post('/member-quality/runs', orgId ? { org_id: orgId } : {}),
  latest: (orgId) => api.get('/member-quality/latest', { org_id: orgId }),
  items: (runId, query) => api.get(`/member-quality/runs/${runId}/items`, query),
}

/** Score colour: 90–100 good, 70–89 fair, below 70 poor. */
export function scoreLevel(score) {
  return score >= 90 ? 'success' : score >= 70 ? 'warning' : 'danger'
}
export const SCORE_COLOR = { success: '#67c23a', warning: '#e6a23c', danger: '#c8161d' }
