import { createRouter, createWebHistory } from 'vue-router'

// Desktop (Element Plus) and mobile (Vant) are separate lazy chunks: a phone never loads
// Element Plus and a desktop never loads Vant.
const DesktopLayout = () => import('./desktop/DesktopLayout.vue')
const ComingSoon = () => import('./desktop/ComingSoon.vue')
const NotFound = () => import('./desktop/NotFound.vue')
const OrgPage = () => import('./desktop/org/OrgPage.vue')
const MobileLayout = () => import('./mobile/MobileLayout.vue')
const MobileHome = () => import('./mobile/MobileHome.vue')
const MobileEmpty = () => import('./mobile/MobileEmpty.vue')

/** Desktop side menu: the five modules; `ready` marks what exists in this release. */
export const MENU = [
  {
    key: 'basic', icon: 'Management', children: [
      { key: 'orgs', path: '/orgs', icon: 'OfficeBuilding', ready: true },
      { key: 'members', path: '/members', icon: 'User' },
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
    {
      path: '/m',
      component: MobileLayout,
      children: [
        { path: '', name: 'm-home', component: MobileHome, meta: { tab: 'home' } },
        { path: 'study', name: 'm-study', component: MobileEmpty, meta: { tab: 'study' } },
        { path: 'me', name: 'm-me', component: MobileEmpty, meta: { tab: 'me' } },
        { path: ':rest(.*)*', redirect: { name: 'm-home' } },
      ],
    },
    {
      path: '/',
      component: DesktopLayout,
      children: [
        { path: '', redirect: { name: 'orgs' } },
        { path: 'orgs/:id(\\d+)?', name: 'orgs', component: OrgPage, meta: { nav: 'orgs' } },
        ...comingSoon,
        { path: ':rest(.*)*', name: 'not-found', component: NotFound },
      ],
    },
  ],
})
