// The inner chunks of a remote store's sharded v3 array read by range: a window needs a few inner chunks of a shard,
// not the whole shard. Each shard's index is read once (the first bytes of the shard when it is at the start; when
// at the end, the shard's size from a first 1-byte read, then its last bytes) and kept; an inner chunk is then one
// range read of the bytes the index names, under the shard's validator (a shard replaced on the server between
// two reads is 'changed', not mixed). The chunk grid of such an array is the inner chunks' grid (zarr-fill.ts
// decodes each with the shard's inner codecs). Only a chain that is the shard alone (no codec around it) is read
// so; others read whole shards.
import type { ZarrStep } from '../../shared/containers/zarr-codecs'
import { chunkKey, type ZarrArray } from '../../shared/containers/zarr-meta'
import { decodeChunk, runAsync, runSync } from './zarr-chain'
import { ChunkDamage, type ObjectRanges, type ZarrKeys } from './zarr-keys'

export type ShardStep = Extract<ZarrStep, { kind: 'shard' }>

const MISSING = 0xffffffffffffffffn
/** A shard's first read: its index when at the start, and a small shard whole (its index and chunks at once). */
const FIRST = 64 << 10

interface Shard {
  obj: ObjectRanges
  index: DataView
}

/** The shard step of an array whose codec chain is only a shard, or undefined. */
export function onlyShard(array: ZarrArray): ShardStep | undefined {
  const s = array.steps
  return s.length === 1 && s[0]!.kind === 'shard' && array.shape.length > 0 ? s[0] : undefined
}

export class ShardReader {
  /** Inner chunks per shard along each axis. */
  private readonly per: number[]
  private readonly indexSize: number
  private readonly shards = new Map<string, Promise<Shard | null>>()
  private readonly known = new Map<string, Shard | null>()
  /** Requests of shard indexes made (tests count them). */
  indexReads = 0

  constructor(
    private readonly keys: ZarrKeys,
    private readonly array: ZarrArray,
    readonly step: ShardStep
  ) {
    this.per = array.chunks.map((d, k) => d / step.chunks[k]!)
    const n = this.per.reduce((a, b) => a * b, 1)
    this.indexSize = 16 * n + 4 * step.index.filter((x) => x.kind === 'crc32c').length
  }

  /** What messages call the inner chunk at inner-grid coordinates c ('c/1/0 inner chunk (0, 2)'). */
  where(c: number[]): string {
    return this.locate(c).where
  }

  /** The shard's key and the inner chunk's place in it, for inner-grid coordinates c. */
  private locate(c: number[]): { key: string; j: number; where: string } {
    const shard = c.map((x, k) => Math.floor(x / this.per[k]!))
    const inner = c.map((x, k) => x % this.per[k]!)
    let j = 0
    for (let k = 0; k < c.length; k++) j = j * this.per[k]! + inner[k]!
    const key = chunkKey(this.array, shard)
    const full = this.array.folder ? `${this.array.folder}/${key}` : key
    return { key: full, j, where: `${full} inner chunk (${inner.join(', ')})` }
  }

  private async open(key: string): Promise<Shard | null> {
    this.indexReads++
    const obj = await this.keys.ranges!(key, Math.max(FIRST, this.indexSize))
    if (!obj) return null
    if (obj.size < this.indexSize) throw new ChunkDamage(`is ${obj.size} bytes, shorter than its shard index`)
    const raw = this.step.atStart
      ? obj.head.subarray(0, this.indexSize)
      : await obj.read(obj.size - this.indexSize, this.indexSize)
    const index = await runAsync(
      decodeChunk(this.step.index, raw, { shape: [...this.per, 2], itemsize: 8 }, 'its shard index')
    )
    return { obj, index: new DataView(index.buffer, index.byteOffset, index.byteLength) }
  }

  private openSync(key: string): Shard | null {
    this.indexReads++
    const obj = this.keys.rangesSync!(key, Math.max(FIRST, this.indexSize))
    if (!obj) return null
    if (obj.size < this.indexSize) throw new ChunkDamage(`is ${obj.size} bytes, shorter than its shard index`)
    const raw = this.step.atStart
      ? obj.head.subarray(0, this.indexSize)
      : obj.readSync(obj.size - this.indexSize, this.indexSize)
    const index = runSync(
      decodeChunk(this.step.index, raw, { shape: [...this.per, 2], itemsize: 8 }, 'its shard index')
    )
    return { obj, index: new DataView(index.buffer, index.byteOffset, index.byteLength) }
  }

  /** Where the inner chunk lies in its shard, or null when the shard or the chunk is not there. */
  private span(s: Shard | null, j: number): [number, number] | null {
    if (!s) return null
    const off = s.index.getBigUint64(16 * j, true)
    const len = s.index.getBigUint64(16 * j + 8, true)
    if (off === MISSING && len === MISSING) return null
    if (off + len > BigInt(s.obj.size)) {
      throw new ChunkDamage(
        `is placed by its shard index at bytes ${off}..${off + len}, past the shard's ${s.obj.size}`
      )
    }
    return [Number(off), Number(len)]
  }

  /** An inner chunk's stored bytes, or null (the fill value) when its shard or itself is not there. */
  async read(c: number[]): Promise<Uint8Array | null> {
    const { key, j } = this.locate(c)
    let p = this.shards.get(key)
    if (!p) {
      p = this.open(key)
      this.shards.set(key, p)
      // a failed read is tried again by the next window, not remembered
      p.catch(() => this.shards.delete(key))
    }
    const s = await p
    const at = this.span(s, j)
    return at ? s!.obj.read(at[0], at[1]) : null
  }

  readSync(c: number[]): Uint8Array | null {
    const { key, j } = this.locate(c)
    let s = this.known.get(key)
    if (s === undefined) this.known.set(key, (s = this.openSync(key)))
    const at = this.span(s, j)
    return at ? s!.obj.readSync(at[0], at[1]) : null
  }
}
