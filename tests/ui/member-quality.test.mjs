// The data-quality report in the browser (issue 5 §8): empty before the first run; a few
// members broken through SQL (a missing required field, a bad code, a copied ID number); "check
// again" runs the job with a progress bar to the end; the per-org table shows the violations
// and a coloured score, the chart renders, and each item links to /members/<id>.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { startServer } from './lib/server.mjs'
import { launchBrowser, openPage, shot } from './lib/browser.mjs'

let srv, browser, branch, ids
const sql = (q) => execFileSync('sqlite3', [srv.db.replace(/^sqlite:/, ''), q], { encoding: 'utf8' })

before(async () => {
  srv = await startServer({ members: 80 })
  browser = await launchBrowser()
  const orgs = (await srv.session.get('/api/v1/orgs?type=branch&per_page=50')).body.data
  branch = orgs.find((o) => o.members.total >= 3)
  ids = (await srv.session.get(`/api/v1/members?org_id=${branch.id}&per_page=50`)).body.data.map((m) => m.id)
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('run the report: progress to the end, violations and scores per org, chart, item links', async () => {
  const page = await openPage(browser, { viewport: { width: 1440, height: 900 } }, srv)
  await page.goto(srv.base + '/member-quality')
  await page.getByTestId('quality-empty').waitFor()
  await shot(page, 'member-quality-empty')

  sql(`UPDATE members SET joined_on = NULL WHERE id = ${ids[0]};
       UPDATE members SET education = 'zz' WHERE id = ${ids[1]};
       UPDATE members SET id_number_bidx = (SELECT id_number_bidx FROM members WHERE id = ${ids[2]}) WHERE id = ${ids[0]};`)

  await page.getByTestId('quality-refresh').click()
  await page.getByTestId('quality-progress').waitFor()
  await page.getByTestId('quality-progress').locator('.el-progress').waitFor()
  await page.getByTestId('quality-table').waitFor({ timeout: 60000 })
  await page.getByTestId('quality-progress').waitFor({ state: 'hidden', timeout: 60000 })

  const row = page.getByTestId('quality-table').locator('.el-table__row').filter({ has: page.getByText(branch.name, { exact: true }) })
  await row.getByTestId('quality-rules').getByText('REC-01 × 1').waitFor()
  await row.getByTestId('quality-rules').getByText('CODE-04 × 1').waitFor()
  const score = Number(await row.getByTestId('quality-score').innerText())
  assert.ok(score < 100 && score >= 0, `score ${score}`)
  assert.match(await row.getByTestId('quality-score').getAttribute('class'), /el-tag--(success|warning|danger)/)

  // the root is chosen first: its chart shows the child orgs' scores
  const canvas = page.getByTestId('quality-chart').locator('canvas')
  await canvas.waitFor()
  assert.ok((await canvas.boundingBox()).height > 100)

  // choose the branch: the chart by rule, the items of its subtree with links to the record
  await row.click()
  await page.getByTestId('quality-items').getByText(branch.name).first().waitFor()
  const links = page.getByTestId('quality-items').getByTestId('quality-item-link')
  await links.first().waitFor()
  const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))
  assert.ok(hrefs.includes(`/members/${ids[1]}`), JSON.stringify(hrefs))
  assert.ok(hrefs.every((h) => /^\/members\/\d+$/.test(h)))
  await page.getByTestId('quality-rule').click()
  await page.locator('.el-select-dropdown__item').getByText('CODE-04', { exact: true }).click()
  await page.getByTestId('quality-items').locator('.el-table__row').first().getByText('CODE-04').waitFor()
  assert.equal(await page.getByTestId('quality-items').locator('.el-table__row').count(), 1)
  await shot(page, 'member-quality')

  await page.getByTestId('lang-switch').getByText('English').click()
  await page.getByTestId('quality-page').getByText('Data quality', { exact: true }).waitFor()
  await page.getByTestId('quality-table').getByText('Rule violations').waitFor()
  await shot(page, 'member-quality-en')
  await page.getByTestId('lang-switch').getByText('中文').click()
  assert.deepEqual(page.problems, [])
  await page.context().close()
})
