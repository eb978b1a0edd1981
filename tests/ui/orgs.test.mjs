// Organization page against the real server: lazy tree, selection and deep links, search,
// create / edit / move / dissolve, inline field errors from the API, the 409 on dissolve.
// The demo data is discovered through the API, so the test does not depend on its names.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, apiJson } from './lib/server.mjs'
import { launchBrowser, openPage, shot } from './lib/browser.mjs'

let srv, browser, page
let root, rootChildren, branchParent, grandchild

const get = async (p) => {
  const r = await apiJson(srv.base, 'GET', p)
  assert.equal(r.status, 200, `GET ${p}: ${JSON.stringify(r.body)}`)
  return r.body
}
const treeRow = (id) => page.locator('.el-tree-node__content', { has: page.getByTestId(`org-node-${id}`) })
const detailName = () => page.getByTestId('org-name')
const dialog = () => page.locator('.el-dialog:visible')

async function openOrg(id) {
  await page.goto(`${srv.base}/orgs/${id}`)
  await page.locator(`[data-testid="org-detail"][data-org-id="${id}"]`).waitFor()
}

before(async () => {
  srv = await startServer()
  browser = await launchBrowser()
  page = await openPage(browser, {}, srv)
  const roots = (await get('/orgs?parent_id=root')).data
  assert.ok(roots.length > 0, 'the demo data has a top-level organization')
  root = roots[0]
  rootChildren = (await get(`/orgs/${root.id}/children`)).data
  assert.ok(rootChildren.length > 0, 'the top-level organization has children')
  branchParent = rootChildren.find((c) => c.child_count > 0)
  assert.ok(branchParent, 'some child of the root has children of its own')
  grandchild = (await get(`/orgs/${branchParent.id}/children`)).data[0]
})

after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('org page opens on the top-level organization; the tree expands lazily', async () => {
  await page.goto(srv.base + '/orgs')
  await page.waitForURL(new RegExp(`/orgs/${root.id}$`))
  await detailName().getByText(root.name, { exact: true }).waitFor()
  await page.getByTestId('org-type').getByText('党委').waitFor()
  // member counts as returned by the API (rolled up)
  await page.getByTestId('org-members').getByText(String(root.members.total), { exact: true }).waitFor()

  await treeRow(root.id).locator('.el-tree-node__expand-icon').click()
  for (const c of rootChildren) await page.getByTestId(`org-node-${c.id}`).waitFor()
  await shot(page, 'orgs-tree-expanded')
})

test('selecting an org shows its details and the breadcrumb of ancestors', async () => {
  await page.getByTestId(`org-node-${branchParent.id}`).click()
  await page.waitForURL(new RegExp(`/orgs/${branchParent.id}$`))
  await detailName().getByText(branchParent.name, { exact: true }).waitFor()
  await page.getByTestId('org-breadcrumb').getByText(root.name).waitFor()
  const full = await get(`/orgs/${branchParent.id}`)
  // rule warnings: rule id, level and message (a trailing "（RULE）" is shown once, as the id)
  for (const w of full.warnings || []) {
    const alert = page.locator(`[data-testid="org-warning"][data-rule="${w.rule}"]`).first()
    await alert.getByText(w.rule, { exact: true }).waitFor()
    const text = w.message.replace(/\s*[（(]\s*[A-Z]+-\d+\s*[）)]\s*$/, '')
    assert.ok((await alert.textContent()).includes(text), `warning ${w.rule} shows "${text}"`)
  }
  // children table
  await page.getByTestId('org-children').getByText(grandchild.name, { exact: true }).waitFor()
  await shot(page, 'orgs-detail')
})

test('a deep link opens the tree down to the org', async () => {
  await openOrg(grandchild.id)
  await detailName().getByText(grandchild.name, { exact: true }).waitFor()
  await page.locator('.el-tree-node.is-current > .el-tree-node__content', { has: page.getByTestId(`org-node-${grandchild.id}`) }).waitFor()
  const crumbs = page.getByTestId('org-breadcrumb')
  await crumbs.getByText(root.name).waitFor()
  await crumbs.getByText(branchParent.name).waitFor()
  const full = await get(`/orgs/${grandchild.id}`)
  assert.deepEqual(full.ancestors.map((a) => a.id).slice(0, 2), [root.id, branchParent.id])
  await page.getByTestId('org-fields').getByText(full.code, { exact: true }).waitFor()
  if (full.term_end) await page.getByTestId('org-term').getByText(full.term_end, { exact: false }).waitFor()
  await page.waitForTimeout(400) // let the tree's expand animation finish for the screenshot
  await shot(page, 'orgs-deep-link')
})

