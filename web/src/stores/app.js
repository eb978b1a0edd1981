import { defineStore } from 'pinia'
import { orgApi } from '../lib/api.js'

const POLL_MS = 30000

export const useAppStore = defineStore('app', {
  state: () => ({
    health: null, // {status, db, version} from GET /api/v1/health
    healthState: 'checking', // checking | ok | down
    timer: null,
  }),
  actions: {
    async checkHealth() {
      try {
        const h = await orgApi.health()
        this.health = h
        this.healthState = h?.status === 'ok' ? 'ok' : 'down'
      } catch {
        this.healthState = 'down'
      }
    },
    startHealthPolling() {
      if (this.timer) return
      this.checkHealth()
      this.timer = setInterval(() => this.checkHealth(), POLL_MS)
    },
    stopHealthPolling() {
      clearInterval(this.timer)
      this.timer = null
    },
  },
})
