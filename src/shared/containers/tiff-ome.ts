// OME-XML (the first page's ImageDescription of an OME-TIFF): each Image's Pixels — DimensionOrder, SizeX/Y/Z/C/T,
// Type — and the TiffData elements that say which IFDs hold its planes. Only what the series need is read, with a
// tolerant scanner of start tags (no entity or DTD processing: nothing in the document is ever fetched or
// expanded). Planes kept in another file (a TiffData UUID naming another FileName) are reported, not followed.

export interface OmeImage {
  name: string
  dimensionOrder: string
  sizes: Record<'X' | 'Y' | 'Z' | 'C' | 'T', number>
  type: string
  /** Samples per pixel of its channels (3 for RGB planes): SizeC counts them, a plane holds them all. */
  samples: number
  /** The planes' IFDs in the order of DimensionOrder (a plane with no IFD: -1). */
  ifds: number[]
  /** Why the image's planes cannot be found in this file (a multi-file set, absurd sizes). */
  elsewhere?: string
  physical: Record<string, string>
}

interface Tag {
  name: string
  attrs: Record<string, string>
  close: boolean
  selfClose: boolean
  /** Text after the tag up to the next '<'. */
  text: string
}

/** The start and end tags of a document, with their attributes (namespace prefixes dropped). */
function* scan(xml: string): Generator<Tag> {
  const re = /<(\/?)(?:[\w.-]+:)?([\w.-]+)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>([^<]*)/g
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const attrs: Record<string, string> = {}
    const are = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g
    for (let a = are.exec(m[3]!); a; a = are.exec(m[3]!)) {
      attrs[a[1]!.replace(/^[\w.-]+:/, '')] = unescapeXml(a[2] ?? a[3] ?? '')
    }
    yield { name: m[2]!, attrs, close: m[1] === '/', selfClose: m[4] === '/', text: m[5]! }
  }
}

function unescapeXml(s: string): string {
  return s.replace(
    /&(lt|gt|amp|quot|apos);/g,
    (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e]!
  )
}

/** Whether a description is OME-XML (tifffile's test: the document ends with the OME element). */
export function isOme(description: string | undefined): boolean {
  return Boolean(description && /OME>\s*$/.test(description.slice(-20)) && description.includes('<'))
}

/** Planes one image may have (the IFDs a chain may have). */
const MAX_PLANES = 1_000_000

const AXES = ['X', 'Y', 'Z', 'C', 'T'] as const

/** The images of an OME-XML document; fileName: this file's name (TiffData naming another file are elsewhere). */
export function parseOme(xml: string, fileName: string): OmeImage[] {
  const images: OmeImage[] = []
  let image: OmeImage | null = null
  type TiffData = { ifd: number; first: Record<string, number>; count: number | null; file?: string }
  let tiffData: TiffData | null = null
  let datas: TiffData[] = []
  const int = (v: string | undefined, d: number): number => {
    const n = v === undefined ? d : Number(v)
    return Number.isSafeInteger(n) && n >= 0 ? n : d
  }
  const finish = (): void => {
    const im: OmeImage | null = image
    if (!im) return
    const { sizes, dimensionOrder } = im
    const order = dimensionOrder.slice(2) // e.g. 'CZT' of 'XYCZT': C changes fastest
    const planesC = Math.max(1, Math.ceil(sizes.C / im.samples))
    const total = sizes.Z * planesC * sizes.T
    const extent = { Z: sizes.Z, C: planesC, T: sizes.T }
    if (!(total <= MAX_PLANES)) {
      im.elsewhere = `its sizes (Z ${sizes.Z}, C ${sizes.C}, T ${sizes.T}) make ${total} planes, more than a file holds`
      im.ifds = []
      images.push(im)
      image = null
      return
    }
    const ifds = new Array<number>(total).fill(-1)
    const planeIndex = (p: Record<string, number>): number => {
      let i = 0
      for (let k = order.length - 1; k >= 0; k--) {
        const ax = order[k] as 'Z' | 'C' | 'T'
        i = i * extent[ax] + (p[ax] ?? 0)
      }
      return i
    }
    if (!datas.length) for (let i = 0; i < total; i++) ifds[i] = i
    for (const d of datas) {
      if (d.file !== undefined && d.file !== fileName) {
        im.elsewhere = `its planes are in ${d.file} (a multi-file OME-TIFF set)`
      }
      const start = planeIndex(d.first)
      const n = d.count ?? (Object.keys(d.first).length || d.ifd !== 0 ? 1 : total)
      for (let k = 0; k < n && start + k < total; k++) ifds[start + k] = d.ifd + k
    }
    im.ifds = ifds
    images.push(im)
    image = null
  }
  let self: string | undefined
  for (const t of scan(xml)) {
    if (t.name === 'Image' && !t.close) {
      finish()
      image = {
        name: t.attrs.Name ?? t.attrs.ID ?? `Image ${images.length}`,
        dimensionOrder: 'XYZCT',
        sizes: { X: 0, Y: 0, Z: 1, C: 1, T: 1 },
        type: '',
        samples: 1,
        ifds: [],
        physical: {}
      }
      datas = []
    } else if (t.name === 'Image' && t.close) finish()
    else if (t.name === 'Pixels' && !t.close && image) {
      const order = t.attrs.DimensionOrder ?? 'XYZCT'
      if (/^XY(?:ZCT|ZTC|CTZ|CZT|TCZ|TZC)$/.test(order)) image.dimensionOrder = order
      for (const ax of AXES) image.sizes[ax] = int(t.attrs[`Size${ax}`], ax === 'X' || ax === 'Y' ? 0 : 1) || 1
      image.type = t.attrs.Type ?? ''
      for (const [k, v] of Object.entries(t.attrs)) if (/^Physical|^TimeIncrement/.test(k)) image.physical[k] = v
    } else if (t.name === 'Channel' && !t.close && image && image.samples === 1) {
      image.samples = int(t.attrs.SamplesPerPixel, 1) || 1
    } else if (t.name === 'TiffData' && !t.close && image) {
      tiffData = {
        ifd: int(t.attrs.IFD, 0),
        first: {},
        count: t.attrs.PlaneCount !== undefined ? int(t.attrs.PlaneCount, 1) : null
      }
      for (const ax of ['Z', 'C', 'T'])
        if (t.attrs[`First${ax}`] !== undefined) tiffData.first[ax] = int(t.attrs[`First${ax}`], 0)
      datas.push(tiffData)
      if (t.selfClose) tiffData = null
    } else if (t.name === 'TiffData' && t.close) tiffData = null
    else if (t.name === 'OME' && !t.close) self = t.attrs.UUID
    else if (t.name === 'UUID' && !t.close && tiffData && t.attrs.FileName !== undefined) {
      // the document's own UUID is this file, whatever it is named now (a renamed file)
      if (t.text.trim() !== self) tiffData.file = t.attrs.FileName
    }
  }
  finish()
  return images
}