test('search finds orgs by name and code', async () => {
  await openOrg(root.id)
  const search = page.getByTestId('org-search')
  await search.fill(grandchild.name)
  const results = page.getByTestId('org-search-results')
  await results.getByText(grandchild.name, { exact: true }).first().waitFor()
  await shot(page, 'orgs-search')
  await results.getByTestId('org-search-result').filter({ hasText: grandchild.name }).first().click()
  await page.waitForURL(new RegExp(`/orgs/${grandchild.id}$`))
  await detailName().getByText(grandchild.name, { exact: true }).waitFor()

  await search.fill(branchParent.code)
  await results.getByText(branchParent.code, { exact: true }).first().waitFor()
  await search.fill('不存在的组织名称XYZ')
  await results.getByText('没有匹配的组织').waitFor()
  await search.fill('')
  await page.getByTestId('org-tree').waitFor({ state: 'visible' })
})

const NEW_CODE = 'UI-T1'
let created

test('create a child org; a duplicate code shows the API field error inline', async () => {
  await openOrg(root.id)
  await page.getByTestId('btn-create-child').click()
  const dlg = dialog()
  await dlg.getByText(`在「${root.name}」下新建组织`).waitFor()
  await dlg.getByTestId('field-code').locator('input').fill(NEW_CODE)
  await dlg.getByTestId('field-name').locator('input').fill('界面测试党支部')
  await dlg.getByTestId('field-founded_on').locator('input').fill('2024-07-01')
  await dlg.getByTestId('field-founded_on').locator('input').press('Enter')
  await dlg.getByTestId('field-term_start').locator('input').fill('2024-07-01')
  await dlg.getByTestId('field-term_start').locator('input').press('Enter')
  await shot(page, 'orgs-create-form')
  await dlg.getByTestId('org-form-submit').click()
  await page.locator('.el-message--success').getByText('已创建「界面测试党支部」').waitFor()
  await page.waitForURL((u) => /\/orgs\/\d+$/.test(u.pathname) && !u.pathname.endsWith(`/${root.id}`))
  const id = Number(new URL(page.url()).pathname.split('/').pop())
  created = await get(`/orgs/${id}`)
  assert.equal(created.parent_id, root.id)
  assert.equal(created.code, NEW_CODE)
  assert.equal(created.type, 'branch')
  assert.equal(created.founded_on, '2024-07-01')
  assert.equal(created.term_start, '2024-07-01')
  await detailName().getByText('界面测试党支部').waitFor()
  await page.getByTestId(`org-node-${id}`).waitFor() // the new node is in the tree under its parent
  await shot(page, 'orgs-created')

  // The same code again: the server refuses and the message sits under the code field.
  await page.getByTestId('org-breadcrumb').getByText(root.name).click()
  await page.locator(`[data-testid="org-detail"][data-org-id="${root.id}"]`).waitFor()
  await page.getByTestId('btn-create-child').click()
  await dlg.getByTestId('field-code').locator('input').fill(NEW_CODE)
  await dlg.getByTestId('field-name').locator('input').fill('重复编码党支部')
  await dlg.getByTestId('org-form-submit').click()
  const err = dlg.getByTestId('field-code').locator('.el-form-item__error')
  await err.waitFor()
  const text = (await err.textContent()).trim()
  assert.ok(text.length > 0, 'field error text')
  // it is the server's own message for that field
  const direct = await apiJson(srv.base, 'POST', '/orgs', { parent_id: root.id, code: NEW_CODE, name: '重复编码党支部', type: 'branch' })
  assert.ok([400, 409].includes(direct.status), `duplicate code status ${direct.status}`)
  assert.equal(text, direct.body.error.fields?.code)
  await shot(page, 'orgs-field-error')
  await dlg.getByTestId('org-form-cancel').click()
  await dlg.waitFor({ state: 'hidden' })
})

