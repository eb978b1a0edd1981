// member_import.test.mjs: member import (issue 5 §4, "Bad input") over real HTTP on SQLite or
// PostgreSQL (DJ_TEST_DB): the template, upload + dry run, the run as a job, re-import updating
// by ID number, unchanged rows, the error report, undo and undo refused after an edit, scope,
// audit entries, bad files, 10,000 bad rows, cancel (queued and running), and (SQLite) a run
// killed with SIGKILL.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { startServer, api, sql, bin, engine, cli } from './lib/server.mjs'
import { asRole } from './lib/auth.mjs'
import { unzip } from './lib/xlsx.mjs'

let srv, A, B, secA, auditor
const tmp = mkdtempSync(join(tmpdir(), 'dj-import-'))
const get = (path, h) => api(srv.base, 'GET', path, undefined, h)
const post = (path, body, h) => api(srv.base, 'POST', path, body, h)

function idNumber(region, birth, seq) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const body = `${region}${birth.replace(/-/g, '')}${String(seq).padStart(3, '0')}`
  const s = [...body].reduce((acc, d, i) => acc + Number(d) * w[i], 0)
  return body + '10X98765432'[s % 11]
}
const HEAD = '姓名*,公民身份号码*,党员类别*,入党日期*,转正日期,所在党组织代码*,手机号码,家庭住址,备注'
const row = (name, id, org, extra = {}) =>
  [name, id, extra.category ?? '正式党员', extra.joined ?? '2014-06-30', extra.full ?? '2015-06-30', org,
    extra.phone ?? '', extra.address ?? '', ''].join(',')
const csv = (...rows) => [HEAD, ...rows].join('\r\n') + '\r\n'
const upload = (s, body, name = 'm.csv') => s.req('POST', `/api/v1/members/imports?filename=${name}`, typeof body === 'string' ? Buffer.from(body) : body)

async function runJob(s, id) {
  const r = await s.post(`/api/v1/members/imports/${id}/run`)
  assert.equal(r.status, 202, JSON.stringify(r.body))
  for (let i = 0; i < 600; i++) {
    const j = await s.get(`/api/v1/jobs/${r.body.job_id}`)
    if (j.body.state === 'done' || j.body.state === 'failed') return j.body
    await new Promise((res) => setTimeout(res, 100))
  }
  throw new Error('job did not finish')
}

before(async () => {
  srv = await startServer({ members: 60 })
  const orgs = (await get('/api/v1/orgs?type=branch&per_page=50')).body.data
  A = orgs[0]
  B = orgs.find((o) => !o.path.startsWith(A.path) && !A.path.startsWith(o.path))
  secA = await asRole(srv, 'branch_secretary', A.code)
  auditor = await asRole(srv, 'auditor')   // the audit log is the auditor's (separation of duties)
})
after(async () => { await srv?.stop() })

test('the template: xlsx with drop-downs, an instructions sheet and an example row; CSV in English', async () => {
  const r = await fetch(`${srv.base}/api/v1/members/import/template.xlsx`, { headers: { Cookie: srv.admin.cookie } })
  assert.equal(r.status, 200)
  const file = join(tmp, 'tpl.xlsx')
  writeFileSync(file, Buffer.from(await r.arrayBuffer()))
  // the zip read in JS (lib/xlsx.mjs): a fresh Debian has no unzip command
  const parts = unzip(readFileSync(file))
  assert.ok(parts['xl/worksheets/sheet1.xml'], 'a first worksheet')
  const sheet1 = parts['xl/worksheets/sheet1.xml'].toString('utf8')
  assert.match(sheet1, /<dataValidation [^>]*type="list"/, 'code columns have drop-downs')
  const wb = parts['xl/workbook.xml'].toString('utf8')
  assert.match(wb, /填写说明/)
  assert.match(wb, /state="hidden"/, 'drop-down values on a hidden sheet')
  const shared = Object.entries(parts).filter(([n]) => /^xl\/(worksheets\/.*|sharedStrings)\.xml$/.test(n))
    .map(([, b]) => b.toString('utf8')).join('\n')
  for (const h of ['姓名*', '公民身份号码*', '所在党组织代码*', '汉族', '正式党员']) assert.ok(shared.includes(h), h)
  const en = await srv.admin.get('/api/v1/members/import/template.csv', { 'Accept-Language': 'en' })
  assert.equal(en.status, 200)
  assert.match(String(en.body).split('\r\n')[0], /Name\*,Gender,Ethnicity/)
  // the template read back through the importer: its example row is checked (no org code)
  const up = await upload(srv.admin, readFileSync(file), 'tpl.xlsx')
  assert.equal(up.status, 201, JSON.stringify(up.body))
  assert.equal(up.body.format, 'xlsx')
  assert.equal(up.body.rows, 1)
})

