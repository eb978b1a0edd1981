// playwright-core comes from web/node_modules (a devDependency of web/package.json, installed by
// `npm ci` in web/); it drives Debian's Chromium, so nothing is downloaded.
import { createRequire } from 'node:module'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { repoRoot } from './server.mjs'

const require = createRequire(path.join(repoRoot, 'web', 'package.json'))
const { chromium } = require('playwright-core')

export const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'artifacts')
mkdirSync(artifacts, { recursive: true })

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium'

/** Chromium with a fresh temporary profile (playwright's launch() makes one per browser). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

/**
 * A new context + page. Page errors and console errors are collected in `page.problems`,
 * so a test can assert that the page ran cleanly.
 */
export async function openPage(browser, contextOptions = {}, srv = null) {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 800 }, ...contextOptions })
  context.setDefaultTimeout(10000)
  // Logged in as the server's administrator unless the test asks for an anonymous page.
  if (srv?.session?.cookie) {
    const value = srv.session.cookie.replace(/^dj_session=/, '')
    await context.addCookies([{ name: 'dj_session', value, url: srv.base, httpOnly: true, sameSite: 'Strict' }])
  }
  const page = await context.newPage()
  page.problems = []
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    // 4xx answers the tests provoke on purpose are logged by Chromium as console errors (401:
    // GET /auth/me before log-in and wrong passwords; 429: a throttled log-in).
    if (m.type() === 'error' && !/status of (400|401|404|409|429)/.test(m.text())) page.problems.push(`console: ${m.text()}`)
  })
  return page
}

export function shot(page, name) {
  return page.screenshot({ path: path.join(artifacts, name + '.png'), fullPage: false })
}
