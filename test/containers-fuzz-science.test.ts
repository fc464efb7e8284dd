// Hostile headers of the scientific formats (HDF5, FITS, NIfTI, NetCDF-3, MATLAB, NRRD, ENVI): each named case
// gets one clear ContainerError; then a seeded fuzz mutates real files written by h5py, astropy, nibabel, scipy
// and by hand thousands of times: parsing succeeds or throws a ContainerError — never another exception, never a
// hang.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseError, parseMutant, type MutantCounts } from './helpers/container-fuzz'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const d = tmp.dir

const files: Record<string, Buffer> = {}
const NAMES = [
  'earliest.h5',
  'latest.h5',
  'f.fits',
  'n1.nii',
  'n2.nii',
  'c1.nc',
  'c2.nc',
  'm.mat',
  'a.nrrd',
  'e.hdr',
  'big.h5'
]

beforeAll(() => {
  py(`
import h5py
from astropy.io import fits
import nibabel as nib
from scipy.io import netcdf_file, savemat
d = ${JSON.stringify(d)}
for lib in ('earliest', 'latest'):
    with h5py.File(f'{d}/{lib}.h5', 'w', libver=lib) as f:
        f.attrs['t'] = 'x'
        f['a'] = np.arange(6, dtype='<f4').reshape(2, 3)
        f['g/b'] = np.arange(3, dtype='>i2')
        f['g/b'].attrs['u'] = np.float32(1.5)
        f.create_dataset('c', data=np.arange(40.0).reshape(8, 5), chunks=(4, 5), compression='gzip')
        f['rec'] = np.zeros(2, [('x', '<i2'), ('y', '<f8')])
        f['soft'] = h5py.SoftLink('/a')
        f.create_dataset('unallocated', shape=(987654,), dtype='f4')
        for k in range(10):
            f[f'many/d{k}'] = np.full(2, k, dtype='u1')
            f['many'].attrs[f'a{k}'] = k
with h5py.File(f'{d}/big.h5', 'w') as f:
    f['z'] = np.zeros(5000, dtype='<f8')
p = fits.PrimaryHDU(np.arange(12, dtype='>i2').reshape(3, 4))
p.header['BSCALE'] = 2.0
t = fits.BinTableHDU.from_columns([fits.Column(name='a', format='J', array=np.arange(3)), fits.Column(name='s', format='4A', array=['x', 'y', 'z'])])
fits.HDUList([p, fits.ImageHDU(np.ones((2, 2), '>f4'), name='SCI'), t]).writeto(f'{d}/f.fits')
nib.save(nib.Nifti1Image(np.arange(24, dtype=np.int16).reshape(2, 3, 4), np.eye(4)), f'{d}/n1.nii')
nib.save(nib.Nifti2Image(np.arange(6, dtype=np.float32).reshape(3, 2), np.eye(4)), f'{d}/n2.nii')
for v in (1, 2):
    nc = netcdf_file(f'{d}/c{v}.nc', 'w', version=v)
    nc.createDimension('t', None); nc.createDimension('x', 3)
    a = nc.createVariable('a', 'i2', ('t', 'x')); a[:] = np.arange(12).reshape(4, 3); a.scale_factor = np.float32(0.5)
    b = nc.createVariable('b', 'f8', ('x',)); b[:] = [1, 2, 3]
    nc.title = 'hi'
    nc.close()
savemat(f'{d}/m.mat', {'a': np.arange(6.0).reshape(2, 3), 'b': np.arange(4, dtype=np.int16), 's': 'txt', 'c': np.array([1j])})
with open(f'{d}/a.nrrd', 'wb') as fh:
    fh.write(b'NRRD0004\\ntype: float\\ndimension: 2\\nsizes: 3 2\\nendian: little\\nencoding: raw\\n\\n' + np.arange(6, dtype='<f4').tobytes())
with open(f'{d}/e.hdr', 'w') as fh:
    fh.write('ENVI\\nsamples = 3\\nlines = 2\\nbands = 2\\nheader offset = 0\\ndata type = 4\\ninterleave = bip\\nbyte order = 0\\n')
print(1)`)
  for (const n of NAMES) files[n] = fs.readFileSync(path.join(d, n))
})

