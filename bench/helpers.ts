import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pythonPath } from '../test/helpers/python'

/** Runs python with numpy; returns what it printed as JSON. OPENBLAS variables unset: they slow numpy. */
export function py<T>(code: string): T {
  const env = { ...process.env }
  delete env.OPENBLAS_CORETYPE
  delete env.OPENBLAS_L2_SIZE
  const r = spawnSync(pythonPath(), ['-c', `import json, time, numpy as np\n${code}`], {
    encoding: 'utf8',
    env,
    maxBuffer: 1 << 26
  })
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout) as T
}

export function benchDir(): string {
  const dir = path.join(os.tmpdir(), 'arrayscope-bench')
  fs.mkdirSync(dir, { recursive: true })
  return dir
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export function summary(samples: number[]): { p50: number; p99: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b)
  return { p50: percentile(s, 50), p99: percentile(s, 99), mean: s.reduce((a, b) => a + b, 0) / s.length }
}

export const ms = (x: number): string => `${x.toFixed(3)} ms`

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Milliseconds fn took (awaited). */
export async function timed(fn: () => unknown): Promise<number> {
  const t0 = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - t0) / 1e6
}

/** A benchmark row: run is timed, or ms() measures itself (a numpy process timing its own work). */
export interface BenchRow {
  name: string
  run: () => unknown
  ms?: () => number
}

/**
 * Times every row cold and warm, repeat times, in turns (row after row, so a drift of the machine touches all
 * alike): cold() evicts the files' pages before each cold run, warm() reads them into memory before each warm
 * one, before(row) runs before either. Returns the medians by row name (NaN for a row not run).
 */
export async function coldWarm(
  rows: BenchRow[],
  repeat: number,
  prepare: { cold: () => void; warm: () => void; before?: (row: BenchRow) => void }
): Promise<{ cold: (name: string) => number; warm: (name: string) => number }> {
  const cold = new Map<string, number[]>()
  const warm = new Map<string, number[]>()
  for (let r = 0; r < repeat; r++) {
    for (const row of rows) {
      for (const [temp, table] of [
        ['cold', cold],
        ['warm', warm]
      ] as const) {
        prepare[temp]()
        prepare.before?.(row)
        const t = row.ms ? row.ms() : await timed(row.run)
        table.set(row.name, [...(table.get(row.name) ?? []), t])
      }
    }
  }
  const get = (t: Map<string, number[]>) => (name: string) => median(t.get(name) ?? [NaN])
  return { cold: get(cold), warm: get(warm) }
}