let first
test('dry run: counts and problems with real rows, columns, rule ids and original values; nothing written', async () => {
  const before = (await get(`/api/v1/members?org_id=${A.id}&per_page=1`)).body.meta.total
  const body = csv(
    row('李建国', idNumber('320102', '19900315', 123), A.code, { phone: '+86 139 1234 5678', address: '南京' }),
    row('王芳', [...idNumber('320102', '19920507', 122)].map((c) => /\d/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xFEE0) : c).join(''), ` ${A.code} `),
    row('<b>张三</b>', idNumber('110101', '19800101', 11), A.code, { joined: '41820', full: '2015年6月30日' }),
    ',,,,,,,,',
    row('坏号', '123', A.code),
    row('越权', idNumber('110101', '19800101', 21), B.code),
    row('重复', idNumber('320102', '19900315', 123), A.code),
    row('旧号', '110101800101003', A.code),
  )
  const r = await upload(secA, body)
  assert.equal(r.status, 201, JSON.stringify(r.body))
  first = r.body
  assert.equal(r.body.state, 'checked')
  assert.deepEqual(r.body.unknown_columns, ['备注'])
  assert.equal(r.body.rows, 7, 'the blank row is skipped')
  assert.equal(r.body.new, 4)
  assert.equal(r.body.bad, 3)
  const by = (row, rule) => r.body.problems.find((p) => p.row === row && p.rule === rule)
  assert.equal(by(6, 'ID-01')?.value, '123', 'row numbers are the sheet rows (header = 1, blank row 5 counted)')
  assert.equal(by(6, 'ID-01')?.column, '公民身份号码*')
  assert.ok(by(7, 'IMP-03'), 'an org outside the scope is unknown: ' + JSON.stringify(r.body.problems))
  assert.ok(by(8, 'IMP-04'), 'a repeated ID number')
  assert.equal((await get(`/api/v1/members?org_id=${A.id}&per_page=1`)).body.meta.total, before)
})

test('the run is a job with progress; every valid row imported; HTML stays text; audited', async () => {
  const job = await runJob(secA, first.id)
  assert.equal(job.state, 'done', JSON.stringify(job))
  assert.equal(job.done, 7)
  const im = (await secA.get(`/api/v1/members/imports/${first.id}`)).body
  assert.equal(im.state, 'done')
  assert.equal(im.new, 4)
  const html = (await get(`/api/v1/members?org_id=${A.id}&q=${encodeURIComponent('<b>')}`)).body.data
  assert.equal(html.length, 1)
  assert.equal(html[0].name, '<b>张三</b>')
  const full = (await get(`/api/v1/members/${html[0].id}`)).body
  assert.equal(full.joined_on, '2014-06-30', 'an Excel serial date')
  const old = (await get(`/api/v1/members?org_id=${A.id}&q=${encodeURIComponent('旧号')}`)).body.data[0]
  const rev = await post(`/api/v1/members/${old.id}/reveal`, { field: 'id_number' })
  assert.equal(rev.body.value, '110101198001010037', 'ID-05: 15 digits upgraded')
  const audit = (await auditor.get('/api/v1/audit?action=member.import&per_page=50')).body.data
  assert.ok(audit.some((a) => a.object === `member_import:${first.id}` && (typeof a.changes === 'string' ? JSON.parse(a.changes) : a.changes).new === 4), JSON.stringify(audit.slice(0, 2)))
  assert.equal((await secA.post(`/api/v1/members/imports/${first.id}/run`)).status, 409, 'runs once')
})

test('the error report: row, column, rule, reason, original value (xlsx and CSV)', async () => {
  const r = await secA.get(`/api/v1/members/imports/${first.id}/errors.csv`)
  assert.equal(r.status, 200)
  const lines = String(r.body).replace(/^\uFEFF/, '').trim().split('\r\n')
  assert.equal(lines[0], '行号,列,规则,原因,原值')
  assert.ok(lines.some((l) => l.startsWith('6,公民身份号码*,ID-01,') && l.endsWith(',123')), lines.join('\n'))
  const x = await fetch(`${srv.base}/api/v1/members/imports/${first.id}/errors.xlsx`, { headers: { Cookie: secA.cookie } })
  assert.equal(x.status, 200)
  assert.equal(Buffer.from(await x.arrayBuffer()).subarray(0, 2).toString(), 'PK')
})

