// authz.test.mjs: the authorization matrix (issue 4 §4). Every documented operation × every
// role × an object inside the caller's subtree and one outside it, plus an anonymous caller and
// an API token. The expected policy is written down here, independently of the server's table:
// any unexpected allow or deny fails. A new endpoint fails this test until it gets a case below.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startServer, root } from './lib/server.mjs'
import { asRole, createUser, login, PASSWORD, Session } from './lib/auth.mjs'

// The policy (who may do what); system-wide roles hold theirs over every org.
const POLICY = {
  member: [],
  branch_secretary: ['org.read', 'org.export', 'member.read', 'member.write', 'member.export', 'member.reveal', 'user.read', 'jobs.read', 'token.create'],
  committee_admin: ['org.read', 'org.write', 'org.export', 'member.read', 'member.write', 'member.export', 'member.reveal', 'user.read', 'user.write', 'jobs.read', 'token.create'],
  leader: ['org.read', 'member.read', 'jobs.read'],
  auditor: ['audit.read', 'audit.export', 'jobs.read'],
  security_admin: ['user.read', 'role.assign', 'mfa.reset', 'session.revoke', 'org.read'],
  system_admin: ['user.read', 'user.write', 'org.read', 'jobs.read', 'token.create'],
}
const SYSTEM_WIDE = new Set(['auditor', 'security_admin', 'system_admin'])
// 等保 separation of duties, stated on its own so a policy edit cannot quietly undo it.
test('the system administrator cannot read the audit log and the auditor cannot change anything', () => {
  assert.ok(!POLICY.system_admin.some((p) => p.startsWith('audit.')))
  assert.ok(!POLICY.security_admin.some((p) => p.startsWith('audit.') || p.startsWith('member.')))
  assert.deepEqual(POLICY.auditor.filter((p) => !p.endsWith('.read') && !p.endsWith('.export')), [])
})

let srv, ctx
const IMPORT_CSV = '姓名*,公民身份号码*,党员类别*,入党日期*,所在党组织代码*\r\n'
const uniq = (() => { let n = 0; return () => `${process.pid % 10000}${n++}` })()

