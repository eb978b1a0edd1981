// Member pages against the real server: the list (search, filter, sort, paging, saved filter,
// CSV export), the record and its edit form (inline rule errors with their rule id, the 409 of
// a stale version), the status change into the history archive and the restore. The demo data
// is discovered through the API.
import { test, before, after } from 'node:test'
import { sheetRows } from '../api/lib/xlsx.mjs'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { startServer, apiJson } from './lib/server.mjs'
import { launchBrowser, openPage, shot } from './lib/browser.mjs'
import { confirmBox, as } from './lib/login.mjs'
import { asRole } from '../api/lib/auth.mjs'

let srv, browser, page

const get = async (p) => {
  const r = await apiJson(srv.base, 'GET', p)
  assert.equal(r.status, 200, `GET ${p}: ${JSON.stringify(r.body)}`)
  return r.body
}
const table = () => page.getByTestId('members-table')
const rows = () => table().locator('.el-table__body-wrapper .el-table__row')
const names = () => table().getByTestId('member-row-name').allInnerTexts()
const waitIdle = () => page.waitForFunction(() => !document.querySelector('[data-testid="members-table"] .el-loading-mask:not([style*="display: none"])'))
/** Waits until the table shows exactly `expected` (a list of names) after a reload. */
async function waitNames(expected) {
  await page.waitForFunction((want) => {
    const got = [...document.querySelectorAll('[data-testid="members-table"] [data-testid="member-row-name"]')].map((e) => e.textContent.trim())
    return JSON.stringify(got) === JSON.stringify(want)
  }, expected)
}
async function pick(selectTestId, text) {
  await page.getByTestId(selectTestId).click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first().click()
}

/** A valid GB 11643 number with the given prefix, birth date and gender (1 male, 2 female). */
function idNumber(prefix, birth, gender, seq) {
  const s = String(seq).padStart(2, '0').slice(-2) + String(gender === 1 ? 1 : 2)
  const body = prefix + birth.replaceAll('-', '') + s
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((a, c, i) => a + Number(c) * w[i], 0)
  return body + '10X98765432'[sum % 11]
}

