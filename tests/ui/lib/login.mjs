// Log-in helpers for browser tests: the log-in page driven like a person would, users made
// with the CLI (tests/api/lib/auth.mjs), and a demo member's id from the database.
import { execFileSync } from 'node:child_process'
import { login as apiLogin, totpAt } from '../../api/lib/auth.mjs'

/** Fills the log-in form and submits it (the page must show the form). */
export async function submitLogin(page, name, password) {
  const form = page.getByTestId('login-form')
  await form.waitFor()
  await page.getByTestId('login-name').fill(name)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
}

/** A six-digit code that is certainly wrong for `secret` just now. */
export function wrongCode(secret) {
  const now = Math.floor(Date.now() / 30000)
  const valid = new Set([-2, -1, 0, 1, 2].map((d) => totpAt(secret, now + d)))
  for (let i = 0; ; i++) {
    const c = String(123456 + i * 7919).padStart(6, '0').slice(-6)
    if (!valid.has(c)) return c
  }
}

/** The id of some member of the demo data (SQLite test databases only). */
export function someMemberId(dbUrl, offset = 0) {
  const file = dbUrl.replace(/^sqlite:/, '')
  const out = execFileSync('sqlite3', [file, `SELECT id FROM members ORDER BY id LIMIT 1 OFFSET ${Number(offset)}`], { encoding: 'utf8' })
  return Number(out.trim())
}

/** srv-like object for openPage(): a page logged in as `session` on srv. */
export function as(srv, session) {
  return { base: srv.base, session }
}

export { apiLogin }

/** Confirms the open Element Plus message box (the destructive-action question). */
export async function confirmBox(page, expectText) {
  const box = page.locator('.el-message-box')
  await box.waitFor()
  if (expectText) await box.getByText(expectText).waitFor()
  await box.locator('.el-message-box__btns .el-button--primary').click()
  await box.waitFor({ state: 'hidden' })
}