// Each case: the request for an object in scope (A) and out of scope (B, or null when the
// operation has no org scope). ok: statuses that mean "allowed" when the default (anything
// but 401/403/404) does not fit.
const CASES = {
  'GET /health': { in: () => ['GET', '/api/v1/health'] },
  'GET /openapi.json': { in: () => ['GET', '/api/v1/openapi.json'] },
  // a wrong password for a name that does not exist: 401, then 429 once throttled
  'POST /auth/login': { in: () => ['POST', '/api/v1/auth/login', { login: 'nobody-here', password: 'x' }], ok: [401, 429] },
  'POST /auth/mfa/verify': { in: () => ['POST', '/api/v1/auth/mfa/verify', { code: '000000' }], ok: [409] },
  'POST /auth/mfa/enroll': { in: () => ['POST', '/api/v1/auth/mfa/enroll'] },
  'POST /auth/mfa/confirm': { in: () => ['POST', '/api/v1/auth/mfa/confirm', { code: 'abc' }] },
  'DELETE /auth/mfa': { in: () => ['DELETE', '/api/v1/auth/mfa', { password: 'wrong-password-x' }] },
  'GET /auth/me': { in: () => ['GET', '/api/v1/auth/me'] },
  'GET /auth/sessions': { in: () => ['GET', '/api/v1/auth/sessions'] },
  'DELETE /auth/sessions/{id}': { in: () => ['DELETE', '/api/v1/auth/sessions/999999999'], ok: [404] },
  'POST /auth/password': { in: () => ['POST', '/api/v1/auth/password', { current_password: 'wrong-password-x', new_password: 'x' }] },
  'POST /auth/logout-all': { last: true, fresh: true, in: () => ['POST', '/api/v1/auth/logout-all'] },
  'POST /auth/logout': { last: true, fresh: true, in: () => ['POST', '/api/v1/auth/logout'] },
  'GET /jobs/{id}': { in: () => ['GET', `/api/v1/jobs/${ctx.jobId}`] },
  // the audit log has no org scope: the auditor is a system-wide role
  'GET /audit': { in: () => ['GET', '/api/v1/audit?per_page=1'] },
  'GET /audit/export.csv': { in: () => ['GET', '/api/v1/audit/export.csv?to=2000-01-01'] },
  'POST /audit/verify': { in: () => ['POST', '/api/v1/audit/verify'] },
  'GET /audit/verification': { in: () => ['GET', '/api/v1/audit/verification'] },
  'GET /orgs': {
    in: () => ['GET', `/api/v1/orgs?q=${encodeURIComponent(ctx.A.name)}`],
    out: () => ['GET', `/api/v1/orgs?q=${encodeURIComponent(ctx.B.name)}`],
    // a list is never denied for scope: it just must not show what is outside
    outCheck: (r, role) => SYSTEM_WIDE.has(role) || !r.body.data.some((o) => o.id === ctx.B.id),
  },
  'POST /orgs': {
    in: () => ['POST', '/api/v1/orgs', { code: `AZ${uniq()}`, name: '矩阵测试党小组', type: 'group', parent_id: ctx.A.id }],
    out: () => ['POST', '/api/v1/orgs', { code: `BZ${uniq()}`, name: '矩阵测试党小组', type: 'group', parent_id: ctx.B.id }],
    outDenied: [400],
  },
  'GET /orgs/{id}': { in: () => ['GET', `/api/v1/orgs/${ctx.A.id}`], out: () => ['GET', `/api/v1/orgs/${ctx.B.id}`] },
  'PATCH /orgs/{id}': { in: () => ['PATCH', `/api/v1/orgs/${ctx.A.id}`, { name: ctx.A.name }], out: () => ['PATCH', `/api/v1/orgs/${ctx.B.id}`, { name: ctx.B.name }] },
  'DELETE /orgs/{id}': { in: () => ['DELETE', `/api/v1/orgs/${ctx.A.id}`], out: () => ['DELETE', `/api/v1/orgs/${ctx.B.id}`], ok: [409] },
  'GET /orgs/{id}/children': { in: () => ['GET', `/api/v1/orgs/${ctx.A.id}/children`], out: () => ['GET', `/api/v1/orgs/${ctx.B.id}/children`] },
  'GET /orgs/{id}/subtree': { in: () => ['GET', `/api/v1/orgs/${ctx.A.id}/subtree`], out: () => ['GET', `/api/v1/orgs/${ctx.B.id}/subtree`] },
  'POST /orgs/{id}/move': {
    in: () => ['POST', `/api/v1/orgs/${ctx.Agroup.id}/move`, { parent_id: ctx.A.id }],
    out: () => ['POST', `/api/v1/orgs/${ctx.Bgroup.id}/move`, { parent_id: ctx.B.id }],
  },
  'GET /orgs/{id}/export.csv': { in: () => ['GET', `/api/v1/orgs/${ctx.A.id}/export.csv`], out: () => ['GET', `/api/v1/orgs/${ctx.B.id}/export.csv`] },
  'GET /members': {
    in: () => ['GET', `/api/v1/members?org_id=${ctx.A.id}`],
    out: () => ['GET', `/api/v1/members?org_id=${ctx.B.id}`],
  },
  'GET /members/export.csv': {
    in: () => ['GET', `/api/v1/members/export.csv?org_id=${ctx.A.id}`],
    out: () => ['GET', `/api/v1/members/export.csv?org_id=${ctx.B.id}`],
  },
  'GET /members/export.xlsx': {
    in: () => ['GET', `/api/v1/members/export.xlsx?org_id=${ctx.A.id}`],
    out: () => ['GET', `/api/v1/members/export.xlsx?org_id=${ctx.B.id}`],
  },
  // saved filters belong to their user, not to an org: no out-of-scope request
  'GET /member-filters': { in: () => ['GET', '/api/v1/member-filters'] },
  'POST /member-filters': { in: () => ['POST', '/api/v1/member-filters', { name: `矩阵${uniq()}`, params: { category: 'full' } }] },
  'DELETE /member-filters/{id}': { in: () => ['DELETE', '/api/v1/member-filters/999999999'], ok: [404] },
  'GET /members/{id}': { in: () => ['GET', `/api/v1/members/${ctx.memberA}`], out: () => ['GET', `/api/v1/members/${ctx.memberB}`] },
  'POST /members/{id}/reveal': {
    in: () => ['POST', `/api/v1/members/${ctx.memberA}/reveal`, { field: 'phone' }],
    out: () => ['POST', `/api/v1/members/${ctx.memberB}/reveal`, { field: 'phone' }],
  },
  'POST /members': {
    // an incomplete record in A: allowed callers get 400 (validation), not a denial
    in: () => ['POST', '/api/v1/members', { org_id: ctx.A.id }],
    out: () => ['POST', '/api/v1/members', { ...ctx.record(ctx.B), name: '矩阵越权' }],
    outDenied: [400],
  },
  'PATCH /members/{id}': {
    in: () => ['PATCH', `/api/v1/members/${ctx.memberA}`, { version: 999999, job: 'x' }], ok: [409],
    out: () => ['PATCH', `/api/v1/members/${ctx.memberB}`, { version: 999999, job: 'x' }],
  },
  'POST /members/{id}/status': { in: () => ['POST', `/api/v1/members/${ctx.memberA}/status`, {}], ok: [400], out: () => ['POST', `/api/v1/members/${ctx.memberB}/status`, {}] },
  'POST /members/{id}/restore': { in: () => ['POST', `/api/v1/members/${ctx.memberA}/restore`, { reason: 'x' }], ok: [409], out: () => ['POST', `/api/v1/members/${ctx.memberB}/restore`, { reason: 'x' }] },
  'GET /member-archive': { in: () => ['GET', `/api/v1/member-archive?org_id=${ctx.A.id}`], out: () => ['GET', `/api/v1/member-archive?org_id=${ctx.B.id}`] },
  'POST /members/{id}/posts': { in: () => ['POST', `/api/v1/members/${ctx.memberA}/posts`, {}], ok: [400], out: () => ['POST', `/api/v1/members/${ctx.memberB}/posts`, {}] },
  'PATCH /members/{id}/posts/{post_id}': {
    in: () => ['PATCH', `/api/v1/members/${ctx.recA}/posts/${ctx.postA}`, { started_on: 'bad' }], ok: [400],
    out: () => ['PATCH', `/api/v1/members/${ctx.recB}/posts/${ctx.postB}`, { started_on: 'bad' }],
  },
  // archived members: allowed callers get 409 (read-only), so nothing is deleted
  'DELETE /members/{id}/posts/{post_id}': { in: () => ['DELETE', `/api/v1/members/${ctx.archA}/posts/1`], ok: [409], out: () => ['DELETE', `/api/v1/members/${ctx.archB}/posts/1`] },
  'POST /members/{id}/awards': { in: () => ['POST', `/api/v1/members/${ctx.memberA}/awards`, {}], ok: [400], out: () => ['POST', `/api/v1/members/${ctx.memberB}/awards`, {}] },
  'PATCH /members/{id}/awards/{award_id}': {
    in: () => ['PATCH', `/api/v1/members/${ctx.recA}/awards/${ctx.awardA}`, { decided_on: 'bad' }], ok: [400],
    out: () => ['PATCH', `/api/v1/members/${ctx.recB}/awards/${ctx.awardB}`, { decided_on: 'bad' }],
  },
  'DELETE /members/{id}/awards/{award_id}': { in: () => ['DELETE', `/api/v1/members/${ctx.archA}/awards/1`], ok: [409], out: () => ['DELETE', `/api/v1/members/${ctx.archB}/awards/1`] },
  'PUT /members/{id}/photo': { in: () => ['PUT', `/api/v1/members/${ctx.memberA}/photo`, { mime: 'x' }], ok: [400], out: () => ['PUT', `/api/v1/members/${ctx.memberB}/photo`, { mime: 'x' }] },
  'GET /members/{id}/photo': { in: () => ['GET', `/api/v1/members/${ctx.recA}/photo`], out: () => ['GET', `/api/v1/members/${ctx.recB}/photo`] },
  'DELETE /members/{id}/photo': { in: () => ['DELETE', `/api/v1/members/${ctx.archA}/photo`], ok: [409], out: () => ['DELETE', `/api/v1/members/${ctx.archB}/photo`] },
  'GET /codes': { in: () => ['GET', '/api/v1/codes'] },
  'GET /users': {
    in: () => ['GET', '/api/v1/users?q=mxa'],
    out: () => ['GET', '/api/v1/users?q=mxb'],
    outCheck: (r, role) => SYSTEM_WIDE.has(role) || !r.body.data.some((u) => u.id === ctx.userB.id),
  },
  'POST /users': {
    in: () => ['POST', '/api/v1/users', { username: `mxa${uniq()}`, display_name: '矩阵A', member_id: ctx.spareA.pop() }],
    out: () => ['POST', '/api/v1/users', { username: `mxb${uniq()}`, display_name: '矩阵B', member_id: ctx.spareB.pop() }],
    outDenied: [400],
  },
  'GET /users/{id}': { in: () => ['GET', `/api/v1/users/${ctx.userA.id}`], out: () => ['GET', `/api/v1/users/${ctx.userB.id}`] },
  'PATCH /users/{id}': {
    in: () => ['PATCH', `/api/v1/users/${ctx.userA.id}`, { display_name: '矩阵用户A' }],
    out: () => ['PATCH', `/api/v1/users/${ctx.userB.id}`, { display_name: '矩阵用户B' }],
  },
  'POST /users/{id}/password-reset': { in: () => ['POST', `/api/v1/users/${ctx.userA.id}/password-reset`], out: () => ['POST', `/api/v1/users/${ctx.userB.id}/password-reset`] },
  'POST /users/{id}/mfa-reset': { in: () => ['POST', `/api/v1/users/${ctx.userA.id}/mfa-reset`], out: () => ['POST', `/api/v1/users/${ctx.userB.id}/mfa-reset`] },
  'DELETE /users/{id}/sessions': { in: () => ['DELETE', `/api/v1/users/${ctx.userA.id}/sessions`], out: () => ['DELETE', `/api/v1/users/${ctx.userB.id}/sessions`] },
  'POST /users/{id}/roles': {
    in: () => ['POST', `/api/v1/users/${ctx.userA.id}/roles`, { role: 'leader', org_id: ctx.A.id }],
    out: () => ['POST', `/api/v1/users/${ctx.userB.id}/roles`, { role: 'leader', org_id: ctx.B.id }],
  },
  'DELETE /users/{id}/roles/{grant_id}': {
    // the grant may already be gone (an earlier allowed caller revoked it): 404 then
    in: () => ['DELETE', `/api/v1/users/${ctx.userA.id}/roles/${ctx.grantA}`], ok: [204, 404],
    out: () => ['DELETE', `/api/v1/users/${ctx.userB.id}/roles/${ctx.grantB}`],
    outOk: [204, 404],
  },
  // self-service: any full session; users not linked to a member get 404 me.no_member
  'GET /me/member': { in: () => ['GET', '/api/v1/me/member'], ok: [200, 404] },
  'GET /me/member/change-requests': { in: () => ['GET', '/api/v1/me/member/change-requests'], ok: [200, 404] },
  'POST /me/member/change-requests': { in: () => ['POST', '/api/v1/me/member/change-requests', {}], ok: [400, 404] },
  'POST /me/member/change-requests/{id}/cancel': { in: () => ['POST', '/api/v1/me/member/change-requests/999999999/cancel'], ok: [404] },
  'GET /member-change-requests': { in: () => ['GET', `/api/v1/member-change-requests?org_id=${ctx.A.id}`], out: () => ['GET', `/api/v1/member-change-requests?org_id=${ctx.B.id}`] },
  'GET /member-change-requests/{id}': { in: () => ['GET', `/api/v1/member-change-requests/${ctx.crA}`], out: () => ['GET', `/api/v1/member-change-requests/${ctx.crB}`] },
  'POST /member-change-requests/{id}/approve': { in: () => ['POST', `/api/v1/member-change-requests/${ctx.crA}/approve`, { comment: 5 }], ok: [400], out: () => ['POST', `/api/v1/member-change-requests/${ctx.crB}/approve`, { comment: 5 }] },
  'POST /member-change-requests/{id}/reject': { in: () => ['POST', `/api/v1/member-change-requests/${ctx.crA}/reject`, {}], ok: [400], out: () => ['POST', `/api/v1/member-change-requests/${ctx.crB}/reject`, {}] },
  'POST /member-quality/runs': { in: () => ['POST', '/api/v1/member-quality/runs', { org_id: ctx.A.id }], out: () => ['POST', '/api/v1/member-quality/runs', { org_id: ctx.B.id }] },
  'GET /member-quality/latest': { in: () => ['GET', `/api/v1/member-quality/latest?org_id=${ctx.A.id}`], out: () => ['GET', `/api/v1/member-quality/latest?org_id=${ctx.B.id}`] },
  'GET /member-quality/runs/{id}/items': { in: () => ['GET', `/api/v1/member-quality/runs/${ctx.qrun}/items?org_id=${ctx.A.id}`], out: () => ['GET', `/api/v1/member-quality/runs/${ctx.qrun}/items?org_id=${ctx.B.id}`] },
  // member import (issue 5 §4): an import is seen only by callers over all of its uploader's scope
  'GET /members/import/template.xlsx': { in: () => ['GET', '/api/v1/members/import/template.xlsx'] },
  'GET /members/import/template.csv': { in: () => ['GET', '/api/v1/members/import/template.csv'] },
  'POST /members/imports': { in: () => ['POST', '/api/v1/members/imports?filename=m.csv', IMPORT_CSV] },
  'GET /members/imports': {
    in: () => ['GET', '/api/v1/members/imports?per_page=200'], out: () => ['GET', '/api/v1/members/imports?per_page=200'],
    outCheck: (r, role) => SYSTEM_WIDE.has(role) || !r.body.data.some((i) => i.id === ctx.importB),
  },
  'GET /members/imports/{id}': { in: () => ['GET', `/api/v1/members/imports/${ctx.importA}`], out: () => ['GET', `/api/v1/members/imports/${ctx.importB}`] },
  'GET /members/imports/{id}/errors.xlsx': { in: () => ['GET', `/api/v1/members/imports/${ctx.importA}/errors.xlsx`], out: () => ['GET', `/api/v1/members/imports/${ctx.importB}/errors.xlsx`] },
  'GET /members/imports/{id}/errors.csv': { in: () => ['GET', `/api/v1/members/imports/${ctx.importA}/errors.csv`], out: () => ['GET', `/api/v1/members/imports/${ctx.importB}/errors.csv`] },
  // the first allowed caller runs (202) / undoes (200) it; later ones get 409
  'POST /members/imports/{id}/run': { in: () => ['POST', `/api/v1/members/imports/${ctx.importA}/run`], ok: [202, 409], out: () => ['POST', `/api/v1/members/imports/${ctx.importB}/run`] },
  'POST /members/imports/{id}/cancel': { in: () => ['POST', `/api/v1/members/imports/${ctx.importA}/cancel`], ok: [200, 202, 409], out: () => ['POST', `/api/v1/members/imports/${ctx.importB}/cancel`] },
  'POST /members/imports/{id}/undo': { in: () => ['POST', `/api/v1/members/imports/${ctx.importA}/undo`], ok: [200, 409], out: () => ['POST', `/api/v1/members/imports/${ctx.importB}/undo`] },
  'GET /tokens': { in: () => ['GET', '/api/v1/tokens'] },
  'POST /tokens': { in: () => ['POST', '/api/v1/tokens', { name: 'matrix', perms: ['jobs.read'], expires_in_days: 1 }] },
  'DELETE /tokens/{id}': { in: () => ['DELETE', '/api/v1/tokens/999999999'], ok: [404] },
}