before(async () => {
  srv = await startServer({ members: 60 })
  browser = await launchBrowser()
  page = await openPage(browser, { viewport: { width: 1440, height: 900 }, acceptDownloads: true }, srv)
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('member list: loads, searches by name, filters, sorts and pages', async () => {
  const all = await get('/members?per_page=20')
  await page.goto(srv.base + '/members')
  await page.getByTestId('side-menu').locator('.el-menu-item.is-active').getByText('党员管理').waitFor()
  await waitNames(all.data.map((m) => m.name))
  await page.getByTestId('members-pager').getByText(`共 ${all.meta.total} 条`).waitFor()
  // Masked values in the table.
  await table().getByText(all.data[0].id_number, { exact: true }).first().waitFor()
  assert.match(all.data[0].id_number, /\*{8}/)
  await shot(page, 'members-list')

  // Search by name.
  const who = all.data[3]
  const found = await get('/members?q=' + encodeURIComponent(who.name))
  await page.getByTestId('members-search').fill(who.name)
  await waitNames(found.data.map((m) => m.name))
  assert.ok((await names()).includes(who.name))
  // Nothing matches: the empty state says so.
  await page.getByTestId('members-search').fill('无此人无此人')
  await page.getByTestId('members-empty').getByText('没有符合条件的党员').waitFor()
  await page.getByTestId('members-search').fill('')
  await waitNames(all.data.map((m) => m.name))

  // Filter: probationary members only.
  const prob = await get('/members?category=probationary')
  await pick('filter-category', '预备党员')
  await waitNames(prob.data.map((m) => m.name))
  assert.equal(await table().locator('.el-tag').filter({ hasText: '正式党员' }).count(), 0)
  await page.getByTestId('filter-reset').click()
  await waitNames(all.data.map((m) => m.name))

  // Sort by join date, descending (two clicks on the header).
  const byJoin = await get('/members?sort=-joined_on')
  const header = table().locator('.el-table__header th').filter({ hasText: '入党日期' })
  await header.locator('.sort-caret.descending').click()
  await waitNames(byJoin.data.map((m) => m.name))
  await header.locator('.sort-caret.descending').click() // off again
  await waitNames(all.data.map((m) => m.name))

  // Age ascending = youngest first = birth date descending.
  const young = await get('/members?sort=-birth_date')
  const ageHeader = table().locator('.el-table__header th').filter({ hasText: '年龄' })
  await ageHeader.locator('.sort-caret.ascending').click()
  await waitNames(young.data.map((m) => m.name))
  await ageHeader.locator('.sort-caret.ascending').click()
  await waitNames(all.data.map((m) => m.name))
  // No birth date in the list: with the masked ID number it would rebuild the full number.
  assert.equal(await table().locator('.el-table__header th').filter({ hasText: '出生日期' }).count(), 0)

  // Page 2.
  const p2 = await get('/members?page=2&per_page=20')
  await page.getByTestId('members-pager').locator('.btn-next').click()
  await waitNames(p2.data.map((m) => m.name))
  await page.getByTestId('members-pager').locator('.btn-prev').click()
  await waitNames(all.data.map((m) => m.name))
  assert.deepEqual(page.problems, [])
})

test('member list: a saved filter is applied and deleted; export downloads a CSV', async () => {
  await page.goto(srv.base + '/members')
  await rows().first().waitFor()
  const prob = await get('/members?category=probationary')
  await pick('filter-category', '预备党员')
  await waitNames(prob.data.map((m) => m.name))
  await page.getByTestId('saved-filters-button').click()
  await page.locator('.el-dropdown-menu:visible').getByTestId('saved-filter-save').click()
  await page.locator('.el-message-box input').fill('预备党员')
  await page.locator('.el-message-box .el-button--primary').click()
  await page.getByText('已保存筛选“预备党员”').waitFor()
  const saved = (await get('/member-filters')).data
  assert.equal(saved.length, 1)
  assert.equal(saved[0].params.category, 'probationary')

  // Export what the filter shows: Excel from the button, CSV from its menu.
  const [book] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('member-export').locator('button').first().click(),
  ])
  assert.match(book.suggestedFilename(), /^members-.*\.xlsx$/)
  const sheet = sheetRows(readFileSync(await book.path()))
  assert.equal(sheet.length, 1 + prob.meta.total, 'a header row and one row per probationary member')
  assert.equal(sheet[0][0], '姓名')
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    (async () => {
      await page.getByTestId('member-export').locator('.el-dropdown__caret-button').click()
      await page.locator('.el-dropdown-menu:visible').getByTestId('member-export-csv').click()
    })(),
  ])
  const csv = readFileSync(await download.path(), 'utf8')
  assert.ok(csv.startsWith('\uFEFF'), 'UTF-8 BOM')
  const lines = csv.trim().split(/\r?\n/)
  assert.equal(lines.length, 1 + prob.meta.total, 'a header line and one line per probationary member')
  assert.match(download.suggestedFilename(), /^members-.*\.csv$/)

  // Full values: only after a confirmation that the export is audited.
  const [full] = await Promise.all([
    page.waitForEvent('download'),
    (async () => {
      await page.getByTestId('member-export').locator('.el-dropdown__caret-button').click()
      await page.locator('.el-dropdown-menu:visible').getByTestId('member-export-reveal').click()
      await confirmBox(page, '记入审计日志')
    })(),
  ])
  const fullCsv = readFileSync(await full.path(), 'utf8')
  assert.equal(fullCsv.trim().split(/\r?\n/).length, lines.length)
  assert.ok(!fullCsv.includes('********'), 'full ID numbers')

  // Clear, then apply the saved filter.
  await page.getByTestId('filter-reset').click()
  await waitNames((await get('/members')).data.map((m) => m.name))
  await page.getByTestId('saved-filters-button').click()
  await page.locator('.el-dropdown-menu:visible').getByTestId('saved-filter').filter({ hasText: '预备党员' }).click()
  await waitNames(prob.data.map((m) => m.name))
  // Delete it.
  await page.getByTestId('saved-filters-button').click()
  await page.locator('.el-dropdown-menu:visible').getByTestId('saved-filter-delete').click()
  await confirmBox(page, '删除保存的筛选“预备党员”？')
  await page.waitForFunction(async () => true)
  for (let i = 0; i < 50 && (await get('/member-filters')).data.length; i++) await new Promise((r) => setTimeout(r, 100))
  assert.equal((await get('/member-filters')).data.length, 0)
})

