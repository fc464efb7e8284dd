// A Zarr array's codecs as the chunk reader (src/main/service/zarr-chain.ts) runs them: v2's order, filters and
// compressor, v3's codec list (array→array, array→bytes, bytes→bytes; sharding_indexed with its own lists) turned
// into steps in encoding order — or the reason a chain is not read (a codec not decoded, a filter that is not a
// value transform, a compressor whose output size cannot be known).
import type { JsonValue } from '../json-value'

/** Byte codecs of the codec layer (src/main/service/codecs/registry.ts). */
export type ZarrByteCodec = 'gzip' | 'zlib' | 'zstd' | 'lz4' | 'bz2' | 'blosc'

/** A v2 filter undone on the chunk's values: numbers in `from` become numbers in `to` (numpy dtypes). */
export type ZarrFilter =
  | { id: 'delta'; from: string; to: string }
  | { id: 'fixedscaleoffset'; from: string; to: string; scale: number; offset: number }
  | { id: 'astype'; from: string; to: string }

export type ZarrStep =
  /** bytes→bytes: decoded by the codec layer. */
  | { kind: 'bytes'; codec: ZarrByteCodec }
  /** bytes→bytes: 4 little-endian checksum bytes after the rest. */
  | { kind: 'crc32c' }
  /** array→array: the encoded chunk is the decoded one transposed (numpy's transpose(order)). */
  | { kind: 'transpose'; order: number[] }
  /** array→array on the flat chunk (v2 filters). */
  | { kind: 'filter'; filter: ZarrFilter }
  /** array→bytes: a shard of inner chunks, each encoded by `steps`, with an index encoded by `index`. */
  | { kind: 'shard'; chunks: number[]; steps: ZarrStep[]; index: ZarrStep[]; atStart: boolean }

export class ChainRefusal extends Error {}

type Doc = Record<string, JsonValue>

const V2_COMPRESSORS: Record<string, ZarrByteCodec> = {
  gzip: 'gzip',
  zlib: 'zlib',
  zstd: 'zstd',
  lz4: 'lz4',
  bz2: 'bz2',
  blosc: 'blosc'
}

const NUMERIC = /^([<>|=]?)(b1|i1|u1|i2|u2|i4|u4|i8|u8|f4|f8)$/

/** A filter's numpy dtype, numeric (no float16, no complex: the values are cast one by one). */
function numeric(v: JsonValue | undefined, what: string): string {
  const m = typeof v === 'string' ? NUMERIC.exec(v) : null
  if (!m) throw new ChainRefusal(`its ${what} ${JSON.stringify(v)} (filters are undone on real numbers only)`)
  return `${m[1] === '>' ? '>' : m[2]!.endsWith('1') ? '|' : '<'}${m[2]}`
}

function filter(f: Doc, dtype: string): ZarrFilter {
  const id = String(f.id)
  if (id === 'delta') {
    const to = numeric(f.dtype ?? dtype, 'delta dtype')
    return { id, to, from: numeric(f.astype ?? to, 'delta astype') }
  }
  if (id === 'fixedscaleoffset') {
    const to = numeric(f.dtype ?? dtype, 'fixedscaleoffset dtype')
    const scale = Number(f.scale)
    const offset = Number(f.offset ?? 0)
    if (!Number.isFinite(scale) || scale === 0 || !Number.isFinite(offset)) {
      throw new ChainRefusal(`its fixedscaleoffset scale ${String(f.scale)} / offset ${String(f.offset)}`)
    }
    return { id, to, from: numeric(f.astype ?? to, 'fixedscaleoffset astype'), scale, offset }
  }
  if (id === 'astype') {
    return {
      id,
      to: numeric(f.decode_dtype ?? dtype, 'astype decode_dtype'),
      from: numeric(f.encode_dtype, 'astype encode_dtype')
    }
  }
  throw new ChainRefusal(
    `its filter ${id} (delta, fixedscaleoffset and astype are undone; this one is not a value transform ArrayScope reads)`
  )
}

/**
 * A filter's output is viewed as what comes after it (zarr-python's chunk.view(dtype), numcodecs' buf.view(dtype)):
 * the array's dtype or the next filter's input; a view needs the same element size only — a filter naming the
 * other byte order than the array's reinterprets the bytes, as zarr-python does.
 */
function same(a: string, b: string): boolean {
  const size = (d: string): number => (d.endsWith('b1') ? 1 : Number(d.slice(2)))
  return size(a) === size(b)
}

/** v2: order, filters and compressor as steps in encoding order. */
export function v2Steps(doc: Doc, dtype: string, nd: number): ZarrStep[] {
  const steps: ZarrStep[] = []
  if (doc.order === 'F' && nd > 1) steps.push({ kind: 'transpose', order: [...Array(nd).keys()].reverse() })
  const filters = Array.isArray(doc.filters) ? (doc.filters as Doc[]) : []
  let want = dtype
  for (const f of filters) {
    const x = filter(f, dtype)
    if (!same(x.to, want)) {
      throw new ChainRefusal(`its filter ${x.id}: it decodes to ${x.to}, which cannot be viewed as ${want}`)
    }
    steps.push({ kind: 'filter', filter: x })
    want = x.from
  }
  const compressor = doc.compressor as Doc | null | undefined
  if (compressor) {
    const id = String(compressor.id)
    const codec = V2_COMPRESSORS[id]
    if (!codec) throw new ChainRefusal(`its compressor ${id}`)
    steps.push({ kind: 'bytes', codec })
  }
  return steps
}

