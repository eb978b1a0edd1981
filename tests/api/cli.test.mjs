// cli.test.mjs: the command line: clear messages and non-zero exits on bad input, org commands,
// and graceful shutdown of `serve` on SIGTERM.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cli, freshDb, startServer } from './lib/server.mjs'

test('an unknown command or flag is a usage error (exit 2)', () => {
  const r = cli(['frobnicate'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /unknown command/)
  const f = cli(['migrate', '--no-such-flag'])
  assert.equal(f.code, 2)
  const h = cli(['frobnicate', '--help'])
  assert.equal(h.code, 2)
  assert.match(h.stderr, /unknown command/)
  const v = cli(['version', '--help'])
  assert.equal(v.code, 0)
  assert.match(v.stdout, /^dangjian \S+/)
})

test('--help anywhere: the command\'s usage on stdout, exit 0, and nothing made or written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dj-help-'))
  try {
    const runs = [['org', '--help'], ['org', 'list', '-h'], ['user', 'add', '--help'], ['user', 'add', 'x', '--help'],
      ['export', 'members', '--help'], ['import', 'members', 'x.csv', '--help'], ['audit', 'verify', '--help'],
      ['keys', 'rotate', '--help'], ['backup', 'b.bin', '--help'], ['restore', 'b.bin', '--help'], ['demo', '--help'],
      ['jobs', 'run', '--help'], ['serve', '--help'], ['migrate', '--help'], ['idcard', 'check', '--help']]
    for (const args of runs) {
      const r = cli(args, { cwd: dir })
      assert.equal(r.code, 0, args.join(' '))
      assert.match(r.stdout, new RegExp('^usage: dangjian ' + args[0]), args.join(' '))
    }
    for (const args of [['org'], ['user'], ['export'], ['import'], ['import', 'members']]) {
      const cmd = args.join(' ')
      const r = cli(args, { cwd: dir })
      assert.equal(r.code, 2, cmd)
      assert.match(r.stderr, /usage:/, cmd)
    }
    assert.deepEqual(readdirSync(dir), [], 'no database or key file was made')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a bad --db URL prints a clear message and exits non-zero', () => {
  for (const url of ['mysql://x', 'sqlite:', '']) {
    const r = cli(['migrate', '--db', url])
    assert.notEqual(r.code, 0, url)
    assert.match(r.stderr, /db|数据库/i, url)
  }
  const r = cli(['migrate', '--db', 'sqlite:/nonexistent-dir/x/y.db'])
  assert.equal(r.code, 1)
})

test('a missing value for a global flag is a usage error', () => {
  const r = cli(['migrate', '--db'])
  assert.equal(r.code, 2)
})

test('migrate is idempotent and reports the version', () => {
  const db = freshDb()
  try {
    const a = JSON.parse(cli(['migrate', '--db', db.url]).stdout)
    const b = JSON.parse(cli(['migrate', '--db', db.url]).stdout)
    assert.ok(a.applied >= 1)
    assert.equal(b.applied, 0)
    assert.equal(a.version, b.version)
  } finally { db.cleanup() }
})

test('org create/show/tree/rename/move/dissolve from the CLI, with validation', () => {
  const db = freshDb()
  try {
    const c = cli(['org', 'create', '--db', db.url, '--code', 'C', '--name', '示例集团党委', '--type', 'committee'])
    assert.equal(c.code, 0, c.stderr)
    const root = JSON.parse(c.stdout)
    const b = JSON.parse(cli(['org', 'create', '--db', db.url, '--code', 'C1', '--name', '一支部', '--type', 'branch', '--parent', String(root.id)]).stdout)
    const gb = JSON.parse(cli(['org', 'create', '--db', db.url, '--code', 'G1', '--name', '机关党总支', '--type', 'general_branch', '--parent', String(root.id)]).stdout)
    const bad = cli(['org', 'create', '--db', db.url, '--code', 'C2', '--name', '二支部', '--type', 'branch', '--parent', String(root.id), '--term-years', '9'], { env: { ...process.env, DJ_LANG: 'en' } })
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /term_years: A term lasts 3 to 5 years/)
    const dup = cli(['org', 'create', '--db', db.url, '--code', 'C1', '--name', '重复支部', '--type', 'branch', '--parent', String(root.id)])
    assert.equal(dup.code, 1)
    const ren = JSON.parse(cli(['org', 'rename', String(b.id), '第一党支部', '--db', db.url]).stdout)
    assert.equal(ren.name, '第一党支部')
    const mv = JSON.parse(cli(['org', 'move', String(b.id), '--parent', String(gb.id), '--db', db.url]).stdout)
    assert.equal(mv.path, `/${root.id}/${gb.id}/${b.id}/`)
    const tree = JSON.parse(cli(['org', 'tree', String(root.id), '--db', db.url]).stdout)
    assert.deepEqual(tree.map((o) => o.id), [root.id, gb.id, b.id])
    assert.equal(cli(['org', 'dissolve', String(gb.id), '--db', db.url]).code, 1)
    assert.equal(cli(['org', 'dissolve', String(b.id), '--db', db.url]).code, 0)
    assert.equal(cli(['org', 'show', String(b.id), '--db', db.url]).code, 1)
    assert.equal(cli(['org', 'show', 'x', '--db', db.url]).code, 2)
  } finally { db.cleanup() }
})

