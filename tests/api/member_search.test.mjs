// member_search.test.mjs: the member list's search, filters, sort and pages, saved filters and
// the CSV export (issue 5 §3, §5), on SQLite and PostgreSQL. The demo gives the members; a few
// record fields (education, ethnicity, posts, a name that looks like a formula) are set with SQL
// because creating members is another feature's work.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, sql, cli } from './lib/server.mjs'
import { asRole, Session } from './lib/auth.mjs'
import { sheetRows } from './lib/xlsx.mjs'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

let srv, admin, all, branch, other, sec
const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)   // Asia/Shanghai

function age(birth) {
  const [y, m, d] = birth.split('-').map(Number)
  const [ty, tm, td] = today.split('-').map(Number)
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0)
}

async function list(qs, s = admin) {
  const r = await s.get(`/api/v1/members?${qs}`)
  assert.equal(r.status, 200, `${qs}: ${JSON.stringify(r.body)}`)
  return r.body
}

// Every page of a query, as one array of rows (per_page 100).
async function everything(qs, s = admin) {
  const rows = []
  for (let page = 1; ; page++) {
    const b = await list(`${qs}&per_page=100&page=${page}`, s)
    rows.push(...b.data)
    if (b.data.length < 100) return rows
  }
}

const ids = (rows) => rows.map((m) => m.id).sort((a, b) => a - b)

before(async () => {
  srv = await startServer({ members: 150 })
  admin = srv.admin
  all = await everything('')
  assert.equal(all.length, 150)
  const branches = (await admin.get('/api/v1/orgs?type=branch&per_page=200')).body.data
    .filter((o) => o.members.total >= 5)
  branch = branches[0]
  other = branches.find((o) => !o.path.startsWith(branch.path) && !branch.path.startsWith(o.path))
  assert.ok(branch && other, 'two separate branches')
  // known values in place of the demo's (it fills education, ethnicity and posts)
  const [m1, m2, m3] = all
  sql(srv.url, `DELETE FROM member_posts;
                UPDATE members SET education = NULL, ethnicity = NULL;
                UPDATE members SET education = '21', ethnicity = '01' WHERE id IN (${m1.id}, ${m2.id});
                UPDATE members SET education = '14', ethnicity = '03' WHERE id = ${m3.id};
                UPDATE members SET name = '=1+2' WHERE id = ${all[4].id};
                UPDATE members SET status = 'lost_contact' WHERE id = ${all[5].id};
                INSERT INTO member_posts (member_id, org_id, post, started_on, ended_on, created_at)
                  VALUES (${m1.id}, ${m1.org_id}, 'secretary', '2024-01-01', NULL, 0),
                         (${m2.id}, ${m2.org_id}, 'secretary', '2020-01-01', '2023-12-31', 0),
                         (${m3.id}, ${m3.org_id}, 'organization', '2022-05-01', NULL, 0)`)
  all = await everything('')
  // The API masks birth dates with the ID number (decision 0011): the real ones come from SQL.
  const born = new Map(sql(srv.url, 'SELECT id, birth_date FROM members').trim().split('\n')
    .map((l) => l.split('|')))
  for (const m of all) m.born = born.get(String(m.id)) || null
  sec = await asRole(srv, 'branch_secretary', branch.code)
})

after(async () => { await srv?.stop() })

test('the list keeps its issue-4 shape and adds age, org, education and post', async () => {
  const b = await list('per_page=5')
  assert.equal(b.meta.total, 150)
  const m = b.data[0]
  for (const k of ['id', 'org_id', 'org_name', 'name', 'gender', 'birth_date', 'category', 'joined_on', 'status', 'id_number', 'phone', 'address']) {
    assert.ok(k in m, k)
  }
  assert.deepEqual(m.org, { id: m.org_id, name: m.org_name })
  assert.equal(m.birth_date, all.find((x) => x.id === m.id).born.slice(0, 4) + '-**-**', 'masked: decision 0011')
  assert.equal(m.age, age(all.find((x) => x.id === m.id).born))
  assert.match(m.id_number, /\*{4}/)
  const m1 = all.find((x) => x.id === all[0].id)
  assert.equal(m1.post, 'secretary')
  assert.equal(m1.education, '21')
  assert.equal(all.find((x) => x.id === all[1].id).post, null, 'an ended post is not current')
})

