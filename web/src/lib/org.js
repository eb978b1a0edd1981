// Org rules the UI needs to offer sensible choices (the server re-checks everything).
export const ORG_TYPES = ['committee', 'general_branch', 'branch', 'group']

/** Which child types each parent type accepts; `null` = top level. */
export const CHILD_TYPES = {
  null: ['committee'],
  committee: ['committee', 'general_branch', 'branch'],
  general_branch: ['branch'],
  branch: ['group'],
  group: [],
}

export function childTypesOf(parentType) {
  return CHILD_TYPES[parentType ?? 'null'] || []
}

/** Parent types allowed for an org of `type` (the inverse of CHILD_TYPES). */
export function parentTypesOf(type) {
  return ORG_TYPES.filter((p) => CHILD_TYPES[p].includes(type))
}

export const TYPE_TAG = {
  committee: 'danger',
  general_branch: 'warning',
  branch: 'success',
  group: 'info',
}

/** Whole days from today (local) to an ISO date; negative when past. */
export function daysUntil(iso) {
  if (!iso) return null
  const [y, m, d] = iso.split('-').map(Number)
  const end = new Date(y, m - 1, d)
  const now = new Date()
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate())
  return Math.round((end - today) / 86400000)
}
