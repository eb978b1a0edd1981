import { createRouter, createWebHistory } from 'vue-router'
import { setUnauthorizedHandler } from './lib/api.js'
import { useAuthStore } from './stores/auth.js'

// Desktop (Element Plus) and mobile (Vant) are separate lazy chunks: a phone never loads
// Element Plus and a desktop never loads Vant. The log-in page uses neither, so it is light on
// a phone and looks the same everywhere.
const LoginPage = () => import('./auth/LoginPage.vue')
const DesktopLayout = () => import('./desktop/DesktopLayout.vue')
const ComingSoon = () => import('./desktop/ComingSoon.vue')
const NotFound = () => import('./desktop/NotFound.vue')
const Forbidden = () => import('./desktop/Forbidden.vue')
const OrgPage = () => import('./desktop/org/OrgPage.vue')
const AccountPage = () => import('./desktop/account/AccountPage.vue')
const UsersPage = () => import('./desktop/admin/UsersPage.vue')
const AuditPage = () => import('./desktop/admin/AuditPage.vue')
const MembersPage = () => import('./desktop/members/MembersPage.vue')
const MemberPage = () => import('./desktop/members/MemberPage.vue')
const MemberArchivePage = () => import('./desktop/members/MemberArchivePage.vue')
const MobileLayout = () => import('./mobile/MobileLayout.vue')
const MobileHome = () => import('./mobile/MobileHome.vue')
const MobileEmpty = () => import('./mobile/MobileEmpty.vue')
const MobileMe = () => import('./mobile/MobileMe.vue')
// Self-service change requests and the data-quality report (issue 5 §7, §8)
const MobileRecord = () => import('./mobile/MobileRecord.vue')
const MemberRequestsPage = () => import('./desktop/member-requests/MemberRequestsPage.vue')
const MemberQualityPage = () => import('./desktop/member-quality/MemberQualityPage.vue')
// The member import wizard (issue 5 §4, §10)
const MemberImportPage = () => import('./desktop/member-import/MemberImportPage.vue')

/**
 * Desktop side menu: the five modules and the system group; `ready` marks what exists in this
 * release, `perm` hides an entry from users without that permission (GET /auth/me).
 */
export const MENU = [
  {
    key: 'basic', icon: 'Management', children: [
      { key: 'orgs', path: '/orgs', icon: 'OfficeBuilding', ready: true, perm: 'org.read' },
      { key: 'members', path: '/members', icon: 'User', ready: true, perm: 'member.read' },
      // Self-service change requests and the data-quality report (issue 5 §7, §8)
      { key: 'memberRequests', path: '/member-requests', icon: 'EditPen', ready: true, perm: 'member.write' },
      { key: 'memberQuality', path: '/member-quality', icon: 'DataLine', ready: true, perm: 'member.read' },
      { key: 'development', path: '/development', icon: 'Promotion' },
      { key: 'transfers', path: '/transfers', icon: 'Switch' },
      { key: 'dues', path: '/dues', icon: 'Wallet' },
      { key: 'meetings', path: '/meetings', icon: 'Calendar' },
      { key: 'approvals', path: '/approvals', icon: 'DocumentChecked' },
    ],
  },
  { key: 'learning', path: '/learning', icon: 'Reading' },
  { key: 'integration', path: '/integration', icon: 'Connection' },
  { key: 'assessment', path: '/assessment', icon: 'DataAnalysis' },
  { key: 'service', path: '/service', icon: 'Service' },
  {
    key: 'system', icon: 'Setting', children: [
      { key: 'users', path: '/admin/users', icon: 'UserFilled', ready: true, perm: 'user.read' },
      { key: 'audit', path: '/admin/audit', icon: 'Tickets', ready: true, perm: 'audit.read' },
      { key: 'account', path: '/account', icon: 'Key', ready: true },
    ],
  },
]