test('filters: each one against the full list', async () => {
  const cases = [
    ['category=full', (m) => m.category === 'full'],
    ['category=probationary', (m) => m.category === 'probationary'],
    ['gender=female', (m) => m.gender === 2],
    ['gender=1', (m) => m.gender === 1],
    ['status=normal', (m) => m.status === 'normal'],
    ['status=lost_contact', (m) => m.status === 'lost_contact'],
    ['age_min=30&age_max=40', (m) => m.age >= 30 && m.age <= 40],
    ['age_min=50', (m) => m.age >= 50],
    ['joined_from=2015&joined_to=2020', (m) => m.joined_on >= '2015-01-01' && m.joined_on < '2021-01-01'],
    ['education=21', (m) => m.education === '21'],
    ['education=20', (m) => m.education >= '20' && m.education <= '29'],
    ['education=10', (m) => m.education === '14'],
    ['ethnicity=03', (m) => m.ethnicity === '03'],
    ['post=secretary', (m) => m.post === 'secretary'],
    ['post=organization', (m) => m.post === 'organization'],
  ]
  const inBranch = new Set(ids(await everything(`org_id=${branch.id}`)))
  for (const m of all) m.__inBranch = inBranch.has(m.id)
  for (const [qs, pred] of cases) {
    const got = await everything(qs)
    const want = all.filter(pred)
    assert.deepEqual(ids(got), ids(want), qs)
    const b = await list(`${qs}&per_page=1`)
    assert.equal(b.meta.total, want.length, `${qs} total`)
  }
  assert.ok(all.some((m) => m.status === 'lost_contact'), 'the list shows members who lost contact')
  const combo = await everything(`org_id=${branch.id}&category=full&age_min=25&age_max=60&sort=joined_on`)
  assert.deepEqual(ids(combo), ids(all.filter((m) => m.__inBranch && m.category === 'full' && m.age >= 25 && m.age <= 60)))
})

test('name: contains, prefix (q&match=prefix and name_prefix)', async () => {
  const target = all[10]
  const surname = [...target.name][0]
  const part = [...target.name].slice(1, 2).join('')
  assert.deepEqual(ids(await everything(`q=${encodeURIComponent(part)}`)), ids(all.filter((m) => m.name.includes(part))))
  const prefixed = all.filter((m) => m.name.startsWith(surname))
  assert.deepEqual(ids(await everything(`name_prefix=${encodeURIComponent(surname)}`)), ids(prefixed))
  assert.deepEqual(ids(await everything(`q=${encodeURIComponent(surname)}&match=prefix`)), ids(prefixed))
  // a prefix search is by name unless told otherwise
  const names = (await list(`name_prefix=${encodeURIComponent(surname)}&per_page=100`)).data.map((m) => m.name)
  assert.deepEqual(names, [...names].sort())
  // % and _ are literal
  assert.equal((await list('q=%25')).meta.total, 0)
})

test('sort: each key ascending and descending, ties by id, empty dates last', async () => {
  const cmp = (key, desc) => (a, b) => {
    const k = key === 'birth_date' ? 'born' : key   // the list shows it masked
    const x = a[k], y = b[k]
    if (x !== y) {
      if (x === null) return 1
      if (y === null) return -1
      return (x < y ? -1 : 1) * (desc ? -1 : 1)
    }
    return (a.id - b.id) * (desc ? -1 : 1)
  }
  for (const key of ['name', 'birth_date', 'joined_on']) {
    for (const desc of [false, true]) {
      const got = (await everything(`sort=${desc ? '-' : ''}${key}`)).map((m) => m.id)
      const want = [...all].sort(cmp(key, desc)).map((m) => m.id)
      assert.deepEqual(got, want, `sort=${desc ? '-' : ''}${key}`)
    }
  }
  const tree = (await everything('sort=org')).map((m) => m.id)
  assert.deepEqual(tree, all.map((m) => m.id), 'sort=org is the default tree order')
  const back = (await everything('sort=-org')).map((m) => m.id)
  assert.deepEqual(back, [...tree].reverse())
})

test('pagination: pages cover the result once, totals agree', async () => {
  const seen = []
  let total
  for (let page = 1; page <= 30; page++) {
    const b = await list(`category=full&sort=birth_date&per_page=7&page=${page}`)
    total = b.meta.total
    assert.equal(b.meta.per_page, 7)
    seen.push(...b.data.map((m) => m.id))
    if (b.data.length < 7) break
  }
  assert.equal(seen.length, total)
  assert.equal(new Set(seen).size, total)
  assert.equal(total, all.filter((m) => m.category === 'full').length)
})