test('edit an org', async () => {
  await openOrg(created.id)
  await page.getByTestId('btn-edit').click()
  const dlg = dialog()
  const name = dlg.getByTestId('field-name').locator('input')
  assert.equal(await name.inputValue(), '界面测试党支部')
  await name.fill('界面测试第二党支部')
  await dlg.getByTestId('org-form-submit').click()
  await page.locator('.el-message--success').getByText('已保存「界面测试第二党支部」').waitFor()
  await detailName().getByText('界面测试第二党支部').waitFor()
  await page.getByTestId(`org-node-${created.id}`).getByText('界面测试第二党支部').waitFor()
  assert.equal((await get(`/orgs/${created.id}`)).name, '界面测试第二党支部')
})

test('dissolving an org with children shows the 409 message; an empty one goes after confirming', async () => {
  await openOrg(root.id)
  await page.getByTestId('btn-dissolve').click()
  const box = page.locator('.dj-dissolve-confirm')
  await box.getByText(`确定撤销「${root.name}」吗`).waitFor()
  await shot(page, 'orgs-dissolve-confirm')
  await box.getByRole('button', { name: '撤销' }).click()
  const toast = page.locator('.dj-error-toast')
  await toast.waitFor()
  const direct = await apiJson(srv.base, 'DELETE', `/orgs/${root.id}`)
  assert.equal(direct.status, 409)
  assert.equal((await toast.locator('.el-message__content').textContent()).trim(), direct.body.error.message)
  await shot(page, 'orgs-dissolve-409')
  assert.equal((await apiJson(srv.base, 'GET', `/orgs/${root.id}`)).status, 200)

  // cancelling keeps the org
  await openOrg(created.id)
  await page.getByTestId('btn-dissolve').click()
  await box.getByRole('button', { name: '取消' }).click()
  await box.waitFor({ state: 'hidden' })
  assert.equal((await apiJson(srv.base, 'GET', `/orgs/${created.id}`)).status, 200)

  // confirming removes it
  await page.getByTestId('btn-dissolve').click()
  await box.getByRole('button', { name: '撤销' }).click()
  await page.locator('.el-message--success').getByText('已撤销「界面测试第二党支部」').waitFor()
  await page.waitForURL(new RegExp(`/orgs/${root.id}$`))
  assert.equal((await apiJson(srv.base, 'GET', `/orgs/${created.id}`)).status, 404)
  await page.getByTestId(`org-node-${created.id}`).waitFor({ state: 'detached' })
})

test('move an org under a new parent', async (t) => {
  const target = rootChildren.find((c) => c.type === 'general_branch') || rootChildren.find((c) => c.type === 'committee')
  if (!target) return t.skip('no general branch or committee under the root in the demo data')
  const made = await apiJson(srv.base, 'POST', '/orgs', { parent_id: root.id, code: 'UI-MV', name: '界面移动测试党支部', type: 'branch' })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  await openOrg(made.body.id)
  await page.getByTestId('btn-move').click()
  const dlg = dialog()
  await dlg.getByText('移动「界面移动测试党支部」').waitFor()
  await dlg.getByTestId('move-target').click()
  await page.keyboard.type(target.name)
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: target.name }).first().click()
  await shot(page, 'orgs-move')
  await dlg.getByTestId('org-move-submit').click()
  await page.locator('.el-message--success').getByText('已将「界面移动测试党支部」移至新的上级组织').waitFor()
  const moved = await get(`/orgs/${made.body.id}`)
  assert.equal(moved.parent_id, target.id)
  await page.getByTestId('org-breadcrumb').getByText(target.name).waitFor()
  await page.locator('.el-tree-node.is-current', { has: page.getByTestId(`org-node-${made.body.id}`) }).waitFor()
})

test('export downloads the subtree as a CSV named after the org', async () => {
  await openOrg(root.id)
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('btn-export').click()])
  assert.match(download.suggestedFilename(), new RegExp(`^orgs-${root.code}-\\d{4}-\\d{2}-\\d{2}\\.csv$`))
  const path = await download.path()
  const { readFileSync } = await import('node:fs')
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '')
  assert.match(text.split('\r\n')[0], /^层级,组织名称,组织编码/)
  assert.ok(text.includes(root.name))
})

test('the page ran without script errors', () => {
  assert.deepEqual(page.problems, [])
})
