// Layout v4's extensible array chunk index (a dataset with one unlimited dimension under libver='latest'): a
// header (EAHD), an index block (EAIB) holding the first elements, the addresses of the first data blocks and of
// the super blocks (EASB) that list the others; data blocks (EADB) hold the elements, in pages when large. Super
// block u holds 2^floor(u/2) data blocks of 2^ceil(u/2) × (the minimum) elements each. Read once, bounded; pages
// a super block marks as never written, and undefined addresses, hold no chunk.
import { ContainerError } from '../model'
import type { H5File } from './reader'

/** Calls add(i, address, size, mask) for every chunk element i < limit the array holds. */
export function extensibleArray(
  f: H5File,
  address: number,
  limit: number,
  full: number,
  what: string,
  add: (i: number, address: number, size: number, mask: number) => void
): void {
  const where = `${what}: the chunk index's extensible array at address ${address}`
  const O = f.sizeOfOffsets
  const h = f.at(address, 12 + 6 * f.sizeOfLengths + O + 4, where)
  h.signature('EAHD')
  h.u8()
  const client = h.u8()
  const esize = h.u8()
  const maxBits = h.u8()
  const iblockElements = h.u8()
  const dblockMin = h.u8()
  const sblockMinPointers = h.u8()
  const pageBits = h.u8()
  for (let k = 0; k < 6; k++) h.len('a statistic')
  const iblock = h.addr()
  const pow2 = (x: number): boolean => x >= 1 && (x & (x - 1)) === 0
  if (client > 1 || maxBits > 48 || pageBits > 31 || !pow2(dblockMin) || !pow2(sblockMinPointers)) {
    throw new ContainerError(`${where} has parameters no HDF5 library writes`)
  }
  const sizeBytes = esize - O - 4
  if (client === 1 ? !(sizeBytes >= 1 && sizeBytes <= 8) : esize !== O) {
    throw new ContainerError(`${where} has elements of ${esize} bytes, which do not fit its kind`)
  }
  const entry = (c: ReturnType<H5File['at']>, i: number): void => {
    const a = c.addr()
    if (client === 1) {
      const size = c.uint(sizeBytes, 'a chunk size')
      add(i, a, size, c.u32())
    } else add(i, a, full, 0)
  }
  const log2 = (x: number): number => Math.round(Math.log2(x))
  const nsblks = 1 + maxBits - log2(dblockMin)
  const iblockSblks = 2 * log2(sblockMinPointers)
  const ndblkAddrs = 2 * (sblockMinPointers - 1)
  const nsblkAddrs = Math.max(0, nsblks - iblockSblks)
  const offSize = Math.floor((maxBits + 7) / 8)
  const pageElements = 2 ** pageBits

  // the index block: its elements, then data block and super block addresses
  const ib = f.at(iblock, 6 + O + iblockElements * esize + (ndblkAddrs + nsblkAddrs) * O, `${where}'s index block`)
  ib.signature('EAIB')
  ib.skip(2 + O)
  for (let i = 0; i < iblockElements; i++) {
    if (i < limit) entry(ib, i)
    else ib.skip(esize)
  }
  const dblkAddrs: number[] = []
  for (let k = 0; k < ndblkAddrs; k++) dblkAddrs.push(ib.addr())
  const sblkAddrs: number[] = []
  for (let k = 0; k < nsblkAddrs; k++) sblkAddrs.push(ib.addr())

  /**
   * A data block of n elements, the first numbered first. Paged: page p is written when bit `bit0 + p` of its
   * super block's bitmap is set (the bits of its data blocks follow each other).
   */
  const dataBlock = (at: number, n: number, first: number, pageInit: Uint8Array | null, bit0: number): void => {
    if (!Number.isFinite(at)) return
    const prefix = 6 + O + offSize
    const d = f.at(at, prefix, `${where}'s data block`)
    d.signature('EADB')
    const m = Math.min(n, limit - first)
    if (!pageInit) {
      const c = f.at(at + prefix, m * esize, `${where}'s data block`)
      for (let i = 0; i < m; i++) entry(c, first + i)
      return
    }
    // paged: the block's prefix and checksum, then each page's elements and checksum
    let pageAt = at + prefix + 4
    for (let p = 0; p * pageElements < m; p++) {
      const k = Math.min(pageElements, m - p * pageElements)
      const b = bit0 + p
      if (pageInit[b >> 3]! & (0x80 >> (b & 7))) {
        const c = f.at(pageAt, k * esize, `${where}'s data block page`)
        for (let i = 0; i < k; i++) entry(c, first + p * pageElements + i)
      }
      pageAt += pageElements * esize + 4
    }
  }

  let first = iblockElements
  let dblk = 0
  for (let u = 0; u < nsblks && first < limit; u++) {
    const ndblks = 2 ** Math.floor(u / 2)
    const nelmts = 2 ** Math.ceil(u / 2) * dblockMin
    const paged = nelmts > pageElements
    const initSize = paged ? Math.ceil(nelmts / pageElements / 8) : 0
    let addrs: number[]
    let inits: Uint8Array | null = null
    if (u < iblockSblks) {
      if (paged) throw new ContainerError(`${where} pages the data blocks of its index block: not read here`)
      addrs = dblkAddrs.slice(dblk, dblk + ndblks)
    } else {
      const at = sblkAddrs[u - iblockSblks]!
      if (!Number.isFinite(at)) {
        first += ndblks * nelmts
        continue
      }
      const s = f.at(at, 6 + O + offSize + ndblks * initSize + ndblks * O, `${where}'s super block`)
      s.signature('EASB')
      s.skip(2 + O + offSize)
      if (paged) inits = s.sub(ndblks * initSize)
      addrs = []
      for (let k = 0; k < ndblks; k++) addrs.push(s.addr())
    }
    dblk += ndblks
    for (let k = 0; k < ndblks && first < limit; k++) {
      dataBlock(addrs[k]!, nelmts, first, inits, k * (nelmts / pageElements))
      first += nelmts
    }
  }
}
