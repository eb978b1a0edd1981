// An empty database: the org page says what to do next and creates the top-level committee.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, apiJson } from './lib/server.mjs'
import { launchBrowser, openPage, shot } from './lib/browser.mjs'

let srv, browser

before(async () => {
  srv = await startServer({ demo: false })
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('empty database: offer to create the top-level 党委, then show it', async () => {
  const page = await openPage(browser, {}, srv)
  await page.goto(srv.base + '/orgs')
  const empty = page.getByTestId('org-empty')
  await empty.getByText('还没有党组织').waitFor()
  await shot(page, 'orgs-empty')
  await empty.getByTestId('btn-create-first').click()

  const dlg = page.locator('.el-dialog:visible')
  await dlg.getByText('新建组织').waitFor()
  // only a committee can be top level
  await dlg.getByTestId('field-type').getByText('党委', { exact: true }).waitFor()
  // a bad code is refused by the server and explained under the field
  await dlg.getByTestId('field-code').locator('input').fill('带空格 的编码')
  await dlg.getByTestId('field-name').locator('input').fill('界面测试集团党委')
  await dlg.getByTestId('org-form-submit').click()
  const err = dlg.getByTestId('field-code').locator('.el-form-item__error')
  await err.waitFor()
  assert.ok((await err.textContent()).trim().length > 0)
  await dlg.getByTestId('org-form-error').waitFor()
  await shot(page, 'orgs-empty-field-error')

  await dlg.getByTestId('field-code').locator('input').fill('UI-ROOT')
  await err.waitFor({ state: 'detached' }) // editing the field clears its error
  await dlg.getByTestId('org-form-submit').click()
  await page.locator('.el-message--success').getByText('已创建「界面测试集团党委」').waitFor()
  await page.waitForURL(/\/orgs\/\d+$/)
  const id = Number(new URL(page.url()).pathname.split('/').pop())
  const org = (await apiJson(srv.base, 'GET', `/orgs/${id}`)).body
  assert.equal(org.parent_id, null)
  assert.equal(org.type, 'committee')
  await page.getByTestId('org-name').getByText('界面测试集团党委').waitFor()
  await page.getByTestId(`org-node-${id}`).waitFor()
  await shot(page, 'orgs-first-created')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
