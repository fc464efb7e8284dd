// OME-Zarr (NGFF) images: a group whose attributes hold `multiscales` (0.4, in .zattrs) or `ome.multiscales`
// (0.5, in zarr.json) names its pyramid's levels, full resolution first. Each level's entry is tagged with its
// place in the pyramid and its scale; the group's metadata lists the levels with their shapes (the tree shows it).
// Each level also names the coarser levels the image view's overview tiles can be read from (`levels`, as a
// TIFF's SubIFDs): those whose image plane is the level's reduced by 2^k, in scale and in shape, and whose other
// axes (t, c, z — not reduced by NGFF writers) are the same, so a tile of a plane reads the same plane there.
import type { JsonValue } from '../json-value'
import { reduction } from '../pyramid-reduction'
import type { ContainerEntry } from './model'

type Doc = Record<string, JsonValue>

/** The pyramids of the groups' attributes (by group folder, '/' the root) marked on their levels' entries. */
export function markMultiscales(groups: Record<string, JsonValue>, entries: ContainerEntry[]): void {
  const byName = new Map(entries.map((e) => [e.name, e]))
  for (const [folder, attrs] of Object.entries(groups)) {
    if (!attrs || typeof attrs !== 'object' || Array.isArray(attrs)) continue
    const a = attrs as Doc
    const list = (a.multiscales ?? (a.ome as Doc | undefined)?.multiscales) as JsonValue
    if (!Array.isArray(list)) continue
    const summary: JsonValue[] = []
    for (const [i, ms] of list.entries()) {
      const datasets = (ms as Doc | null)?.datasets
      if (!Array.isArray(datasets)) continue
      const levels: JsonValue[] = []
      const pyramid: Level[] = []
      for (const [k, d] of datasets.entries()) {
        const p = (d as Doc | null)?.path
        if (typeof p !== 'string') continue
        const name = folder === '/' ? p : `${folder}/${p}`
        const entry = byName.get(name)
        const scale = ((d as Doc).coordinateTransformations as Doc[] | undefined)?.find((t) => t.type === 'scale')
        if (entry) {
          entry.metadata = {
            ...entry.metadata,
            multiscale: {
              image: folder,
              ...(list.length > 1 ? { index: i } : {}),
              level: k,
              levels: datasets.length,
              ...(scale?.scale ? { scale: scale.scale } : {})
            }
          }
        }
        levels.push({ path: name, shape: entry ? entry.shape : null })
        pyramid.push({ entry, scale: numbers(scale?.scale) })
      }
      if (planeLast((ms as Doc).axes)) linkLevels(pyramid)
      summary.push({ ...(typeof (ms as Doc).name === 'string' ? { name: (ms as Doc).name } : {}), levels })
    }
    if (summary.length) groups[folder] = { ...a, 'multiscale levels': summary }
  }
}

interface Level {
  entry: ContainerEntry | undefined
  scale: number[] | null
}

function numbers(v: JsonValue | undefined): number[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && x > 0) ? (v as number[]) : null
}

/** Whether the axes (when given) end with two space axes: the plane the image view shows and a level reduces. */
function planeLast(axes: JsonValue | undefined): boolean {
  if (!Array.isArray(axes)) return true
  // 0.4 and 0.5 give {name, type}; 0.3 gave bare names
  const type = (a: JsonValue | undefined): unknown =>
    typeof a === 'string' ? (a === 'x' || a === 'y' || a === 'z' ? 'space' : a) : (a as Doc | null)?.type
  return axes.length >= 2 && type(axes[axes.length - 2]) === 'space' && type(axes[axes.length - 1]) === 'space'
}

/** Sets each level's `levels`: the coarser levels that reduce its plane by 2^k, nearest first. */
function linkLevels(pyramid: Level[]): void {
  const usable = (l: Level): ContainerEntry | null => (l.entry && l.entry.zarr && !l.entry.unmappable ? l.entry : null)
  for (const [i, l] of pyramid.entries()) {
    const base = usable(l)
    if (!base) continue
    const coarser: { name: string; k: number }[] = []
    for (const m of pyramid.slice(i + 1)) {
      const e = usable(m)
      if (!e || e.dtype !== base.dtype) continue
      const k = reduction(base.shape, e.shape)
      if (k !== null && scaled(l.scale, m.scale, base.shape.length, 2 ** k)) coarser.push({ name: e.name, k })
    }
    if (coarser.length) base.levels = coarser.sort((a, b) => a.k - b.k).map((c) => c.name)
  }
}

/**
 * Whether the level's scale is the base's times f on the plane's two axes and the same on the others (a level
 * whose scale says otherwise — 3× steps, a z halved too — is not the reduction its shape suggests). Without
 * scales the shapes decide.
 */
function scaled(base: number[] | null, level: number[] | null, nd: number, f: number): boolean {
  if (!base || !level) return true
  if (base.length !== nd || level.length !== nd) return false
  const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b))
  return base.every((s, k) => near(level[k]!, k >= nd - 2 ? s * f : s))
}