function operations() {
  const spec = JSON.parse(readFileSync(join(root, 'docs/openapi/openapi.json'), 'utf8'))
  const ops = []
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) ops.push({ key: `${method.toUpperCase()} ${path}`, perm: op['x-permission'] })
  }
  return ops
}

// What the policy says for this caller. kind: 'anonymous' | 'token' | a role name.
function expected(kind, perm, tokenPerms) {
  if (perm === null) return 'allow'
  if (kind === 'anonymous') return 401
  const session = perm === 'session' || perm === 'session.any'
  if (kind === 'token') return session ? 403 : tokenPerms.includes(perm) ? 'allow' : 403
  if (session) return 'allow'
  return POLICY[kind].includes(perm) ? 'allow' : 403
}

function allowed(status, ok) {
  return ok ? ok.includes(status) : ![401, 403, 404].includes(status)
}

before(async () => {
  // every caller comes from 127.0.0.1: the per-address throttle would lock them all out
  srv = await startServer({ members: 400, extra: ['--throttle-ip-free', '100', '--throttle-ip-lock-at', '200'] })
  const admin = srv.admin
  const branches = (await admin.get('/api/v1/orgs?type=branch&per_page=200')).body.data.filter((o) => o.members.total >= 4)
  const A = branches[0]
  const B = branches.find((o) => !o.path.startsWith(A.path) && !A.path.startsWith(o.path) && o.parent_id !== A.parent_id) ||
            branches.find((o) => o.id !== A.id)
  assert.ok(A && B && A.id !== B.id, 'two separate branches')
  const mk = async (parent, code) => (await admin.post('/api/v1/orgs', { code, name: '矩阵测试小组', type: 'group', parent_id: parent.id })).body
  const Agroup = await mk(A, `MXGA${uniq()}`)
  const Bgroup = await mk(B, `MXGB${uniq()}`)
  const membersOf = async (o) => (await admin.get(`/api/v1/members?org_id=${o.id}&per_page=50`)).body.data.map((m) => m.id)
  const inA = await membersOf(A)
  const inB = await membersOf(B)
  // users to act on: linked to a member of A / of B
  const userA = createUser(srv.url, `mxa${uniq()}`, { memberId: inA[0] })
  const userB = createUser(srv.url, `mxb${uniq()}`, { memberId: inB[0] })
  const grant = (u, code) => JSON.parse(createUserGrant(u.username, code)).roles.at(-1).id
  ctx = {
    A, B, Agroup, Bgroup, memberA: inA[1], memberB: inB[1], userA, userB,
    spareA: inA.slice(2), spareB: inB.slice(2), jobId: 1,
    grantA: grant(userA, A.code), grantB: grant(userB, B.code),
  }
  // member records to act on in A and B: one with a post, an award and a photo; one archived
  let n = 0
  ctx.record = (o) => {
    const seq = String(500 + n++).padStart(3, '0')
    const body = `32010219900315${seq}`
    const s = [...body.slice(0, 17)].reduce((a, d, i) => a + Number(d) * [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i], 0)
    return { org_id: o.id, name: '矩阵党员', gender: Number(seq) % 2 ? 1 : 2, birth_date: '1990-03-15', category: 'full', joined_on: '2014-06-30', full_on: '2015-06-30', id_number: body.slice(0, 17) + '10X98765432'[s % 11] }
  }
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex').toString('base64')
  for (const [k, o] of [['A', A], ['B', B]]) {
    const rec = await admin.post('/api/v1/members', ctx.record(o))
    assert.equal(rec.status, 201, JSON.stringify(rec.body))
    ctx[`rec${k}`] = rec.body.id
    ctx[`post${k}`] = (await admin.post(`/api/v1/members/${rec.body.id}/posts`, { post: 'secretary', started_on: '2020-01-01' })).body.id
    ctx[`award${k}`] = (await admin.post(`/api/v1/members/${rec.body.id}/awards`, { kind: 'reward', code: 'commendation', title: '通报表扬', decided_on: '2020-01-01' })).body.id
    assert.equal((await admin.req('PUT', `/api/v1/members/${rec.body.id}/photo`, { mime: 'image/png', data: png })).status, 204)
    const arch = (await admin.post('/api/v1/members', ctx.record(o))).body.id
    assert.equal((await admin.post(`/api/v1/members/${arch}/status`, { status: 'deceased', on_date: '2025-01-01', reason: '矩阵' })).status, 200)
    ctx[`arch${k}`] = arch
  }
  // the callers: one per role, scoped to A (system-wide roles: no org); a member of A
  ctx.callers = {}
  for (const role of Object.keys(POLICY)) {
    ctx.callers[role] = role === 'member'
      ? await asRole(srv, 'member', null, { memberId: inA[inA.length - 1] })
      : await asRole(srv, role, SYSTEM_WIDE.has(role) ? null : A.code)
  }
  const request = async (s) => (await s.post('/api/v1/me/member/change-requests', { fields: { job: '矩阵' } })).body.id
  ctx.crA = await request(ctx.callers.member)
  ctx.crB = await request(await asRole(srv, 'member', null, { memberId: inB[1] }))
  const q = (await admin.post('/api/v1/member-quality/runs', {})).body
  for (let i = 0; i < 300 && (await admin.get(`/api/v1/jobs/${q.job_id}`)).body.state !== 'done'; i++) await new Promise((r) => setTimeout(r, 100))
  ctx.qrun = q.run_id
  for (const [k, o] of [['A', A], ['B', B]]) {
    const sec = await asRole(srv, 'branch_secretary', o.code)
    const up = await sec.req('POST', '/api/v1/members/imports?filename=m.csv', IMPORT_CSV)
    assert.equal(up.status, 201, JSON.stringify(up.body))
    ctx[`import${k}`] = up.body.id
  }
  const tok = await ctx.callers.branch_secretary.post('/api/v1/tokens', { name: 'matrix token', perms: ['org.read', 'member.read'], org_id: A.id, expires_in_days: 1 })
  assert.equal(tok.status, 201, JSON.stringify(tok.body))
  ctx.token = { value: tok.body.token, perms: ['org.read', 'member.read'] }
})

