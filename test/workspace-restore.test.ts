// The saved workspace (workspace:set / workspace:get) keeps the sidebar's containers and derived tabs' recipes,
// reads a workspace saved before they were kept, and under --root drops what lies outside the root: a derived
// tab whose A or B is outside, and containers outside.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ArrayService } from '../src/main/service/array-service'
import type { Workspace } from '../src/shared/contract'
import { tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const root = path.join(tmp.dir, 'root')
const outside = path.join(tmp.dir, 'outside')
fs.mkdirSync(root)
fs.mkdirSync(outside)
const recentFile = path.join(tmp.dir, 'config', 'recent.json')
fs.mkdirSync(path.dirname(recentFile))

const view = { slice: '', rowAxis: 0, colAxis: 1, index: [0, 0], format: { mode: 'auto' as const }, heat: false }
const src = (p: string) => ({ path: p, layout: null, mode: 'r' as const })
const inside = path.join(root, 'a.npy')
const away = path.join(outside, 'b.npy')
const workspace: Workspace = {
  tabs: [
    { ...src(inside), view, cell: [1, 2] },
    { ...src(inside), derived: { kind: 'absdiff', slice: '1:', a: src(inside), b: src(inside) }, view, cell: [3, 4] },
    { ...src(inside), derived: { kind: 'diff', a: src(inside), b: src(away) }, view, cell: [0, 0] }
  ],
  active: 1,
  panels: { hex: false, analysis: true },
  containers: [path.join(root, 'm.h5'), path.join(outside, 'n.h5')]
}

describe('workspace', () => {
  it('keeps containers and derived tabs; --root drops those reaching outside it', async () => {
    const s = new ArrayService({ watchIntervalMs: 0, recentFile })
    await s.handle('workspace:set', { workspace })
    expect((await s.handle('workspace:get', {})).workspace).toEqual(workspace)
    s.closeAll()
    const confined = new ArrayService({ watchIntervalMs: 0, recentFile, root })
    const got = (await confined.handle('workspace:get', {})).workspace!
    expect(got.tabs.map((t) => t.derived?.kind ?? 'plain')).toEqual(['plain', 'absdiff'])
    expect(got.containers).toEqual([path.join(root, 'm.h5')])
    confined.closeAll()
  })

  it('reads a workspace saved before containers were kept', async () => {
    const old = { tabs: [workspace.tabs[0]], active: 0, panels: workspace.panels }
    fs.writeFileSync(path.join(path.dirname(recentFile), 'workspace.json'), JSON.stringify(old))
    const s = new ArrayService({ watchIntervalMs: 0, recentFile })
    const got = (await s.handle('workspace:get', {})).workspace!
    expect(got.tabs).toHaveLength(1)
    expect(got.containers).toBeUndefined()
    s.closeAll()
  })
})
