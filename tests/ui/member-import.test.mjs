// The member import wizard in the browser (issue 5 §4, §10): a CSV built here (valid rows with
// valid ID numbers, one row with a bad checksum, an unknown column) goes through upload → preview
// (counts, the bad row with the API's rule id, the error file) → import with a progress bar →
// result (a reload resumes there) → the members exist → undo → they are gone; undo refused after
// an edit shows the count of changed rows; files the importer cannot take are explained; a
// leader (member.read only) has no import button; the wizard in English.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { startServer, apiJson, djBin } from './lib/server.mjs'
import { launchBrowser, openPage, shot } from './lib/browser.mjs'
import { confirmBox, as } from './lib/login.mjs'
import { asRole } from '../api/lib/auth.mjs'

let srv, browser, branch

/** A valid GB 11643 number: region + birth date + sequence + check digit. */
function idNumber(region, birth, seq) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const body = `${region}${birth.replace(/-/g, '')}${String(seq).padStart(3, '0')}`
  const s = [...body].reduce((acc, d, i) => acc + Number(d) * w[i], 0)
  return body + '10X98765432'[s % 11]
}
const badChecksum = (id) => id.slice(0, 17) + (id[17] === '0' ? '1' : '0')
const HEAD = '姓名*,公民身份号码*,党员类别*,入党日期*,转正日期,所在党组织代码*,手机号码,备注'
const line = (name, id, org) => [name, id, '正式党员', '2014-06-30', '2015-06-30', org, '', ''].join(',')
const csv = (...rows) => Buffer.from([HEAD, ...rows].join('\r\n') + '\r\n')
const get = async (p) => {
  const r = await apiJson(srv.base, 'GET', p)
  assert.equal(r.status, 200, `GET ${p}: ${JSON.stringify(r.body)}`)
  return r.body
}
/** How many members answer an exact ID number search (blind index). */
const found = async (id) => (await get(`/members?q=${id}`)).meta.total

async function openWizard() {
  const page = await openPage(browser, { viewport: { width: 1440, height: 900 } }, srv)
  await page.goto(srv.base + '/members')
  await page.getByTestId('member-import').click()
  await page.getByTestId('import-upload').waitFor()
  return page
}
async function choose(page, name, buffer, mimeType = 'text/csv') {
  await page.getByTestId('import-file').setInputFiles({ name, mimeType, buffer })
}

