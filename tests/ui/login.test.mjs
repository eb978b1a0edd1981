// The log-in page: wrong and right passwords, the redirect back, the header's name and log-out,
// the MFA challenge (a wrong code, then a right one; a recovery code), MFA enrollment of a new
// administrator (secret read from the page, recovery codes shown once), the forced change of an
// initial password, and a member landing on the phone pages.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, apiJson } from './lib/server.mjs'
import { launchBrowser, openPage, shot } from './lib/browser.mjs'
import { createUser, totp, PASSWORD } from '../api/lib/auth.mjs'
import { submitLogin, wrongCode, someMemberId, apiLogin } from './lib/login.mjs'

let srv, browser, rootCode

before(async () => {
  srv = await startServer({ members: 60 })
  browser = await launchBrowser()
  rootCode = (await apiJson(srv.base, 'GET', '/orgs?parent_id=root')).body.data[0].code
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('wrong password, right password, redirect back, name in the header, log-out', async () => {
  createUser(srv.db, 'zhangsan', { displayName: '张三', roles: [`branch_secretary@${rootCode}`] })
  const page = await openPage(browser)
  await page.goto(srv.base + '/orgs')
  // Not logged in: the log-in page, which will come back to /orgs.
  await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('redirect') === '/orgs')
  await page.getByTestId('login-notice').getByText('请先登录').waitFor()
  await page.getByRole('heading', { name: '登录' }).waitFor()

  // Empty fields are caught before asking the server.
  await page.getByTestId('login-submit').click()
  await page.getByText('请输入用户名或手机号').waitFor()

  await submitLogin(page, 'zhangsan', 'not-the-password')
  await page.getByTestId('login-error').getByText('用户名或密码错误').waitFor()
  assert.equal(await page.getByTestId('login-password').inputValue(), 'not-the-password')
  await shot(page, 'login-wrong-password')

  // Show / hide the password.
  assert.equal(await page.getByTestId('login-password').getAttribute('type'), 'password')
  await page.getByTestId('toggle-password').click()
  assert.equal(await page.getByTestId('login-password').getAttribute('type'), 'text')
  await page.getByTestId('toggle-password').click()
  assert.equal(await page.getByTestId('login-password').getAttribute('type'), 'password')

  await page.getByTestId('login-password').fill(PASSWORD)
  await page.getByTestId('login-password').press('Enter')
  await page.waitForURL(/\/orgs(\/\d+)?$/)
  await page.getByTestId('user-name').getByText('张三').waitFor()
  await page.getByTestId('org-detail').waitFor()
  // A secretary has no system permissions: the system group shows only "my account".
  const menu = page.getByTestId('side-menu')
  await menu.getByText('系统管理').waitFor()
  await menu.getByText('我的账号').waitFor()
  assert.equal(await menu.getByText('用户与角色').count(), 1) // branch secretaries have user.read
  assert.equal(await menu.getByText('审计日志').count(), 0)
  // Buttons follow permissions: a secretary exports but does not edit organizations.
  await page.getByTestId('btn-export').waitFor()
  assert.equal(await page.getByTestId('btn-edit').count(), 0)
  assert.equal(await page.getByTestId('btn-dissolve').count(), 0)
  await shot(page, 'login-done-header')

  // The session ends elsewhere ("log out everywhere" on another device): the next API call
  // sends the page to the log-in page, and logging in again comes back to where it was.
  const other = await apiLogin(srv.base, 'zhangsan', PASSWORD)
  assert.equal((await other.post('/api/v1/auth/logout-all')).status, 204)
  await page.getByTestId('org-detail').locator('.el-table__row').first().click()
  await page.waitForURL((u) => u.pathname === '/login' && /^\/orgs\/\d+$/.test(u.searchParams.get('redirect') || ''))
  const back = new URL(page.url()).searchParams.get('redirect')
  await submitLogin(page, 'zhangsan', PASSWORD)
  await page.waitForURL((u) => u.pathname === back)
  await page.getByTestId('org-detail').waitFor()

  // A logged-in user who opens /login goes home.
  await page.goto(srv.base + '/login')
  await page.waitForURL(/\/orgs(\/\d+)?$/)

  // A page without the permission says so.
  await page.goto(srv.base + '/admin/audit')
  await page.getByTestId('forbidden').getByText('没有访问此页面的权限').waitFor()

  // Log out from the header menu.
  await page.getByTestId('user-menu').click()
  await page.getByTestId('logout').click()
  await page.waitForURL(/\/login$/)
  await page.goto(srv.base + '/orgs')
  await page.waitForURL(/\/login\?redirect=/)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('MFA challenge: a wrong code is refused, the right one logs in; a recovery code works once', async () => {
  const u = createUser(srv.db, 'mfaadmin', { displayName: '王管理', roles: ['committee_admin'], mfa: true })
  const page = await openPage(browser)
  await page.goto(srv.base + '/login')
  await submitLogin(page, 'mfaadmin', PASSWORD)
  await page.getByTestId('mfa-form').waitFor()
  await page.getByText('王管理，请打开手机上的身份验证器应用').waitFor()

  await page.getByTestId('mfa-code').fill(wrongCode(u.mfa_secret))
  await page.getByTestId('mfa-submit').click()
  await page.getByTestId('mfa-code-error').getByText('验证码错误或已使用').waitFor()
  await shot(page, 'login-mfa-wrong')

  await page.getByTestId('mfa-code').fill(await totp(u.mfa_secret))
  await page.getByTestId('mfa-submit').click()
  await page.waitForURL(/\/orgs(\/\d+)?$/)
  await page.getByTestId('user-name').getByText('王管理').waitFor()
  await page.getByTestId('side-menu').getByText('用户与角色').waitFor()
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('enrollment: a new auditor sets up MFA, sees the recovery codes once, later logs in with one', async () => {
  createUser(srv.db, 'newauditor', { displayName: '新审计员', roles: ['auditor'] })
  const page = await openPage(browser)
  await page.goto(srv.base + '/login')
  await submitLogin(page, 'newauditor', PASSWORD)
  await page.getByTestId('mfa-enroll').waitFor()
  await page.getByText('您的角色要求使用两步验证').waitFor()
  const qr = page.getByTestId('mfa-qr')
  assert.match(await qr.getAttribute('src'), /^data:image\/svg\+xml;base64,/)
  // The QR code is a real, rendered image.
  await page.waitForFunction(() => document.querySelector('[data-testid="mfa-qr"]').naturalWidth > 0)
  const secret = (await page.getByTestId('mfa-secret').textContent()).replace(/\s+/g, '')
  assert.match(secret, /^[A-Z2-7]{16,}$/)
  await shot(page, 'login-enroll')

  // A wrong code first.
  await page.getByTestId('enroll-code').fill(wrongCode(secret))
  await page.getByTestId('enroll-submit').click()
  await page.getByTestId('enroll-code-error').getByText('验证码错误或已使用').waitFor()
  await page.getByTestId('enroll-code').fill(await totp(secret))
  await page.getByTestId('enroll-submit').click()

  const codes = page.getByTestId('recovery-code')
  await page.getByTestId('recovery-codes').waitFor()
  assert.equal(await codes.count(), 10)
  const list = (await codes.allTextContents()).map((s) => s.trim())
  assert.equal(new Set(list).size, 10)
  assert.ok(await page.getByTestId('codes-continue').isDisabled(), 'continue waits for "I have saved them"')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('codes-download').click()])
  assert.match(download.suggestedFilename(), /recovery-codes.*\.txt$/)
  await shot(page, 'login-recovery-codes')
  await page.getByTestId('codes-saved').check()
  await page.getByTestId('codes-continue').click()
  // An auditor's home is the audit log.
  await page.waitForURL(/\/admin\/audit$/)
  await page.getByTestId('user-name').getByText('新审计员').waitFor()

  // Log out, log in again with a recovery code.
  await page.getByTestId('user-menu').click()
  await page.getByTestId('logout').click()
  await page.waitForURL(/\/login$/)
  await submitLogin(page, 'newauditor', PASSWORD)
  await page.getByTestId('mfa-switch').click()
  await page.getByTestId('mfa-recovery').fill(list[3])
  await shot(page, 'login-recovery-entry')
  await page.getByTestId('mfa-submit').click()
  await page.waitForURL(/\/admin\/audit$/)
  await page.context().close()
})

test('forced password change for an initial password; a member lands on the phone pages', async () => {
  const memberId = someMemberId(srv.db)
  const created = await apiJson(srv.base, 'POST', '/users', { username: 'lisi', display_name: '李四', member_id: memberId })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const initial = created.body.initial_password
  assert.ok(initial)

  const page = await openPage(browser)
  await page.goto(srv.base + '/login')
  await submitLogin(page, 'lisi', initial)
  await page.getByTestId('change-form').waitFor()
  await page.getByRole('heading', { name: '设置新密码' }).waitFor()
  // Too short: the server's rule, inline under the field.
  await page.getByTestId('change-new').fill('short1')
  await page.getByTestId('change-again').fill('short1')
  await page.getByTestId('change-submit').click()
  await page.getByTestId('change-new-error').getByText(/密码至少需要\s*10\s*个字符/).waitFor()
  // The two entries differ: caught on the page.
  await page.getByTestId('change-new').fill('Lisi-New-Passw0rd')
  await page.getByTestId('change-again').fill('Lisi-New-Passw0rd-x')
  await page.getByTestId('change-submit').click()
  await page.getByTestId('change-again-error').getByText('两次输入的新密码不一致').waitFor()
  await shot(page, 'login-change-password')
  await page.getByTestId('change-again').fill('Lisi-New-Passw0rd')
  await page.getByTestId('change-submit').click()
  // A member goes to the phone pages.
  await page.waitForURL(/\/m\/?$/)
  await page.getByTestId('m-home').waitFor()

  // The new password works, the initial one no longer does.
  await page.getByTestId('m-tab-me').click()
  await page.getByTestId('m-user').getByText('李四').waitFor()
  await page.getByTestId('m-logout').click()
  await page.waitForURL(/\/login$/)
  await submitLogin(page, 'lisi', initial)
  await page.getByTestId('login-error').getByText('用户名或密码错误').waitFor()
  await submitLogin(page, 'lisi', 'Lisi-New-Passw0rd')
  await page.waitForURL(/\/m\/?$/)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
