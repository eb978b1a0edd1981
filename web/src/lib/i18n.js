import { createI18n } from 'vue-i18n'
import zhCN from '../locales/zh-CN.js'
import en from '../locales/en.js'

export const LOCALES = ['zh-CN', 'en']
const STORAGE_KEY = 'dj.locale'

function initialLocale() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (LOCALES.includes(saved)) return saved
  } catch { /* storage disabled: fall through */ }
  return 'zh-CN' // Chinese first, whatever the browser says
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

/** The current locale, also sent as Accept-Language on every API call. */
export function currentLocale() {
  return i18n.global.locale.value
}

export function setLocale(locale) {
  if (!LOCALES.includes(locale)) return
  i18n.global.locale.value = locale
  try { localStorage.setItem(STORAGE_KEY, locale) } catch { /* ignore */ }
  applyDocumentLocale()
}

export function applyDocumentLocale() {
  document.documentElement.lang = currentLocale()
  document.title = i18n.global.t('app.name')
}