test('member record: open, edit with a wrong check digit → inline ID-02, fix → saved; stale edit → 409', async () => {
  const first = (await get('/members?per_page=5')).data[2]
  const m = await get('/members/' + first.id)
  await page.goto(srv.base + '/members?q=' + encodeURIComponent(m.name))
  assert.equal(await page.getByTestId('members-search').inputValue(), m.name)
  await rows().filter({ hasText: m.name }).first().click()
  await page.waitForURL(new RegExp(`/members/${m.id}$`))
  await page.getByTestId('member-name').getByText(m.name).waitFor()
  await page.getByTestId('member-section-contact').getByText(m.phone).waitFor()
  await shot(page, 'member-detail')

  // Reveal the phone (audited).
  await page.getByTestId('secret-phone').getByTestId('secret-reveal').click()
  await confirmBox(page, '记入审计日志')
  await page.getByTestId('secret-phone').getByTestId('secret-value').getByText(/^1\d{10}$/).waitFor()

  // The birth date is masked with the ID number (decision 0011) and revealed the same way.
  assert.match(m.birth_date, /^\d{4}-\*\*-\*\*$/)
  await page.getByTestId('secret-birth_date').getByTestId('secret-value').getByText(m.birth_date).waitFor()
  await page.getByTestId('secret-birth_date').getByTestId('secret-reveal').click()
  await confirmBox(page, '记入审计日志')
  const bornAt = page.getByTestId('secret-birth_date').getByTestId('secret-value').getByText(/^\d{4}-\d{2}-\d{2}$/)
  await bornAt.waitFor()
  const born = await bornAt.textContent()
  assert.equal(born.slice(0, 4), m.birth_date.slice(0, 4))

  const good = idNumber(m.id_number.slice(0, 6), born, m.gender, 37 + (m.id % 50))
  const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0')
  await page.getByTestId('member-edit').click()
  const dlg = page.getByTestId('member-dialog')
  await dlg.getByTestId('member-input-id_number').fill(bad)
  await dlg.getByTestId('member-input-job').fill('支部委员')
  await dlg.getByTestId('member-submit').click()
  await dlg.getByTestId('member-field-id_number').locator('.el-form-item__error').getByText(/ID-02/).waitFor()
  await dlg.getByTestId('member-form-error').waitFor()
  await shot(page, 'member-edit-error')
  await dlg.getByTestId('member-input-id_number').fill(good)
  await dlg.getByTestId('member-submit').click()
  await dlg.waitFor({ state: 'hidden' })
  await page.getByTestId('member-value-job').getByText('支部委员').waitFor()
  const after = await get('/members/' + m.id)
  assert.equal(after.version, m.version + 1)
  assert.equal(after.id_number.slice(-4), good.slice(-4))

  // Someone else saves meanwhile: the dialog's version is stale.
  await page.getByTestId('member-edit').click()
  await dlg.getByTestId('member-input-job').fill('组织委员')
  const other = await apiJson(srv.base, 'PATCH', '/members/' + m.id, { version: after.version, title: '测试经济师' })
  assert.equal(other.status, 200, JSON.stringify(other.body))
  assert.equal(other.body.version, after.version + 1)
  await dlg.getByTestId('member-submit').click()
  await dlg.getByTestId('member-form-error').getByText('该记录已被他人修改').waitFor()
  await dlg.getByTestId('member-form-reload').click()
  await page.getByTestId('member-value-title').getByText('测试经济师').waitFor()
  await dlg.getByTestId('member-input-job').fill('组织委员')
  await dlg.getByTestId('member-submit').click()
  await dlg.waitFor({ state: 'hidden' })
  await page.getByTestId('member-value-job').getByText('组织委员').waitFor()
  // Back to the list it came from, with its search.
  await page.getByTestId('member-back').click()
  await page.waitForURL(/\/members\?q=/)
  assert.equal(await page.getByTestId('members-search').inputValue(), m.name)
  await rows().filter({ hasText: m.name }).first().waitFor()
  assert.deepEqual(page.problems, [])
})