test('ID number and phone: exact through the blind index (ID-02 a wrong check digit finds nothing)', async () => {
  const m = all[20]
  const id = (await admin.post(`/api/v1/members/${m.id}/reveal`, { field: 'id_number' })).body.value
  const phone = (await admin.post(`/api/v1/members/${m.id}/reveal`, { field: 'phone' })).body.value
  assert.match(id, /^\d{17}[\dX]$/)
  const one = async (qs) => (await everything(qs)).map((x) => x.id)
  assert.deepEqual(await one(`q=${id}`), [m.id])
  assert.deepEqual(await one(`q=${id.toLowerCase()}`), [m.id])
  assert.deepEqual(await one(`id_number=${id}`), [m.id])
  assert.deepEqual(await one(`phone=${phone}`), [m.id])
  assert.deepEqual(await one(`q=${encodeURIComponent('+86 ' + phone.slice(0, 3) + ' ' + phone.slice(3))}`), [m.id])
  const wrong = id.slice(0, 17) + (id[17] === '0' ? '1' : '0')
  const r = await list(`q=${wrong}`)
  assert.equal(r.meta.total, 0)
  assert.deepEqual(r.data, [])
  // ID-05: a 15-digit number is looked up as its 18-character form (none here)
  assert.equal((await list('q=110105491231002')).meta.total, 0)
  // another branch's member is not found by a secretary, even by exact number
  if (!(await everything(`org_id=${branch.id}`)).some((x) => x.id === m.id)) {
    assert.equal((await list(`q=${id}`, sec)).meta.total, 0)
  }
})

test('scope: another subtree is 404, the default is the caller\'s subtree', async () => {
  const r = await sec.get(`/api/v1/members?org_id=${other.id}`)
  assert.equal(r.status, 404)
  const mine = await everything('', sec)
  assert.deepEqual(ids(mine), ids(await everything(`org_id=${branch.id}`)))
  assert.equal((await sec.get(`/api/v1/members/export.csv?org_id=${other.id}`)).status, 404)
})

test('bad parameters: 400 naming each field', async () => {
  const bad = [
    ['sort=salary', 'sort'], ['sort=-', 'sort'], ['status=deceased', 'status'], ['category=x', 'category'],
    ['gender=x', 'gender'], ['age_min=-1', 'age_min'], ['age_max=abc', 'age_max'],
    ['age_min=50&age_max=40', 'age_max'], ['joined_from=19', 'joined_from'], ['joined_from=2020&joined_to=2010', 'joined_to'],
    ['per_page=101', 'per_page'], ['page=0', 'page'], ['education=zz', 'education'], ['ethnicity=99', 'ethnicity'],
    ['post=king', 'post'], ['org_id=abc', 'org_id'], ['id_number=123', 'id_number'], ['phone=12', 'phone'],
    ['match=regex', 'match'], [`q=${'x'.repeat(65)}`, 'q'],
  ]
  for (const [qs, field] of bad) {
    const r = await admin.get(`/api/v1/members?${qs}`)
    assert.equal(r.status, 400, qs)
    assert.ok(field in r.body.error.fields, `${qs}: ${JSON.stringify(r.body.error.fields)}`)
  }
  const two = await admin.get('/api/v1/members?sort=x&category=y')
  assert.deepEqual(Object.keys(two.body.error.fields).sort(), ['category', 'sort'])
})

test('saved filters: create, list, name taken, bad params, own filters only', async () => {
  const c = await sec.post('/api/v1/member-filters', { name: ' 青年党员 ', params: { category: 'full', age_max: '35', sort: '-joined_on' } })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  assert.equal(c.body.name, '青年党员')
  const l = await sec.get('/api/v1/member-filters')
  assert.deepEqual(l.body.data.map((f) => f.name), ['青年党员'])
  assert.deepEqual(l.body.data[0].params, { age_max: '35', category: 'full', sort: '-joined_on' })
  const dup = await sec.post('/api/v1/member-filters', { name: '青年党员', params: {} })
  assert.equal(dup.status, 409)
  assert.ok('name' in dup.body.error.fields)
  const bad = await sec.post('/api/v1/member-filters', { name: 'x', params: { sort: 'salary', colour: 'red', age_min: 3 } })
  assert.equal(bad.status, 400)
  assert.deepEqual(Object.keys(bad.body.error.fields).sort(), ['params.age_min', 'params.colour'])
  const bad2 = await sec.post('/api/v1/member-filters', { name: 'y', params: { sort: 'salary' } })
  assert.ok('params.sort' in bad2.body.error.fields)
  assert.ok('name' in (await sec.post('/api/v1/member-filters', { params: {} })).body.error.fields)
  // another user sees none of them and cannot delete them
  assert.deepEqual((await admin.get('/api/v1/member-filters')).body.data, [])
  assert.equal((await admin.del(`/api/v1/member-filters/${c.body.id}`)).status, 404)
  assert.equal((await sec.del(`/api/v1/member-filters/${c.body.id}`)).status, 204)
  assert.equal((await sec.del(`/api/v1/member-filters/${c.body.id}`)).status, 404)
})

