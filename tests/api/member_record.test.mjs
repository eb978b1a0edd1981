// member_record.test.mjs: the member record (issue 5 §1, §2, §6) over real HTTP, on SQLite or
// PostgreSQL (DJ_TEST_DB): create and update with every kind of rule violation (field + rule
// id), optimistic concurrency, the history archive (status, restore, list, read-only), posts,
// awards, the photo, the code tables, the audit entries and org scope.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, api, sql } from './lib/server.mjs'
import { asRole } from './lib/auth.mjs'

let srv, branchA, branchB, groupA, committee
const post = (path, body, h) => api(srv.base, 'POST', path, body, h)
const patch = (path, body, h) => api(srv.base, 'PATCH', path, body, h)
const get = (path, h) => api(srv.base, 'GET', path, undefined, h)
const del = (path, h) => api(srv.base, 'DELETE', path, undefined, h)

// ID numbers with their check character (ID-02), made here like member_idcard_make.
function idNumber(region, birth, seq) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const body = `${region}${birth.replace(/-/g, '')}${String(seq).padStart(3, '0')}`
  const s = [...body].reduce((acc, d, i) => acc + Number(d) * w[i], 0)
  return body + '10X98765432'[s % 11]
}
let seq = 100
const fresh = (over = {}) => ({
  org_id: branchA.id, name: '李建国', gender: 1, ethnicity: '01', education: '21',
  category: 'full', birth_date: '1990-03-15', applied_on: '2012-03-01', activist_on: '2012-09-01',
  candidate_on: '2013-09-01', joined_on: '2014-06-30', full_on: '2015-06-30',
  id_number: idNumber('320102', '1990-03-15', (seq += 2) + 1), phone: '139 1234 5678',
  address: '江苏省南京市玄武区中山路1号', job: '工程师', title: '高级工程师', work_unit: '恒远能源',
  department: '技术部', ...over,
})

before(async () => {
  srv = await startServer({ members: 120 })
  const orgs = (await get('/api/v1/orgs?type=branch&per_page=50')).body.data
  branchA = orgs[0]
  branchB = orgs.find((o) => !o.path.startsWith(branchA.path) && o.id !== branchA.id)
  groupA = (await get(`/api/v1/orgs?type=group&per_page=50`)).body.data.find((o) => o.path.startsWith(branchA.path))
  committee = (await get('/api/v1/orgs?type=committee&per_page=1')).body.data[0]
})
after(async () => { await srv?.stop() })

test('a valid record is created with masked personal data, version 1 and derived fields', async () => {
  const body = fresh()
  const r = await post('/api/v1/members', body)
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.equal(r.body.version, 1)
  assert.equal(r.body.name, '李建国')
  assert.equal(r.body.status, 'normal')
  assert.equal(r.body.phone, '139****5678', 'ID-07: spaces stripped, then masked')
  assert.match(r.body.id_number, /^320102\*{8}\d{3}[\dX]$/)
  assert.deepEqual(r.body.posts, [])
  assert.deepEqual(r.body.awards, [])
  const again = await get(`/api/v1/members/${r.body.id}`)
  assert.equal(again.status, 200)
  assert.equal(again.body.job, '工程师')
  const reveal = await post(`/api/v1/members/${r.body.id}/reveal`, { field: 'phone' })
  assert.equal(reveal.body.value, '13912345678')
})

test('ID-05: a 15-digit ID number is stored as 18 digits; birth date and gender come from it', async () => {
  const r = await post('/api/v1/members', fresh({ id_number: '130503670401001', birth_date: null, gender: null, applied_on: null, activist_on: null, candidate_on: null, joined_on: '1990-07-01', full_on: '1991-07-01' }))
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.equal(r.body.birth_date, '1967-**-**', 'masked with the ID number (decision 0011)')
  assert.equal(r.body.gender, 1)
  const born = await post(`/api/v1/members/${r.body.id}/reveal`, { field: 'birth_date' })
  assert.equal(born.status, 200)
  assert.equal(born.body.value, '1967-04-01')
  const seen = sql(srv.url, "SELECT changes FROM audit_log WHERE action = 'member.reveal' ORDER BY seq DESC LIMIT 1").trim()
  assert.deepEqual(JSON.parse(seen), { field: 'birth_date' }, 'the reveal is audited')
  assert.equal((await post(`/api/v1/members/${r.body.id}/reveal`, { field: 'name' })).status, 400)
  const v = await post(`/api/v1/members/${r.body.id}/reveal`, { field: 'id_number' })
  assert.equal(v.body.value, '130503196704010016')
  const orig = sql(srv.url, `SELECT id_number_orig_enc FROM members WHERE id = ${r.body.id}`).trim()
  assert.match(orig, /^v1:/, 'the original is kept, sealed')
})