const V3_BYTES: Record<string, ZarrByteCodec> = { gzip: 'gzip', zstd: 'zstd', blosc: 'blosc' }

/** v3: a codec list as steps in encoding order, and the byte order its bytes codec stores. */
export function v3Steps(list: JsonValue | undefined, shape: number[]): { steps: ZarrStep[]; endian: '<' | '>' } {
  if (!Array.isArray(list) || list.length === 0) throw new ChainRefusal('an empty codec list')
  const steps: ZarrStep[] = []
  let endian: '<' | '>' = '<'
  let stage: 'array' | 'bytes' = 'array'
  let chunk = shape
  for (const c of list as Doc[]) {
    const name = String(c.name)
    const conf = (c.configuration as Doc | undefined) ?? {}
    if (stage === 'array') {
      if (name === 'transpose') {
        const order = conf.order
        const ok =
          Array.isArray(order) &&
          order.length === chunk.length &&
          [...order].sort((a, b) => Number(a) - Number(b)).every((x, k) => x === k)
        if (!ok) throw new ChainRefusal(`its transpose order ${JSON.stringify(order)} (not a permutation of the axes)`)
        const o = order as number[]
        steps.push({ kind: 'transpose', order: o })
        chunk = o.map((k) => chunk[k]!)
        continue
      }
      if (name === 'bytes') {
        endian = conf.endian === 'big' ? '>' : '<'
        stage = 'bytes'
        continue
      }
      if (name === 'sharding_indexed') {
        const inner = conf.chunk_shape
        if (
          !Array.isArray(inner) ||
          inner.length !== chunk.length ||
          inner.some((x, k) => !Number.isSafeInteger(x) || (x as number) < 1 || chunk[k]! % (x as number) !== 0)
        ) {
          throw new ChainRefusal(
            `its sharding chunk_shape ${JSON.stringify(inner)} (it must divide the shard ${JSON.stringify(chunk)})`
          )
        }
        const sub = v3Steps(conf.codecs, inner as number[])
        const index = v3Steps(
          conf.index_codecs ?? [{ name: 'bytes', configuration: { endian: 'little' } }, { name: 'crc32c' }],
          [...(inner as number[]).map((x, k) => chunk[k]! / x), 2]
        )
        if (index.endian !== '<' || index.steps.some((s) => s.kind !== 'crc32c')) {
          throw new ChainRefusal('its shard index codecs (only bytes little-endian and crc32c are read)')
        }
        const loc = conf.index_location ?? 'end'
        if (loc !== 'start' && loc !== 'end') throw new ChainRefusal(`its shard index_location ${JSON.stringify(loc)}`)
        endian = sub.endian
        steps.push({
          kind: 'shard',
          chunks: inner as number[],
          steps: sub.steps,
          index: index.steps,
          atStart: loc === 'start'
        })
        stage = 'bytes'
        continue
      }
      if (V3_BYTES[name] || name === 'crc32c')
        throw new ChainRefusal(`a codec chain with ${name} before the bytes codec`)
      throw new ChainRefusal(`its codec ${name}`)
    }
    if (name === 'crc32c') steps.push({ kind: 'crc32c' })
    else if (V3_BYTES[name]) steps.push({ kind: 'bytes', codec: V3_BYTES[name]! })
    else throw new ChainRefusal(`its codec ${name}`)
  }
  if (stage !== 'bytes') throw new ChainRefusal('a codec chain without the bytes codec (or sharding_indexed)')
  checkSizes(steps)
  return { steps, endian }
}

/**
 * Every byte codec must know the size it decodes to: a compressor may follow crc32c, not another compressor or a
 * shard (whose encoded size varies).
 */
function checkSizes(steps: ZarrStep[]): void {
  let known = true
  for (const s of steps) {
    if (s.kind === 'bytes') {
      if (!known) throw new ChainRefusal(`its ${s.codec} after a codec whose output size varies`)
      known = false
    } else if (s.kind === 'shard') known = false
  }
}

/** The steps as people read them ('transpose(1,0) → delta(<i4) → blosc'). */
export function stepNames(steps: ZarrStep[]): string[] {
  return steps.map((s) =>
    s.kind === 'bytes'
      ? s.codec
      : s.kind === 'crc32c'
        ? 'crc32c'
        : s.kind === 'transpose'
          ? `transpose(${s.order.join(',')})`
          : s.kind === 'filter'
            ? `${s.filter.id}(${s.filter.from}→${s.filter.to})`
            : `sharding(${s.chunks.join('×')}: ${stepNames(s.steps).join(' → ') || 'bytes'})`
  )
}