function createUserGrant(username, code) {
  return cliJson(['user', 'grant', username, 'leader', '--org', code, '--db', srv.url])
}
import { cli } from './lib/server.mjs'
function cliJson(args) {
  const r = cli(args)
  if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

after(async () => { await srv?.stop() })

async function call(kind, [method, path, body], fresh = false) {
  if (fresh && ctx.callers[kind]) {
    // a second session of the same user, so that ending it does not end the caller's own
    const u = ctx.callers[kind].user
    const s = await login(srv.base, u.username, PASSWORD, { mfaSecret: u.mfa_secret })
    return s.req(method, path, body)
  }
  if (kind === 'anonymous') return new Session(srv.base, '', null).req(method, path, body)
  if (kind === 'token') return new Session(srv.base, '', null).req(method, path, body, { Authorization: `Bearer ${ctx.token.value}` })
  return ctx.callers[kind].req(method, path, body)
}

test('every documented operation has a case in the matrix', () => {
  const missing = operations().filter((o) => !CASES[o.key]).map((o) => o.key)
  assert.deepEqual(missing, [], 'add these operations to CASES in tests/api/authz.test.mjs')
})

test('authorization matrix: operation × role × in/out of scope', async () => {
  const ops = operations().filter((o) => CASES[o.key])
  ops.sort((a, b) => (CASES[a.key].last ? 1 : 0) - (CASES[b.key].last ? 1 : 0))
  const kinds = ['anonymous', 'token', ...Object.keys(POLICY)]
  const wrong = []
  let checked = 0
  for (const op of ops) {
    const c = CASES[op.key]
    for (const kind of kinds) {
      const want = expected(kind, op.perm, ctx.token.perms)
      const r = await call(kind, c.in(), c.fresh)
      checked++
      const got = allowed(r.status, c.ok)
      if (want === 'allow' ? !got : r.status !== want) {
        wrong.push(`${op.key} as ${kind} (in scope): want ${want}, got ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`)
      }
      if (!c.out || want !== 'allow') continue
      const ro = await call(kind, c.out())
      checked++
      const wide = SYSTEM_WIDE.has(kind)
      if (c.outCheck) {
        if (ro.status !== 200 || !c.outCheck(ro, kind)) wrong.push(`${op.key} as ${kind} (out of scope): leaks or fails (${ro.status})`)
      } else if (wide) {
        if (!allowed(ro.status, c.outOk || c.ok)) wrong.push(`${op.key} as ${kind} (system-wide): want allowed, got ${ro.status}`)
      } else if (!(ro.status === 404 || (c.outDenied || []).includes(ro.status))) {
        wrong.push(`${op.key} as ${kind} (out of scope): want 404, got ${ro.status} ${JSON.stringify(ro.body).slice(0, 120)}`)
      }
    }
  }
  assert.deepEqual(wrong, [], `${wrong.length} unexpected answers out of ${checked}`)
  assert.ok(checked > 300, `matrix checked ${checked} requests`)
})