before(async () => {
  srv = await startServer({ members: 60 })
  browser = await launchBrowser()
  branch = (await get('/orgs?type=branch&per_page=50')).data[0]
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('upload → preview with the bad row → import with progress → result, error file → undo', async () => {
  const ids = [1, 3, 5].map((n) => idNumber('320102', `1990031${n}`, 100 + n))
  const bad = badChecksum(idNumber('320102', '19920507', 122))
  const page = await openWizard()
  assert.match(page.url(), /\/members\/import$/)
  await page.getByTestId('import-steps').locator('.el-step.is-horizontal').first().waitFor()
  await shot(page, 'member-import-upload')

  await choose(page, 'members.csv', csv(line('导入甲', ids[0], branch.code), line('导入乙', ids[1], branch.code),
    line('导入丙', ids[2], branch.code), line('坏号丁', bad, branch.code)))
  await page.getByTestId('import-preview').waitFor({ timeout: 30000 })
  const importId = Number(page.url().match(/\/members\/import\/(\d+)$/)?.[1])
  assert.ok(importId > 0, page.url())
  const im = await get(`/members/imports/${importId}`)
  assert.equal(im.state, 'checked')
  const p = im.problems.find((x) => x.row === 5)
  assert.ok(p && /^ID-/.test(p.rule), JSON.stringify(im.problems))

  const count = async (k) => Number((await page.getByTestId(`import-count-${k}`).locator('.num').innerText()).replace(/,/g, ''))
  assert.equal(await count('rows'), 4)
  assert.equal(await count('new'), 3)
  assert.equal(await count('bad'), 1)
  await page.getByTestId('import-unknown-columns').getByText('备注').waitFor()
  const row5 = page.getByTestId('import-problems-table').locator('.el-table__row').filter({ hasText: bad })
  await row5.getByTestId('import-problem-rule').getByText(p.rule, { exact: true }).waitFor()
  assert.equal((await row5.locator('td').first().innerText()).trim(), '5')
  await row5.getByText('公民身份号码*').waitFor()
  assert.equal(await page.getByTestId('import-problems-more').count(), 0, 'every problem is shown')
  await page.getByTestId('import-run').getByText('导入 3 条有效记录').waitFor()
  await shot(page, 'member-import-preview')

  // The error file is there already after the dry run, and the link works.
  const href = await page.getByTestId('import-errors-csv').getAttribute('href')
  const file = await page.evaluate(async (u) => { const r = await fetch(u); return { status: r.status, text: await r.text() } }, href)
  assert.equal(file.status, 200)
  assert.ok(file.text.split('\r\n').some((l) => l.startsWith(`5,公民身份号码*,${p.rule},`) && l.endsWith(bad)), file.text)
  assert.equal(await found(ids[0]), 0, 'the dry run wrote nothing')

  // The run: the job is held "running" at 2/4 for a moment, so the progress step can be seen.
  await page.route('**/api/v1/jobs/*', (route) => route.fulfill({ json: { id: 1, state: 'running', done: 2, total: 4 } }))
  await page.getByTestId('import-run').click()
  await confirmBox(page, '将导入 3 条有效记录')
  await page.getByTestId('import-progress').waitFor()
  await page.getByTestId('import-progress-text').getByText('已处理 2 / 4 行').waitFor()
  await page.getByTestId('import-progress-bar').getByText('50%').waitFor()
  await shot(page, 'member-import-progress')
  await page.unroute('**/api/v1/jobs/*')
  await page.getByTestId('import-result').waitFor({ timeout: 60000 })
  assert.equal(await page.getByTestId('import-result').getAttribute('data-state'), 'done')
  assert.equal(await count('new'), 3)
  assert.equal(await count('bad'), 1)
  for (const id of ids) assert.equal(await found(id), 1, id)
  assert.equal(await found(bad), 0)

  // A reload resumes at the import's step; the history lists it.
  await page.reload()
  await page.getByTestId('import-result').waitFor()
  await page.getByTestId('import-errors-xlsx').waitFor()
  const hist = page.getByTestId('import-history-table').locator('.el-table__row').first()
  await hist.getByText('members.csv').waitFor()
  await hist.getByTestId('import-history-state').getByText('已完成').waitFor()
  await shot(page, 'member-import-result')

  await page.getByTestId('import-undo').click()
  await confirmBox(page, '本次新增的 3 名党员将被删除')
  await page.getByTestId('import-undone-note').waitFor()
  assert.equal(await page.getByTestId('import-result').getAttribute('data-state'), 'undone')
  assert.equal(await page.getByTestId('import-undo').count(), 0)
  await hist.getByTestId('import-history-state').getByText('已撤销').waitFor()
  for (const id of ids) assert.equal(await found(id), 0, id)
  await shot(page, 'member-import-undone')

  // Leaving for the member list and coming back through the history opens the import again.
  await page.getByTestId('import-to-members').click()
  await page.getByTestId('members-table').waitFor()
  await page.getByTestId('member-import').click()
  await page.getByTestId('import-history-table').locator('.el-table__row').first().click()
  await page.getByTestId('import-undone-note').waitFor()
  assert.match(page.url(), new RegExp(`/members/import/${importId}$`))
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('undo refused after a member changed: the message says how many rows', async () => {
  const id = idNumber('320102', '19880808', 201)
  const page = await openWizard()
  await choose(page, 'one.csv', csv(line('导入戊', id, branch.code)))
  await page.getByTestId('import-preview').waitFor({ timeout: 30000 })
  await page.getByTestId('import-clean').waitFor()
  await page.getByTestId('import-run').click()
  await confirmBox(page)
  await page.getByTestId('import-result').waitFor({ timeout: 60000 })
  const m = (await get(`/members?q=${id}`)).data[0]
  const full = await get(`/members/${m.id}`)
  const r = await apiJson(srv.base, 'PATCH', `/members/${m.id}`, { version: full.version, title: '经济师' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  await page.getByTestId('import-undo').click()
  await confirmBox(page)
  await page.getByTestId('import-undo-error').getByText('有 1 名在导入后又被修改过').waitFor()
  assert.equal(await found(id), 1)
  await shot(page, 'member-import-undo-refused')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('cancel: before the run starts, a confirmation, back at the preview with a notice, and it can run again; a cancelled running run says so, with undo', async () => {
  // a server without a job runner: the run stays queued, so the progress step is there to see
  const own = await startServer({ members: 5, extra: ['--jobs', 'off'] })
  const page = await openPage(browser, { viewport: { width: 1440, height: 900 } }, own)
  try {
    const org = (await apiJson(own.base, 'GET', '/orgs?type=branch&per_page=1')).body.data[0]
    await page.goto(own.base + '/members/import')
    await page.getByTestId('import-upload').waitFor()
    await choose(page, 'queued.csv', csv(line('导入己', idNumber('320102', '19880808', 301), org.code)))
    await page.getByTestId('import-preview').waitFor({ timeout: 30000 })
    await page.getByTestId('import-run').click()
    await confirmBox(page)
    await page.getByTestId('import-progress').waitFor()
    await page.getByTestId('import-job-state').getByText('排队中').waitFor()
    await page.getByTestId('import-cancel').click()
    const box = page.locator('.el-message-box')
    await box.getByText('已写入的批次会保留').waitFor()
    await box.locator('.el-message-box__btns .el-button:not(.el-button--primary)').click()   // keep it
    await box.waitFor({ state: 'hidden' })
    await page.getByTestId('import-progress').waitFor()
    await page.getByTestId('import-cancel').click()
    await confirmBox(page, '正在写入的这一批会回滚')
    await page.getByTestId('import-notice').getByText('导入尚未开始，已取消').waitFor()
    await page.getByTestId('import-preview').waitFor()
    await shot(page, 'member-import-cancelled')
    assert.equal(await page.getByTestId('import-run').count(), 1, 'it can be run again')
    const imports = (await apiJson(own.base, 'GET', '/members/imports')).body.data
    assert.equal(imports[0].state, 'checked')

    // a running run cancelled (through the API; `jobs run --once` is the runner): its result page
    // says so, explains what stayed, and offers the undo
    const big = path.join(own.dir, 'big.xlsx')
    execFileSync(path.join(path.dirname(djBin), 'bench', 'member-import-gen'), ['30000', org.code, big])
    const up = await fetch(`${own.base}/api/v1/members/imports?filename=big.xlsx`, {
      method: 'POST', body: readFileSync(big), headers: { Cookie: own.session.cookie, 'X-CSRF-Token': own.session.csrf },
    })
    assert.equal(up.status, 201)
    const bigId = (await up.json()).id
    const run = await apiJson(own.base, 'POST', `/members/imports/${bigId}/run`)
    assert.equal(run.status, 202)
    const runner = spawn(djBin, ['jobs', 'run', '--once', '--db', own.db, '--log-level', 'warn'], { stdio: 'ignore' })
    const exited = once(runner, 'exit')
    for (let i = 0; i < 1500; i++) {
      const j = (await apiJson(own.base, 'GET', `/jobs/${run.body.job_id}`)).body
      if (j.state === 'running' && j.done >= 1000) break
      await new Promise((res) => setTimeout(res, 20))
    }
    assert.equal((await apiJson(own.base, 'POST', `/members/imports/${bigId}/cancel`)).status, 202)
    assert.equal((await exited)[0], 0)
    await page.goto(`${own.base}/members/import/${bigId}`)
    await page.getByTestId('import-result').getByText('已取消导入').waitFor()
    const written = (await apiJson(own.base, 'GET', `/members/imports/${bigId}`)).body.new
    assert.ok(written > 0 && written < 30000, `written ${written}`)
    await page.getByTestId('import-cancelled-note').getByText(`取消前写入的 ${written.toLocaleString()} 行`).waitFor()
    await page.getByTestId('import-undo').waitFor()
    await page.getByTestId('import-history-state').getByText('已取消').waitFor()
    await shot(page, 'member-import-cancelled-running')
    assert.deepEqual(page.problems, [])
  } finally {
    await page.context().close()
    await own.stop()
  }
})

/** POST a CSV through the API as the test's administrator (the dry run only). */
async function uploadApi(name, body) {
  const res = await fetch(`${srv.base}/api/v1/members/imports?filename=${name}`, {
    method: 'POST', body, headers: { 'Content-Type': 'text/csv', Cookie: srv.session.cookie, 'X-CSRF-Token': srv.session.csrf },
  })
  assert.equal(res.status, 201)
  return res.json()
}

test('an upload left unrun past the retention period opens as expired, with no import button', async () => {
  const old = await uploadApi('old.csv', csv(line('过期甲', idNumber('320102', '19860101', 301), branch.code)))
  execFileSync('sqlite3', [srv.db.replace(/^sqlite:/, ''),
    `UPDATE member_imports SET created_at = created_at - 8 * 86400 WHERE id = ${old.id}`])
  await uploadApi('young.csv', csv(line('未过期乙', idNumber('320102', '19860102', 302), branch.code)))   // expiry runs at upload
  assert.equal((await get(`/members/imports/${old.id}`)).state, 'expired')
  const page = await openPage(browser, { viewport: { width: 1440, height: 900 } }, srv)
  await page.goto(`${srv.base}/members/import/${old.id}`)
  await page.getByTestId('import-expired-note').getByText('超过保留期限').waitFor()
  // the step header: upload and preview done, the run step failed, the result not reached
  const steps = page.getByTestId('import-steps').locator('.el-step__head')
  assert.match(await steps.nth(1).getAttribute('class'), /is-success/)
  assert.match(await steps.nth(2).getAttribute('class'), /is-error/)
  assert.match(await steps.nth(3).getAttribute('class'), /is-wait/)
  assert.equal(await page.getByTestId('import-run').count(), 0)
  assert.equal(await page.getByTestId('import-undo').count(), 0)
  await page.getByTestId('import-history').getByText('已过期').first().waitFor()
  await shot(page, 'member-import-expired')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('files the importer cannot take: wrong type, not a spreadsheet, missing columns', async () => {
  const page = await openWizard()
  const error = page.getByTestId('import-upload-error')
  await choose(page, 'photo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'image/png')
  await error.getByText('“photo.png”不是 .xlsx 或 .csv 文件').waitFor()

  // Named .xlsx but not a spreadsheet: the server says why.
  await choose(page, 'fake.xlsx', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), Buffer.alloc(64, 7)]),
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  await error.waitFor()
  await page.waitForFunction(() => !/photo\.png/.test(document.querySelector('[data-testid="import-upload-error"]')?.textContent || 'photo.png'))
  const serverSays = await error.innerText()
  assert.ok(serverSays.trim().length > 0)

  await choose(page, 'partial.csv', Buffer.from('姓名,手机号码\r\n张三,13912345678\r\n'))
  const missing = page.getByTestId('import-missing-columns')
  await missing.waitFor()
  await missing.getByText(/公民身份号码/).waitFor()
  await missing.getByText(/入党日期/).waitFor()
  await error.getByText('表格缺少必填列').waitFor()
  await page.getByTestId('import-upload').waitFor()
  assert.equal(page.url().endsWith('/members/import'), true, 'nothing stored, no import id')
  await shot(page, 'member-import-missing-columns')
  assert.deepEqual(page.problems, [])
  await page.context().close()
})

test('a leader (member.read only) has no import button and no wizard', async () => {
  const session = await asRole({ url: srv.db, base: srv.base }, 'leader')
  const p = await openPage(browser, { viewport: { width: 1440, height: 900 } }, as(srv, session))
  await p.goto(srv.base + '/members')
  await p.getByTestId('members-table').locator('.el-table__row').first().waitFor()
  assert.equal(await p.getByTestId('member-import').count(), 0)
  await p.goto(srv.base + '/members/import')
  await p.waitForURL(/\/forbidden/)
  assert.deepEqual(p.problems, [])
  await p.context().close()
})

test('the wizard in English', async () => {
  const en = await openPage(browser, { viewport: { width: 1440, height: 900 } }, srv)
  await en.addInitScript(() => localStorage.setItem('dj.locale', 'en'))
  await en.goto(srv.base + '/members/import')
  await en.getByRole('heading', { name: 'Import members' }).waitFor()
  await en.getByTestId('import-steps').getByText('Preview', { exact: true }).waitFor()
  await en.getByText('Drop the file here, or click to choose one').waitFor()
  await en.getByTestId('import-history').getByText('Past imports').waitFor()
  await shot(en, 'member-import-en')
  await en.getByTestId('import-history-table').locator('.el-table__row').filter({ hasText: /Done|Undone/ }).first().click()
  await en.getByTestId('import-result').waitFor()
  await en.getByText(/Import finished|This import was undone/).first().waitFor()
  await shot(en, 'member-import-result-en')
  assert.deepEqual(en.problems, [])
  await en.context().close()
})
