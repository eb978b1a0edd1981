// The log-in page on a phone (no Element Plus, no horizontal scrolling, a member lands on /m/
// and logs out from "me"), a disabled account, and throttling: failed log-ins until the server
// answers 429, whose Retry-After the page counts down. Throttling also counts per IP address,
// so the lock test runs last on this file's server.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, apiJson } from './lib/server.mjs'
import { launchBrowser, openPage, shot } from './lib/browser.mjs'
import { createUser, PASSWORD } from '../api/lib/auth.mjs'
import { submitLogin, someMemberId } from './lib/login.mjs'

let srv, browser

before(async () => {
  srv = await startServer({ members: 40 })
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }

test('phone: log-in page fits, a member lands on /m/ and logs out from "me"', async () => {
  createUser(srv.db, 'dangyuan', { displayName: '赵党员', memberId: someMemberId(srv.db) })
  const page = await openPage(browser, PHONE)
  const loaded = []
  page.on('response', (r) => loaded.push(r.url()))
  await page.goto(srv.base + '/m/')
  await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('redirect') === '/m/')
  await page.getByTestId('login-form').waitFor()
  await shot(page, 'login-phone-zh')
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `horizontal overflow ${overflow}px`)
  assert.ok(!loaded.some((u) => /element-plus|vant/.test(u)), 'the log-in page loads no UI kit')
  // Inputs are large enough to tap and do not make iOS zoom in (font-size >= 16px).
  const box = await page.getByTestId('login-name').boundingBox()
  assert.ok(box.height >= 40 && box.width >= 300, JSON.stringify(box))
  assert.equal(await page.getByTestId('login-name').evaluate((e) => getComputedStyle(e).fontSize), '16px')

  // English on the phone.
  await page.getByTestId('lang-en').click()
  await page.getByRole('heading', { name: 'Log in' }).waitFor()
  await page.getByText('User name or mobile number').first().waitFor()
  await submitLogin(page, 'dangyuan', 'wrong-password')
  await page.getByTestId('login-error').getByText('Wrong user name or password').waitFor()
  await shot(page, 'login-phone-en-error')
  await page.getByTestId('lang-zh').click()
  await page.getByRole('heading', { name: '登录' }).waitFor()

  await submitLogin(page, 'dangyuan', PASSWORD)
  await page.waitForURL(/\/m\/?$/)
  await page.getByTestId('m-greeting').getByText('赵党员，您好！').waitFor()
  assert.ok(!loaded.some((u) => /element-plus/.test(u)), 'a member on the phone never loads Element Plus')
  await shot(page, 'login-phone-member-home')
  await page.getByTestId('m-tab-me').click()
  await page.getByTestId('m-user').getByText('赵党员').waitFor()
  await shot(page, 'login-phone-me')
  await page.getByTestId('m-logout').click()
  await page.waitForURL(/\/login$/)
  await page.goto(srv.base + '/m/me')
  await page.waitForURL(/\/login\?redirect=/)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('a disabled account cannot log in', async () => {
  const u = createUser(srv.db, 'tingyong', { displayName: '停用者' })
  const r = await apiJson(srv.base, 'PATCH', `/users/${u.id}`, { status: 'disabled' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  const page = await openPage(browser)
  await page.goto(srv.base + '/login')
  await submitLogin(page, 'tingyong', PASSWORD)
  // With the right password the server says the account is disabled (a wrong password still
  // gets the answer an unknown name gets).
  await page.getByTestId('login-error').getByText('该账号已停用，请联系管理员').waitFor()
  await submitLogin(page, 'tingyong', 'not-the-password')
  await page.getByTestId('login-error').getByText('用户名或密码错误').waitFor()
  await page.context().close()
})

test('locked: failed log-ins until 429, the wait is shown and counted down, then log-in works', async () => {
  createUser(srv.db, 'suoding', { displayName: '锁定测试' })
  const page = await openPage(browser)
  await page.goto(srv.base + '/login')
  const statuses = []
  page.on('response', (r) => { if (r.url().endsWith('/api/v1/auth/login')) statuses.push(r.status()) })
  let locked = false
  for (let i = 0; i < 8 && !locked; i++) {
    const n = statuses.length
    await submitLogin(page, 'suoding', 'wrong-' + i)
    while (statuses.length === n) await page.waitForTimeout(50)
    locked = statuses.at(-1) === 429
  }
  assert.ok(locked, `statuses ${statuses}`)
  const msg = page.getByTestId('login-locked')
  await msg.getByText(/尝试次数过多，请 \d+ 秒后再试/).waitFor()
  assert.ok(await page.getByTestId('login-submit').isDisabled(), 'no new attempt during the wait')
  await shot(page, 'login-locked')
  // The wait ends (a few seconds for these early failures), then the right password works.
  await msg.waitFor({ state: 'detached', timeout: 20000 })
  await submitLogin(page, 'suoding', PASSWORD)
  await page.waitForURL((u) => u.pathname !== '/login')
  await page.context().close()
})
