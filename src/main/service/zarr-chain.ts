// A Zarr chunk's codecs undone, from its stored bytes to its values in C order (zarr-codecs.ts lists the steps in
// encoding order; they run here in reverse). The chain is a generator that yields the byte decodes it needs — a
// batch at a time: a shard's inner chunks all at once — so one description serves both drivers: the asynchronous
// one (the codec layer off the event loop, a batch in parallel) and the synchronous one (the CLI's readers).
import type { ZarrStep } from '../../shared/containers/zarr-codecs'
import { CodecError, checkCrc32c, decode, decodeSync, type ByteCodecId } from './codecs/registry'
import { filterItemsize, undoFilter } from './zarr-filters'

/** One byte decode the chain needs; `where` names an inner chunk for messages. */
export interface DecodeRequest {
  codec: ByteCodecId
  input: Uint8Array
  expected: number
  where: string
}

export type Chain<T> = Generator<DecodeRequest[], T, Uint8Array[]>

/** What a chunk decodes into: its shape, its dtype's element size, its fill value's bytes (one element). */
export interface ChunkShape {
  shape: number[]
  itemsize: number
  fill?: number[]
}

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

function where(e: unknown, at: string): unknown {
  return e instanceof CodecError && at ? new CodecError(`${at}: ${e.message}`) : e
}

export function runSync<T>(g: Chain<T>): T {
  let r = g.next()
  while (!r.done) {
    r = g.next(
      r.value.map((q) => {
        try {
          return decodeSync(q.codec, q.input, q.expected)
        } catch (e) {
          throw where(e, q.where)
        }
      })
    )
  }
  return r.value
}

export async function runAsync<T>(g: Chain<T>): Promise<T> {
  let r = g.next()
  while (!r.done) {
    const batch = r.value
    const outs = await Promise.all(
      batch.map((q) => decode(q.codec, q.input, q.expected).catch((e) => Promise.reject(where(e, q.where))))
    )
    r = g.next(outs)
  }
  return r.value
}

/** The chunk's values (C order, `shape`) from its stored bytes, undoing `steps` in reverse. */
export function* decodeChunk(steps: ZarrStep[], stored: Uint8Array, c: ChunkShape, at = ''): Chain<Uint8Array> {
  // the representation before each step, in encoding order: the array's shape and element size, then bytes
  const shapes: number[][] = []
  const sizes: number[] = []
  let shape = c.shape
  let itemsize = c.itemsize
  let nbytes = count(shape) * itemsize
  for (const s of steps) {
    shapes.push(shape)
    sizes.push(nbytes)
    if (s.kind === 'transpose') shape = s.order.map((k) => shape[k]!)
    else if (s.kind === 'filter') {
      itemsize = filterItemsize(s.filter.from)
      nbytes = count(shape) * itemsize
    } else if (s.kind === 'crc32c') nbytes += 4
    else nbytes = -1 // a compressor's or a shard's output size varies (zarr-codecs.ts allows nothing after that)
  }
  let bytes = stored
  for (let k = steps.length - 1; k >= 0; k--) {
    const s = steps[k]!
    const size = sizes[k]!
    if (s.kind === 'bytes') {
      const [out] = yield [{ codec: s.codec, input: bytes, expected: size, where: at }]
      bytes = out!
    } else if (s.kind === 'crc32c') {
      try {
        bytes = checkCrc32c(bytes)
      } catch (e) {
        throw where(e, at)
      }
    } else if (s.kind === 'shard') {
      bytes = yield* decodeShard(s, bytes, { ...c, shape: shapes[k]! }, at)
    } else {
      // array→array: the bytes must be the whole array here
      if (bytes.length !== size && s.kind === 'transpose') {
        throw new CodecError(`${at ? `${at}: ` : ''}it decodes to ${bytes.length} bytes, ${size} expected`)
      }
      if (s.kind === 'transpose') bytes = untranspose(bytes, shapes[k]!, s.order, itemsize0(steps, k, c.itemsize))
      else {
        const n = count(shapes[k]!)
        const want = n * filterItemsize(s.filter.from)
        if (bytes.length !== want) {
          throw new CodecError(`${at ? `${at}: ` : ''}it decodes to ${bytes.length} bytes, ${want} expected`)
        }
        bytes = undoFilter(s.filter, bytes, n)
      }
    }
  }
  if (bytes.length !== count(c.shape) * c.itemsize) {
    throw new CodecError(
      `${at ? `${at}: ` : ''}it decodes to ${bytes.length} bytes, a chunk holds ${count(c.shape) * c.itemsize}`
    )
  }
  return bytes
}

/** The element size at step k (filters before it, in encoding order, change it). */
function itemsize0(steps: ZarrStep[], k: number, itemsize: number): number {
  let n = itemsize
  for (let j = 0; j < k; j++) {
    const s = steps[j]!
    if (s.kind === 'filter') n = filterItemsize(s.filter.from)
  }
  return n
}

const MISSING = 0xffffffffffffffffn

