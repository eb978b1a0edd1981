// The audit log page (audit.read): entries written by other users' actions are listed, the
// filters narrow them, CSV export downloads, and "verify now" runs the verification job with
// progress and reports the log intact. Needs the audit API (GET /api/v1/audit ...); skipped with
// a note when the server does not have it yet.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { startServer, apiJson } from './lib/server.mjs'
import { launchBrowser, openPage, shot } from './lib/browser.mjs'
import { asRole, createUser } from '../api/lib/auth.mjs'
import { as } from './lib/login.mjs'

let srv, browser

before(async () => {
  srv = await startServer({ members: 30 })
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('audit log: entries listed, filtered, exported; verify reports intact', async (t) => {
  const auditor = await asRole({ url: srv.db, base: srv.base }, 'auditor')
  const probe = await auditor.get('/api/v1/audit?per_page=1')
  if (probe.status === 404) {
    t.skip('GET /api/v1/audit is not on this branch yet')
    return
  }
  assert.equal(probe.status, 200, JSON.stringify(probe.body))

  // Some actions to find: a user created by the administrator, a failed log-in.
  const created = await apiJson(srv.base, 'POST', '/users', { username: 'shenji1', display_name: '审计对象' })
  assert.equal(created.status, 201)
  createUser(srv.db, 'shenji2', { displayName: '另一人' })
  const bad = await fetch(srv.base + '/api/v1/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: 'shenji2', password: 'wrong-password' }),
  })
  assert.equal(bad.status, 401)

  const page = await openPage(browser, {}, as(srv, auditor))
  await page.goto(srv.base + '/')
  // An auditor's home is the audit log; the menu offers no user administration.
  await page.waitForURL(/\/admin\/audit$/)
  assert.equal(await page.getByTestId('side-menu').getByText('用户与角色').count(), 0)
  const table = page.getByTestId('audit-table')
  const userCreate = table.locator('.el-table__row').filter({ hasText: `user:${created.body.id}` }).filter({ hasText: '新建用户' })
  await userCreate.waitFor()
  await table.locator('.el-table__row').filter({ hasText: '登录失败' }).first().waitFor()
  await page.getByTestId('audit-pager').getByText(/共 \d+ 条/).waitFor()
  await shot(page, 'audit-page')

  // Filter by action group: only log-in entries remain.
  await page.getByTestId('filter-action').click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '登录（全部）' }).click()
  await table.locator('.el-table__row').filter({ hasText: '新建用户' }).waitFor({ state: 'detached' })
  const codes = await table.getByTestId('audit-action-code').allTextContents()
  assert.ok(codes.length > 0 && codes.every((a) => a.startsWith('login.')), codes.join(','))
  // Clicking an object filters by it.
  await page.getByTestId('audit-reset').click()
  await userCreate.locator('a', { hasText: `user:${created.body.id}` }).click()
  assert.equal(await page.getByTestId('filter-object').inputValue(), `user:${created.body.id}`)
  await table.locator('.el-table__row').filter({ hasText: '登录失败' }).first().waitFor({ state: 'detached' })
  await table.getByText('新建用户').first().waitFor()

  // A free-text search that matches nothing says so.
  await page.getByTestId('audit-reset').click()
  await page.getByTestId('filter-q').fill('没有这样的内容XYZ')
  await page.getByTestId('audit-search').click()
  await page.getByText('没有符合条件的审计记录').waitFor()
  await page.getByTestId('audit-reset').click()

  // CSV export (auditors hold audit.export).
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export').click()])
  assert.match(download.suggestedFilename(), /^audit-.*\.csv$/)
  const csv = await readFile(await download.path(), 'utf8')
  assert.ok(csv.startsWith('\ufeff序号'), csv.slice(0, 40))
  assert.match(csv, /user\.create/)

  // Verify now: a job with progress, then the verdict.
  await page.getByTestId('verify-now').click()
  const result = page.getByTestId('verify-result')
  await result.getByText('审计日志完整').waitFor({ timeout: 20000 })
  assert.equal(await result.getAttribute('data-ok'), 'true')
  await page.getByTestId('audit-verify').getByText(/共 \d+ 条记录/).waitFor()
  await shot(page, 'audit-verified')

  await page.getByTestId('lang-en').click()
  await page.getByTestId('verify-result').getByText('The audit log is intact').waitFor()
  await page.getByTestId('audit-table').getByText('User created').first().waitFor()
  await shot(page, 'audit-page-en')
  await page.getByTestId('lang-zh').click()
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
