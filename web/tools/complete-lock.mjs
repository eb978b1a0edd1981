#!/usr/bin/env node
// Completes package-lock.json with the platform packages of native optional dependencies
// (rollup's @rollup/rollup-<platform>) that npm could not see when it wrote the lock.
//
// Why: a registry mirror that lacks some of those packages (as this project's build machines
// use) makes `npm install` leave them out of the lock, and npm >= 10 then refuses `npm ci`
// ("Missing: @rollup/rollup-darwin-arm64@ from lock file"). Each added entry carries the
// package's os/cpu/libc, so npm skips it on every other platform without fetching it.
// Run after any `npm install` that changes the lock:  node tools/complete-lock.mjs
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const file = fileURLToPath(new URL('../package-lock.json', import.meta.url))
const lock = JSON.parse(readFileSync(file, 'utf8'))
const pkgs = lock.packages

const CPU = { 'arm-eabi': 'arm', arm: 'arm', arm64: 'arm64', x64: 'x64', ia32: 'ia32', loong64: 'loong64',
  ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x' }

/** os / cpu / libc of a native package from its name: @rollup/rollup-linux-arm64-musl → linux, arm64, musl */
function platformOf(name) {
  const m = name.match(/^@rollup\/rollup-([a-z0-9]+)-([a-z0-9]+)(?:-([a-z0-9]+))?$/)
  if (!m) return null
  const [, os, arch, abi = ''] = m
  const cpu = CPU[arch === 'arm' && abi === 'eabi' ? 'arm-eabi' : arch]
  if (!cpu) return null
  const meta = { cpu: [cpu], os: [os] }
  if (os === 'linux') meta.libc = [abi.startsWith('musl') ? 'musl' : 'glibc']
  return meta
}

let added = 0
for (const [where, entry] of Object.entries(pkgs)) {
  if (!where.endsWith('node_modules/rollup') || !entry.optionalDependencies) continue
  const base = where.slice(0, -'rollup'.length)
  for (const [dep, version] of Object.entries(entry.optionalDependencies)) {
    const key = base + dep
    if (pkgs[key] || dep === 'fsevents') continue
    const meta = platformOf(dep)
    if (!meta) throw new Error(`cannot tell the platform of ${dep}`)
    pkgs[key] = { version, cpu: meta.cpu, dev: entry.dev, ...(meta.libc ? { libc: meta.libc } : {}), license: 'MIT', optional: true, os: meta.os }
    if (!entry.dev) delete pkgs[key].dev
    added++
  }
}
// npm writes packages sorted by path
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en'))))
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n')
console.log(`complete-lock: added ${added} platform entries`)
