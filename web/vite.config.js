import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The C server embeds dist/ (meson -Dspa_dist=web/dist) and falls back to index.html for
// client routes, so the router uses history mode and assets use absolute /assets/ paths.
// The platform runs on intranets and its CSP allows fonts and images from 'self' and data: only.
// Vant's icon font lists a CDN copy after its inlined woff2: drop such remote url()s from CSS,
// and fail the build if any remote url() is left in the output.
const REMOTE_URL = /,?\s*url\((["']?)(?:https?:)?\/\/[^)]*\1\)(\s*format\([^)]*\))?/g
function localAssetsOnly() {
  return {
    name: 'dj-local-assets-only',
    enforce: 'pre',
    transform(code, id) {
      if (/\/node_modules\/vant\/.*\.css$/.test(id)) return { code: code.replace(REMOTE_URL, ''), map: null }
    },
    generateBundle(_, bundle) {
      for (const f of Object.values(bundle)) {
        if (f.type !== 'asset' || !f.fileName.endsWith('.css')) continue
        const m = String(f.source).match(/url\((["']?)(?:https?:)?\/\/[^)]*\)/)
        if (m) this.error(`${f.fileName} loads a remote resource: ${m[0]}`)
      }
    },
  }
}

export default defineConfig({
  plugins: [vue(), localAssetsOnly()],
  base: '/',
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      output: {
        // Keep the two UI kits in their own long-cached chunks: desktop pages never load Vant
        // and the mobile pages never load Element Plus.
        manualChunks(id) {
          if (/\/node_modules\/(@vue|vue|vue-router|pinia|vue-i18n|@intlify)\//.test(id)) return 'vue'
          if (id.includes('/node_modules/element-plus/') || id.includes('/node_modules/@element-plus/')
              || id.includes('/node_modules/@floating-ui/') || id.includes('/node_modules/@vueuse/')
              || id.includes('/node_modules/dayjs/') || id.includes('/node_modules/async-validator/')
              || id.includes('/node_modules/lodash')) return 'element-plus'
          if (id.includes('/node_modules/vant/') || id.includes('/node_modules/@vant/')) return 'vant'
          if (id.includes('/node_modules/echarts/') || id.includes('/node_modules/zrender/')) return 'echarts'
        },
      },
    },
  },
  server: {
    // `npm run dev` talks to a locally running `dangjian serve` (default port 8080).
    proxy: { '/api': process.env.DJ_API || 'http://127.0.0.1:8080' },
  },
})