const VIOLATIONS = [
  ['ID-02', { id_number: '110105194912310021' }, 'id_number'],
  ['ID-01', { id_number: '12345' }, 'id_number'],
  ['ID-03', { birth_date: '1990-03-16' }, 'birth_date'],
  ['ID-04', { gender: 2 }, 'gender'],
  ['ID-07', { phone: '12345678901' }, 'phone'],
  ['DEV-01', { applied_on: null, activist_on: null, candidate_on: null, joined_on: '2008-03-14', full_on: '2009-03-14' }, 'joined_on'],
  ['ID-08', { full_on: '2015-06-29' }, 'full_on'],
  ['DEV-13', { full_on: '2016-01-10' }, 'full_on'],
  ['DEV-13', { full_on: '2016-07-01', full_exception: '延长预备期' }, 'full_on'],
  ['DEV-15', { activist_on: '2012-01-01' }, 'activist_on'],
  ['CODE-05', { category: 'probationary' }, 'full_on'],
  ['CODE-06', { joined_on: '2014/06/30' }, 'joined_on'],
  ['CODE-03', { ethnicity: '77' }, 'ethnicity'],
  ['CODE-04', { education: '55' }, 'education'],
  ['CODE-01', { gender: 5 }, 'gender'],
  ['REC-01', { name: '' }, 'name'],
  ['REC-02', { name: 'a\u0001b' }, 'name'],
  ['ID-08', { candidate_on: '2099-01-01', joined_on: '2099-02-01', full_on: '2100-02-01' }, 'candidate_on'],
]
for (const [rule, over, field] of VIOLATIONS) {
  test(`${rule}: a create breaking it is refused on ${field} with the rule in the message`, async () => {
    const r = await post('/api/v1/members', fresh(over), { 'Accept-Language': 'en' })
    assert.equal(r.status, 400, JSON.stringify(r.body))
    assert.equal(r.body.error.code, 'validation_failed')
    assert.ok(r.body.error.fields[field], `field ${field} in ${JSON.stringify(r.body.error.fields)}`)
    assert.ok(r.body.error.fields[field].includes(`(${rule})`), r.body.error.fields[field])
  })
}

test('every violation is reported at once, in Chinese by default', async () => {
  const r = await post('/api/v1/members', fresh({ id_number: '110105194912310021', phone: '1', ethnicity: '77' }))
  assert.equal(r.status, 400)
  assert.deepEqual(Object.keys(r.body.error.fields).sort(), ['ethnicity', 'id_number', 'phone'])
  assert.match(r.body.error.fields.id_number, /校验位.*（ID-02）/)
})

test('the org must be a branch or group in scope; status is not taken from a create', async () => {
  let r = await post('/api/v1/members', fresh({ org_id: committee.id }))
  assert.equal(r.status, 400)
  assert.ok(r.body.error.fields.org_id)
  r = await post('/api/v1/members', fresh({ org_id: groupA.id }))
  assert.equal(r.status, 201, JSON.stringify(r.body))
  r = await post('/api/v1/members', fresh({ status: 'deceased' }))
  assert.equal(r.status, 400)
  assert.ok(r.body.error.fields.status)
})

test('a duplicate ID number is 409 on id_number', async () => {
  const body = fresh()
  assert.equal((await post('/api/v1/members', body)).status, 201)
  const r = await post('/api/v1/members', { ...body, id_number: body.id_number.toLowerCase(), name: '另一人' })
  assert.equal(r.status, 409)
  assert.ok(r.body.error.fields.id_number)
})

test('SQL-injection-like and HTML names are stored verbatim', async () => {
  for (const name of ["Robert'); DROP TABLE members;--", '<img src=x onerror=alert(1)>']) {
    const r = await post('/api/v1/members', fresh({ name }))
    assert.equal(r.status, 201, JSON.stringify(r.body))
    assert.equal((await get(`/api/v1/members/${r.body.id}`)).body.name, name)
  }
})