test('new member: the form creates a member and opens the record', async () => {
  const some = (await get('/members?per_page=1')).data[0]
  const org = await get('/orgs/' + some.org_id)
  await page.goto(srv.base + '/members')
  await page.getByTestId('member-new').click()
  const dlg = page.getByTestId('member-dialog')
  await dlg.getByTestId('member-submit').click()
  await dlg.getByTestId('member-field-org_id').locator('.el-form-item__error').waitFor()
  await dlg.getByTestId('member-field-org_id').locator('input').fill(org.code)
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: org.code }).first().click()
  await dlg.getByTestId('member-input-name').fill('新党员测试')
  await dlg.getByTestId('member-field-gender').locator('.el-select').click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: /^女$/ }).click()
  for (const [k, v] of [['birth_date', '1992-05-01'], ['applied_on', '2024-01-10'], ['joined_on', '2026-03-01']]) {
    await dlg.getByTestId('member-field-' + k).locator('input').fill(v)
    await dlg.getByTestId('member-field-' + k).locator('input').press('Enter')
  }
  await dlg.getByTestId('member-submit').click()
  await page.waitForURL(/\/members\/\d+$/)
  await page.getByTestId('member-name').getByText('新党员测试').waitFor()
  const id = Number(page.url().split('/').pop())
  const m = await get('/members/' + id)
  assert.equal(m.org_id, some.org_id)
  assert.equal(m.gender, 2)
  assert.equal(m.joined_on, '2026-03-01')
  assert.equal(m.category, 'probationary')

  // A party post: add, correct, end, delete.
  const posts = page.getByTestId('member-posts')
  await posts.getByTestId('post-add').click()
  await posts.getByTestId('post-code').click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: /^组织委员$/ }).click()
  await posts.locator('.el-date-editor input').fill('2026-04-01')
  await posts.locator('.el-date-editor input').press('Enter')
  await posts.getByTestId('post-save').click()
  await posts.locator('.el-table__row').filter({ hasText: '组织委员' }).getByText('现任').waitFor()
  // Correct the start date (a typing mistake): the same form, filled in.
  await posts.getByTestId('post-edit').click()
  const started = posts.getByTestId('post-form').locator('.el-date-editor input').first()
  assert.equal(await started.inputValue(), '2026-04-01')
  await started.fill('2026-04-03')
  await started.press('Enter')
  await posts.getByTestId('post-save').click()
  await posts.locator('.el-table__row').filter({ hasText: '2026-04-03' }).waitFor()
  assert.equal((await get('/members/' + id)).posts[0].started_on, '2026-04-03')
  await posts.locator('.el-table__row').getByText('免职').click()
  await page.locator('.el-message-box .el-button--primary').click()
  await posts.locator('.el-table__row').getByText('现任').waitFor({ state: 'detached' })
  assert.ok((await get('/members/' + id)).posts[0].ended_on)
  await posts.getByTestId('post-delete').click()
  await confirmBox(page, '组织委员')
  await posts.locator('.el-table__row').waitFor({ state: 'detached' })

  // A reward: add, correct, delete.
  const awards = page.getByTestId('member-awards')
  await awards.getByTestId('award-add').click()
  await awards.getByTestId('award-code').click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '优秀共产党员' }).click()
  await awards.getByTestId('award-title').fill('2026年度优秀共产党员')
  await awards.locator('.el-date-editor input').first().fill('2026-07-01')
  await awards.locator('.el-date-editor input').first().press('Enter')
  await awards.getByTestId('award-by').fill('机关党委')
  await awards.getByTestId('award-save').click()
  await awards.locator('.el-table__row').filter({ hasText: '2026年度优秀共产党员' }).waitFor()
  // Correct the deciding body.
  await awards.getByTestId('award-edit').click()
  assert.equal(await awards.getByTestId('award-by').inputValue(), '机关党委')
  await awards.getByTestId('award-by').fill('集团党委')
  await shot(page, 'member-award-edit')
  await awards.getByTestId('award-save').click()
  await awards.locator('.el-table__row').filter({ hasText: '集团党委' }).waitFor()
  const aw = (await get('/members/' + id)).awards
  assert.deepEqual([aw.length, aw[0].decided_by, aw[0].title], [1, '集团党委', '2026年度优秀共产党员'])
  await awards.locator('.el-table__row').getByText('删除').click()
  await confirmBox(page, '2026年度优秀共产党员')
  await awards.locator('.el-table__row').waitFor({ state: 'detached' })
  assert.equal((await get('/members/' + id)).awards.length, 0)

  // Photo: upload a PNG, then remove it after a confirmation.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
  await page.getByTestId('photo-input').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png })
  await page.getByTestId('member-photo').locator('img').waitFor()
  assert.equal((await get('/members/' + id)).has_photo, true)
  await page.getByTestId('member-photo').getByText('删除照片').click()
  await confirmBox(page, '删除 新党员测试 的照片？')
  await page.getByTestId('member-photo').locator('img').waitFor({ state: 'detached' })
  assert.equal((await get('/members/' + id)).has_photo, false)
  assert.deepEqual(page.problems, [])
})