test('re-import updates by ID number, identical rows are unchanged; undo restores; undo refused after an edit', async () => {
  const body = csv(
    row('李建国', idNumber('320102', '19900315', 123), A.code, { phone: '13912345678', address: '南京市' }),
    row('<b>张三</b>', idNumber('110101', '19800101', 11), A.code, { joined: '2014-06-30' }),
  )
  const r = await upload(secA, body)
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.equal(r.body.update, 1)
  assert.equal(r.body.unchanged, 1)
  assert.equal(r.body.new, 0)
  assert.equal((await runJob(secA, r.body.id)).state, 'done')
  const li = (await get(`/api/v1/members?org_id=${A.id}&q=${encodeURIComponent('李建国')}&per_page=50`)).body.data
  assert.equal(li.filter((m) => m.phone === '139****5678').length, 1, 'updated, not duplicated')
  const liId = li.find((m) => m.phone === '139****5678').id
  assert.equal((await post(`/api/v1/members/${liId}/reveal`, { field: 'address' })).body.value, '南京市')
  const u = await secA.post(`/api/v1/members/imports/${r.body.id}/undo`)
  assert.equal(u.status, 200, JSON.stringify(u.body))
  assert.equal(u.body.state, 'undone')
  assert.equal((await post(`/api/v1/members/${liId}/reveal`, { field: 'address' })).body.value, '南京', 'previous value back')
  // an edit after the first import blocks its undo
  const cur = (await get(`/api/v1/members/${liId}`)).body
  assert.equal((await api(srv.base, 'PATCH', `/api/v1/members/${liId}`, { version: cur.version, job: '书记' })).status, 200)
  const refused = await secA.post(`/api/v1/members/imports/${first.id}/undo`)
  assert.equal(refused.status, 409)
  assert.equal(refused.body.error.code, 'conflict')
  assert.equal(refused.body.error.fields.changed_rows, '1')
  assert.ok((await auditor.get('/api/v1/audit?action=member.import_undo')).body.data.length >= 1)
})

test('undo is refused (409 import.undo_linked, nothing deleted) once a user account is linked to an imported member', async () => {
  const r = await upload(secA, csv(
    row('关联甲', idNumber('320102', '19860301', 401), A.code),
    row('关联乙', idNumber('320102', '19860302', 402), A.code),
  ))
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.equal((await runJob(secA, r.body.id)).state, 'done')
  const m = (await get(`/api/v1/members?org_id=${A.id}&q=${encodeURIComponent('关联甲')}`)).body.data[0]
  const u = await srv.admin.post('/api/v1/users', { username: `linked${Date.now() % 100000}`, display_name: '关联甲', member_id: m.id })
  assert.equal(u.status, 201, JSON.stringify(u.body))
  const refused = await secA.post(`/api/v1/members/imports/${r.body.id}/undo`)
  assert.equal(refused.status, 409, JSON.stringify(refused.body))
  assert.equal(refused.body.error.code, 'conflict')
  assert.equal(refused.body.error.fields.linked_rows, '1')
  assert.match(refused.body.error.message, /关联/)
  const en = await secA.post(`/api/v1/members/imports/${r.body.id}/undo`, undefined, { 'Accept-Language': 'en' })
  assert.match(en.body.error.message, /linked to a user account/)
  assert.equal((await get(`/api/v1/members/${m.id}`)).status, 200, 'nothing deleted')
  assert.equal((await secA.get(`/api/v1/members/imports/${r.body.id}`)).body.state, 'done')
})

