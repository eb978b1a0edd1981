// Who is logged in (GET /api/v1/auth/me): user, stage, roles and permissions. The router guard
// loads it once per page load; log-in steps and log-out update it.
import { defineStore } from 'pinia'
import { authApi, setCsrfToken, ApiError } from '../lib/api.js'

/** Roles that manage the whole system and are never tied to an organization. */
export const SYSTEM_ROLES = ['auditor', 'security_admin', 'system_admin']
export const ALL_ROLES = ['member', 'branch_secretary', 'committee_admin', 'leader', 'auditor', 'security_admin', 'system_admin']
/** Roles whose holders must use two-step verification (auth_roles.c). */
export const MFA_ROLES = ['committee_admin', 'auditor', 'security_admin', 'system_admin']

export const useAuthStore = defineStore('auth', {
  state: () => ({
    me: null, // the /auth/me answer, or null when nobody is logged in
    loaded: false,
  }),
  getters: {
    user: (s) => s.me?.user || null,
    stage: (s) => s.me?.stage || null,
    /** Logged in with every step done (MFA passed, no password change owed). */
    ready: (s) => !!s.me && s.me.stage === 'full' && !s.me.user?.must_change_password,
    permissions: (s) => s.me?.permissions || [],
    /** Holds no role but member: the phone pages are theirs. */
    memberOnly: (s) => !!s.me && (s.me.roles || []).every((r) => r.role === 'member'),
  },
  actions: {
    can(perm) {
      return this.permissions.includes(perm)
    },
    async load() {
      try {
        const me = await authApi.me()
        this.me = me
        setCsrfToken(me?.csrf_token)
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 401) {
          this.loaded = true
          throw e
        }
        this.me = null
      }
      this.loaded = true
      return this.me
    },
    async ensure() {
      if (!this.loaded) await this.load()
      return this.me
    },
    /** After a step that changed the session (log-in, MFA, password): its new CSRF token. */
    adopt(answer) {
      if (answer?.csrf_token) setCsrfToken(answer.csrf_token)
    },
    clear() {
      this.me = null
      this.loaded = true
      setCsrfToken(null)
    },
    async logout({ everywhere = false } = {}) {
      try {
        await (everywhere ? authApi.logoutAll() : authApi.logout())
      } catch (e) {
        // A session that already ended is logged out; anything else is worth saying.
        if (!(e instanceof ApiError) || e.status !== 401) throw e
      }
      this.clear()
    },
    /** Where a user goes when nothing else was asked for. */
    homePath() {
      if (this.memberOnly) return '/m/'
      if (this.can('org.read')) return '/orgs'
      if (this.can('user.read')) return '/admin/users'
      if (this.can('audit.read')) return '/admin/audit'
      return '/account'
    },
  },
})
