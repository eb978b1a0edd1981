// A paged list from the API ({data, meta: {total}}): rows, total, page, per-page, loading and
// the error message, with late answers of earlier loads dropped.
import { ref } from 'vue'
import { ApiError } from './api.js'

/** `fetch(page, perPage)` returns the API's list answer. */
export function usePagedList(fetch, perPageDefault = 20) {
  const rows = ref([])
  const total = ref(0)
  const page = ref(1)
  const perPage = ref(perPageDefault)
  const loading = ref(false)
  const error = ref('')
  let seq = 0
  async function load() {
    const mine = ++seq
    loading.value = true
    error.value = ''
    try {
      const res = await fetch(page.value, perPage.value)
      if (mine !== seq) return
      rows.value = res?.data || []
      total.value = res?.meta?.total ?? rows.value.length
    } catch (e) {
      if (mine !== seq) return
      if (!(e instanceof ApiError)) throw e
      error.value = e.message
      rows.value = []
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  /** Back to page 1 and load (a filter changed). */
  function reload() {
    if (page.value === 1) load()
    else page.value = 1
  }
  return { rows, total, page, perPage, loading, error, load, reload }
}
