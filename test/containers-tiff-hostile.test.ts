// Hostile and damaged TIFF files, crafted byte by byte from the TIFF 6.0 layout: IFD loops, IFDs and strips past
// the end of the file, entry and value counts no file could hold, sizes beyond 2^53 elements, absurd OME-XML
// sizes, strips that do not decompress. Each gets one clear message (exit 2, the file named, what is wrong) or
// the series listed with its reason — never a crash, a hang or an allocation of what the header claims.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())

type Tag = [tag: number, type: number, values: number[]]

/** A little-endian classic TIFF: IFDs at the given offsets (each with its tags and next), data appended by hand. */
function classic(ifds: { at: number; tags: Tag[]; next: number; count?: number }[], size: number): Buffer {
  const b = Buffer.alloc(size)
  b.write('II', 0, 'latin1')
  b.writeUInt16LE(42, 2)
  b.writeUInt32LE(ifds[0]!.at, 4)
  for (const ifd of ifds) {
    const tags = [...ifd.tags].sort((x, y) => x[0] - y[0])
    b.writeUInt16LE(ifd.count ?? tags.length, ifd.at)
    let extra = ifd.at + 2 + tags.length * 12 + 4
    tags.forEach(([tag, type, values], k) => {
      const e = ifd.at + 2 + k * 12
      const size = type === 3 ? 2 : 4
      b.writeUInt16LE(tag, e)
      b.writeUInt16LE(type, e + 2)
      b.writeUInt32LE(values.length, e + 4)
      let at = e + 8
      if (values.length * size > 4) {
        b.writeUInt32LE(extra, e + 8)
        at = extra
        extra += values.length * size
      }
      values.forEach((v, i) => (size === 2 ? b.writeUInt16LE(v, at + 2 * i) : b.writeUInt32LE(v, at + 4 * i)))
    })
    b.writeUInt32LE(ifd.next, ifd.at + 2 + tags.length * 12)
  }
  return b
}

/** Tags of a width × length uint8 image in one strip at `data`. */
function image(width: number, length: number, data: number, extra: Tag[] = []): Tag[] {
  return [
    [256, 4, [width]],
    [257, 4, [length]],
    [258, 3, [8]],
    [259, 3, [1]],
    [262, 3, [1]],
    [273, 4, [data]],
    [277, 3, [1]],
    [278, 4, [length]],
    [279, 4, [width * length]],
    ...extra
  ]
}

function write(name: string, bytes: Buffer): string {
  const f = path.join(tmp.dir, name)
  fs.writeFileSync(f, bytes)
  return f
}

async function fails(argv: string[], ...messages: RegExp[]): Promise<void> {
  const r = await runCli(argv)
  expect(r.code, r.stderr).toBe(2)
  expect(r.stdout).toBe('')
  expect(r.stderr.trim().split('\n')).toHaveLength(1)
  for (const m of messages) expect(r.stderr).toMatch(m)
}

