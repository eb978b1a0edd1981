// My account: profile, password change with the API's rule errors inline, sessions (the current
// one marked, ending another, log out everywhere), turning MFA on and off, API tokens (shown
// once, usable, revoked with confirmation).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, apiJson } from './lib/server.mjs'
import { launchBrowser, openPage, shot } from './lib/browser.mjs'
import { createUser, login, totp, PASSWORD } from '../api/lib/auth.mjs'
import { as, confirmBox, wrongCode } from './lib/login.mjs'

let srv, browser, root

before(async () => {
  srv = await startServer({ members: 40 })
  browser = await launchBrowser()
  root = (await apiJson(srv.base, 'GET', '/orgs?parent_id=root')).body.data[0]
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('my account: profile, password, sessions, MFA, tokens, log out everywhere', async () => {
  createUser(srv.db, 'shuji', { displayName: '陈书记', roles: [`branch_secretary@${root.code}`] })
  const session = await login(srv.base, 'shuji', PASSWORD)
  const page = await openPage(browser, {}, as(srv, session))
  await page.goto(srv.base + '/account')
  await page.getByTestId('profile-name').getByText('陈书记').waitFor()
  await page.getByTestId('profile-username').getByText('shuji').waitFor()
  await page.getByTestId('account-profile').getByText(`支部书记/党务干事 · ${root.name}`).waitFor()
  await page.getByTestId('side-menu').locator('.el-menu-item.is-active').getByText('我的账号').waitFor()

  // --- password: the server's rules inline, under the field they are about -------------------
  const NEW = 'Chen-Shuji-2026x'
  await page.getByTestId('pw-current').fill(PASSWORD)
  await page.getByTestId('pw-new').fill('short1')
  await page.getByTestId('pw-again').fill('short1')
  await page.getByTestId('pw-submit').click()
  await page.getByTestId('field-new_password').locator('.el-form-item__error').getByText(/密码至少需要\s*10\s*个字符/).waitFor()
  await shot(page, 'account-password-rule')
  await page.getByTestId('pw-current').fill('wrong-current-pw')
  await page.getByTestId('pw-new').fill(NEW)
  await page.getByTestId('pw-again').fill(NEW)
  await page.getByTestId('pw-submit').click()
  await page.getByTestId('field-current_password').locator('.el-form-item__error').getByText('密码错误').waitFor()
  await page.getByTestId('pw-current').fill(PASSWORD)
  await page.getByTestId('pw-submit').click()
  await page.locator('.el-message--success').getByText('密码已修改').waitFor()

  // --- sessions: this one is marked; another one can be ended ---------------------------------
  const other = await login(srv.base, 'shuji', NEW)
  await page.reload()
  const sessions = page.getByTestId('sessions-table')
  await sessions.locator('.el-table__row').nth(1).waitFor()
  assert.equal(await sessions.locator('.el-table__row').count(), 2)
  await sessions.getByTestId('session-current').getByText('当前').waitFor()
  await sessions.getByTestId('session-end').click()
  await confirmBox(page, '该设备需要重新登录')
  await page.locator('.el-message--success').getByText('会话已结束').waitFor()
  await sessions.locator('.el-table__row').nth(1).waitFor({ state: 'detached' })
  assert.equal((await other.get('/api/v1/auth/me')).status, 401)

  // --- MFA: turn it on (secret -> code -> recovery codes), then off again ----------------------
  await page.getByTestId('mfa-status').getByText('未启用').waitFor()
  await page.getByTestId('mfa-enable').click()
  const dialog = page.getByTestId('enroll-dialog')
  const secret = (await dialog.getByTestId('mfa-secret').textContent()).replace(/\s+/g, '')
  await dialog.getByTestId('enroll-code').fill(wrongCode(secret))
  await dialog.getByTestId('enroll-submit').click()
  await dialog.getByTestId('enroll-code-error').waitFor()
  await dialog.getByTestId('enroll-code').fill(await totp(secret))
  await shot(page, 'account-mfa-enroll')
  await dialog.getByTestId('enroll-submit').click()
  await dialog.getByTestId('recovery-code').nth(9).waitFor()
  await shot(page, 'account-mfa-codes')
  await dialog.getByTestId('codes-saved').check()
  await dialog.getByTestId('codes-continue').click()
  await page.getByTestId('mfa-status').getByText('已启用').waitFor()
  await page.getByTestId('mfa-disable').click()
  await page.getByTestId('mfa-disable-password').fill('not-my-password')
  await page.getByTestId('mfa-disable-confirm').click()
  await page.getByTestId('mfa-disable-dialog').getByText('密码错误').waitFor()
  await page.getByTestId('mfa-disable-password').fill(NEW)
  await page.getByTestId('mfa-disable-confirm').click()
  await page.getByTestId('mfa-status').getByText('未启用').waitFor()

  // --- API tokens: shown once, works, revoked ------------------------------------------------
  await page.getByTestId('token-new').click()
  const td = page.getByTestId('token-dialog')
  await td.getByTestId('token-create').click()
  await td.getByText('请填写名称').waitFor()
  await td.getByTestId('token-name').fill('数据报送')
  await td.locator('[data-perm="org.read"]').click()
  await shot(page, 'account-token-create')
  await td.getByTestId('token-create').click()
  const sd = page.getByTestId('token-secret-dialog')
  const token = await sd.getByTestId('secret-value').inputValue()
  assert.match(token, /^djt_/)
  await shot(page, 'account-token-shown')
  const bearer = (t) => fetch(srv.base + '/api/v1/orgs?parent_id=root', { headers: { Authorization: 'Bearer ' + t } })
  assert.equal((await bearer(token)).status, 200)
  await sd.getByTestId('secret-close').click()
  const tokens = page.getByTestId('tokens-table')
  await tokens.getByText('数据报送').waitFor()
  await tokens.getByTestId('token-state').getByText('有效').waitFor()
  await tokens.getByText('查看组织').waitFor()
  await shot(page, 'account-page')
  await tokens.getByTestId('token-revoke').click()
  await confirmBox(page, '确定撤销令牌「数据报送」吗')
  await tokens.getByTestId('token-state').getByText('已撤销').waitFor()
  assert.equal((await bearer(token)).status, 401)

  // --- English labels --------------------------------------------------------------------------
  await page.getByTestId('lang-en').click()
  await page.getByTestId('account-page').getByRole('heading', { name: 'My account' }).waitFor()
  await page.getByTestId('tokens-table').getByText('Revoked').waitFor()
  await shot(page, 'account-page-en')
  await page.getByTestId('lang-zh').click()

  // --- log out everywhere ------------------------------------------------------------------------
  await page.getByTestId('logout-everywhere').click()
  await confirmBox(page, '包括当前设备')
  await page.waitForURL(/\/login$/)
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
