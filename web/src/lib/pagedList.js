// A paged list loaded from the API (`{data, meta:{total}}`): rows, total, loading and the error;
// a newer load wins over an older one still in flight. `reload(page)` goes back to page 1 and
// loads (a filter changed); `reloadFirst(page)` does the same after typing stops (300 ms).
import { ref } from 'vue'
import { ApiError } from './api.js'

export function usePagedList(fetchPage) {
  const rows = ref([])
  const total = ref(0)
  const meta = ref({})
  const loading = ref(false)
  const error = ref('')
  let seq = 0
  let debounce = null

  async function load() {
    const mine = ++seq
    loading.value = true
    error.value = ''
    try {
      const res = await fetchPage()
      if (mine !== seq) return
      rows.value = res?.data || []
      meta.value = res?.meta || {}
      total.value = res?.meta?.total ?? rows.value.length
    } catch (e) {
      if (mine !== seq) return
      if (!(e instanceof ApiError)) throw e
      error.value = Object.keys(e.fields).length ? Object.values(e.fields).join('；') : e.message
      rows.value = []
      total.value = 0
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  function reload(page) {
    if (page.value !== 1) page.value = 1
    else load()
  }

  function reloadFirst(page) {
    clearTimeout(debounce)
    debounce = setTimeout(() => reload(page), 300)
  }

  return { rows, total, meta, loading, error, load, reload, reloadFirst }
}
