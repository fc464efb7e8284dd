// NIfTI-1 and NIfTI-2 images (.nii; a .hdr/.img pair when the magic says ni1/ni2): one array, dims 1..dim[0] with
// x fastest, so order F as nibabel returns it; the byte order from the header size (348 or 540, or either
// swapped); data at vox_offset. scl_slope/scl_inter apply as nibabel's array proxy applies them: when the slope is
// finite and not 0 and (slope, inter) ≠ (1, 0), values are float64(raw) · slope + inter in float64, with the
// stored numbers a toggle away. A gzip-compressed .nii.gz (or a pair's .img.gz) is read through a temporary
// decompressed copy, as nibabel decompresses it: the header from the stream's first inflated bytes. An Analyze 7.5
// pair (a .hdr of 348 bytes without the NIfTI magic) reads as nibabel.load reads it, as an Spm2AnalyzeImage: the
// same layout of dims, datatype and vox_offset, its scaling SPM2's (analyze-scaling.ts).
import { analyzeScaling } from './analyze-scaling'
import { gzipSize, isGzip } from './gzip'
import {
  ContainerError,
  elementCount,
  readExact,
  type Container,
  type ContainerEntry,
  defineFormat,
  type ParseContext,
  type Scaling
} from './model'

/** NIfTI datatype codes → numpy type (without byte order) and bits. */
const DATATYPES: Record<number, [string, number] | string> = {
  2: ['u1', 8],
  4: ['i2', 16],
  8: ['i4', 32],
  16: ['f4', 32],
  32: ['c8', 64],
  64: ['f8', 64],
  128: ['RGB', 24],
  256: ['i1', 8],
  512: ['u2', 16],
  768: ['u4', 32],
  1024: ['i8', 64],
  1280: ['u8', 64],
  1792: ['c16', 128],
  2304: ['RGBA', 32],
  1: 'binary (1 bit a voxel)',
  1536: 'float128',
  2048: 'complex256'
}

function sizeofHdr(head: Uint8Array): { version: 1 | 2; little: boolean } | null {
  if (head.length < 4) return null
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength)
  for (const little of [true, false]) {
    const n = dv.getInt32(0, little)
    if (n === 348 && head.length >= 348) {
      const m = String.fromCharCode(...head.subarray(344, 347))
      if (m === 'n+1' || m === 'ni1') return { version: 1, little }
    }
    if (n === 540 && head.length >= 12) {
      const m = String.fromCharCode(...head.subarray(4, 7))
      if (m === 'n+2' || m === 'ni2') return { version: 2, little }
    }
  }
  return null
}

/** An Analyze 7.5 header (nibabel's Spm2AnalyzeHeader.may_contain_header): 348 in either byte order, no NIfTI-1 magic. */
function analyzeHdr(head: Uint8Array): { little: boolean } | null {
  if (head.length < 348) return null
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength)
  const m = String.fromCharCode(...head.subarray(344, 348))
  if (m === 'ni1\0' || m === 'n+1\0') return null
  for (const little of [true, false]) if (dv.getInt32(0, little) === 348) return { little }
  return null
}

export const nifti = defineFormat({
  format: 'nifti',
  formats: {
    nifti: {
      label: 'NIfTI',
      description: 'a NIfTI image',
      singleArray: true,
      extensions: ['.nii'],
      reader: 'nibabel',
      recipe: (r) =>
        `import numpy as np\nimport nibabel as nib\nimg = nib.load(${r.file})\na = ${r.stored ? 'img.dataobj.get_unscaled()' : 'np.asanyarray(img.dataobj)'}`
    }
  },
  // the header size (348 or 540, in either byte order) and the magic (at byte 344, or 4 for NIfTI-2); a gzip
  // stream is NIfTI only when named .nii.gz; a .hdr of 348 bytes without the magic is Analyze 7.5 (an ENVI .hdr is
  // text starting "ENVI")
  detect: (head, _size, name) =>
    isGzip(head)
      ? /\.nii\.gz$/i.test(name)
      : sizeofHdr(head) !== null || (/\.hdr$/i.test(name) && analyzeHdr(head) !== null),
  // (a gzip stream is not NIfTI by its first bytes: the header inside is checked when parsing)
  parse: (ctx) => parseNifti(ctx)
})

