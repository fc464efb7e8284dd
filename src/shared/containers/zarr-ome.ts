// OME-Zarr (NGFF) images: a group whose attributes hold `multiscales` (0.4, in .zattrs) or `ome.multiscales`
// (0.5, in zarr.json) names its pyramid's levels, full resolution first. Each level's entry is tagged with its
// place in the pyramid and its scale; the group's metadata lists the levels with their shapes (the tree shows it).
import type { JsonValue } from '../json-value'
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
      }
      summary.push({ ...(typeof (ms as Doc).name === 'string' ? { name: (ms as Doc).name } : {}), levels })
    }
    if (summary.length) groups[folder] = { ...a, 'multiscale levels': summary }
  }
}