describe('hostile TIFF files', () => {
  it('an IFD loop (an IFD naming itself, two naming each other) is refused by name', async () => {
    const self = write('loop1.tif', classic([{ at: 8, tags: image(4, 4, 200), next: 8 }], 216))
    await fails(['ls', self], /loop1\.tif/, /IFD loop/, /byte 8/)
    const two = write(
      'loop2.tif',
      classic(
        [
          { at: 8, tags: image(4, 4, 300), next: 150 },
          { at: 150, tags: image(4, 4, 300), next: 8 }
        ],
        316
      )
    )
    await fails(['ls', two], /IFD loop/, /page 2 would be read twice/)
  })

  it('an IFD or a strip past the end of the file: a message, or the series listed with its reason', async () => {
    const past = Buffer.alloc(16)
    past.write('II*\0', 0, 'latin1')
    past.writeUInt32LE(5000, 4)
    await fails(
      ['ls', write('ifd-past.tif', past)],
      /page 0 is said to lie at byte 5000, outside the file \(16 bytes\)/
    )
    const f = write('strip-past.tif', classic([{ at: 8, tags: image(4, 4, 1 << 30), next: 0 }], 200))
    const r = await runCli(['ls', f, '--json'])
    expect(r.code).toBe(0)
    const [e] = JSON.parse(r.stdout) as { unmappable: string; remedy: string }[]
    expect(e!.unmappable).toMatch(
      /strip 0 needs bytes \[1073741824, 1073741840\), past the end of the file \(200 bytes\)/
    )
    await fails(['show', f, '--array', 'series0'], /cannot be opened/, /past the end of the file/)
  })

  it('entry and value counts no file could hold are refused before anything is read', async () => {
    const many = write('entries.tif', classic([{ at: 8, tags: image(4, 4, 200), next: 0, count: 60000 }], 216))
    await fails(['ls', many], /claims 60000 entries/)
    // BitsPerSample claiming 2^31 - 1 values
    const tags = image(4, 4, 200).map((t): Tag => (t[0] === 258 ? [258, 3, [8, 8, 8]] : t))
    const b = classic([{ at: 8, tags, next: 0 }], 216)
    const entry = 8 + 2 + tags.findIndex((t) => t[0] === 258) * 12
    b.writeUInt32LE(0x7fffffff, entry + 4)
    await fails(['ls', write('values.tif', b)], /claims 2147483647 values/)
    // BigTIFF: an entry count beyond 2^53
    const big = Buffer.alloc(64)
    big.write('II', 0, 'latin1')
    big.writeUInt16LE(43, 2)
    big.writeUInt16LE(8, 4)
    big.writeBigUInt64LE(16n, 8)
    big.writeBigUInt64LE(1n << 60n, 16)
    await fails(['ls', write('bigcount.tif', big)], /more than any file can hold/)
  })

  it('a page of more than 2^53 elements and absurd OME sizes are listed with the reason', async () => {
    const tags = image(0xffffffff, 0xffffffff, 200).map((t): Tag => (t[0] === 279 ? [279, 4, [16]] : t))
    const huge = write('huge.tif', classic([{ at: 8, tags, next: 0 }], 216))
    const r = await runCli(['ls', huge, '--json'])
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout) as { unmappable?: string }[])[0]!.unmappable).toMatch(/past the end|2\^53/)
    const xml =
      '<?xml version="1.0"?><OME><Image ID="Image:0"><Pixels DimensionOrder="XYZCT" Type="uint8" SizeX="4" SizeY="4" SizeZ="1000000000000" SizeC="1" SizeT="1"/></Image></OME>'
    const desc = Buffer.from(`${xml}\0`, 'latin1')
    const withDesc = image(4, 4, 200, [[270, 2, [300]]]).sort((x, y) => x[0] - y[0])
    const b = classic([{ at: 8, tags: withDesc, next: 0 }], 300 + desc.length)
    // the description's ASCII tag: its count is the text's length, its offset where the text lies
    const e = 8 + 2 + withDesc.findIndex((t) => t[0] === 270) * 12
    b.writeUInt32LE(desc.length, e + 4)
    b.writeUInt32LE(300, e + 8)
    desc.copy(b, 300)
    const ls = await runCli(['ls', write('ome-sizes.tif', b), '--json'])
    expect(ls.code, ls.stderr).toBe(0)
    expect((JSON.parse(ls.stdout) as { unmappable?: string }[])[0]!.unmappable).toMatch(/1000000000000 planes/)
  })

  it('strips that do not decompress: the strip, the codec and the file are named', async () => {
    const junk = Buffer.from('not a zlib stream, not LZW either'.repeat(2), 'latin1')
    for (const [code, what] of [
      [8, /deflate-compressed strip or tile 0 .* does not inflate/],
      [5, /lzw-compressed strip or tile 0 .* does not decode/],
      [50000, /zstd-compressed strip or tile 0 .* does not decode/]
    ] as const) {
      const tags = image(4, 4, 200).map(
        (t): Tag => (t[0] === 259 ? [259, 3, [code]] : t[0] === 279 ? [279, 4, [junk.length]] : t)
      )
      const b = classic([{ at: 8, tags, next: 0 }], 200 + junk.length)
      junk.copy(b, 200)
      await fails(['show', write(`junk-${code}.tif`, b), '--array', 'series0'], what)
    }
  })
})

describe('OME-XML naming other files', () => {
  it('planes in another file of a set are listed with the reason; this file under another name is read', async () => {
    const ome = (uuid: string, name: string): string =>
      `<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" UUID="urn:uuid:1111"><Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint8" SizeX="5" SizeY="4" SizeZ="3" SizeC="1" SizeT="1"><TiffData IFD="0" PlaneCount="3"><UUID FileName="${name}">${uuid}</UUID></TiffData></Pixels></Image></OME>`
    const set = path.join(tmp.dir, 'set.ome.tif')
    const renamed = path.join(tmp.dir, 'renamed.ome.tif')
    const ref = py<number[][][]>(`
import tifffile
a = np.arange(60, dtype='u1').reshape(3, 4, 5)
for f, d in ((${JSON.stringify(set)}, ${JSON.stringify(ome('urn:uuid:2222', 'other.ome.tif'))}),
             (${JSON.stringify(renamed)}, ${JSON.stringify(ome('urn:uuid:1111', 'old-name.ome.tif'))})):
    with tifffile.TiffWriter(f) as w:
        for k in range(3):
            w.write(a[k], description=d if k == 0 else None, metadata=None, contiguous=False)
print(json.dumps(a.tolist()))`)
    const r = await runCli(['ls', set, '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect((JSON.parse(r.stdout) as { unmappable?: string }[])[0]!.unmappable).toMatch(
      /its planes are in other\.ome\.tif \(a multi-file OME-TIFF set\)/
    )
    const ok = await runCli(['show', renamed, '--array', 'series0', '--json'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toEqual(ref)
  })
})
