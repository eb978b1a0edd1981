// member_self.test.mjs: a member's own record and change requests (issue 5 §7) over real HTTP,
// on SQLite or PostgreSQL (DJ_TEST_DB): the member reads only their own record, asks for
// changes (checked with the record rules, sealed, pending), cancels; the secretary of the
// member's branch lists, approves (the record changes, audited) or rejects with a comment;
// stale approvals are 409; a secretary outside the branch sees nothing (404).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, api, sql } from './lib/server.mjs'
import { asRole } from './lib/auth.mjs'

let srv, A, B, secA, secB
const get = (path) => api(srv.base, 'GET', path)
const post = (path, body) => api(srv.base, 'POST', path, body)

function idNumber(birth, seq) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const body = `320102${birth.replace(/-/g, '')}${String(seq).padStart(3, '0')}`
  const s = [...body].reduce((acc, d, i) => acc + Number(d) * w[i], 0)
  return body + '10X98765432'[s % 11]
}
let seq = 300
// A member of org o with a known phone, and a logged-in user linked to them.
async function memberOf(o) {
  const r = await post('/api/v1/members', {
    org_id: o.id, name: '王自助', gender: 1, education: '21', category: 'full', birth_date: '1990-03-15',
    joined_on: '2014-06-30', full_on: '2015-06-30', id_number: idNumber('1990-03-15', (seq += 2) + 1),
    phone: '13912345678', address: '江苏省南京市玄武区中山路1号', job: '工程师',
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return { id: r.body.id, s: await asRole(srv, 'member', null, { memberId: r.body.id }) }
}

before(async () => {
  srv = await startServer({ members: 80 })
  const orgs = (await get('/api/v1/orgs?type=branch&per_page=50')).body.data
  A = orgs[0]
  B = orgs.find((o) => !o.path.startsWith(A.path) && !A.path.startsWith(o.path))
  secA = await asRole(srv, 'branch_secretary', A.code)
  secB = await asRole(srv, 'branch_secretary', B.code)
})
after(async () => { await srv?.stop() })

test('a member reads their own record, masked; others and unlinked users get nothing', async () => {
  const m = await memberOf(A)
  const me = await m.s.get('/api/v1/me/member')
  assert.equal(me.status, 200, JSON.stringify(me.body))
  assert.equal(me.body.id, m.id)
  assert.equal(me.body.phone, '139****5678')
  const other = await memberOf(A)
  assert.equal((await m.s.get(`/api/v1/members/${other.id}`)).status, 403, 'a member holds no member.read')
  const none = await srv.admin.get('/api/v1/me/member')
  assert.equal(none.status, 404)
  assert.equal(none.body.error.code, 'not_found')
  assert.match(none.body.error.message, /未关联党员档案/)
  const en = await srv.admin.get('/api/v1/me/member', { 'Accept-Language': 'en' })
  assert.match(en.body.error.message, /not linked to a member/)
})

test('request -> pending (record unchanged) -> approve applies, audited, history on both sides', async () => {
  const m = await memberOf(A)
  const r = await m.s.post('/api/v1/me/member/change-requests', { fields: { phone: '+86 139 0000 1111', job: '科长' }, note: '换了手机' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.equal(r.body.state, 'pending')
  assert.deepEqual(r.body.fields, ['phone', 'job'])
  assert.deepEqual(r.body.changes.phone, { current: '139****5678', proposed: '139****1111' })
  assert.deepEqual(r.body.changes.job, { current: '工程师', proposed: '科长' })
  assert.equal((await m.s.get('/api/v1/me/member')).body.job, '工程师', 'the record does not change yet')
  // sealed: no plain value in the table
  const stored = sql(srv.url, `SELECT proposed_enc || ' ' || base_enc || ' ' || fields FROM member_change_requests WHERE id = ${r.body.id}`)
  assert.ok(!stored.includes('13900001111') && !stored.includes('科长') && !stored.includes('13912345678'), stored)
  assert.equal((await m.s.post('/api/v1/me/member/change-requests', { fields: { job: '处长' } })).status, 409, 'one pending at a time')
  const list = await secA.get(`/api/v1/member-change-requests?org_id=${A.id}`)
  assert.equal(list.status, 200)
  assert.ok(list.body.data.some((x) => x.id === r.body.id))
  const one = await secA.get(`/api/v1/member-change-requests/${r.body.id}`)
  assert.equal(one.status, 200)
  assert.equal(one.body.changes.phone.proposed, '139****1111')
  const ok = await secA.post(`/api/v1/member-change-requests/${r.body.id}/approve`, { comment: '已核实' })
  assert.equal(ok.status, 200, JSON.stringify(ok.body))
  assert.equal(ok.body.state, 'approved')
  assert.deepEqual(ok.body.history.map((h) => [h.action, h.comment]), [['created', '换了手机'], ['approved', '已核实']])
  const rec = await get(`/api/v1/members/${m.id}`)
  assert.equal(rec.body.job, '科长')
  assert.equal(rec.body.phone, '139****1111')
  assert.equal((await post(`/api/v1/members/${m.id}/reveal`, { field: 'phone' })).body.value, '13900001111', 'ID-07: +86 and spaces stripped')
  const audit = sql(srv.url, `SELECT action || ' ' || changes FROM audit_log WHERE object = 'member:${m.id}' ORDER BY seq`)
  assert.match(audit, /member\.change_request\.create[\s\S]*member\.change_request\.apply[\s\S]*member\.change_request\.approved/)
  assert.ok(!audit.includes('13900001111'), 'personal data masked in the audit log')
  const mine = await m.s.get('/api/v1/me/member/change-requests')
  assert.equal(mine.body.data[0].state, 'approved')
  assert.equal(mine.body.data[0].history.length, 2)
  assert.equal((await secA.post(`/api/v1/member-change-requests/${r.body.id}/reject`, { comment: 'x' })).status, 409, 'already decided')
})

test('reject needs a comment; cancel by the member; another member cannot cancel it', async () => {
  const m = await memberOf(A)
  const other = await memberOf(A)
  const r = await m.s.post('/api/v1/me/member/change-requests', { fields: { department: '财务部' } })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const bare = await secA.post(`/api/v1/member-change-requests/${r.body.id}/reject`, {})
  assert.equal(bare.status, 400)
  assert.ok(bare.body.error.fields.comment)
  const no = await secA.post(`/api/v1/member-change-requests/${r.body.id}/reject`, { comment: '请提供调岗文件' })
  assert.equal(no.status, 200)
  assert.equal(no.body.state, 'rejected')
  assert.equal(no.body.history[1].comment, '请提供调岗文件')
  assert.equal((await get(`/api/v1/members/${m.id}`)).body.department, null)
  const again = await m.s.post('/api/v1/me/member/change-requests', { fields: { department: '财务部' } })
  assert.equal(again.status, 201)
  assert.equal((await other.s.post(`/api/v1/me/member/change-requests/${again.body.id}/cancel`)).status, 404)
  const c = await m.s.post(`/api/v1/me/member/change-requests/${again.body.id}/cancel`)
  assert.equal(c.status, 200)
  assert.equal(c.body.state, 'cancelled')
  assert.equal((await secA.post(`/api/v1/member-change-requests/${again.body.id}/approve`, {})).status, 409)
})

test('a request that breaks a rule or asks for an identity field is refused with the field', async () => {
  const m = await memberOf(A)
  const bad = await m.s.post('/api/v1/me/member/change-requests', { fields: { phone: '12345' } })
  assert.equal(bad.status, 400)
  assert.match(bad.body.error.fields.phone, /ID-07/)
  const who = await m.s.post('/api/v1/me/member/change-requests', { fields: { name: '王改名', id_number: '110101199003070011' } })
  assert.equal(who.status, 400)
  assert.ok(who.body.error.fields.name && who.body.error.fields.id_number)
  const same = await m.s.post('/api/v1/me/member/change-requests', { fields: { job: '工程师' } })
  assert.equal(same.status, 400, 'no change')
  const edu = await m.s.post('/api/v1/me/member/change-requests', { fields: { education: 'nope' } })
  assert.equal(edu.status, 400)
  assert.match(edu.body.error.fields.education, /CODE-04/)
})

test('approving after the record changed in a requested field is 409 and stays pending', async () => {
  const m = await memberOf(A)
  const r = await m.s.post('/api/v1/me/member/change-requests', { fields: { title: '工程师', address: '北京市东城区1号' } })
  assert.equal(r.status, 201)
  let rec = (await get(`/api/v1/members/${m.id}`)).body
  // an unrelated change: approval still works on fields nobody touched
  assert.equal((await api(srv.base, 'PATCH', `/api/v1/members/${m.id}`, { version: rec.version, job: '主任' })).status, 200)
  rec = (await get(`/api/v1/members/${m.id}`)).body
  assert.equal((await api(srv.base, 'PATCH', `/api/v1/members/${m.id}`, { version: rec.version, title: '高级工程师' })).status, 200)
  const stale = await secA.post(`/api/v1/member-change-requests/${r.body.id}/approve`, {})
  assert.equal(stale.status, 409)
  assert.match(stale.body.error.message, /已被修改/)
  assert.equal((await secA.get(`/api/v1/member-change-requests/${r.body.id}`)).body.state, 'pending')
  const r2 = await memberOf(A)
  const q = await r2.s.post('/api/v1/me/member/change-requests', { fields: { work_unit: '新单位' } })
  rec = (await get(`/api/v1/members/${r2.id}`)).body
  assert.equal((await api(srv.base, 'PATCH', `/api/v1/members/${r2.id}`, { version: rec.version, job: '主任' })).status, 200)
  const ok = await secA.post(`/api/v1/member-change-requests/${q.body.id}/approve`, {})
  assert.equal(ok.status, 200, JSON.stringify(ok.body))
  rec = (await get(`/api/v1/members/${r2.id}`)).body
  assert.equal(rec.work_unit, '新单位')
  assert.equal(rec.job, '主任')
})

test('a secretary outside the member\'s branch neither sees nor decides the request (404)', async () => {
  const m = await memberOf(A)
  const r = await m.s.post('/api/v1/me/member/change-requests', { fields: { job: '组长' } })
  assert.equal(r.status, 201)
  assert.equal((await secB.get(`/api/v1/member-change-requests/${r.body.id}`)).status, 404)
  assert.equal((await secB.post(`/api/v1/member-change-requests/${r.body.id}/approve`, {})).status, 404)
  assert.equal((await secB.post(`/api/v1/member-change-requests/${r.body.id}/reject`, { comment: 'x' })).status, 404)
  assert.equal((await secB.get(`/api/v1/member-change-requests?org_id=${A.id}`)).status, 404)
  const theirs = await secB.get('/api/v1/member-change-requests?state=all')
  assert.equal(theirs.status, 200)
  assert.ok(!theirs.body.data.some((x) => x.id === r.body.id))
  assert.equal((await get(`/api/v1/member-change-requests/${r.body.id}`)).body.state, 'pending')
})
