import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { router } from './router.js'
import { i18n, applyDocumentLocale } from './lib/i18n.js'
import './styles.css'

applyDocumentLocale()
createApp(App).use(createPinia()).use(i18n).use(router).mount('#app')