// fetch's text() drops a BOM: read the bytes.
const body = async (res) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer())

function parseCsv(text) {
  assert.ok(text.startsWith('\uFEFF'), 'BOM')
  return text.slice(1).split('\r\n').filter((l) => l !== '').map((l) => {
    const cells = []
    let cur = '', quoted = false
    for (let i = 0; i < l.length; i++) {
      const ch = l[i]
      if (quoted) {
        if (ch === '"' && l[i + 1] === '"') { cur += '"'; i++ } else if (ch === '"') quoted = false; else cur += ch
      } else if (ch === '"') quoted = true
      else if (ch === ',') { cells.push(cur); cur = '' } else cur += ch
    }
    cells.push(cur)
    return cells
  })
}

function lastAudit(action) {
  const out = sql(srv.url, `SELECT changes FROM audit_log WHERE action = '${action}' ORDER BY seq DESC LIMIT 1`).trim()
  return out ? JSON.parse(out) : null
}

test('export CSV: every match, Chinese headers, code labels, masked, formula escaped, audited', async () => {
  const res = await fetch(`${srv.base}/api/v1/members/export.csv?category=full`, { headers: { Cookie: admin.cookie } })
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type'), /text\/csv/)
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="members-[A-Za-z0-9]+-\d{4}-\d{2}-\d{2}\.csv"$/)
  const rows = parseCsv(await body(res))
  assert.deepEqual(rows[0].slice(0, 6), ['姓名', '性别', '民族', '出生日期', '年龄', '公民身份号码'])
  const full = all.filter((m) => m.category === 'full')
  assert.equal(rows.length - 1, full.length, 'every match, not a page')
  const col = (name) => rows[0].indexOf(name)
  assert.ok(rows.slice(1).every((r) => r[col('人员类别')] === '正式党员'), 'category label')
  assert.ok(rows.slice(1).every((r) => /^\d{4}-\*\*-\*\*$/.test(r[col('出生日期')])), 'birth dates masked (decision 0011)')
  assert.ok(rows.slice(1).every((r) => /\*{4}/.test(r[col('公民身份号码')])), 'ID numbers masked')
  assert.ok(rows.slice(1).every((r) => ['男', '女', '未知的性别', '未说明的性别'].includes(r[col('性别')])))
  const m1 = rows.find((r) => r[col('学历')] === '大学本科毕业')
  if (all[0].category === 'full') assert.ok(m1, 'education label')
  const evil = all[4]
  if (evil.category === 'full') assert.ok(rows.some((r) => r[0] === "'=1+2"), 'a formula-like name is escaped')
  const a = lastAudit('member.export')
  assert.equal(a.rows, full.length)
  assert.equal(a.values, 'masked')
  assert.deepEqual(a.filter, { category: 'full' })
  // formula escaping whatever the category
  const all2 = parseCsv(await body(await fetch(`${srv.base}/api/v1/members/export.csv`, { headers: { Cookie: admin.cookie } })))
  assert.equal(all2.length - 1, 150)
  assert.ok(all2.some((r) => r[0] === "'=1+2"))
  assert.ok(!all2.some((r) => r[0] === '=1+2'))
})