test('PATCH changes fields, moves the version on, and a stale version is 409', async () => {
  const m = (await post('/api/v1/members', fresh())).body
  let r = await patch(`/api/v1/members/${m.id}`, { version: 1, job: '主任工程师', phone: '13800001111' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.version, 2)
  assert.equal(r.body.job, '主任工程师')
  assert.equal(r.body.phone, '138****1111')
  r = await patch(`/api/v1/members/${m.id}`, { version: 1, job: '又改了' })
  assert.equal(r.status, 409)
  assert.equal(r.body.error.code, 'conflict')
  r = await patch(`/api/v1/members/${m.id}`, { job: 'x' })
  assert.equal(r.status, 400, 'the version is required')
  r = await patch(`/api/v1/members/${m.id}`, { version: 2, birth_date: '1991-01-01' })
  assert.equal(r.status, 400)
  assert.match(r.body.error.fields.birth_date, /ID-03/)
  // the audit entry holds the changed fields only, personal data masked
  const changes = JSON.parse(sql(srv.url, `SELECT changes FROM audit_log WHERE action = 'member.update' AND object = 'member:${m.id}'`).trim())
  assert.deepEqual(Object.keys(changes).sort(), ['job', 'phone'])
  assert.equal(changes.phone.to, '138****1111')
  assert.equal(changes.phone.from, '139****5678')
  const created = sql(srv.url, `SELECT changes FROM audit_log WHERE action = 'member.create' AND object = 'member:${m.id}'`)
  assert.ok(!created.includes('13912345678') && !created.includes('中山路1号'), 'no plain personal data in the audit log')
})

test('archive: status change, read-only record, archive list, restore with a reason', async () => {
  const m = (await post('/api/v1/members', fresh({ name: '王档案' }))).body
  let r = await post(`/api/v1/members/${m.id}/status`, { status: 'transferred_out', on_date: '2025-05-01', reason: '调往外省' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.status, 'transferred_out')
  assert.equal(r.body.archived, true)
  assert.equal(r.body.status_log[0].to_status, 'transferred_out')
  r = await patch(`/api/v1/members/${m.id}`, { version: r.body.version, job: 'x' })
  assert.equal(r.status, 409)
  assert.equal(r.body.error.message.length > 0, true)
  assert.equal((await post(`/api/v1/members/${m.id}/posts`, { post: 'secretary', started_on: '2020-01-01' })).status, 409)
  assert.equal((await post(`/api/v1/members/${m.id}/status`, { status: 'normal', on_date: '2025-06-01', reason: 'x' })).status, 409)
  const list = await get(`/api/v1/member-archive?q=${encodeURIComponent('王档案')}`)
  assert.equal(list.status, 200)
  assert.equal(list.body.meta.total, 1)
  assert.equal(list.body.data[0].id, m.id)
  assert.match(list.body.data[0].phone, /\*\*\*\*/)
  const inService = (await get(`/api/v1/members?q=${encodeURIComponent('王档案')}&org_id=${branchA.id}`)).body
  assert.equal(inService.data.length, 0, 'the in-service list leaves the archive out')
  r = await post(`/api/v1/members/${m.id}/restore`, {})
  assert.equal(r.status, 400)
  r = await post(`/api/v1/members/${m.id}/restore`, { reason: '转出撤回' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.status, 'normal')
  assert.equal(r.body.status_on, null)
  assert.equal(r.body.status_log.length, 2)
  assert.equal((await post(`/api/v1/members/${m.id}/restore`, { reason: 'again' })).status, 409)
  const audit = sql(srv.url, `SELECT action FROM audit_log WHERE object = 'member:${m.id}' ORDER BY seq`)
  assert.match(audit, /member\.status[\s\S]*member\.restore/)
})

test('status changes are checked: unknown code, missing reason, future date, lost contact', async () => {
  const m = (await post('/api/v1/members', fresh())).body
  let r = await post(`/api/v1/members/${m.id}/status`, { status: 'retired', on_date: '2099-01-01' })
  assert.equal(r.status, 400)
  assert.deepEqual(Object.keys(r.body.error.fields).sort(), ['on_date', 'reason', 'status'])
  r = await post(`/api/v1/members/${m.id}/status`, { status: 'lost_contact', on_date: '2025-01-01', reason: '多次联系未果' })
  assert.equal(r.status, 200)
  assert.equal(r.body.archived, false)
  assert.equal(r.body.status_on, '2025-01-01')
})

test('posts and awards: create, update, delete; DISC-04 limits 留党察看 to two years', async () => {
  const m = (await post('/api/v1/members', fresh())).body
  let r = await post(`/api/v1/members/${m.id}/posts`, { post: 'secretary', started_on: '2023-01-01' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const p = r.body
  assert.equal(p.org_id, branchA.id)
  r = await patch(`/api/v1/members/${m.id}/posts/${p.id}`, { ended_on: '2022-01-01' })
  assert.equal(r.status, 400)
  r = await patch(`/api/v1/members/${m.id}/posts/${p.id}`, { ended_on: '2024-01-01' })
  assert.equal(r.status, 200)
  assert.equal(r.body.ended_on, '2024-01-01')
  assert.equal((await post(`/api/v1/members/${m.id}/posts`, { post: 'emperor', started_on: '2023-01-01' })).status, 400)
  r = await post(`/api/v1/members/${m.id}/awards`, { kind: 'punishment', code: 'probation', title: '留党察看', decided_on: '2024-01-01', ends_on: '2026-01-02' }, { 'Accept-Language': 'en' })
  assert.equal(r.status, 400)
  assert.match(r.body.error.fields.ends_on, /DISC-04/)
  r = await post(`/api/v1/members/${m.id}/awards`, { kind: 'reward', code: 'excellent_member', title: '优秀共产党员', decided_on: '2024-07-01', decided_by: '集团党委' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const a = r.body
  r = await patch(`/api/v1/members/${m.id}/awards/${a.id}`, { title: '2024年度优秀共产党员' })
  assert.equal(r.status, 200)
  const full = (await get(`/api/v1/members/${m.id}`)).body
  assert.equal(full.posts.length, 1)
  assert.equal(full.awards[0].title, '2024年度优秀共产党员')
  assert.equal(full.version, 5, 'each change moved the version on')
  assert.equal((await del(`/api/v1/members/${m.id}/posts/${p.id}`)).status, 204)
  assert.equal((await del(`/api/v1/members/${m.id}/posts/${p.id}`)).status, 404)
  assert.equal((await del(`/api/v1/members/${m.id}/awards/${a.id}`)).status, 204)
  const other = (await post('/api/v1/members', fresh())).body
  r = await post(`/api/v1/members/${other.id}/awards`, { kind: 'reward', code: 'commendation', title: 't', decided_on: '2024-07-01' })
  assert.equal((await patch(`/api/v1/members/${m.id}/awards/${r.body.id}`, { title: 'x' })).status, 404, 'another member\'s award')
})

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex')

test('photo: PUT with a matching type, GET returns the bytes, a wrong type or size is refused', async () => {
  const m = (await post('/api/v1/members', fresh())).body
  assert.equal((await get(`/api/v1/members/${m.id}/photo`)).status, 404)
  let r = await api(srv.base, 'PUT', `/api/v1/members/${m.id}/photo`, { mime: 'image/jpeg', data: PNG.toString('base64') })
  assert.equal(r.status, 400)
  assert.ok(r.body.error.fields.mime)
  r = await api(srv.base, 'PUT', `/api/v1/members/${m.id}/photo`, { mime: 'image/png', data: Buffer.from('<html>').toString('base64') })
  assert.equal(r.status, 400)
  r = await api(srv.base, 'PUT', `/api/v1/members/${m.id}/photo`, { mime: 'image/png', data: PNG.toString('base64') })
  assert.equal(r.status, 204, JSON.stringify(r.body))
  r = await get(`/api/v1/members/${m.id}/photo`)
  assert.equal(r.status, 200)
  assert.equal(r.headers.get('content-type'), 'image/png')
  assert.equal((await get(`/api/v1/members/${m.id}`)).body.has_photo, true)
  const big = Buffer.concat([PNG, Buffer.alloc(600 * 1024)])
  r = await api(srv.base, 'PUT', `/api/v1/members/${m.id}/photo`, { mime: 'image/png', data: big.toString('base64') })
  assert.ok([413].includes(r.status), String(r.status))
  assert.equal((await del(`/api/v1/members/${m.id}/photo`)).status, 204)
  assert.equal((await del(`/api/v1/members/${m.id}/photo`)).status, 404)
})

test('code tables: grouped by kind for any logged-in user', async () => {
  const r = await get('/api/v1/codes')
  assert.equal(r.status, 200)
  assert.equal(r.body.data.ethnicity.length, 58)
  assert.deepEqual(r.body.data.ethnicity[0], { code: '01', label_zh: '汉族', label_en: 'Han', active: true })
  assert.ok(r.body.data.party_post.some((c) => c.code === 'secretary'))
  const anon = await get('/api/v1/codes', { 'X-No-Session': '1' })
  assert.equal(anon.status, 401)
})

test('scope: a branch secretary sees and writes their branch only; another branch is 404', async () => {
  const inA = (await post('/api/v1/members', fresh())).body
  const inB = (await post('/api/v1/members', fresh({ org_id: branchB.id }))).body
  const sec = await asRole(srv, 'branch_secretary', branchA.code)
  assert.equal((await sec.get(`/api/v1/members/${inA.id}`)).status, 200)
  assert.equal((await sec.get(`/api/v1/members/${inB.id}`)).status, 404)
  assert.equal((await sec.patch(`/api/v1/members/${inB.id}`, { version: 1, job: 'x' })).status, 404)
  assert.equal((await sec.post(`/api/v1/members/${inB.id}/status`, { status: 'deceased', on_date: '2025-01-01', reason: 'x' })).status, 404)
  const made = await sec.post('/api/v1/members', fresh({ org_id: branchB.id }))
  assert.equal(made.status, 400)
  assert.ok(made.body.error.fields.org_id)
  const leader = await asRole(srv, 'leader', branchA.code)
  assert.equal((await leader.post('/api/v1/members', fresh())).status, 403)
})
