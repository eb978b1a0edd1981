// member_quality.test.mjs: the data-quality report (issue 5 §8) over real HTTP, on SQLite or
// PostgreSQL (DJ_TEST_DB). The demo data passes every rule, so the test breaks known members
// through SQL (a missing required field, a bad code, a copied ID blind index, a name + birth
// date copied into another branch) and compares a run before with a run after: per-org counts,
// roll-up sums over the tree, the score formula, the findings list with paging and org scope.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, api, sql } from './lib/server.mjs'
import { asRole } from './lib/auth.mjs'

let srv, A, B, base, after1
const get = (path) => api(srv.base, 'GET', path)
const post = (path, body) => api(srv.base, 'POST', path, body)

async function runReport(session, body = {}) {
  const r = await session.post('/api/v1/member-quality/runs', body)
  assert.equal(r.status, 202, JSON.stringify(r.body))
  for (let i = 0; i < 300; i++) {
    const j = await get(`/api/v1/jobs/${r.body.job_id}`)
    if (j.body.state === 'done') return r.body
    assert.ok(['queued', 'running'].includes(j.body.state), JSON.stringify(j.body))
    await new Promise((res) => setTimeout(res, 100))
  }
  throw new Error('quality job did not finish')
}
const rowOf = (rep, org) => rep.data.find((x) => x.org_id === org.id)

before(async () => {
  srv = await startServer({ members: 80 })
  const orgs = (await get('/api/v1/orgs?type=branch&per_page=50')).body.data.filter((o) => o.members.total >= 3)
  A = orgs[0]
  B = orgs.find((o) => !o.path.startsWith(A.path) && !A.path.startsWith(o.path))
  await runReport(srv.admin)
  base = (await get('/api/v1/member-quality/latest')).body
  const inA = (await get(`/api/v1/members?org_id=${A.id}&per_page=50`)).body.data.map((m) => m.id)
  const inB = (await get(`/api/v1/members?org_id=${B.id}&per_page=50`)).body.data.map((m) => m.id)
  // A: one member without joined_on (REC-01), one with an unknown education code (CODE-04);
  // B: one with the ID blind index of an A member (DUP-01), one with the name and birth date of
  // another A member (DUP-02)
  sql(srv.url, `UPDATE members SET joined_on = NULL WHERE id = ${inA[0]}`)
  sql(srv.url, `UPDATE members SET education = 'zz' WHERE id = ${inA[1]}`)
  sql(srv.url, `UPDATE members SET id_number_bidx = (SELECT id_number_bidx FROM members WHERE id = ${inA[2]}) WHERE id = ${inB[0]}`)
  sql(srv.url, `UPDATE members SET name = '重名测试', birth_date = '1980-01-01' WHERE id IN (${inA[0]}, ${inB[1]})`)
  after1 = { ids: { inA, inB }, run: await runReport(srv.admin) }
})
after(async () => { await srv?.stop() })

test('counts per branch: rule violations, missing fields and duplicates (REC-01, CODE-04, DUP-01, DUP-02)', async () => {
  const rep = (await get('/api/v1/member-quality/latest')).body
  assert.equal(rep.run.id, after1.run.run_id)
  const a0 = rowOf(base, A), a1 = rowOf(rep, A), b0 = rowOf(base, B), b1 = rowOf(rep, B)
  const d = (x, y, k) => (y.rules[k] || 0) - (x.rules[k] || 0)
  assert.equal(d(a0, a1, 'REC-01'), 1)
  assert.equal(d(a0, a1, 'CODE-04'), 1)
  assert.equal(a1.missing_required - a0.missing_required, 1)
  assert.equal(a1.dup_id_number - a0.dup_id_number, 1, 'the A member whose number was copied')
  assert.equal(b1.dup_id_number - b0.dup_id_number, 1)
  assert.ok(a1.dup_name_birth - a0.dup_name_birth >= 1 && b1.dup_name_birth - b0.dup_name_birth >= 1)
  assert.equal(d(b0, b1, 'DUP-01'), 1)
  // inA[0] has two findings but counts once as a problem member
  assert.equal((a0.clean - a1.clean), 3, 'three A members with findings')
})