test('archive: a member transferred out appears in the history archive and is restored with a reason', async () => {
  const m = (await get('/members?per_page=5')).data[4]
  await page.goto(`${srv.base}/members/${m.id}`)
  await page.getByTestId('member-change-status').click()
  const dlg = page.getByTestId('member-status-dialog')
  await dlg.getByTestId('status-to').click()
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '已转出' }).click()
  await dlg.getByTestId('status-reason').fill('转往外省工作')
  await dlg.getByTestId('status-submit').click()
  await confirmBox(page, '转入历史档案')
  await page.getByTestId('member-archived-note').waitFor()
  await page.getByTestId('member-status').getByText('已转出').waitFor()
  assert.equal(await page.getByTestId('member-edit').count(), 0, 'an archived record is read-only')

  await page.getByTestId('member-back').click()
  await page.waitForURL(/\/members\/archive$/)
  await page.getByTestId('archive-search').fill(m.name)
  const row = page.getByTestId('archive-table').locator('.el-table__row').filter({ hasText: m.name })
  await row.getByText('转往外省工作').waitFor()
  await shot(page, 'members-archive')
  await row.getByTestId('archive-restore').click()
  const box = page.locator('.el-message-box')
  await box.locator('.el-button--primary').click() // no reason yet
  await box.getByText('请填写恢复原因').waitFor()
  await box.locator('input').fill('回本单位工作')
  await box.locator('.el-button--primary').click()
  await page.getByText(`已恢复 ${m.name}`).waitFor()
  await row.waitFor({ state: 'detached' })
  const back = await get('/members/' + m.id)
  assert.equal(back.status, 'normal')
  assert.equal(back.status_log[0].reason, '回本单位工作')
  assert.deepEqual(page.problems, [])
})

test('a leader (member.read only) reads the list and the record without write, export or reveal', async () => {
  const session = await asRole({ url: srv.db, base: srv.base }, 'leader')
  const p = await openPage(browser, { viewport: { width: 1440, height: 900 } }, as(srv, session))
  await p.goto(srv.base + '/members')
  await p.getByTestId('members-table').locator('.el-table__row').first().waitFor()
  for (const id of ['member-new', 'member-export']) assert.equal(await p.getByTestId(id).count(), 0, id)
  await p.getByTestId('members-table').locator('.el-table__row').first().click()
  await p.getByTestId('member-name').waitFor()
  for (const id of ['member-edit', 'member-change-status', 'secret-reveal', 'post-add', 'award-add']) assert.equal(await p.getByTestId(id).count(), 0, id)
  assert.deepEqual(p.problems, [])
  await p.context().close()
})

test('member pages in English', async () => {
  const en = await openPage(browser, { viewport: { width: 1440, height: 900 } }, srv)
  await en.addInitScript(() => localStorage.setItem('dj.locale', 'en'))
  await en.goto(srv.base + '/members')
  await en.getByRole('heading', { name: 'Members' }).waitFor()
  await en.getByTestId('members-table').locator('.el-table__row').first().waitFor()
  await en.getByPlaceholder('Name; exact: full ID no. or mobile').waitFor()
  await shot(en, 'members-list-en')
  const id = (await get('/members?per_page=1')).data[0].id
  await en.goto(`${srv.base}/members/${id}`)
  await en.getByTestId('member-section-basic').getByText('Basic information').waitFor()
  await shot(en, 'member-detail-en')
  assert.deepEqual(en.problems, [])
})
