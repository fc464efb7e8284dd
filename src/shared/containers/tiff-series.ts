// A TIFF file's pages grouped into series as tifffile's TiffFile.series gives them, for the kinds read here:
// 'shaped' (files tifffile wrote: a JSON ImageDescription {"shape": …} on each series' first page), 'ome' (the
// OME-XML's Images, their planes ordered by DimensionOrder), else 'generic' (pages with the same shape, type and
// storage, in order of first appearance). Shapes are tifffile's: a shaped series as its metadata says, the others
// with length-1 dimensions removed except Y and X. SubIFDs of a series' pages are its pyramid levels.
import type { JsonValue } from '../json-value'
import { isOme, parseOme } from './tiff-ome'
import type { TiffPage } from './tiff-page'

export interface TiffSeries {
  kind: 'shaped' | 'ome' | 'imagej' | 'generic'
  pages: TiffPage[]
  shape: number[]
  /** tifffile's axes codes: Y X S (samples), T Z C (OME), Q I (pages). */
  axes: string
  name?: string
  refusal?: { reason: string; remedy: string }
  metadata: Record<string, JsonValue>
  /** ImageJ's files past 4 GiB: one IFD, its images stored one after another from the first page's data. */
  virtual?: boolean
}

/** A page's own axes, as tifffile names them. */
export function pageAxes(p: TiffPage): string {
  return p.samples === 1 ? 'YX' : p.planar === 1 ? 'YXS' : 'SYX'
}

/** Length-1 dimensions removed except Y and X (tifffile's squeeze_axes). */
function squeeze(shape: number[], axes: string): { shape: number[]; axes: string } {
  const out: number[] = []
  let ax = ''
  shape.forEach((n, k) => {
    if (n !== 1 || axes[k] === 'Y' || axes[k] === 'X') {
      out.push(n)
      ax += axes[k]
    }
  })
  return { shape: out, axes: ax }
}

const product = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1)

/** tifffile's JSON description of a shaped series ({"shape": [...]} and more). */
function shapedMetadata(d: string | undefined): Record<string, JsonValue> | null {
  if (!d || !d.startsWith('{')) return null
  try {
    const m = JSON.parse(d) as unknown
    if (!m || typeof m !== 'object' || Array.isArray(m)) return null
    const shape = (m as { shape?: unknown }).shape
    if (!Array.isArray(shape) || !shape.every((x) => Number.isSafeInteger(x) && (x as number) >= 0)) return null
    return m as Record<string, JsonValue>
  } catch {
    return null
  }
}

function shaped(pages: TiffPage[], fileSize: number): TiffSeries[] | null {
  const out: TiffSeries[] = []
  for (let i = 0; i < pages.length; ) {
    const key = pages[i]!
    const meta = shapedMetadata(key.description)
    if (!meta) return null
    const reshape = meta.shape as number[]
    const size = product(reshape)
    const per = product(key.shape)
    const n = size > 0 && per > 0 ? size / per : 1
    if (!Number.isInteger(n)) return null
    // tifffile's truncate=True: one IFD for the series, its pages' data one run after the first's
    const truncated = meta.truncated === true && n > 1
    const group = truncated ? [key] : pages.slice(i, i + n)
    const { shape: _s, ...rest } = meta
    void _s
    const series: TiffSeries = {
      kind: 'shaped',
      pages: group,
      shape: reshape,
      axes: typeof meta.axes === 'string' && meta.axes.length === reshape.length ? meta.axes : '',
      metadata: rest,
      ...(typeof meta.name === 'string' && meta.name ? { name: meta.name } : {})
    }
    if (truncated) {
      const start = key.contiguous
      if (start !== undefined && start + size * key.itemsize <= fileSize) series.virtual = true
      else {
        series.refusal = {
          reason: `it is a truncated series (one IFD) whose ${n} pages are not one run inside the file`,
          remedy: 'tifffile.imread reads what is there'
        }
      }
    } else if (group.length < n) {
      series.refusal = {
        reason: `its metadata gives shape (${reshape.join(', ')}): ${n} pages, the file has ${group.length} (a truncated series)`,
        remedy: 'tifffile.imread reads what is there'
      }
    } else if (group.some((p) => p.key !== key.key)) {
      series.refusal = { reason: 'its pages differ in shape, type or storage', remedy: 'read each page with tifffile' }
    }
    out.push(series)
    i += truncated ? 1 : Math.max(1, n)
  }
  return out
}

function generic(pages: TiffPage[]): TiffSeries[] {
  const groups = new Map<string, TiffPage[]>()
  for (const p of pages) {
    const g = groups.get(p.key)
    if (g) g.push(p)
    else groups.set(p.key, [p])
  }
  return [...groups.values()].map((g) => {
    const p = g[0]!
    const { shape, axes } = squeeze([g.length, ...p.shape], `I${pageAxes(p)}`)
    return { kind: 'generic', pages: g, shape, axes, metadata: {} }
  })
}