/** The gzip stream's header bytes as a header source (the image's bytes are in the stream, read through `via`). */
function gzipHeader(ctx: ParseContext): ParseContext {
  if (!ctx.inflatePrefix) throw new ContainerError('the image is gzip-compressed and zlib is not available here')
  let prefix: Uint8Array
  try {
    prefix = ctx.inflatePrefix(0, 0, 544, 'gzip')
  } catch (e) {
    throw new ContainerError(`the gzip stream is corrupt: ${(e as Error).message}`)
  }
  return { ...ctx, read: (o, l) => prefix.subarray(o, o + l), size: prefix.length }
}

function parseNifti(ctx: ParseContext): Container<'nifti'> {
  const gzip = isGzip(ctx.read(0, 4))
  const c = parseHeader(gzip ? gzipHeader(ctx) : ctx, ctx, gzip)
  return c
}

/** hctx: where the header's bytes are (the file, or the inflated start of a .nii.gz); ctx: the file itself. */
function parseHeader(hctx: ParseContext, ctx: ParseContext, gzip: boolean): Container<'nifti'> {
  const probe = readExact(hctx, 0, Math.min(hctx.size, 540), 'the NIfTI header')
  const analyze = !gzip && /\.hdr$/i.test(ctx.fileName) ? analyzeHdr(probe) : null
  const kind = sizeofHdr(probe) ?? (analyze ? { version: 1 as const, little: analyze.little } : null)
  if (!kind) {
    throw new ContainerError(
      `the NIfTI header${gzip ? ' (inside the gzip stream)' : ''} is truncated or its magic (n+1, ni1, n+2, ni2) is missing`
    )
  }
  const { version, little } = kind
  const h = readExact(hctx, 0, version === 1 ? 348 : 540, 'the NIfTI header')
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength)
  const i16 = (o: number): number => dv.getInt16(o, little)
  const magic = String.fromCharCode(...h.subarray(version === 1 ? 344 : 4, version === 1 ? 347 : 7))
  const single = !analyze && magic[1] === '+'
  const datatype = i16(version === 1 ? 70 : 12)
  const bitpix = i16(version === 1 ? 72 : 14)
  const dims: number[] = []
  for (let k = 0; k < 8; k++) {
    const d = version === 1 ? i16(40 + 2 * k) : Number(dv.getBigInt64(16 + 8 * k, little))
    dims.push(d)
  }
  const nd = dims[0]!
  if (nd < 0 || nd > 7) throw new ContainerError(`the NIfTI header's dim[0] is ${nd} (1 to 7)`)
  let shape = dims.slice(1, 1 + nd)
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new ContainerError(`the NIfTI header's dims (${shape.join(', ')}) are not all ≥ 0`)
  }
  // CIFTI-2 (a single NIfTI-2 file whose intent code is 3000–3099) is a matrix behind 4 unit dims: nibabel.load
  // gives a Cifti2Image of the dims from the fifth on (dataobj.shape[4:]), the same bytes in the same order
  const intent = version === 2 ? dv.getInt32(504, little) : 0
  if (magic[1] === '+' && intent >= 3000 && intent < 3100 && nd > 4 && shape.slice(0, 4).every((d) => d === 1)) {
    shape = shape.slice(4)
  }
  const voxOffset = version === 1 ? dv.getFloat32(108, little) : Number(dv.getBigInt64(168, little))
  const slope = version === 1 ? dv.getFloat32(112, little) : dv.getFloat64(176, little)
  const inter = version === 1 ? dv.getFloat32(116, little) : dv.getFloat64(184, little)
  const descrip = new TextDecoder()
    .decode(h.subarray(version === 1 ? 148 : 240, (version === 1 ? 148 : 240) + 80))
    .replace(/\0.*$/s, '')
  const t = DATATYPES[datatype]
  const order = little ? '<' : '>'
  const metadata = {
    version: analyze ? 'Analyze 7.5' : version,
    magic: analyze ? '' : magic,
    datatype,
    bitpix,
    dim: dims,
    vox_offset: voxOffset,
    scl_slope: slope,
    scl_inter: inter,
    descrip
  }
  const count = elementCount(shape, 'the NIfTI image')
  const base: ContainerEntry = {
    name: 'data',
    dtype: '|u1',
    shape,
    order: 'F',
    offset: 0,
    nbytes: 0,
    storedType: `NIfTI datatype ${datatype}`,
    metadata
  }
  let file = single ? undefined : ctx.fileName.replace(/\.hdr$/i, '.img')
  if (!single && file === ctx.fileName)
    throw new ContainerError('a NIfTI pair header (ni1) must be named .hdr, its data .img')
  // a pair's image may be gzip-compressed beside its header (.img.gz), as nibabel reads it
  let imgGzip = false
  if (file && ctx.openSibling) {
    try {
      ctx.openSibling(file).close()
    } catch (e) {
      try {
        ctx.openSibling(`${file}.gz`).close()
        file = `${file}.gz`
        imgGzip = true
      } catch {
        throw e
      }
    }
  }
  if (t === undefined || typeof t === 'string') {
    return {
      format: 'nifti',
      metadata,
      entries: [
        {
          ...base,
          unmappable: {
            reason: `NIfTI datatype ${datatype} (${t ?? 'unknown'}) has no numpy dtype here`,
            remedy: 'read it with nibabel'
          }
        }
      ]
    }
  }
  const [code, bits] = t
  const itemsize = bits / 8
  const dtype =
    code === 'RGB'
      ? JSON.stringify([
          ['R', '|u1'],
          ['G', '|u1'],
          ['B', '|u1']
        ])
      : code === 'RGBA'
        ? JSON.stringify([
            ['R', '|u1'],
            ['G', '|u1'],
            ['B', '|u1'],
            ['A', '|u1']
          ])
        : `${itemsize === 1 ? '|' : order}${code}`
  let offset = Math.floor(voxOffset)
  if (single && offset === 0) offset = version === 1 ? 352 : 544
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new ContainerError(`vox_offset ${voxOffset} is not a byte offset`)
  if (single && offset < (version === 1 ? 348 : 540)) {
    throw new ContainerError(`vox_offset ${voxOffset} points inside the NIfTI header`)
  }
  const nbytes = count * itemsize
  // the image's bytes: in this file, in the .img beside it, or in a gzip stream (this file, or the .img.gz)
  const compressed = gzip || imgGzip
  if (!file && !compressed && offset + nbytes > ctx.size) {
    throw new ContainerError(
      `the image needs bytes [${offset}, ${offset + nbytes}), the file has ${ctx.size}: it is truncated`
    )
  }
  if (file && ctx.openSibling) {
    const s = ctx.openSibling(file)
    try {
      const have = imgGzip ? gzipSize(s.read, s.size) : s.size
      // gzip's size is known modulo 2^32 only: checked below 4 GiB
      if ((!imgGzip || offset + nbytes < 2 ** 32) && offset + nbytes > have)
        throw new ContainerError(
          `${file} has ${have} bytes${imgGzip ? ' inflated' : ''}; the image needs ${offset + nbytes}`
        )
    } finally {
      s.close()
    }
  }
  if (gzip && offset + nbytes < 2 ** 32 && offset + nbytes > gzipSize(ctx.read, ctx.size)) {
    throw new ContainerError(
      `the image needs bytes [${offset}, ${offset + nbytes}) of the inflated stream, which has ${gzipSize(ctx.read, ctx.size)}: it is truncated`
    )
  }
  const entry: ContainerEntry = {
    ...base,
    dtype,
    offset,
    nbytes,
    storedType: `${code}${itemsize > 1 ? (little ? ' LE' : ' BE') : ''}`,
    ...(file ? { file } : {}),
    ...(compressed
      ? {
          via: {
            kind: 'inflate' as const,
            stream: 'gzip' as const,
            dataOffset: 0,
            compressedSize: 0,
            uncompressedSize: offset + nbytes,
            what: 'NIfTI image'
          }
        }
      : {})
  }
  const scaling = analyze ? analyzeScaling(dtype, h, little) : niftiScaling(dtype, slope, inter)
  return { format: 'nifti', metadata, entries: [scaling ? { ...entry, scaling } : entry] }
}

/** nibabel: no scaling when the slope is 0 or not finite, or when (slope, inter) is (1, 0); else float64. */
function niftiScaling(dtype: string, slope: number, inter: number): Scaling | undefined {
  if (slope === 0 || !Number.isFinite(slope) || !Number.isFinite(inter)) return undefined
  if (slope === 1 && inter === 0) return undefined
  if (!/^[<>|][iuf][1248]$/.test(dtype)) return undefined
  return {
    rule: 'f64',
    stored: dtype,
    dtype: '<f8',
    slope,
    inter,
    initial: 'scaled',
    source: `scl_slope = ${slope}, scl_inter = ${inter}`
  }
}
