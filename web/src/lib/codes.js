// Code tables (GET /codes): loaded once per page load, labelled in the current locale.
import { ref } from 'vue'
import { memberApi } from './api.js'
import { currentLocale } from './i18n.js'

const tables = ref({})
let loading = null

/** Loads the code tables once; later calls share the answer. */
export function loadCodes() {
  if (!loading) {
    loading = memberApi.codes().then((r) => { tables.value = r?.data || {} }).catch((e) => { loading = null; throw e })
  }
  return loading
}

/** The label of a code or '—'; the active entries of a table as {value, label} below. */
export function codeOptions(table) {
  return (tables.value[table] || []).filter((c) => c.active !== false)
    .map((c) => ({ value: c.code, label: currentLocale() === 'en' ? c.label_en || c.label_zh : c.label_zh }))
}

/** The label of a code (the code itself when unknown, '—' when empty). */
export function codeLabel(table, code) {
  if (code === null || code === undefined || code === '') return '—'
  const c = (tables.value[table] || []).find((x) => String(x.code) === String(code))
  if (!c) return String(code)
  return currentLocale() === 'en' ? c.label_en || c.label_zh : c.label_zh
}