function ome(pages: TiffPage[], xml: string, fileName: string): TiffSeries[] | null {
  const images = parseOme(xml, fileName)
  if (!images.length) return null
  return images.map((im) => {
    const order = im.dimensionOrder.slice(2).split('').reverse() as ('Z' | 'C' | 'T')[]
    const planes = { Z: im.sizes.Z, C: Math.max(1, Math.ceil(im.sizes.C / im.samples)), T: im.sizes.T }
    const own = im.ifds.map((i) => (i >= 0 ? pages[i] : undefined))
    const first = own.find((p) => p) ?? pages[0]!
    const full = [...order.map((a) => planes[a]), ...first.shape]
    const { shape, axes } = squeeze(full, order.join('') + pageAxes(first))
    const series: TiffSeries = {
      kind: 'ome',
      pages: own.filter((p): p is TiffPage => Boolean(p)),
      shape,
      axes,
      name: im.name,
      metadata: {
        DimensionOrder: im.dimensionOrder,
        ...Object.fromEntries(Object.entries(im.sizes).map(([k, v]) => [`Size${k}`, v])),
        Type: im.type,
        ...im.physical
      }
    }
    if (im.elsewhere) series.refusal = { reason: im.elsewhere, remedy: 'open the set with tifffile or bioformats' }
    else if (own.some((p) => !p)) {
      const missing = im.ifds.findIndex((i, k) => i < 0 || !own[k])
      series.refusal = {
        reason: `its plane ${missing} is in no IFD of the file (${pages.length} pages)`,
        remedy: 'the OME-XML does not match the file: tifffile may read it'
      }
    } else if (own.some((p) => p!.key !== first.key)) {
      series.refusal = { reason: 'its planes differ in shape, type or storage', remedy: 'read each page with tifffile' }
    }
    return series
  })
}

/** ImageJ's description (ImageJ=1.54f, images=, channels=, slices=, frames=, order=, hyperstack= …). */
function imagejMetadata(d: string | undefined): Record<string, string | number> | null {
  if (!d || !/^ImageJ=|^SCIFIO=/.test(d)) return null
  const out: Record<string, string | number> = {}
  for (const line of d.split('\n')) {
    const i = line.indexOf('=')
    if (i < 0) continue
    const v = line.slice(i + 1).trim()
    out[line.slice(0, i).trim()] = /^-?\d+$/.test(v) ? Number(v) : v
  }
  return out
}

const IMAGEJ_ORDER: Record<string, string> = { czt: 'TZC', ctz: 'ZTC', zct: 'TCZ', ztc: 'CTZ', tcz: 'ZCT', tzc: 'CZT' }

/** An ImageJ hyperstack as tifffile's _series_imagej shapes it (TZCYXS, squeezed). */
function imagej(pages: TiffPage[], meta: Record<string, string | number>, fileSize: number): TiffSeries[] | null {
  const int = (k: string): number => (typeof meta[k] === 'number' ? (meta[k] as number) : 1)
  const page = pages[0]!
  const frames = int('frames')
  const slices = int('slices')
  let channels = int('channels')
  let images = int('images')
  if (images < 1 || frames < 1 || slices < 1 || channels < 1) return null
  const planes = page.planar === 2 ? page.samples : 1
  const contig = page.planar === 1 ? page.samples : 1
  if (channels === 1 || (planes > 1 && planes === channels)) images = frames * slices
  else if (images === frames * slices && contig === channels) channels = 1
  else images = frames * slices * channels
  if (images === 1 && pages.length > 1) images = pages.length
  if (!(images <= 1 << 30)) return null
  const nbytes = images * page.shape.reduce((a, b) => a * b, page.itemsize)
  const start = page.contiguous
  if (start !== undefined && start + nbytes > fileSize) return null
  // ImageJ's virtual stacks: every image after the first page's data, the other IFDs (if any) after them all
  const virtual = start !== undefined && (images <= 1 || pages.length === 1 || start + nbytes <= pages[1]!.offset)
  const order = String(meta.order ?? 'czt').toLowerCase()
  const axes3 = IMAGEJ_ORDER[order] ?? 'TZC'
  const size: Record<string, number> = { T: frames, Z: slices, C: channels }
  let shape = axes3.split('').map((a) => size[a]!)
  let axes = axes3
  const remain = Math.floor(images / product(shape))
  if (remain > 1) {
    shape = [remain, ...shape]
    axes = `I${axes}`
  }
  if (planes > 1) {
    shape = [...shape.slice(0, -1), ...page.shape]
    axes = axes.slice(0, -1) + pageAxes(page)
  } else {
    shape = [...shape, ...page.shape]
    axes += pageAxes(page)
  }
  const sq = squeeze(shape, axes)
  const { ImageJ, ...rest } = meta
  return [
    {
      kind: 'imagej',
      pages: virtual ? [page] : pages,
      shape: sq.shape,
      axes: sq.axes,
      metadata: { ImageJ: String(ImageJ ?? meta.SCIFIO ?? ''), ...rest },
      ...(virtual && images > 1 ? { virtual: true } : {})
    }
  ]
}

/** The series of a file's pages (fileName: for an OME set's file names). */
export function findSeries(pages: TiffPage[], fileName: string, fileSize: number): TiffSeries[] {
  const d = pages[0]?.description
  if (shapedMetadata(d)) {
    const s = shaped(pages, fileSize)
    if (s) return s
  }
  if (isOme(d)) {
    const s = ome(pages, d!, fileName)
    if (s) return s
  }
  const ij = imagejMetadata(d)
  if (ij && !pages[0]!.refusal) {
    const s = imagej(pages, ij, fileSize)
    if (s) return s
  }
  return generic(pages)
}

/** The shape of a series' pyramid level whose pages have levelPage's shape (null: the shape does not end in pages'). */
export function levelShape(s: TiffSeries, levelPage: TiffPage): number[] | null {
  const page = s.pages[0]!.shape
  const lead = s.shape.length - page.length
  if (lead < 0 || page.some((n, k) => s.shape[lead + k] !== n)) return null
  return [...s.shape.slice(0, lead), ...levelPage.shape]
}