test('export CSV in English, and revealed values only with member.reveal (audited as revealed)', async () => {
  const en = await fetch(`${srv.base}/api/v1/members/export.csv?org_id=${branch.id}`, { headers: { Cookie: sec.cookie, 'Accept-Language': 'en' } })
  const rows = parseCsv(await body(en))
  assert.equal(rows[0][0], 'Name')
  assert.ok(rows.slice(1).every((r) => ['Full member', 'Probationary member'].includes(r[rows[0].indexOf('Category')])))
  const rv = await fetch(`${srv.base}/api/v1/members/export.csv?org_id=${branch.id}&reveal=1`, { headers: { Cookie: sec.cookie } })
  assert.equal(rv.status, 200)
  const full = parseCsv(await body(rv))
  const idc = full[0].indexOf('公民身份号码')
  assert.ok(full.slice(1).every((r) => /^\d{17}[\dX]$/.test(r[idc])), 'full ID numbers')
  const bc = full[0].indexOf('出生日期')
  assert.ok(full.slice(1).every((r) => r[idc].slice(6, 14) === r[bc].replaceAll('-', '')), 'full birth dates, as in the ID')
  const a = lastAudit('member.export_revealed')
  assert.equal(a.values, 'revealed')
  assert.equal(a.rows, full.length - 1)
  // a token with member.export but not member.reveal
  const tok = await sec.post('/api/v1/tokens', { name: 'export only', perms: ['member.read', 'member.export'], org_id: branch.id, expires_in_days: 1 })
  assert.equal(tok.status, 201, JSON.stringify(tok.body))
  const t = new Session(srv.base, '', null)
  const denied = await t.req('GET', `/api/v1/members/export.csv?org_id=${branch.id}&reveal=1`, undefined, { Authorization: `Bearer ${tok.body.token}` })
  assert.equal(denied.status, 403)
  const masked = await t.req('GET', `/api/v1/members/export.csv?org_id=${branch.id}`, undefined, { Authorization: `Bearer ${tok.body.token}` })
  assert.equal(masked.status, 200)
  assert.equal((await admin.get('/api/v1/members/export.csv?reveal=maybe')).status, 400)
  assert.equal((await admin.get('/api/v1/members/export.csv?sort=nope')).status, 400)
})

test('CLI: dangjian export members --format csv|xlsx with filters', async () => {
  const r = cli(['export', 'members', '--db', srv.url, '--format', 'csv', '--org', branch.code, '--category', 'full'])
  assert.equal(r.code, 0, r.stderr)
  const rows = parseCsv(r.stdout)
  const want = (await everything(`org_id=${branch.id}&category=full`)).length
  assert.equal(rows.length - 1, want)
  assert.equal(lastAudit('member.export').rows, want)
  assert.equal(cli(['export', 'members', '--db', srv.url, '--format', 'xlsx']).code, 2, 'xlsx needs --out')
  const dir = mkdtempSync(join(tmpdir(), 'dj-export-'))
  try {
    const out = join(dir, 'm.xlsx')
    const x = cli(['export', 'members', '--db', srv.url, '--format', 'xlsx', '--org', branch.code, '--category', 'full', '--out', out])
    assert.equal(x.code, 0, x.stderr)
    assert.equal(JSON.parse(x.stdout).rows, want)
    assert.equal(sheetRows(readFileSync(out)).length - 1, want)
    assert.equal(lastAudit('member.export').format, 'xlsx')
  } finally { rmSync(dir, { recursive: true, force: true }) }
  assert.equal(cli(['export', 'members', '--db', srv.url, '--format', 'pdf']).code, 2)
  assert.equal(cli(['export', 'members', '--db', srv.url, '--format', 'csv', '--sort', 'salary']).code, 1)
  assert.equal(cli(['export', 'members', '--db', srv.url, '--format', 'csv', '--bogus', '1']).code, 2)
})

test('export xlsx: the same rows as the CSV, text ID numbers, real dates, audited', async () => {
  const res = await fetch(`${srv.base}/api/v1/members/export.xlsx?org_id=${branch.id}&reveal=1`, { headers: { Cookie: sec.cookie } })
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type'), /spreadsheetml/)
  assert.match(res.headers.get('content-disposition'), /^attachment; filename="members-[A-Za-z0-9]+-\d{4}-\d{2}-\d{2}\.xlsx"$/)
  const rows = sheetRows(Buffer.from(await res.arrayBuffer()))
  const a = lastAudit('member.export_revealed')
  assert.equal(a.format, 'xlsx')
  assert.equal(a.rows, rows.length - 1)
  const csv = parseCsv(await body(await fetch(`${srv.base}/api/v1/members/export.csv?org_id=${branch.id}&reveal=1`, { headers: { Cookie: sec.cookie } })))
  assert.deepEqual(rows[0], csv[0], 'the same headers')
  assert.equal(rows.length, csv.length, 'the same rows')
  const idc = rows[0].indexOf('公民身份号码'), bd = rows[0].indexOf('出生日期')
  assert.ok(rows.slice(1).every((r) => /^\d{17}[\dX]$/.test(r[idc])), 'whole ID numbers as text, never 1.1E+17')
  // a real Excel date: a serial number that is the CSV's ISO date
  const serial = Number(rows[1][bd])
  assert.ok(serial > 10000, `date cell ${rows[1][bd]}`)
  assert.equal(new Date(Date.UTC(1899, 11, 30) + serial * 86400000).toISOString().slice(0, 10), csv[1][bd])
  assert.equal((await sec.get(`/api/v1/members/export.xlsx?org_id=${other.id}`)).status, 404)
})