const comingSoon = []
for (const item of MENU) {
  for (const leaf of item.children || [item]) {
    if (!leaf.ready) {
      comingSoon.push({ path: leaf.path.slice(1), name: leaf.key, component: ComingSoon, meta: { nav: leaf.key } })
    }
  }
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
    {
      path: '/m',
      component: MobileLayout,
      children: [
        { path: '', name: 'm-home', component: MobileHome, meta: { tab: 'home' } },
        { path: 'study', name: 'm-study', component: MobileEmpty, meta: { tab: 'study' } },
        { path: 'me', name: 'm-me', component: MobileMe, meta: { tab: 'me' } },
        { path: 'me/record', name: 'm-record', component: MobileRecord, meta: { tab: 'me', title: 'selfService.myRecord', back: '/m/me' } },
        { path: ':rest(.*)*', redirect: { name: 'm-home' } },
      ],
    },
    {
      path: '/',
      component: DesktopLayout,
      children: [
        // Each user starts where their permissions lead (useAuthStore().homePath()).
        { path: '', name: 'home', component: NotFound, beforeEnter: () => useAuthStore().homePath() },
        { path: 'orgs/:id(\\d+)?', name: 'orgs', component: OrgPage, meta: { nav: 'orgs', perm: 'org.read' } },
        { path: 'members', name: 'members', component: MembersPage, meta: { nav: 'members', perm: 'member.read' } },
        { path: 'members/archive', name: 'member-archive', component: MemberArchivePage, meta: { nav: 'members', perm: 'member.read' } },
        { path: 'members/import/:id(\\d+)?', name: 'member-import', component: MemberImportPage, meta: { nav: 'members', perm: 'member.write' } },
        { path: 'members/:id(\\d+)', name: 'member', component: MemberPage, meta: { nav: 'members', perm: 'member.read' } },
        { path: 'account', name: 'account', component: AccountPage, meta: { nav: 'account' } },
        { path: 'admin/users', name: 'users', component: UsersPage, meta: { nav: 'users', perm: 'user.read' } },
        { path: 'admin/audit', name: 'audit', component: AuditPage, meta: { nav: 'audit', perm: 'audit.read' } },
        // Self-service change requests and the data-quality report (issue 5 §7, §8)
        { path: 'member-requests', name: 'member-requests', component: MemberRequestsPage, meta: { nav: 'memberRequests', perm: 'member.write' } },
        { path: 'member-quality', name: 'member-quality', component: MemberQualityPage, meta: { nav: 'memberQuality', perm: 'member.read' } },
        { path: 'forbidden', name: 'forbidden', component: Forbidden },
        ...comingSoon,
        { path: ':rest(.*)*', name: 'not-found', component: NotFound },
      ],
    },
  ],
})

/** A redirect target from the query string, if it is a path inside this app. */
export function safeRedirect(r) {
  if (typeof r !== 'string' || !r.startsWith('/') || r.startsWith('//') || r.includes('\\')) return null
  if (r === '/login' || r.startsWith('/login?') || r.startsWith('/forbidden')) return null
  return r
}

/** Where to go once the log-in is complete: the page asked for, else the user's home. */
export function afterLoginPath(redirect) {
  const auth = useAuthStore()
  const r = safeRedirect(redirect)
  if (auth.memberOnly) return r && /^\/m(\/|$|\?)/.test(r) ? r : '/m/'
  return r || auth.homePath()
}

function toLogin(fullPath) {
  return { name: 'login', query: fullPath && fullPath !== '/' ? { redirect: fullPath } : {} }
}

router.beforeEach(async (to) => {
  const auth = useAuthStore()
  try {
    await auth.ensure()
  } catch {
    // The server cannot be reached: the log-in page says so when the user tries.
  }
  if (to.meta.public) {
    if (to.name === 'login' && auth.ready) return afterLoginPath(to.query.redirect)
    return true
  }
  if (!auth.ready) return toLogin(to.fullPath)
  if (to.meta.perm && !auth.can(to.meta.perm)) return { name: 'forbidden', query: { from: to.fullPath } }
  return true
})

// Any API call answered 401 (the session ended, or a log-in step is owed) or 403
// auth.password_change_required sends the user to the log-in page, and back afterwards.
let redirecting = false
setUnauthorizedHandler(async (e) => {
  if (redirecting) return
  redirecting = true
  const auth = useAuthStore()
  try {
    if (e.code === 'auth.login_required' || e.code === 'auth.bad_token') auth.clear()
    else await auth.load().catch(() => auth.clear())
    const cur = router.currentRoute.value
    if (cur.name !== 'login') await router.push(toLogin(cur.fullPath))
  } finally {
    redirecting = false
  }
})
