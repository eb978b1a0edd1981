// Mobile shell under /m/ on a phone-sized viewport: tabbar, home with the root org summary,
// empty states for the other tabs, language switch.
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

test('mobile home, tabs and language on a 390x844 phone', async () => {
  const roots = (await apiJson(srv.base, 'GET', '/orgs?parent_id=root')).body.data
  assert.ok(roots.length > 0)
  const root = roots[0]

  const page = await openPage(browser, {
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  }, srv)
  const loaded = []
  page.on('response', (r) => loaded.push(r.url()))
  await page.goto(srv.base + '/m/')
  const home = page.getByTestId('m-home')
  await home.getByText('党建一体化平台').waitFor()
  const card = page.getByTestId('m-root-org').filter({ hasText: root.name })
  await card.getByText(root.name, { exact: true }).waitFor()
  await card.getByText(String(root.members.total), { exact: true }).waitFor()
  await card.getByText(root.code, { exact: true }).waitFor()
  await page.getByTestId('m-tabbar').getByText('首页').waitFor()
  await shot(page, 'mobile-home-zh')
  // the phone does not download the desktop UI kit
  assert.ok(!loaded.some((u) => /element-plus/.test(u)), 'Element Plus not loaded on /m/')

  // the page fits the phone: no horizontal scrolling
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `horizontal overflow ${overflow}px`)

  await page.getByTestId('m-tab-study').click()
  await page.waitForURL(/\/m\/study$/)
  await page.getByTestId('m-coming-soon').getByText('此功能将在后续版本提供').waitFor()
  await page.getByTestId('m-tab-me').click()
  await page.waitForURL(/\/m\/me$/)
  await page.getByTestId('m-coming-soon').waitFor()
  await shot(page, 'mobile-me-zh')

  await page.getByTestId('m-lang').click()
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByTestId('m-coming-soon').getByText('Coming in a later release').waitFor()
  await page.getByTestId('m-tab-home').click()
  await page.waitForURL(/\/m\/?$/)
  await page.getByTestId('m-home').getByText('Party Building Platform').waitFor()
  await page.getByTestId('m-tabbar').getByText('Home').waitFor()
  await shot(page, 'mobile-home-en')
  assert.equal(await page.evaluate(() => localStorage.getItem('dj.locale')), 'en')

  await page.getByTestId('m-lang').click()
  await page.getByRole('button', { name: '中文' }).click()
  await page.getByTestId('m-home').getByText('党建一体化平台').waitFor()

  assert.deepEqual(page.problems, [])
  await page.context().close()
})