test('retention: a checked import older than 7 days loses its file at the next upload (state expired, run refused); a finished run keeps no file', async () => {
  const old = await upload(secA, csv(row('过期', idNumber('320102', '19870401', 501), A.code)))
  assert.equal(old.status, 201, JSON.stringify(old.body))
  const pieces = (id) => Number(sql(srv.url, `SELECT COUNT(*) FROM member_import_chunks WHERE import_id = ${id}`).trim())
  assert.ok(pieces(old.body.id) > 0, 'a checked import keeps its upload for the run')
  sql(srv.url, `UPDATE member_imports SET created_at = created_at - 8 * 86400 WHERE id = ${old.body.id}`)
  const young = await upload(secA, csv(row('未过期', idNumber('320102', '19870402', 502), A.code)))
  assert.equal(young.status, 201)
  assert.equal(pieces(old.body.id), 0)
  const gone = (await secA.get(`/api/v1/members/imports/${old.body.id}`)).body
  assert.equal(gone.state, 'expired')
  assert.equal(gone.new, 1, 'the dry run\'s counts and problems stay')
  const run = await secA.post(`/api/v1/members/imports/${old.body.id}/run`)
  assert.equal(run.status, 409)
  assert.match(run.body.error.message, /重新上传/)
  assert.equal((await secA.get(`/api/v1/members/imports/${young.body.id}`)).body.state, 'checked', 'a young one stays')
  assert.ok(pieces(young.body.id) > 0)
  assert.equal((await runJob(secA, young.body.id)).state, 'done')
  assert.equal(pieces(young.body.id), 0, 'the run dropped the file')
  assert.equal(Number(sql(srv.url, `SELECT COUNT(*) FROM member_import_chunks c JOIN member_imports i ON i.id = c.import_id WHERE i.state NOT IN ('checked', 'queued', 'running')`).trim()), 0)
})

test('imports of another branch are not visible; list shows counts and who', async () => {
  const secB = await asRole(srv, 'branch_secretary', B.code)
  assert.equal((await secB.get(`/api/v1/members/imports/${first.id}`)).status, 404)
  assert.equal((await secB.post(`/api/v1/members/imports/${first.id}/undo`)).status, 404)
  const mine = (await secA.get('/api/v1/members/imports')).body
  assert.ok(mine.data.some((i) => i.id === first.id && i.new === 4 && i.actor.startsWith('user:')))
  assert.ok(!(await secB.get('/api/v1/members/imports')).body.data.some((i) => i.id === first.id))
})

test('bad input: not a spreadsheet, truncated zip, zip bomb, over the limit, missing columns, empty', async () => {
  const pdf = await upload(secA, Buffer.from('%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n', 'latin1'), 'x.pdf')
  assert.equal(pdf.status, 400)
  assert.equal(pdf.body.error.message.length > 0, true)
  const tpl = readFileSync(join(tmp, 'tpl.xlsx'))
  const cut = await upload(secA, tpl.subarray(0, Math.floor(tpl.length / 2)), 'cut.xlsx')
  assert.equal(cut.status, 400, JSON.stringify(cut.body))
  const bombPath = join(tmp, 'bomb.xlsx')
  execFileSync('python3', ['-c', `import zipfile
z = zipfile.ZipFile(${JSON.stringify(bombPath)}, 'w', zipfile.ZIP_DEFLATED)
z.writestr('[Content_Types].xml', '<Types/>')
z.writestr('xl/workbook.xml', '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="a" sheetId="1" r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></sheets></workbook>')
z.writestr('xl/_rels/workbook.xml.rels', '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
z.writestr('xl/worksheets/sheet1.xml', '<worksheet><sheetData>' + ' ' * (120 << 20) + '</sheetData></worksheet>')
z.close()`])
  const bomb = await upload(secA, readFileSync(bombPath), 'bomb.xlsx')
  assert.equal(bomb.status, 400, JSON.stringify(bomb.body))
  // over 50 MiB: refused from its Content-Length (413) before the body is read; the client may
  // see the connection close instead while it is still sending
  const big = await upload(secA, Buffer.alloc((50 << 20) + 10, 0x41), 'big.csv').catch((e) => ({ status: 'closed', e }))
  assert.ok(big.status === 413 || big.status === 'closed', String(big.status))
  const missing = await upload(secA, '姓名,性别\r\n张三,男\r\n')
  assert.equal(missing.status, 400)
  assert.equal(missing.body.error.fields.id_number, '缺少此列（IMP-01）')
  assert.ok('joined_on' in missing.body.error.fields && 'org' in missing.body.error.fields)
  assert.equal((await upload(secA, '')).status, 400)
  assert.equal((await get('/api/v1/health')).status, 200, 'still serving')
})

