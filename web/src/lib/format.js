// Dates and times as people in China read them (Asia/Shanghai), in the current locale.
import { currentLocale } from './i18n.js'

const fmtCache = new Map()
function fmt(opts) {
  const key = currentLocale() + JSON.stringify(opts)
  if (!fmtCache.has(key)) {
    fmtCache.set(key, new Intl.DateTimeFormat(currentLocale() === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', ...opts }))
  }
  return fmtCache.get(key)
}

/** Unix seconds -> "2026-11-24 08:42" (empty for null). */
export function dateTime(s) {
  if (s === null || s === undefined || s === '') return ''
  const parts = fmt({ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(new Date(Number(s) * 1000))
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

/** Unix seconds -> "2026-11-24". */
export function dateOnly(s) {
  return dateTime(s).slice(0, 10)
}

/** A user agent string -> a short "Chrome · Linux" style label. */
export function deviceLabel(ua) {
  if (!ua) return ''
  const browser = /Edg\//.test(ua) ? 'Edge' : /MicroMessenger/i.test(ua) ? 'WeChat' : /Firefox\//.test(ua) ? 'Firefox'
    : /(Chrome|Chromium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : /node|undici/i.test(ua) ? 'API' : ''
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad|iOS/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows'
    : /Mac OS X|Macintosh/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : ''
  const label = [browser, os].filter(Boolean).join(' · ')
  return label || ua.slice(0, 40)
}

/** A byte count -> "1.5 KB", "12.0 MB". */
export function fileSize(n) {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}