const patch = (b: Buffer, at: number, bytes: number[] | Buffer): Buffer => {
  const out = Buffer.from(b)
  Buffer.from(bytes).copy(out, at)
  return out
}

describe('hostile HDF5', () => {
  it.each([
    [
      'a truncated superblock',
      (f: Record<string, Buffer>) => f['earliest.h5']!.subarray(0, 20),
      /the HDF5 superblock claims 96 bytes, more than the file has \(20\)/
    ],
    [
      'an unknown superblock version',
      (f: Record<string, Buffer>) => patch(f['earliest.h5']!, 8, [9]),
      /superblock version 9 is unknown/
    ],
    ['3-byte offsets', (f: Record<string, Buffer>) => patch(f['earliest.h5']!, 13, [3]), /sizes of offsets 3/],
    [
      'a root object header past the end',
      (f: Record<string, Buffer>) => patch(f['latest.h5']!, 36, [0, 0, 0, 0, 0, 0, 0, 0x7f]),
      /outside the file|past the end/
    ],
    [
      'data past the end (truncated)',
      (f: Record<string, Buffer>) => f['big.h5']!.subarray(0, f['big.h5']!.length - 100),
      /dataset \/z needs bytes \[\d+, \d+\), past the end of the file/
    ],
    [
      '10^18 elements',
      (f: Record<string, Buffer>) => {
        const b = Buffer.from(f['earliest.h5']!)
        const dims = Buffer.alloc(8)
        dims.writeBigUInt64LE(987654n)
        const at = b.indexOf(dims)
        dims.writeBigUInt64LE(10n ** 18n)
        return patch(b, at, dims)
      },
      /\/unallocated \(message 1\): a dimension is larger than any file/
    ]
  ])('%s', (_, make, message) => {
    expect(parseError(make(files))).toMatch(message)
  })
})

describe('hostile FITS', () => {
  const card = (s: string): string => s.padEnd(80, ' ')
  const header = (...cards: string[]): Buffer => {
    const text = cards.map(card).join('')
    return Buffer.from(text.padEnd(Math.ceil(text.length / 2880) * 2880, ' '), 'latin1')
  }
  it.each([
    [
      'no END card',
      Buffer.concat([
        header('SIMPLE  =                    T', 'BITPIX  =                   16', 'NAXIS   =                    0')
      ]),
      /no END card/
    ],
    [
      'a negative axis',
      header(
        'SIMPLE  =                    T',
        'BITPIX  =                   16',
        'NAXIS   =                    1',
        'NAXIS1  =                   -5',
        'END'
      ),
      /NAXIS1 is -5, not an integer ≥ 0/
    ],
    [
      'BITPIX 12',
      header(
        'SIMPLE  =                    T',
        'BITPIX  =                   12',
        'NAXIS   =                    0',
        'END'
      ),
      /BITPIX = 12/
    ],
    [
      'an axis of 10^18',
      header(
        'SIMPLE  =                    T',
        'BITPIX  =                    8',
        'NAXIS   =                    1',
        'NAXIS1  =  1000000000000000000',
        'END'
      ),
      /NAXIS1 is "1000000000000000000", not an integer/
    ],
    [
      'data past the end',
      header(
        'SIMPLE  =                    T',
        'BITPIX  =                   16',
        'NAXIS   =                    2',
        'NAXIS1  =                 1000',
        'NAXIS2  =                 1000',
        'END'
      ),
      /HDU 0 needs bytes \[2880, 2002880\), past the end of the file \(2880\)/
    ]
  ])('%s', (_, buf, message) => {
    expect(parseError(buf)).toMatch(message)
  })
})