test('10,000 bad rows: a complete error report, nothing imported', async () => {
  const rows = []
  for (let i = 0; i < 10000; i++) rows.push(row(`坏${i}`, `1234${i}`, A.code))
  const r = await upload(secA, csv(...rows))
  assert.equal(r.status, 201)
  assert.equal(r.body.bad, 10000)
  assert.equal(r.body.problems.length, 50)
  const job = await runJob(secA, r.body.id)
  assert.equal(job.state, 'done')
  const rep = await secA.get(`/api/v1/members/imports/${r.body.id}/errors.csv`)
  const lines = String(rep.body).trim().split('\r\n')
  assert.ok(lines.length >= 10001, `${lines.length} lines`)
  assert.ok(lines.at(-1).startsWith('10001,'), lines.at(-1))
})

/** 30,000 generated rows (bench/member-import-gen) uploaded to own's first branch: checked. */
async function uploadBig(own, name) {
  const org = (await api(own.base, 'GET', '/api/v1/orgs?type=branch&per_page=1')).body.data[0]
  const file = join(tmp, name)
  execFileSync(join(dirname(bin), 'bench', 'member-import-gen'), ['30000', org.code, file])
  const up = await own.admin.req('POST', `/api/v1/members/imports?filename=${name}`, readFileSync(file))
  assert.equal(up.status, 201, JSON.stringify(up.body))
  assert.equal(up.body.new, 30000)
  return up
}

