// Following a background job (GET /jobs/{id}, ARCHITECTURE.md §5) for a progress bar: `follow(id)`
// polls until the job ends and resolves with its last answer (null when stopped first: another
// follow, stop() or the component unmounted); `job` is the latest answer, `percent` its progress.
import { computed, onBeforeUnmount, ref } from 'vue'
import { jobApi } from './api.js'

/** True while a job may still change (queued or running). */
export const jobActive = (j) => !!j && (j.state === 'queued' || j.state === 'running')

/** done/total as 0–100; 100 only once the job is done (a last batch may still be writing). */
export function jobPercent(j) {
  if (!j) return 0
  if (j.state === 'done') return 100
  return j.total ? Math.min(99, Math.floor((100 * j.done) / j.total)) : 0
}

export function useJob(interval = 500) {
  const job = ref(null)
  const percent = computed(() => jobPercent(job.value))
  let timer = null
  let seq = 0

  function stop() {
    seq++
    clearTimeout(timer)
    timer = null
  }

  function follow(id) {
    stop()
    const mine = seq
    job.value = { id, state: 'queued', done: 0, total: 0 }
    return new Promise((resolve, reject) => {
      const tick = async () => {
        let j
        try {
          j = await jobApi.get(id)
        } catch (e) {
          if (mine !== seq) return resolve(null)
          job.value = null
          return reject(e)
        }
        if (mine !== seq) return resolve(null)
        job.value = j
        if (jobActive(j)) timer = setTimeout(tick, interval)
        else resolve(j)
      }
      tick()
    })
  }

  /** Hides the finished job's bar after `ms` (the 100 % stays visible for a moment). */
  function clearLater(ms = 800) {
    clearTimeout(timer)
    const mine = seq
    timer = setTimeout(() => { if (mine === seq) job.value = null }, ms)
  }

  onBeforeUnmount(stop)
  return { job, percent, follow, stop, clearLater }
}
