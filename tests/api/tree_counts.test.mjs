// tree_counts.test.mjs: member counts roll up the tree on a demo data set, and the demo's job
// is visible through the jobs API.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, api } from './lib/server.mjs'

let srv, root
before(async () => {
  srv = await startServer({ members: 300 })
  const top = await api(srv.base, 'GET', '/api/v1/orgs?parent_id=root')
  root = top.body.data[0]
})
after(async () => { await srv?.stop() })

test('the demo builds one top-level committee holding every member', () => {
  assert.equal(root.type, 'committee')
  assert.equal(root.members.total, srv.demo.members)
  assert.equal(root.members.full + root.members.probationary, root.members.total)
})

test('subtree roll-ups equal the sum of direct counts, at every node', async () => {
  const r = await api(srv.base, 'GET', `/api/v1/orgs/${root.id}/subtree`)
  assert.equal(r.status, 200)
  const orgs = r.body.data
  assert.equal(r.body.meta.orgs, srv.demo.orgs)
  assert.equal(r.body.meta.members.total, srv.demo.members)
  const byId = new Map(orgs.map((o) => [o.id, o]))
  for (const o of orgs) {
    const under = orgs.filter((d) => d.path.startsWith(o.path))
    const sum = under.reduce((s, d) => s + d.direct.full + d.direct.probationary, 0)
    assert.equal(o.members.total, sum, `org ${o.id}`)
    if (o.parent_id) assert.ok(byId.has(o.parent_id))
  }
  // tree order: every parent comes before its children
  const seen = new Set()
  for (const o of orgs) { if (o.parent_id && o.id !== root.id) assert.ok(seen.has(o.parent_id)); seen.add(o.id) }
})

test('depth limits the rows returned but not the roll-ups', async () => {
  const full = await api(srv.base, 'GET', `/api/v1/orgs/${root.id}/subtree`)
  const d1 = await api(srv.base, 'GET', `/api/v1/orgs/${root.id}/subtree?depth=1`)
  assert.ok(d1.body.data.every((o) => o.depth <= root.depth + 1))
  assert.equal(d1.body.data[0].members.total, full.body.data[0].members.total)
  const bad = await api(srv.base, 'GET', `/api/v1/orgs/${root.id}/subtree?depth=-2`)
  assert.equal(bad.status, 400)
})

test('children carry their own roll-ups and child counts', async () => {
  const kids = await api(srv.base, 'GET', `/api/v1/orgs/${root.id}/children`)
  assert.equal(kids.status, 200)
  const total = kids.body.data.reduce((s, o) => s + o.members.total, 0) + root.direct.full + root.direct.probationary
  assert.equal(total, root.members.total)
  assert.ok(kids.body.data.every((o) => o.parent_id === root.id && o.child_count >= 0))
})

test('a branch with 7 or more full members and no committee is flagged ORG-03', async () => {
  const branches = await api(srv.base, 'GET', '/api/v1/orgs?type=branch&per_page=200')
  let checked = 0
  for (const b of branches.body.data) {
    const d = await api(srv.base, 'GET', `/api/v1/orgs/${b.id}`)
    const flagged = d.body.warnings.some((w) => w.rule === 'ORG-03' && w.level === 'error')
    assert.equal(flagged, b.members.full >= 7 && !b.has_committee, `branch ${b.id}`)
    checked++
  }
  assert.ok(checked > 0)
})

test('dissolving an org with members is refused with 409', async () => {
  const kids = await api(srv.base, 'GET', `/api/v1/orgs/${root.id}/children`)
  const r = await api(srv.base, 'DELETE', `/api/v1/orgs/${kids.body.data[0].id}`)
  assert.equal(r.status, 409)
})

test('the demo run is recorded as a finished job with progress', async () => {
  const r = await api(srv.base, 'GET', `/api/v1/jobs/${srv.demo.job_id}`)
  assert.equal(r.status, 200)
  assert.equal(r.body.kind, 'demo')
  assert.equal(r.body.state, 'done')
  assert.equal(r.body.done, r.body.total)
  assert.equal((await api(srv.base, 'GET', '/api/v1/jobs/99999999')).status, 404)
})

test('export.csv gives the subtree as a spreadsheet with rolled-up counts', async () => {
  const auth = { headers: { Cookie: srv.admin.cookie } }
  assert.equal((await fetch(`${srv.base}/api/v1/orgs/${root.id}/export.csv`)).status, 401, 'needs a session')
  const res = await fetch(`${srv.base}/api/v1/orgs/${root.id}/export.csv`, auth)
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type'), /^text\/csv/)
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="orgs-.+\.csv"$/)
  const bytes = new Uint8Array(await res.arrayBuffer())
  assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel')
  const lines = new TextDecoder().decode(bytes.slice(3)).trimEnd().split('\r\n')
  assert.equal(lines.length, srv.demo.orgs + 1)
  const head = lines[0].split(',')
  assert.equal(head[1], '组织名称')
  const first = lines[1].split(',')
  assert.equal(first[2], root.code)
  assert.equal(Number(first[7]), srv.demo.members)           // 党员合计 of the root
  const en = await (await fetch(`${srv.base}/api/v1/orgs/${root.id}/export.csv`, { headers: { 'Accept-Language': 'en', Cookie: srv.admin.cookie } })).text()
  assert.match(en, /Level,Name,Code,Type,Parent code/)
  assert.equal((await fetch(`${srv.base}/api/v1/orgs/999999/export.csv`, auth)).status, 404)
})
