// An ECharts instance on a template ref for the component's lifetime: created on mount,
// resized with its element, disposed on unmount; `render(chart)` runs on mount and whenever a
// watched source changes. The caller registers the chart parts it uses (echarts/core `use`).
import { onBeforeUnmount, onMounted, watch } from 'vue'
import { init } from 'echarts/core'

export function useChart(el, render, sources) {
  let chart = null
  let ro = null
  const draw = () => { if (chart) render(chart) }
  onMounted(() => {
    chart = init(el.value, null, { renderer: 'canvas' })
    draw()
    ro = new ResizeObserver(() => chart?.resize())
    ro.observe(el.value)
  })
  watch(sources, draw)
  onBeforeUnmount(() => {
    ro?.disconnect()
    chart?.dispose()
    chart = null
  })
}
