// Users and roles: a committee administrator creates a user (initial password shown once),
// edits, resets the password and disables them; a security administrator grants an
// organization role and a system role and revokes one. Each sees only the actions their
// permissions allow.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, apiJson } from './lib/server.mjs'
import { launchBrowser, openPage, shot } from './lib/browser.mjs'
import { asRole, login } from '../api/lib/auth.mjs'
import { as, confirmBox } from './lib/login.mjs'

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

/** The table row of the user whose user name is `username`. */
const rowOf = (page, username) => page.getByTestId('users-table').locator('.el-table__row').filter({ has: page.getByText(username, { exact: true }) })

async function rowAction(page, username, action) {
  await rowOf(page, username).getByTestId('user-more').click()
  const item = page.locator('.el-dropdown-menu:visible').getByTestId('action-' + action)
  await item.click()
}

test('users: create with an initial password, grant and revoke roles, reset, disable', async () => {
  // --- committee administrator: user.read + user.write -----------------------------------------
  const admin = await openPage(browser, {}, srv)
  await admin.goto(srv.base + '/admin/users')
  await admin.getByTestId('users-table').locator('.el-table__row').first().waitFor()
  await admin.getByTestId('side-menu').locator('.el-menu-item.is-active').getByText('用户与角色').waitFor()

  await admin.getByTestId('user-new').click()
  const dlg = admin.getByTestId('user-dialog')
  await dlg.getByTestId('user-username').fill('bad name')
  await dlg.getByTestId('user-display-name').fill('王芳')
  await dlg.getByTestId('user-submit').click()
  // The server's rule, inline.
  await dlg.getByTestId('user-field-username').locator('.el-form-item__error').getByText(/用户名应为3–32个字母/).waitFor()
  await shot(admin, 'users-create-error')
  await dlg.getByTestId('user-username').fill('wangfang')
  await dlg.getByTestId('user-submit').click()
  const pwDialog = admin.getByTestId('initial-password-dialog')
  const initial = await pwDialog.getByTestId('secret-value').inputValue()
  assert.ok(initial.length >= 12, initial)
  await pwDialog.getByText('首次登录时须修改此密码').waitFor()
  await shot(admin, 'users-initial-password')
  await pwDialog.getByTestId('secret-close').click()
  // The initial password works (and must be changed).
  const s = await login(srv.base, 'wangfang', initial)
  assert.equal(s.login.user.must_change_password, true)

  await admin.getByTestId('users-search').fill('wangfang')
  await rowOf(admin, 'wangfang').waitFor()
  await admin.waitForFunction(() => document.querySelectorAll('[data-testid="users-table"] .el-table__row').length === 1)
  // A committee administrator does not grant roles (separation of duties).
  await rowOf(admin, 'wangfang').getByTestId('user-more').click()
  const menu = admin.locator('.el-dropdown-menu:visible')
  await menu.getByTestId('action-reset-password').waitFor()
  assert.equal(await menu.getByTestId('action-grant').count(), 0)
  assert.equal(await menu.getByTestId('action-reset-mfa').count(), 0)
  await admin.keyboard.press('Escape')

  // Edit the name.
  await rowOf(admin, 'wangfang').getByTestId('user-edit').click()
  await admin.getByTestId('user-dialog').getByTestId('user-display-name').fill('王芳芳')
  await admin.getByTestId('user-dialog').getByTestId('user-submit').click()
  await rowOf(admin, 'wangfang').getByText('王芳芳').waitFor()

  // --- security administrator: role.assign, mfa.reset, session.revoke; no user.write ---------
  const secSession = await asRole({ url: srv.db, base: srv.base }, 'security_admin')
  const sec = await openPage(browser, {}, as(srv, secSession))
  await sec.goto(srv.base + '/admin/users')
  await sec.getByTestId('users-search').fill('wangfang')
  await rowOf(sec, 'wangfang').waitFor()
  assert.equal(await sec.getByTestId('user-new').count(), 0, 'no "new user" without user.write')
  assert.equal(await rowOf(sec, 'wangfang').getByTestId('user-edit').count(), 0)

  await rowAction(sec, 'wangfang', 'grant')
  const gd = sec.getByTestId('grant-dialog')
  await gd.getByTestId('grant-submit').click()
  await gd.getByText('请选择组织').waitFor()
  await gd.getByTestId('grant-org').click()
  await sec.keyboard.type(root.code)
  await sec.locator('.el-select-dropdown__item:visible').filter({ hasText: root.name }).first().click()
  await shot(sec, 'users-grant-role')
  await gd.getByTestId('grant-submit').click()
  const roles = rowOf(sec, 'wangfang').getByTestId('user-row-roles')
  await roles.getByText(`支部书记/党务干事 · ${root.name}`).waitFor()

  // A system role has no organization.
  await rowAction(sec, 'wangfang', 'grant')
  await gd.getByTestId('grant-role').click()
  await sec.getByTestId('role-option-auditor').click()
  assert.equal(await gd.getByTestId('grant-field-org').count(), 0)
  await gd.getByText('该角色作用于全系统').waitFor()
  await gd.getByTestId('grant-submit').click()
  await roles.getByText('审计管理员', { exact: true }).waitFor()
  await shot(sec, 'users-roles')

  // Revoke it again (confirmed).
  await roles.locator('[data-role="auditor"] .el-tag__close').click()
  await confirmBox(sec, '确定撤销「王芳芳」的角色「审计管理员」吗')
  await roles.getByText('审计管理员', { exact: true }).waitFor({ state: 'detached' })
  const detail = await apiJson(srv.base, 'GET', '/users?q=wangfang')
  assert.deepEqual(detail.body.data[0].roles.map((r) => r.role), ['branch_secretary'])
  // End the user's sessions.
  await rowAction(sec, 'wangfang', 'end-sessions')
  await confirmBox(sec, '确定结束「王芳芳」在所有设备上的登录吗')
  await sec.locator('.el-message--success').getByText('已结束「王芳芳」的全部会话').waitFor()
  assert.equal((await s.get('/api/v1/auth/me')).status, 401)
  assert.deepEqual(sec.problems, [])
  await sec.context().close()

  // --- back to the committee administrator: reset the password, then disable ----------------
  await admin.reload()
  await admin.getByTestId('users-search').fill('wangfang')
  await rowOf(admin, 'wangfang').getByText(`支部书记/党务干事 · ${root.name}`).waitFor()
  await rowAction(admin, 'wangfang', 'reset-password')
  await confirmBox(admin, '确定重置「王芳芳」的密码吗')
  const again = await admin.getByTestId('initial-password-dialog').getByTestId('secret-value').inputValue()
  assert.ok(again && again !== initial)
  await admin.getByTestId('initial-password-dialog').getByTestId('secret-close').click()

  await rowAction(admin, 'wangfang', 'disable')
  await confirmBox(admin, '停用后该用户的所有登录会话将结束')
  await rowOf(admin, 'wangfang').getByTestId('user-row-status').getByText('已停用').waitFor()
  await shot(admin, 'users-disabled')
  await assert.rejects(login(srv.base, 'wangfang', again), /403.*account_disabled|403/)
  await rowAction(admin, 'wangfang', 'enable')
  await rowOf(admin, 'wangfang').getByTestId('user-row-status').getByText('正常').waitFor()

  // Paging: the list reports its total.
  await admin.getByTestId('users-search').fill('')
  await admin.getByTestId('users-pager').getByText(/共 \d+ 条/).waitFor()
  await shot(admin, 'users-page')
  await admin.getByTestId('lang-en').click()
  await admin.getByTestId('users-page').getByRole('heading', { name: 'Users and roles' }).waitFor()
  await admin.getByTestId('users-table').getByText('Branch secretary · ' + root.name).waitFor()
  await shot(admin, 'users-page-en')
  await admin.getByTestId('lang-zh').click()
  assert.deepEqual(admin.problems, [])
  await admin.context().close()
})
