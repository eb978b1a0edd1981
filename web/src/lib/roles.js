// Role and permission labels (the names are the server's, auth_roles.c).
import { i18n } from './i18n.js'

export function roleLabel(role) {
  const k = 'roles.' + role
  return i18n.global.te(k) ? i18n.global.t(k) : role
}

export function permLabel(perm) {
  const k = 'perms.' + perm.replace('.', '_')
  return i18n.global.te(k) ? i18n.global.t(k) : perm
}

/** "支部书记 · 第一党支部" for a grant {role, org_id, org_name}. */
export function grantLabel(g, orgName) {
  const name = g.org_name || orgName || (g.org_id ? '#' + g.org_id : '')
  return name ? `${roleLabel(g.role)} · ${name}` : roleLabel(g.role)
}
