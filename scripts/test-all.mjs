// test-all.mjs: `make test`. Runs every suite and ends with one line "N passed, N failed"
// (", N skipped" when any were skipped); exits non-zero on any failure.
//   1. cmocka unit tests of build/ and build-asan/ (TAP via CMOCKA_MESSAGE_OUTPUT)
//   2. API tests (tests/api, node:test over real HTTP) against the ASan+UBSan server, on SQLite
//      and on a throw-away PostgreSQL that this script starts on loopback and removes
//   3. browser tests (tests/ui, playwright-core + Debian's Chromium)
import { spawn, execFileSync } from 'node:child_process'
import { readdirSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const totals = { passed: 0, failed: 0, skipped: 0 }
const failures = []

function run(cmd, args, env, label) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env } })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    child.on('error', (e) => resolve({ code: 127, signal: null, out: `cannot run ${cmd}: ${e.message}`, label }))
    child.on('close', (code, signal) => resolve({ code, signal, out, label }))
  })
}

// cmocka TAP: "ok 1 - name", "not ok 2 - name", "ok 3 # SKIP".
function countCmocka(res) {
  let p = 0, f = 0, s = 0
  for (const line of res.out.split('\n')) {
    if (/^ok \d+/.test(line)) { if (/# skip/i.test(line)) s++; else p++ }
    else if (/^not ok \d+/.test(line)) f++
  }
  if ((res.code !== 0 || res.signal) && f === 0) f = 1   // crashed or sanitizer abort
  return { p, f, s }
}

// node --test TAP summary: "# pass N", "# fail N", "# skipped N", "# cancelled N".
function countNode(res) {
  const num = (k) => Number((res.out.match(new RegExp(`^# ${k} (\\d+)`, 'm')) || [0, 0])[1])
  let f = num('fail') + num('cancelled')
  if (res.code !== 0 && f === 0) f = 1
  return { p: num('pass'), f, s: num('skipped') + num('todo') }
}

function record(label, c, res) {
  totals.passed += c.p; totals.failed += c.f; totals.skipped += c.s
  console.log(`${c.f ? 'FAIL' : 'ok  '} ${label}: ${c.p} passed, ${c.f} failed${c.s ? `, ${c.s} skipped` : ''}`)
  if (c.f) failures.push(res)
}

function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'dj-pg-'))
  try {
    const out = execFileSync(join(root, 'scripts/pg-temp.sh'), ['start', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    return { conninfo: out.trim().split('\n').pop(), dir }
  } catch (e) {
    try { execFileSync(join(root, 'scripts/pg-temp.sh'), ['stop', dir]) } catch { rmSync(dir, { recursive: true, force: true }) }
    throw e
  }
}

async function unitSuites(buildDir, pgConn) {
  const tests = JSON.parse(execFileSync('meson', ['introspect', '--tests', buildDir], { cwd: root, encoding: 'utf8' }))
  for (const t of tests) {
    const env = { ...t.env, CMOCKA_MESSAGE_OUTPUT: 'TAP', DJ_TEST_PG: pgConn || '' }
    const res = await run(t.cmd[0], t.cmd.slice(1), env, `${buildDir} ${t.name}`)
    record(`unit ${buildDir}/${t.name}`, countCmocka(res), res)
  }
}

function testFiles(dir) {
  const d = join(root, dir)
  if (!existsSync(d)) return []
  return readdirSync(d).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(dir, f))
}

async function nodeSuite(label, dir, env) {
  const files = testFiles(dir)
  if (files.length === 0) return
  const res = await run(process.execPath, ['--test', '--test-reporter=tap', ...files], env, label)
  record(label, countNode(res), res)
}

const started = Date.now()
let pg = null
try {
  try { pg = startPostgres() } catch (e) {
    console.log('FAIL could not start PostgreSQL: ' + e.message)
    totals.failed++
  }
  const pgConn = pg ? pg.conninfo : ''
  await unitSuites('build', pgConn)
  await unitSuites('build-asan', pgConn)
  const asan = { UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1', ASAN_OPTIONS: 'detect_leaks=1',
    LSAN_OPTIONS: `suppressions=${join(root, 'tests/lsan.supp')}` }   // libxlsxwriter 1.1.4's leak
  await nodeSuite('api (sqlite)', 'tests/api', { ...asan, DJ_BIN: 'build-asan/dangjian', DJ_TEST_DB: 'sqlite' })
  if (pg) await nodeSuite('api (postgresql)', 'tests/api', { ...asan, DJ_BIN: 'build-asan/dangjian', DJ_TEST_DB: 'postgresql', DJ_TEST_PG: pgConn })
  await nodeSuite('ui (chromium)', 'tests/ui', { DJ_BIN: 'build/dangjian' })
} finally {
  if (pg && pg.dir) {
    try { execFileSync(join(root, 'scripts/pg-temp.sh'), ['stop', pg.dir]) } catch { /* best effort */ }
  }
}
// Each failing test with its TAP diagnostics ("not ok N - name" and the indented YAML block
// after it), then the suite's last lines (a crash or sanitizer report ends up there).
function failedBlocks(out) {
  const lines = out.split('\n'), blocks = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*not ok \d+/.test(lines[i])) continue
    const block = [lines[i]]
    if (/^\s*---$/.test(lines[i + 1] || '')) {
      for (let j = i + 1; j < lines.length && j < i + 80; j++) {
        block.push(lines[j])
        if (/^\s*\.\.\.$/.test(lines[j])) break
      }
    }
    blocks.push(block.join('\n'))
  }
  return blocks
}
for (const f of failures) {
  console.log(`\n===== failed in suite: ${f.label} =====`)
  const blocks = failedBlocks(f.out)
  if (blocks.length) console.log(blocks.join('\n'))
  console.log(`----- last lines of ${f.label} -----`)
  console.log(f.out.split('\n').slice(blocks.length ? -30 : -150).join('\n'))
}
console.log(`\ntime: ${((Date.now() - started) / 1000).toFixed(1)} s`)
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`)
process.exit(totals.failed ? 1 : 0)