test('roll-up: every org holds the sum of its subtree; the score is floor(100 * clean / members)', async () => {
  const rep = (await get('/api/v1/member-quality/latest')).body
  const own = new Map(sql(srv.url, "SELECT org_id || ' ' || COUNT(*) FROM members WHERE status IN ('normal', 'lost_contact') GROUP BY org_id")
    .trim().split('\n').filter(Boolean).map((l) => l.split(' ').map(Number)))
  for (const row of rep.data) {
    const sub = rep.data.filter((x) => x.path.startsWith(row.path))
    const expected = sub.reduce((s, x) => s + (own.get(x.org_id) || 0), 0)
    assert.equal(row.members, expected, `members of ${row.path}`)
    const children = rep.data.filter((x) => x.parent_id === row.org_id)
    if (children.length) assert.ok(row.dup_id_number >= children.reduce((s, x) => s + x.dup_id_number, 0))
    assert.equal(row.problem_members, row.members - row.clean)
    assert.equal(row.score, row.members ? Math.floor(100 * row.clean / row.members) : 100)
  }
  const tops = rep.data.filter((x) => !rep.data.some((y) => y.org_id === x.parent_id))
  const total = Number(sql(srv.url, "SELECT COUNT(*) FROM members WHERE status IN ('normal', 'lost_contact')").trim())
  assert.equal(tops.reduce((s, x) => s + x.members, 0), total)
  const job = (await get(`/api/v1/jobs/${after1.run.job_id}`)).body
  assert.equal(job.done, total)
  assert.equal(job.result.members, total)
})

test('findings list: member, org, rule and field, filtered and paged', async () => {
  const id = after1.run.run_id
  const rec = await get(`/api/v1/member-quality/runs/${id}/items?org_id=${A.id}&rule=REC-01`)
  assert.equal(rec.status, 200)
  assert.ok(rec.body.data.some((x) => x.member_id === after1.ids.inA[0] && x.field === 'joined_on'))
  const all = await get(`/api/v1/member-quality/runs/${id}/items?org_id=${A.id}&per_page=200`)
  const pages = []
  for (let p = 1; p <= all.body.meta.total; p++) {
    const one = await get(`/api/v1/member-quality/runs/${id}/items?org_id=${A.id}&per_page=1&page=${p}`)
    assert.equal(one.body.meta.total, all.body.meta.total)
    pages.push(JSON.stringify(one.body.data[0]))
  }
  assert.deepEqual(pages, all.body.data.map((x) => JSON.stringify(x)))
  assert.equal((await get('/api/v1/member-quality/runs/999999/items')).status, 404)
})

test('scope: a secretary sees their subtree only; other branches are 404', async () => {
  const secB = await asRole(srv, 'branch_secretary', B.code)
  const mine = await secB.get('/api/v1/member-quality/latest')
  assert.equal(mine.status, 200)
  assert.ok(mine.body.data.every((x) => x.path.startsWith(B.path)))
  assert.equal((await secB.get(`/api/v1/member-quality/latest?org_id=${A.id}`)).status, 404)
  assert.equal((await secB.get(`/api/v1/member-quality/runs/${after1.run.run_id}/items?org_id=${A.id}`)).status, 404)
  const items = await secB.get(`/api/v1/member-quality/runs/${after1.run.run_id}/items`)
  assert.ok(items.body.data.every((x) => x.org_id !== A.id))
  assert.equal((await secB.post('/api/v1/member-quality/runs', { org_id: A.id })).status, 404)
  const own = await runReport(secB, { org_id: B.id })
  const rep = (await secB.get(`/api/v1/member-quality/latest?org_id=${B.id}`)).body
  assert.equal(rep.run.id, own.run_id)
  assert.equal(rowOf(rep, B).dup_id_number, 0, 'DUP-01 counts duplicates inside the run\'s subtree')
})
