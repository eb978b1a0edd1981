// Desktop shell: header, health dot, language switch (persisted, sent as Accept-Language),
// side menu with empty states for modules that come later, 404 page.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, apiJson } from './lib/server.mjs'
import { launchBrowser, openPage, shot } from './lib/browser.mjs'

let srv, browser

before(async () => {
  srv = await startServer()
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
  await srv?.stop()
})

test('desktop shell: header, health, language switch, empty states, 404', async () => {
  const page = await openPage(browser, {}, srv)
  const apiLangs = []
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/')) apiLangs.push(r.headers()['accept-language'])
  })

  await page.goto(srv.base + '/')
  // / goes to the organization page (the first implemented module).
  await page.waitForURL(/\/orgs(\/\d+)?$/)
  await page.getByTestId('app-name').getByText('党建一体化平台').waitFor()
  const health = await apiJson(srv.base, 'GET', '/health')
  assert.equal(health.status, 200)
  assert.equal(health.body.status, 'ok')
  await page.locator('[data-testid="health"][data-state="ok"]').waitFor()
  await page.getByTestId('side-menu').getByText('组织管理').waitFor()
  for (const label of ['基础管理', '学习教育', '业务融合', '考核评价', '服务']) {
    await page.getByTestId('side-menu').getByText(label, { exact: true }).waitFor()
  }
  await page.getByTestId('org-detail').waitFor()
  await shot(page, 'shell-zh')
  assert.ok(apiLangs.length > 0 && apiLangs.every((l) => l === 'zh-CN'), `Accept-Language: ${apiLangs}`)

  // Switch to English: labels change, the choice is persisted and sent to the API.
  await page.getByTestId('lang-en').click()
  await page.getByTestId('app-name').getByText('Party Building Platform').waitFor()
  await page.getByTestId('side-menu').getByText('Organizations').waitFor()
  assert.equal(await page.evaluate(() => localStorage.getItem('dj.locale')), 'en')
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
  apiLangs.length = 0
  await page.reload()
  await page.getByTestId('app-name').getByText('Party Building Platform').waitFor()
  await page.getByTestId('org-detail').waitFor()
  assert.ok(apiLangs.length > 0 && apiLangs.every((l) => l === 'en'), `Accept-Language after reload: ${apiLangs}`)
  await page.getByTestId('org-type').getByText('Party Committee').waitFor()
  await shot(page, 'shell-en')

  // A module of a later release: a clean empty state, not a broken link.
  await page.getByTestId('nav-development').click()
  await page.waitForURL(/\/development$/)
  await page.getByTestId('coming-soon').getByText('Coming in a later release').waitFor()
  await page.getByTestId('coming-soon').getByRole('heading', { name: 'Member Development' }).waitFor()
  await shot(page, 'coming-soon-en')

  // And back to Chinese.
  await page.getByTestId('lang-zh').click()
  await page.getByTestId('coming-soon').getByText('此功能将在后续版本提供').waitFor()
  await page.getByTestId('app-name').getByText('党建一体化平台').waitFor()
  assert.equal(await page.evaluate(() => localStorage.getItem('dj.locale')), 'zh-CN')

  for (const [nav, path] of [['learning', '/learning'], ['service', '/service'], ['dues', '/dues']]) {
    await page.getByTestId('nav-' + nav).click()
    await page.waitForURL(new RegExp(path + '$'))
    await page.getByTestId('coming-soon').waitFor()
  }
  await shot(page, 'coming-soon-zh')

  // Client routes load directly (the server falls back to index.html) and unknown ones say so.
  await page.goto(srv.base + '/assessment')
  await page.getByTestId('coming-soon').getByRole('heading', { name: '考核评价' }).waitFor()
  await page.goto(srv.base + '/no/such/page')
  await page.getByTestId('not-found').getByText('页面不存在').waitFor()

  assert.deepEqual(page.problems, [])
  await page.context().close()
})
