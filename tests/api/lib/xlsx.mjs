// xlsx.mjs: just enough of a zip and xlsx reader for tests (no npm package): the entries of a
// zip through its central directory, and the cell texts of the first worksheet, row by row
// (inline and shared strings, numbers as written). Not a general parser.
import { inflateRawSync } from 'node:zlib'

export function unzip(buf) {
  let eocd = buf.length - 22
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--
  if (eocd < 0) throw new Error('not a zip')
  const count = buf.readUInt16LE(eocd + 10)
  let p = buf.readUInt32LE(eocd + 16)
  const files = {}
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory')
    const method = buf.readUInt16LE(p + 10)
    const csize = buf.readUInt32LE(p + 20)
    const nlen = buf.readUInt16LE(p + 28), xlen = buf.readUInt16LE(p + 30), clen = buf.readUInt16LE(p + 32)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.toString('utf8', p + 46, p + 46 + nlen)
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const data = buf.subarray(start, start + csize)
    files[name] = method === 0 ? data : inflateRawSync(data)
    p += 46 + nlen + xlen + clen
  }
  return files
}

const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&apos;/g, "'").replace(/&amp;/g, '&')

// Rows of the first worksheet as arrays of strings (cells by column letter position).
export function sheetRows(buf) {
  const files = unzip(buf)
  const shared = []
  const ss = files['xl/sharedStrings.xml']?.toString('utf8') ?? ''
  for (const m of ss.matchAll(/<si>(.*?)<\/si>/gs)) shared.push(unescape([...m[1].matchAll(/<t[^>]*>(.*?)<\/t>/gs)].map((t) => t[1]).join('')))
  const xml = files['xl/worksheets/sheet1.xml'].toString('utf8')
  const rows = []
  for (const r of xml.matchAll(/<row [^>]*>(.*?)<\/row>/gs)) {
    const row = []
    for (const c of r[1].matchAll(/<c r="([A-Z]+)\d+"([^>]*?)(?:\/>|>(.*?)<\/c>)/gs)) {
      let col = 0
      for (const ch of c[1]) col = col * 26 + ch.charCodeAt(0) - 64
      const type = /t="(\w+)"/.exec(c[2])?.[1]
      const body = c[3] ?? ''
      let v = ''
      if (type === 'inlineStr') v = unescape([...body.matchAll(/<t[^>]*>(.*?)<\/t>/gs)].map((t) => t[1]).join(''))
      else if (type === 's') v = shared[Number(/<v>(.*?)<\/v>/.exec(body)[1])]
      else v = /<v>(.*?)<\/v>/.exec(body)?.[1] ?? ''
      row[col - 1] = v
    }
    rows.push(row)
  }
  return rows
}