test('a run killed with SIGKILL leaves whole batches only and resumes to completion', { skip: engine !== 'sqlite' }, async () => {
  const own = await startServer({ members: 5 })
  try {
    const up = await uploadBig(own, 'big.xlsx')
    const run = await own.admin.post(`/api/v1/members/imports/${up.body.id}/run`)
    let done = 0
    for (let i = 0; i < 600 && done < 2000; i++) {
      done = (await own.admin.get(`/api/v1/jobs/${run.body.job_id}`)).body.done
      await new Promise((res) => setTimeout(res, 20))
    }
    own.proc.kill('SIGKILL')
    await new Promise((res) => own.proc.once('exit', res))
    const q = (s) => Number(sql(own.url, s).trim())
    const inserted = q(`SELECT COUNT(*) FROM member_import_rows WHERE import_id = ${up.body.id}`)
    const imported = q(`SELECT COUNT(*) FROM members WHERE id IN (SELECT member_id FROM member_import_rows WHERE import_id = ${up.body.id})`)
    const all = q('SELECT COUNT(*) FROM members')
    assert.equal(inserted % 500 === 0 || inserted === 30000, true, `whole batches: ${inserted}`)
    assert.equal(imported, inserted)
    assert.equal(all, 5 + inserted, 'every member written is traceable to the import')
    assert.ok(inserted < 30000, 'killed before the end')
    // the lease runs out; the runner takes the job up again and finishes it
    sql(own.url, `UPDATE jobs SET lease_until = 0 WHERE id = ${run.body.job_id}`)
    const r = cli(['jobs', 'run', '--once', '--db', own.url, '--log-level', 'warn'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(sql(own.url, `SELECT state || ' ' || n_new FROM member_imports WHERE id = ${up.body.id}`).trim(), 'done 30000')
    assert.equal(q('SELECT COUNT(*) FROM members'), 30005)
  } finally {
    await own.stop()
  }
})

test('cancel: a queued run goes back to checked; a running one stops at a batch, keeps whole batches, is audited, and undo takes them back', async () => {
  const own = await startServer({ members: 5, extra: ['--jobs', 'off'] })
  try {
    const id = (await uploadBig(own, 'cancel.xlsx')).body.id
    // nothing runs jobs in this server: the run stays queued, and cancel puts it back
    const run1 = await own.admin.post(`/api/v1/members/imports/${id}/run`)
    assert.equal(run1.status, 202)
    const c1 = await own.admin.post(`/api/v1/members/imports/${id}/cancel`)
    assert.equal(c1.status, 200, JSON.stringify(c1.body))
    assert.equal(c1.body.state, 'checked')
    assert.equal(c1.body.cancelled, false, 'nothing was written: a plain checked import')
    assert.equal((await own.admin.get(`/api/v1/jobs/${run1.body.job_id}`)).body.state, 'cancelled')
    const again = await own.admin.post(`/api/v1/members/imports/${id}/cancel`)
    assert.equal(again.status, 409)
    assert.equal(again.body.error.code, 'conflict')
    assert.match(again.body.error.message, /取消/)
    // run again, and let a runner take it: `jobs run --once` in the background (the CLI)
    const run2 = await own.admin.post(`/api/v1/members/imports/${id}/run`)
    assert.equal(run2.status, 202, 'a cancelled queued run can be run again')
    const runner = spawn(bin, ['jobs', 'run', '--once', '--db', own.url, '--log-level', 'warn'], { stdio: 'ignore' })
    const runnerExit = once(runner, 'exit')
    let j = null
    for (let i = 0; i < 1500; i++) {
      j = (await own.admin.get(`/api/v1/jobs/${run2.body.job_id}`)).body
      if (j.state !== 'queued' && j.done >= 1000) break
      await new Promise((res) => setTimeout(res, 20))
    }
    assert.equal(j.state, 'running', 'still running when cancelled')
    const c2 = await own.admin.post(`/api/v1/members/imports/${id}/cancel`)
    assert.equal(c2.status, 202, JSON.stringify(c2.body))
    const [code] = await runnerExit
    assert.equal(code, 0)
    const jd = (await own.admin.get(`/api/v1/jobs/${run2.body.job_id}`)).body
    assert.equal(jd.state, 'cancelled')
    assert.equal(jd.error, '已取消', 'the job\'s error in the caller\'s language')
    assert.equal((await own.admin.get(`/api/v1/jobs/${run2.body.job_id}`, { 'Accept-Language': 'en' })).body.error, 'Cancelled')
    const im = (await own.admin.get(`/api/v1/members/imports/${id}`)).body
    assert.equal(im.state, 'failed')
    assert.equal(im.cancelled, true)
    assert.equal(im.error, '已取消')
    assert.equal((await own.admin.get(`/api/v1/members/imports/${id}`, { 'Accept-Language': 'en' })).body.error, 'Cancelled')
    const q = (s) => Number(sql(own.url, s).trim())
    const written = q(`SELECT COUNT(*) FROM member_import_rows WHERE import_id = ${id}`)
    assert.ok(written > 0 && written < 30000, `stopped part-way: ${written}`)
    assert.equal(written % 500, 0, `whole batches only: ${written}`)
    assert.equal(q('SELECT COUNT(*) FROM members'), 5 + written, 'every member written is traceable to the import')
    const audit = sql(own.url, `SELECT changes FROM audit_log WHERE action = 'member.import_cancel' AND object = 'member_import:${id}'`).trim()
    assert.equal(JSON.parse(audit).rows_written, written)
    assert.equal(im.new + im.update, written, 'the counts of a cancelled run are what it wrote')
    const undo = await own.admin.post(`/api/v1/members/imports/${id}/undo`)
    assert.equal(undo.status, 200, JSON.stringify(undo.body))
    assert.equal(q('SELECT COUNT(*) FROM members'), 5)
  } finally {
    await own.stop()
  }
})

test('CLI: import members with --dry-run, --org and --errors; exit 0 / 1 / 2', async () => {
  const file = join(tmp, 'cli.csv')
  const head = '姓名*,公民身份号码*,党员类别*,入党日期*,转正日期'
  writeFileSync(file, `${head}\r\n命令行,${idNumber('320102', '19850101', 301)},正式党员,2010-07-01,2011-07-01\r\n`)
  const dry = cli(['import', 'members', file, '--dry-run', '--org', A.code, '--db', srv.url, '--log-level', 'warn'])
  assert.equal(dry.code, 0, dry.stderr)
  assert.deepEqual({ ...JSON.parse(dry.stdout), import_id: 0 }, { import_id: 0, state: 'dry_run', dry_run: true, rows: 1, new: 1, update: 0, unchanged: 0, bad: 0, errors: 0, unknown_columns: [] })
  const real = cli(['import', 'members', file, '--org', A.code, '--db', srv.url, '--log-level', 'warn'])
  assert.equal(real.code, 0, real.stderr)
  assert.equal(JSON.parse(real.stdout).state, 'done')
  assert.equal((await get(`/api/v1/members?org_id=${A.id}&q=${encodeURIComponent('命令行')}`)).body.data.length, 1)
  writeFileSync(file, `${head}\r\n坏,1,正式党员,2010-07-01,2011-07-01\r\n`)
  const report = join(tmp, 'cli-errors.csv')
  const bad = cli(['import', 'members', file, '--org', A.code, '--errors', report, '--db', srv.url, '--log-level', 'warn'])
  assert.equal(bad.code, 1)
  assert.match(readFileSync(report, 'utf8'), /\n2,公民身份号码\*,ID-01,/)
  assert.equal(cli(['import', 'members']).code, 2)
  assert.equal(cli(['import', 'members', file, '--bogus', '--db', srv.url]).code, 2)
})
