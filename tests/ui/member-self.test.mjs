// Self-service change requests in the browser (issue 5 §7): on a phone a member sees their own
// record (masked), asks for a phone change with a bad number (inline error with the rule id),
// fixes it and submits; on the desktop the branch secretary sees the pending request with the
// current and proposed values and approves it; the member then sees it approved, with the
// record changed. An account without a member record gets a friendly empty state.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer } from './lib/server.mjs'
import { launchBrowser, openPage, shot } from './lib/browser.mjs'
import { as, confirmBox } from './lib/login.mjs'
import { asRole } from '../api/lib/auth.mjs'

let srv, browser, branch, member, memberS, secS
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
const DESKTOP = { viewport: { width: 1440, height: 900 } }

function idNumber(birth, seq) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const body = `320102${birth.replace(/-/g, '')}${String(seq).padStart(3, '0')}`
  const s = [...body].reduce((acc, d, i) => acc + Number(d) * w[i], 0)
  return body + '10X98765432'[s % 11]
}

before(async () => {
  srv = await startServer({ members: 60 })
  browser = await launchBrowser()
  const dbSrv = { url: srv.db, base: srv.base }
  branch = (await srv.session.get('/api/v1/orgs?type=branch&per_page=10')).body.data[0]
  const r = await srv.session.post('/api/v1/members', {
    org_id: branch.id, name: '李自助', gender: 1, education: '21', category: 'full', birth_date: '1990-03-15',
    joined_on: '2014-06-30', full_on: '2015-06-30', id_number: idNumber('1990-03-15', 511),
    phone: '13912345678', address: '江苏省南京市玄武区中山路1号', job: '工程师', work_unit: '南京市某局',
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  member = r.body
  memberS = await asRole(dbSrv, 'member', null, { memberId: member.id })
  secS = await asRole(dbSrv, 'branch_secretary', branch.code)
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('member requests a phone change on the phone, the secretary approves it on the desktop', async () => {
  const page = await openPage(browser, PHONE, as(srv, memberS))
  await page.goto(srv.base + '/m/me')
  await page.getByTestId('m-my-record').click()
  await page.waitForURL(/\/m\/me\/record$/)
  await page.getByTestId('m-field-name').getByText('李自助').waitFor()
  await page.getByTestId('m-field-phone').getByText('139****5678').waitFor()
  await page.getByTestId('m-field-education').getByText('大学本科毕业').waitFor()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `horizontal overflow ${overflow}px`)
  await shot(page, 'member-self-record-phone')

  // a bad mobile number: the API's message (with its rule id) under the field
  await page.getByTestId('m-request-change').click()
  const form = page.getByTestId('m-request-form')
  await form.getByTestId('m-input-phone').locator('input').fill('12345')
  await form.getByTestId('m-input-job').locator('input').fill('科长')
  await form.getByTestId('m-input-note').locator('textarea').fill('换了手机号')
  await form.getByTestId('m-request-submit').click()
  await form.getByTestId('m-input-phone').locator('.van-field__error-message').getByText(/ID-07/).waitFor()
  await shot(page, 'member-self-request-error-phone')
  await form.getByTestId('m-input-phone').locator('input').fill('139 0000 1111')
  await form.getByTestId('m-request-submit').click()
  await form.waitFor({ state: 'hidden' })
  const req = page.locator('[data-request]').first()
  await req.getByTestId('m-req-state').getByText('待审核').waitFor()
  await req.getByText('139****5678 → 139****1111').waitFor()
  await req.getByText('工程师 → 科长').waitFor()
  assert.equal(await page.getByTestId('m-request-change').isDisabled(), true, 'one pending request at a time')
  await page.getByTestId('m-field-phone').getByText('139****5678').waitFor() // unchanged until approved
  await shot(page, 'member-self-pending-phone')

  // the secretary, on the desktop
  const desk = await openPage(browser, DESKTOP, as(srv, secS))
  await desk.goto(srv.base + '/member-requests')
  const row = desk.getByTestId('requests-table').locator('.el-table__row').filter({ hasText: '李自助' })
  await row.getByTestId('request-state').getByText('待审核').waitFor()
  await row.getByTestId('request-view').click()
  const dlg = desk.getByTestId('request-dialog')
  const changes = dlg.getByTestId('request-changes')
  await changes.getByText('139****1111').waitFor()
  await changes.getByText('139****5678').waitFor()
  await dlg.getByTestId('request-history').getByText('换了手机号').waitFor()
  await shot(desk, 'member-requests-dialog')
  // rejecting needs a comment (checked before asking)
  await dlg.getByTestId('request-reject').click()
  await dlg.getByTestId('request-comment-error').waitFor()
  await dlg.getByTestId('request-comment').fill('已核实')
  await dlg.getByTestId('request-approve').click()
  await confirmBox(desk, '李自助')
  await desk.locator('.el-message--success').waitFor()
  await row.waitFor({ state: 'detached' })
  await desk.getByTestId('requests-state').getByText('已通过').click()
  await desk.getByTestId('requests-table').locator('.el-table__row').filter({ hasText: '李自助' }).getByText('已通过').waitFor()
  await shot(desk, 'member-requests-approved')
  assert.deepEqual(desk.problems, [])
  await desk.context().close()

  // the member sees it approved, with the secretary's comment, and the record changed
  await page.reload()
  await page.getByTestId('m-field-phone').getByText('139****1111').waitFor()
  await page.getByTestId('m-field-job').getByText('科长').waitFor()
  const done = page.locator('[data-request]').first()
  await done.getByTestId('m-req-state').getByText('已通过').waitFor()
  await done.locator('[data-action="approved"]').getByText('已核实').waitFor()
  await done.getByText('139****1111', { exact: true }).waitFor()
  await done.scrollIntoViewIfNeeded()
  await shot(page, 'member-self-approved-phone')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('a member cancels a pending request after confirming; English labels', async () => {
  const page = await openPage(browser, PHONE, as(srv, memberS))
  await page.goto(srv.base + '/m/me/record')
  await page.getByTestId('m-request-change').click()
  const form = page.getByTestId('m-request-form')
  await form.getByTestId('m-input-education').click()
  const picker = page.locator('.van-picker')
  await picker.waitFor()
  await page.waitForTimeout(500) // the popup slides in
  await picker.getByText('大学本科结业', { exact: true }).click()
  await page.waitForTimeout(600) // the column scrolls to the option (a neighbour of the current one: the column shows five)
  await page.locator('.van-picker__confirm').click()
  await form.getByTestId('m-input-education').locator('input').evaluate((el) => el.value).then((v) => assert.equal(v, '大学本科结业'))
  await form.getByTestId('m-request-submit').click()
  await form.waitFor({ state: 'hidden' })
  const req = page.locator('[data-request]').first()
  await req.getByText('大学本科毕业 → 大学本科结业').waitFor()
  await req.getByTestId('m-req-cancel').click()
  await page.locator('.van-dialog__confirm').click()
  await req.getByTestId('m-req-state').getByText('已撤回').waitFor()

  await page.getByTestId('m-lang').click()
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByTestId('m-record-contact').getByText('Contact').waitFor()
  await page.locator('[data-request]').first().getByTestId('m-req-state').getByText('Cancelled').waitFor()
  await page.getByText('My member record').first().waitFor()
  await page.locator('.van-action-sheet').waitFor({ state: 'hidden' })
  await page.locator('.van-toast').waitFor({ state: 'hidden' })
  await shot(page, 'member-self-record-phone-en')
  await page.getByTestId('m-lang').click()
  await page.getByRole('button', { name: '中文' }).click()
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('an account without a member record sees a friendly empty state', async () => {
  const page = await openPage(browser, PHONE, srv)
  await page.goto(srv.base + '/m/me/record')
  await page.getByTestId('m-record-unlinked').getByText('您的账号还没有关联党员档案').waitFor()
  await shot(page, 'member-self-unlinked-phone')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
