// Actions shared by the member pages: a destructive step behind a confirmation, and the
// restore of an archived member (POST /members/{id}/restore {reason}) behind a prompt that
// requires the reason.
import { ElMessage, ElMessageBox } from '../ep.js'
import { memberApi, ApiError } from '../../lib/api.js'
import { i18n } from '../../lib/i18n.js'

/** Asks `message` (title and button `ok`), then runs `fn`; says `done` or the API's error. */
export async function confirmThen(message, ok, fn, done) {
  const t = i18n.global.t
  try {
    await ElMessageBox.confirm(message, ok, { type: 'warning', confirmButtonText: ok, cancelButtonText: t('common.cancel') })
  } catch {
    return false
  }
  try {
    await fn()
    if (done) ElMessage.success(done)
    return true
  } catch (e) {
    if (!(e instanceof ApiError)) throw e
    ElMessage.error(Object.values(e.fields)[0] || e.message)
    return false
  }
}

export async function restoreMember(m) {
  const t = i18n.global.t
  let reason
  try {
    ({ value: reason } = await ElMessageBox.prompt(t('members.archive.restorePrompt'), t('members.archive.restoreTitle', { name: m.name }), {
      type: 'warning', confirmButtonText: t('members.archive.restore'), cancelButtonText: t('common.cancel'),
      inputValidator: (v) => (v && v.trim() ? true : t('members.archive.reasonRequired')),
    }))
  } catch {
    return false
  }
  try {
    await memberApi.restore(m.id, reason.trim())
    ElMessage.success(t('members.archive.restored', { name: m.name }))
    return true
  } catch (e) {
    if (!(e instanceof ApiError)) throw e
    ElMessage.error(Object.values(e.fields)[0] || e.message)
    return false
  }
}
