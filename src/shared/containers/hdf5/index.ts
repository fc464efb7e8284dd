// HDF5 (and NetCDF-4 and MATLAB v7.3, which are HDF5): the superblock (versions 0–3), the group tree (old-style
// symbol tables, new-style compact and dense links), every dataset with its attributes. Contiguous and compact
// datasets are mapped where their bytes are (the data address of the layout message, plus the base address —
// what h5py's dset.id.get_offset() returns); chunked or filtered ones are read through the HDF5 library (h5wasm)
// on the Node side; soft links to datasets open their target, external links and virtual datasets are listed
// with what they point to.
// The parts: superblock.ts, group-walk.ts (the tree), dataset.ts (messages → entry), storage.ts (layout, fill
// value), attributes.ts, soft-links.ts; this file ties them together and applies MATLAB's and NetCDF's views.
import type { JsonValue } from '../../json-value'
import { type Container, defineFormat, type ParseContext } from '../model'
import { HDF5_FORMATS } from './formats'
import { visitGroup } from './group-walk'
import { GlobalHeap } from './heaps'
import { resolveSoftLinks } from './soft-links'
import { hasSignature, isMat73, readSuperblock } from './superblock'
import { listed, pathOf, type Walk } from './walk'
import { mincNormalised } from '../minc'

export const hdf5 = defineFormat({
  format: 'hdf5',
  formats: HDF5_FORMATS,
  detect: (head) => hasSignature(head) || isMat73(head),
  parse: (ctx) => parseHdf5(ctx)
})

function parseHdf5(ctx: ParseContext): Container<'hdf5' | 'netcdf4' | 'mat73'> {
  const { version, f, root } = readSuperblock(ctx)
  const mat = isMat73(ctx.read(0, 128))
  const w: Walk = {
    f,
    heap: new GlobalHeap(f),
    entries: [],
    groups: {},
    seen: new Map(),
    softLinks: [],
    badLinks: [],
    objects: 0,
    mat
  }
  visitGroup(w, root, '/', 0)
  resolveSoftLinks(w)
  for (const b of w.badLinks) {
    w.entries.push({
      ...listed(
        b.name,
        `a link that is not a path: ${b.reason}`,
        'the file is damaged or crafted: recreate it with distinct link names without "/"'
      ),
      path: [...pathOf(b.group), b.link]
    })
  }
  const rootAttrs = w.groups['/'] as Record<string, JsonValue> | undefined
  const netcdf = !mat && rootAttrs !== undefined && '_NCProperties' in rootAttrs
  const format = mat ? 'mat73' : netcdf ? 'netcdf4' : 'hdf5'
  // netCDF4-python (and xarray) show CF-packed variables scaled by default; h5py never scales: follow each
  if (netcdf) for (const e of w.entries) if (e.scaling) e.scaling = { ...e.scaling, initial: 'scaled' }
  if (mat || netcdf) {
    // MATLAB and NetCDF name variables without the leading slash; the HDF5 path is accepted too
    for (const e of w.entries) {
      const h5 = e.name
      e.name = h5.slice(1)
      e.aliases = [...(e.aliases ?? []), h5]
    }
  }
  if (mat) {
    // MATLAB writes column-major arrays as HDF5 datasets with the dims reversed: the MATLAB shape, order F
    for (const e of w.entries) {
      if (e.shape.length > 1 && !e.strides) {
        e.shape = [...e.shape].reverse()
        e.order = 'F'
      }
    }
    w.entries = w.entries.filter((e) => !e.name.startsWith('#refs#') && !e.name.startsWith('#subsystem#'))
  }
  if (netcdf) {
    // dimensions that are not variables hold no values of their own
    w.entries = w.entries.filter((e) => {
      const n = e.metadata?.NAME
      return !(typeof n === 'string' && n.startsWith('This is a netCDF dimension but not a netCDF variable'))
    })
  }
  // a MINC 2 image: nibabel's normalised values beside the stored dataset
  const minc = format === 'hdf5' ? mincNormalised(w.entries, 2) : undefined
  if (minc) w.entries.push(minc)
  return {
    format,
    metadata: {
      superblock: version,
      ...(f.base ? { userBlock: f.base } : {}),
      groups: w.groups
    },
    entries: w.entries
  }
}