describe('hostile NIfTI, NetCDF, MATLAB, NRRD, ENVI', () => {
  it.each([
    ['NIfTI dim[0] = 9', (f: Record<string, Buffer>) => patch(f['n1.nii']!, 40, [9, 0]), /dim\[0\] is 9/],
    [
      'NIfTI negative dims',
      (f: Record<string, Buffer>) => patch(f['n1.nii']!, 42, [0xfe, 0xff]),
      /dims \(-2, 3, 4\) are not all ≥ 0/
    ],
    [
      'NIfTI data inside the header',
      (f: Record<string, Buffer>) => patch(f['n1.nii']!, 108, [0, 0, 0x80, 0x42]),
      /vox_offset 64 points inside the NIfTI header/
    ],
    [
      'NIfTI-2 truncated data',
      (f: Record<string, Buffer>) => f['n2.nii']!.subarray(0, 560),
      /the image needs bytes \[544, 568\), the file has 560/
    ],
    [
      'NetCDF truncated header',
      (f: Record<string, Buffer>) => f['c1.nc']!.subarray(0, 30),
      /NetCDF header is truncated/
    ],
    [
      'NetCDF 2^31 dimensions',
      (f: Record<string, Buffer>) => patch(f['c1.nc']!, 12, [0x7f, 0xff, 0xff, 0xff]),
      /claims 2147483647 dimensions/
    ],
    [
      'NetCDF data past the end',
      (f: Record<string, Buffer>) => f['c2.nc']!.subarray(0, f['c2.nc']!.length - 20),
      /past the end of the file/
    ],
    [
      'MATLAB element past the end',
      (f: Record<string, Buffer>) => patch(f['m.mat']!, 132, [0xf0, 0xff, 0xff, 0x7f]),
      /claims 2147483632 bytes, past its end/
    ],
    [
      'NRRD sizes not matching the dimension',
      () => Buffer.from('NRRD0004\ntype: float\ndimension: 2\nsizes: 3\nencoding: raw\n\n'),
      /sizes '3' are not 2 integers/
    ],
    [
      'NRRD byte skip -5',
      () => Buffer.from('NRRD0004\ntype: float\ndimension: 1\nsizes: 3\nencoding: raw\nbyte skip: -5\n\n'),
      /byte skip '-5' is not an integer ≥ -1/
    ],
    [
      'NRRD data truncated',
      () => Buffer.from('NRRD0004\ntype: double\ndimension: 1\nsizes: 1000\nencoding: raw\n\nabc'),
      /needs 8000 bytes from byte \d+.*the data is truncated/
    ],
    [
      'NRRD a line without a colon',
      () => Buffer.from('NRRD0004\ngarbage\n\n'),
      /neither "field: value" nor "key:=value"/
    ],
    [
      'ENVI negative samples',
      () => Buffer.from('ENVI\nsamples = -1\nlines = 2\ndata type = 4\n'),
      /'samples' is "-1", not an integer/
    ],
    [
      'ENVI unknown interleave',
      () => Buffer.from('ENVI\nsamples = 1\nlines = 2\ndata type = 4\ninterleave = xyz\n'),
      /interleave is 'xyz'/
    ]
  ])('%s', (_, make, message) => {
    expect(parseError(make(files))).toMatch(message)
  })
})

describe('seeded fuzz over real files of every scientific format', () => {
  it('12000 mutations: each parse succeeds or throws one ContainerError, quickly', () => {
    let state = 777
    const rand = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0
      return state % n
    }
    const counts: MutantCounts = new Map()
    for (let k = 0; k < 12000; k++) {
      const name = NAMES[k % NAMES.length]!
      let b = Buffer.from(files[name]!)
      const kind = rand(5)
      if (kind === 0) b = b.subarray(0, rand(b.length))
      else {
        const flips = 1 + rand(8)
        for (let f = 0; f < flips; f++) {
          // the header (first 1 KiB), anywhere (HDF5 keeps structures throughout), or the end
          const at =
            kind === 1
              ? rand(Math.min(1024, b.length))
              : kind === 2
                ? rand(b.length)
                : b.length - 1 - rand(Math.min(300, b.length))
          b[at] = kind === 3 ? [0x00, 0xff, 0x7f, 0x80][rand(4)]! : rand(256)
        }
      }
      parseMutant(counts, name, b, k)
    }
    for (const [name, c] of counts) {
      expect(c.ok + c.err, name).toBeGreaterThan(1000)
      expect(c.err, name).toBeGreaterThan(20)
    }
  })
})