/** A shard: its index read (at the start or the end), each inner chunk decoded and placed; missing ones are fill. */
function* decodeShard(
  s: Extract<ZarrStep, { kind: 'shard' }>,
  bytes: Uint8Array,
  c: ChunkShape,
  at: string
): Chain<Uint8Array> {
  const grid = c.shape.map((d, k) => d / s.chunks[k]!)
  const n = count(grid)
  const indexSize = 16 * n + 4 * s.index.filter((x) => x.kind === 'crc32c').length
  const fail = (why: string): CodecError => new CodecError(`${at ? `${at}: ` : ''}${why}`)
  if (bytes.length < indexSize) {
    throw fail(`it is ${bytes.length} bytes, shorter than its shard index of ${indexSize}`)
  }
  const rawIndex = s.atStart ? bytes.subarray(0, indexSize) : bytes.subarray(bytes.length - indexSize)
  let index: Uint8Array
  try {
    index = yield* decodeChunk(s.index, rawIndex, { shape: [...grid, 2], itemsize: 8 }, 'its shard index')
  } catch (e) {
    throw where(e, at)
  }
  const v = new DataView(index.buffer, index.byteOffset, index.byteLength)
  const full = count(c.shape) * c.itemsize
  const out = new Uint8Array(full)
  const innerBytes = count(s.chunks) * c.itemsize
  const jobs: { j: number; data: Uint8Array }[] = []
  let missing = false
  for (let j = 0; j < n; j++) {
    const off = v.getBigUint64(16 * j, true)
    const len = v.getBigUint64(16 * j + 8, true)
    if (off === MISSING && len === MISSING) {
      missing = true
      continue
    }
    if (off + len > BigInt(bytes.length)) {
      throw fail(
        `its shard index puts inner chunk ${j} at bytes ${off}..${off + len}, past the shard's ${bytes.length}`
      )
    }
    jobs.push({ j, data: bytes.subarray(Number(off), Number(off + len)) })
  }
  const coords = (j: number): number[] => {
    const x = new Array<number>(grid.length)
    for (let k = grid.length - 1; k >= 0; k--) {
      x[k] = j % grid[k]!
      j = Math.floor(j / grid[k]!)
    }
    return x
  }
  const inner = jobs.map(({ j, data }) =>
    decodeChunk(
      s.steps,
      data,
      { shape: s.chunks, itemsize: c.itemsize, ...(c.fill ? { fill: c.fill } : {}) },
      `${at ? `${at} ` : ''}inner chunk (${coords(j).join(', ')})`
    )
  )
  const decoded = yield* all(inner)
  if (missing && c.fill) {
    const one = Buffer.alloc(innerBytes, Buffer.from(c.fill))
    const have = new Set(jobs.map((x) => x.j))
    for (let j = 0; j < n; j++) if (!have.has(j)) place(out, one, coords(j), s.chunks, c.shape, c.itemsize)
  }
  jobs.forEach(({ j }, i) => place(out, decoded[i]!, coords(j), s.chunks, c.shape, c.itemsize))
  return out
}

/** Runs chains side by side: each round yields the next request of every chain still running, as one batch. */
function* all<T>(chains: Chain<T>[]): Chain<T[]> {
  const results = new Array<T>(chains.length)
  let pending = chains.map((g, i) => ({ g, i, r: g.next() }))
  for (;;) {
    for (const p of pending) if (p.r.done) results[p.i] = p.r.value
    pending = pending.filter((p) => !p.r.done)
    if (!pending.length) return results
    const asks = pending.map((p) => p.r.value as DecodeRequest[])
    const answers = yield asks.flat()
    let at = 0
    for (const [k, p] of pending.entries()) {
      const mine = answers.slice(at, at + asks[k]!.length)
      at += asks[k]!.length
      p.r = p.g.next(mine)
    }
  }
}

/** An inner chunk's values copied into the shard at grid coordinates x. */
function place(
  out: Uint8Array,
  chunk: Uint8Array,
  x: number[],
  chunks: number[],
  shape: number[],
  itemsize: number
): void {
  const nd = shape.length
  if (nd === 0) {
    out.set(chunk)
    return
  }
  const row = chunks[nd - 1]! * itemsize
  const strides = new Array<number>(nd)
  let st = itemsize
  for (let k = nd - 1; k >= 0; k--) {
    strides[k] = st
    st *= shape[k]!
  }
  const rows = count(chunks.slice(0, nd - 1))
  const idx = new Array<number>(nd - 1).fill(0)
  for (let r = 0; r < rows; r++) {
    let d = x[nd - 1]! * chunks[nd - 1]! * itemsize
    for (let k = 0; k < nd - 1; k++) d += (x[k]! * chunks[k]! + idx[k]!) * strides[k]!
    out.set(chunk.subarray(r * row, (r + 1) * row), d)
    for (let k = nd - 2; k >= 0; k--) {
      if (++idx[k]! < chunks[k]!) break
      idx[k] = 0
    }
  }
}

/**
 * The decoded array (shape `shape`, C order) from its encoded form: the array transposed by `order`
 * (numpy's transpose: encoded axis k is decoded axis order[k]), stored in C order.
 */
export function untranspose(bytes: Uint8Array, shape: number[], order: number[], itemsize: number): Uint8Array {
  const nd = shape.length
  const out = new Uint8Array(bytes.length)
  const encShape = order.map((k) => shape[k]!)
  // the encoded array's strides (elements), seen along the decoded axes
  const encStride = new Array<number>(nd)
  let s = 1
  for (let k = nd - 1; k >= 0; k--) {
    encStride[k] = s
    s *= encShape[k]!
  }
  const along = new Array<number>(nd)
  for (let k = 0; k < nd; k++) along[order[k]!] = encStride[k]!
  const n = count(shape)
  const idx = new Array<number>(nd).fill(0)
  let src = 0
  for (let i = 0; i < n; i++) {
    const a = src * itemsize
    const b = i * itemsize
    for (let j = 0; j < itemsize; j++) out[b + j] = bytes[a + j]!
    for (let k = nd - 1; k >= 0; k--) {
      src += along[k]!
      if (++idx[k]! < shape[k]!) break
      src -= along[k]! * shape[k]!
      idx[k] = 0
    }
  }
  return out
}