test('demo refuses a database that already has organizations', () => {
  const db = freshDb()
  try {
    assert.equal(cli(['demo', '--db', db.url, '--members', '20', '--seed', '3']).code, 0)
    const again = cli(['demo', '--db', db.url, '--members', '20'])
    assert.equal(again.code, 1)
    assert.notEqual(again.stderr, '')
    assert.equal(cli(['demo', '--db', db.url, '--members', 'lots']).code, 2)
  } finally { db.cleanup() }
})

test('SIGTERM lets a request in flight finish before the server exits', async () => {
  const srv = await startServer()
  const port = Number(new URL(srv.base).port)
  const body = JSON.stringify({ code: 'SIG', name: '信号测试党委', type: 'committee' })
  const sock = net.connect(port, '127.0.0.1')
  await new Promise((r) => sock.on('connect', r))
  let data = ''
  sock.on('data', (d) => { data += d })
  const auth = `Cookie: ${srv.admin.cookie}\r\nX-CSRF-Token: ${srv.admin.csrf}\r\n`
  sock.write(`POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`)
  await new Promise((r) => setTimeout(r, 150))
  srv.proc.kill('SIGTERM')
  await new Promise((r) => setTimeout(r, 150))
  sock.write(body.slice(10))
  await new Promise((r) => sock.on('close', r))
  assert.match(data, /^HTTP\/1\.1 201/)
  const info = await srv.stop()
  assert.equal(info.code, 0)
})

test('a second serve on the same address fails with "address in use", and the first keeps serving', async () => {
  const srv = await startServer({ login: false })
  try {
    const port = new URL(srv.base).port
    const db = freshDb()
    const r = cli(['serve', '--db', db.url, '--listen', `127.0.0.1:${port}`], { timeout: 15000, env: { ...process.env, DJ_LANG: 'en' } })
    db.cleanup()
    assert.equal(r.code, 1, `exit ${r.code} ${r.signal || ''}: ${r.stderr}`)
    assert.match(r.stderr, /another dangjian serve is using it/)
    for (let i = 0; i < 20; i++) {        // every connection still reaches the first server
      const h = await fetch(`${srv.base}/api/v1/health`, { headers: { Connection: 'close' } })
      assert.equal(h.status, 200)
    }
  } finally {
    await srv.stop()
  }
})

test('idcard check: JSON verdict, exit 0 valid / 1 invalid / 2 usage (ID-01..05)', () => {
  const en = { env: { ...process.env, DJ_LANG: 'en' } }
  let r = cli(['idcard', 'check', '11010519491231002x'], en)
  assert.equal(r.code, 0)
  assert.deepEqual(JSON.parse(r.stdout), { valid: true, birth_date: '1949-12-31', gender: 'female', rule: null, reason: 'The ID number is valid' })
  r = cli(['idcard', 'check', '130503670401001'], en)
  assert.equal(r.code, 0)
  const up = JSON.parse(r.stdout)
  assert.equal(up.id_number, '130503196704010016', 'ID-05: the 18-digit form')
  assert.equal(up.gender, 'male')
  assert.equal(up.birth_date, '1967-04-01')
  r = cli(['idcard', 'check', '110105194912310021'], en)
  assert.equal(r.code, 1)
  const bad = JSON.parse(r.stdout)
  assert.equal(bad.valid, false)
  assert.equal(bad.rule, 'ID-02')
  assert.equal(bad.expected, 'X')
  assert.match(bad.reason, /check character/)
  r = cli(['idcard', 'check', '11010520010229001X'], en)
  assert.equal(r.code, 1)
  assert.equal(JSON.parse(r.stdout).rule, 'ID-03')
  assert.equal(cli(['idcard', 'check']).code, 2)
  assert.equal(cli(['idcard', 'verify', '11010519491231002X']).code, 2)
  assert.equal(cli(['idcard']).code, 2)
})
