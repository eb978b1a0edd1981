// orgs.test.mjs: the organization tree over real HTTP, on SQLite or PostgreSQL (DJ_TEST_DB).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, api } from './lib/server.mjs'

let srv, root
const post = (path, body, h) => api(srv.base, 'POST', path, body, h)
const get = (path, h) => api(srv.base, 'GET', path, undefined, h)

before(async () => {
  srv = await startServer()
  const r = await post('/api/v1/orgs', { code: 'T', name: '测试集团党委', type: 'committee', founded_on: '2001-07-01', term_start: '2022-06-30' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  root = r.body
})
after(async () => { await srv?.stop() })

test('creating a top-level committee returns it with its path and term end (ORG-05: 5 years)', async () => {
  assert.equal(root.type, 'committee')
  assert.equal(root.parent_id, null)
  assert.equal(root.path, `/${root.id}/`)
  assert.equal(root.depth, 0)
  assert.equal(root.term_years_effective, 5)
  assert.equal(root.term_end, '2027-06-30')
  assert.deepEqual(root.ancestors, [])
  assert.ok(Array.isArray(root.warnings))
})

test('a branch goes under a committee and gets the parent path', async () => {
  const r = await post('/api/v1/orgs', { parent_id: root.id, code: 'T01', name: '生产一车间党支部', type: 'branch' })
  assert.equal(r.status, 201)
  assert.equal(r.body.path, `/${root.id}/${r.body.id}/`)
  assert.equal(r.body.depth, 1)
  assert.deepEqual(r.body.ancestors.map((a) => a.id), [root.id])
  assert.ok(r.body.warnings.some((w) => w.rule === 'ORG-01'), 'an empty branch is below 3 full members')
})

test('the type hierarchy is enforced: a group cannot sit under a committee', async () => {
  const r = await post('/api/v1/orgs', { parent_id: root.id, code: 'TG', name: '第一党小组', type: 'group' })
  assert.equal(r.status, 400)
  assert.equal(r.body.error.code, 'validation_failed')
  assert.ok(r.body.error.fields.type)
})

test('a top-level org must be a committee', async () => {
  const r = await post('/api/v1/orgs', { code: 'X1', name: '孤立党支部', type: 'branch' })
  assert.equal(r.status, 400)
  assert.ok(r.body.error.fields.type)
})

test('a duplicate code is a 409 on the code field', async () => {
  const r = await post('/api/v1/orgs', { parent_id: root.id, code: 'T', name: '重复编码党支部', type: 'branch' })
  assert.equal(r.status, 409)
  assert.equal(r.body.error.code, 'conflict')
  assert.ok(r.body.error.fields.code)
})

test('bad fields are reported together, each on its field, in English on request', async () => {
  const r = await post('/api/v1/orgs', { parent_id: root.id, code: 'bad code!', name: 'x', type: 'branch', founded_on: '2021-02-30', term_years: 7, committee_size: 9, colour: 'red' },
    { 'Accept-Language': 'en' })
  assert.equal(r.status, 400)
  const f = r.body.error.fields
  for (const k of ['code', 'name', 'founded_on', 'term_years', 'committee_size', 'colour']) assert.ok(f[k], `field ${k}: ${JSON.stringify(f)}`)
  assert.match(f.term_years, /3 to 5 years/)
})

test('wrong JSON types are field errors, not crashes', async () => {
  const r = await post('/api/v1/orgs', { parent_id: 'one', code: 5, name: ['a'], type: null, has_committee: 'yes' })
  assert.equal(r.status, 400)
  for (const k of ['parent_id', 'code', 'name', 'type', 'has_committee']) assert.ok(r.body.error.fields[k], k)
})

test('a missing parent is a field error', async () => {
  const r = await post('/api/v1/orgs', { parent_id: 999999, code: 'NP', name: '无上级党支部', type: 'branch' })
  assert.equal(r.status, 400)
  assert.ok(r.body.error.fields.parent_id)
})

test('PATCH renames and updates term data; unknown and immutable fields are refused', async () => {
  const c = await post('/api/v1/orgs', { parent_id: root.id, code: 'T02', name: '技术研发中心党支部', type: 'branch' })
  const r = await api(srv.base, 'PATCH', `/api/v1/orgs/${c.body.id}`, { name: '技术研发中心第一党支部', term_start: '2020-01-15', has_committee: true, committee_size: 5 })
  assert.equal(r.status, 200)
  assert.equal(r.body.name, '技术研发中心第一党支部')
  assert.equal(r.body.term_end, '2023-01-15')                      // ORG-05: branch 3 years
  assert.ok(r.body.warnings.some((w) => w.rule === 'ORG-06' && w.level === 'error'), 'over a year overdue')
  const bad = await api(srv.base, 'PATCH', `/api/v1/orgs/${c.body.id}`, { type: 'group' })
  assert.equal(bad.status, 400)
  assert.ok(bad.body.error.fields.type)
})

test('GET of an unknown or malformed id is a 404', async () => {
  for (const id of ['999999', 'abc', '0', '-1', '1e3']) {
    const r = await get(`/api/v1/orgs/${id}`)
    assert.equal(r.status, 404, id)
  }
})

test('list: search by name, filter by type, pagination meta and sort whitelist', async () => {
  for (let i = 1; i <= 25; i++) {
    const r = await post('/api/v1/orgs', { parent_id: root.id, code: `P${String(i).padStart(2, '0')}`, name: `营销服务部第${i}党支部`, type: 'branch' })
    assert.equal(r.status, 201)
  }
  const p1 = await get('/api/v1/orgs?q=营销&per_page=10&sort=code')
  assert.equal(p1.status, 200)
  assert.equal(p1.body.meta.total, 25)
  assert.equal(p1.body.data.length, 10)
  assert.equal(p1.body.data[0].code, 'P01')
  const p3 = await get('/api/v1/orgs?q=营销&per_page=10&page=3&sort=-code')
  assert.equal(p3.body.data.length, 5)
  assert.equal(p3.body.data[4].code, 'P01')
  const types = await get('/api/v1/orgs?type=committee')
  assert.ok(types.body.data.every((o) => o.type === 'committee'))
  const top = await get('/api/v1/orgs?parent_id=root')
  assert.deepEqual(top.body.data.map((o) => o.id), [root.id])
  const bad = await get('/api/v1/orgs?sort=;drop table orgs&per_page=1000')
  assert.equal(bad.status, 400)
  assert.ok(bad.body.error.fields.sort || bad.body.error.fields.per_page)
  const like = await get('/api/v1/orgs?q=%25')           // a literal % matches nothing here
  assert.equal(like.body.meta.total, 0)
})

test('move rewrites the subtree paths; moving under its own descendant is refused', async () => {
  const gb = await post('/api/v1/orgs', { parent_id: root.id, code: 'GB1', name: '机关党总支', type: 'general_branch' })
  const br = await post('/api/v1/orgs', { parent_id: root.id, code: 'B9', name: '财务资产部党支部', type: 'branch' })
  const grp = await post('/api/v1/orgs', { parent_id: br.body.id, code: 'B9G1', name: '第一党小组', type: 'group' })
  const mv = await post(`/api/v1/orgs/${br.body.id}/move`, { parent_id: gb.body.id })
  assert.equal(mv.status, 200, JSON.stringify(mv.body))
  assert.equal(mv.body.path, `/${root.id}/${gb.body.id}/${br.body.id}/`)
  assert.equal(mv.body.depth, 2)
  const g = await get(`/api/v1/orgs/${grp.body.id}`)
  assert.equal(g.body.path, `/${root.id}/${gb.body.id}/${br.body.id}/${grp.body.id}/`)
  assert.equal(g.body.depth, 3)
  const loop = await post(`/api/v1/orgs/${gb.body.id}/move`, { parent_id: br.body.id })
  assert.equal(loop.status, 400)
  assert.ok(loop.body.error.fields.parent_id)
  const self = await post(`/api/v1/orgs/${gb.body.id}/move`, { parent_id: gb.body.id })
  assert.equal(self.status, 400)
  const sub = await get(`/api/v1/orgs/${gb.body.id}/subtree`)
  assert.deepEqual(sub.body.data.map((o) => o.id), [gb.body.id, br.body.id, grp.body.id])
  const kids = await get(`/api/v1/orgs/${gb.body.id}/children`)
  assert.deepEqual(kids.body.data.map((o) => o.id), [br.body.id])
  assert.equal(kids.body.data[0].child_count, 1)
})

test('dissolve: 409 while it has children, 204 once empty, then 404', async () => {
  const br = await post('/api/v1/orgs', { parent_id: root.id, code: 'D1', name: '待撤销党支部', type: 'branch' })
  const grp = await post('/api/v1/orgs', { parent_id: br.body.id, code: 'D1G', name: '第一党小组', type: 'group' })
  const busy = await api(srv.base, 'DELETE', `/api/v1/orgs/${br.body.id}`)
  assert.equal(busy.status, 409)
  assert.equal(busy.body.error.code, 'conflict')
  assert.match(busy.body.error.message, /不能撤销/)
  assert.equal((await api(srv.base, 'DELETE', `/api/v1/orgs/${grp.body.id}`)).status, 204)
  assert.equal((await api(srv.base, 'DELETE', `/api/v1/orgs/${br.body.id}`)).status, 204)
  assert.equal((await get(`/api/v1/orgs/${br.body.id}`)).status, 404)
})

test('ids are never reused after a dissolve', async () => {
  const a = await post('/api/v1/orgs', { parent_id: root.id, code: 'REUSE1', name: '编号测试党支部', type: 'branch' })
  assert.equal((await api(srv.base, 'DELETE', `/api/v1/orgs/${a.body.id}`)).status, 204)
  const b = await post('/api/v1/orgs', { parent_id: root.id, code: 'REUSE2', name: '编号测试二党支部', type: 'branch' })
  assert.ok(b.body.id > a.body.id)
})

test('a nested committee can move to the top level; a branch cannot', async () => {
  const c = await post('/api/v1/orgs', { parent_id: root.id, code: 'SUB1', name: '二级单位党委', type: 'committee' })
  const br = await post('/api/v1/orgs', { parent_id: c.body.id, code: 'SUB1B', name: '二级单位第一党支部', type: 'branch' })
  const bad = await post(`/api/v1/orgs/${br.body.id}/move`, { parent_id: null })
  assert.equal(bad.status, 400)
  assert.ok(bad.body.error.fields.parent_id)
  const up = await post(`/api/v1/orgs/${c.body.id}/move`, { parent_id: null })
  assert.equal(up.status, 200, JSON.stringify(up.body))
  assert.equal(up.body.parent_id, null)
  assert.equal(up.body.path, `/${c.body.id}/`)
  assert.equal((await get(`/api/v1/orgs/${br.body.id}`)).body.path, `/${c.body.id}/${br.body.id}/`)
  assert.equal((await post(`/api/v1/orgs/${c.body.id}/move`, { parent_id: root.id })).status, 200)
})

test('list items carry the parent name to tell same-named orgs apart', async () => {
  const r = await get('/api/v1/orgs?q=二级单位第一')
  assert.equal(r.body.data[0].parent_name, '二级单位党委')
})
