// The container fuzzer, bounded for CI (issue 25): seeded mutants of every format's reference files — files the
// reference libraries write here, and the test data shipped inside astropy, scipy, nibabel, h5py and numpy — go
// through the built CLI's `ls`, `show` and `stats`, as a user's commands would. Each command must end in exit 0 or
// 2 (bad input, said in one line); an exit 1 (a bug), an exception, a killed process or a mutant that takes longer
// than the time limit fails the test, and the mutant is saved under test-results/fuzz/ to be replayed
// (`node bin/arrayscope.js ls FILE`). ARRAYSCOPE_FUZZ_SEED and ARRAYSCOPE_FUZZ_MUTANTS (per format) run others.
import { fork, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { py, tempDir } from './helpers/numpy'

const tmp = tempDir()
// thousands of mutants and their copies: more than the default 10 s on a busy machine
afterAll(() => tmp.cleanup(), 120_000)
const ROOT = path.join(__dirname, '..')
const CHILD = path.join(__dirname, 'fuzz', 'cli-fuzz-child.cjs')
const SAVED = path.join(ROOT, 'test-results', 'fuzz')
const SEED = Number(process.env.ARRAYSCOPE_FUZZ_SEED ?? 20261207)
const PER_FORMAT = Number(process.env.ARRAYSCOPE_FUZZ_MUTANTS ?? 300)
/** A mutant's three to five commands together (h5wasm's first load included). */
const LIMIT_MS = 30_000

interface Seed {
  format: string
  file: string
  arrays: (string | null)[]
}
interface Job {
  file: string
  seed: string
  format: string
  arrays: (string | null)[]
}
interface Outcome {
  argv: string[]
  code: number | string
  message: string
}

/** Files the reference libraries write, one or more of each format, with a few arrays of every kind. */
function writeSeeds(d: string): void {
  py(`
import h5py, os
from astropy.io import fits
import nibabel as nib
from scipy.io import netcdf_file, savemat
from safetensors.numpy import save_file
import gguf
from gguf.quants import quantize
d = ${JSON.stringify(d)}
for lib in ('earliest', 'latest'):
    with h5py.File(f'{d}/{lib}.h5', 'w', libver=lib) as f:
        f.attrs['t'] = 'x'
        f['a'] = np.arange(6, dtype='<f4').reshape(2, 3)
        f['g/b'] = np.arange(3, dtype='>i2')
        f.create_dataset('c', data=np.arange(40.0).reshape(8, 5), chunks=(4, 5), compression='gzip', shuffle=True, fletcher32=True)
        f['rec'] = np.zeros(2, [('x', '<i2'), ('y', '<f8')])
        f['soft'] = h5py.SoftLink('/a')
        f.create_dataset('unallocated', shape=(1000, 50), chunks=(100, 50), dtype='f4')
fits.HDUList([fits.PrimaryHDU(np.arange(12, dtype='>i2').reshape(3, 4)),
              fits.ImageHDU(np.linspace(0, 1, 20, dtype='>f4').reshape(4, 5)),
              fits.BinTableHDU.from_columns([fits.Column(name='x', format='E', array=np.arange(5, dtype='f4'))])]
             ).writeto(f'{d}/f.fits', overwrite=True)
# tile-compressed (fpack's convention): Rice-coded int16 tiles with edge tiles, dithered quantized floats gzipped,
# smoothed HCOMPRESS
fits.HDUList([fits.PrimaryHDU(),
              fits.CompImageHDU(np.arange(20 * 30, dtype='>i2').reshape(20, 30) * 7 % 1000, compression_type='RICE_1', tile_shape=(8, 8)),
              fits.CompImageHDU(np.linspace(0, 9, 12 * 10, dtype='>f4').reshape(12, 10), compression_type='GZIP_2', quantize_method=2, dither_seed=7, tile_shape=(5, 10)),
              fits.CompImageHDU(np.arange(16 * 12, dtype='>i4').reshape(16, 12) % 37, compression_type='HCOMPRESS_1', hcomp_scale=2, hcomp_smooth=1, tile_shape=(8, 12))]
             ).writeto(f'{d}/fz.fits', overwrite=True)
img = nib.Nifti1Image(np.arange(24, dtype='<i2').reshape(2, 3, 4), np.eye(4))
img.header.set_slope_inter(0.5, 10)
nib.save(img, f'{d}/n1.nii')
nib.save(nib.Nifti2Image(np.arange(8, dtype='<f4').reshape(2, 4), np.eye(4)), f'{d}/n2.nii')
with netcdf_file(f'{d}/c1.nc', 'w', version=1) as f:
    f.createDimension('t', None); f.createDimension('x', 3)
    v = f.createVariable('v', 'f4', ('t', 'x')); v[:] = np.arange(6, dtype='f4').reshape(2, 3)
    w = f.createVariable('w', 'i2', ('x',)); w[:] = [1, 2, 3]; w.scale_factor = 0.5
with netcdf_file(f'{d}/c2.nc', 'w', version=2) as f:
    f.createDimension('x', 4); v = f.createVariable('d', 'f8', ('x',)); v[:] = np.arange(4.0)
savemat(f'{d}/m.mat', {'a': np.arange(6.0).reshape(2, 3), 'b': np.arange(4, dtype='i2'), 's': 'text'})
savemat(f'{d}/mc.mat', {'a': np.arange(6.0).reshape(2, 3), 'z': np.array([1+2j, 3-4j])}, do_compression=True)
import tifffile
tifffile.imwrite(f'{d}/stack.tif', np.arange(60, dtype='<u2').reshape(3, 4, 5))
tifffile.imwrite(f'{d}/tiles.tif', np.arange(40 * 36, dtype='<f4').reshape(40, 36), tile=(16, 16), compression='zlib', predictor=3)
tifffile.imwrite(f'{d}/lzw-be.tif', np.arange(3 * 20 * 9, dtype='>i2').reshape(3, 20, 9), rowsperstrip=6, compression='lzw', predictor=2, byteorder='>', bigtiff=True)
tifffile.imwrite(f'{d}/zstd.tif', np.arange(30 * 20, dtype='<u4').reshape(30, 20), tile=(16, 16), compression='zstd', predictor=2)
tifffile.imwrite(f'{d}/rgb-pb.tif', np.arange(10 * 7 * 3, dtype='u1').reshape(10, 7, 3), photometric='rgb', compression='packbits', rowsperstrip=3)
tifffile.imwrite(f'{d}/o.ome.tif', np.arange(2 * 3 * 8 * 6, dtype='<u2').reshape(2, 3, 8, 6), ome=True, metadata={'axes': 'TCYX'})
np.save(f'{d}/a.npy', np.arange(12, dtype='<f8').reshape(3, 4))
np.save(f'{d}/r.npy', np.zeros(3, [('x', '<i2'), ('y', '>f4', (2,))]))
np.savez(f'{d}/f.npz', a=np.arange(4.0), s=np.array([(1, 2.0)], dtype=[('x', 'i1'), ('y', '<f8')]))
np.savez_compressed(f'{d}/fc.npz', a=np.arange(40.0).reshape(5, 8))
save_file({'a.b': np.arange(6, dtype=np.float32), 'c': np.ones((2, 2), np.int16)}, f'{d}/f.safetensors', metadata={'k': 'v'})
w = gguf.GGUFWriter(f'{d}/f.gguf', 'llama')
w.add_string('s', 'x'); w.add_array('arr', [1, 2, 3])
w.add_tensor('t', np.arange(8, dtype=np.float32))
w.add_tensor('q', quantize(np.linspace(-1, 1, 64, dtype=np.float32).reshape(2, 32), gguf.GGMLQuantizationType.Q8_0), raw_dtype=gguf.GGMLQuantizationType.Q8_0)
w.write_header_to_file(); w.write_kv_data_to_file(); w.write_tensors_to_file(); w.close()
with open(f'{d}/a.nrrd', 'wb') as f:
    f.write(b'NRRD0004\\ntype: int16\\ndimension: 2\\nsizes: 3 2\\nendian: big\\nencoding: raw\\n\\n')
    f.write(np.arange(6, dtype='>i2').tobytes())
with open(f'{d}/e.hdr', 'w') as f:
    f.write('ENVI\\nsamples = 4\\nlines = 3\\nbands = 2\\nheader offset = 0\\ndata type = 4\\ninterleave = bil\\nbyte order = 0\\n')
np.arange(24, dtype='<f4').tofile(f'{d}/e.img')
import torch, onnx
from onnx import helper, numpy_helper, TensorProto
x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
torch.save({'w': x, 'wt': x.t(), 'n': {'b': torch.ones(3, dtype=torch.bfloat16)}, 'i': torch.arange(5)}, f'{d}/t.pt')
torch.save({'w': x, 'h': torch.ones(4, dtype=torch.float16)}, f'{d}/tl.pth', _use_new_zipfile_serialization=False)
g = helper.make_graph([helper.make_node('Add', ['x', 'w'], ['y'])], 'g',
                      [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', 3])],
                      [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['N', 3])],
                      [numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), 'w'),
                       helper.make_tensor('k', TensorProto.INT64, [3], [1, -2, 3]),
                       helper.make_tensor('f', TensorProto.FLOAT, [2], [0.5, 1.5])])
onnx.save_model(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]), f'{d}/m.onnx')
# Zarr stores in ZIP archives: v2 (blosc; delta + zstd), and a sharded zarr3 store written by TensorStore
import zipfile, tempfile, numcodecs, tensorstore as ts
with zipfile.ZipFile(f'{d}/s2.zarr.zip', 'w') as z:
    z.writestr('.zgroup', json.dumps({'zarr_format': 2}))
    x = np.arange(30, dtype='<i4').reshape(6, 5) * 7
    for name, comp, filters in [('b', numcodecs.Blosc('lz4', 5, 1), None), ('dz', numcodecs.Zstd(1), [numcodecs.Delta('<i4')])]:
        z.writestr(f'{name}/.zarray', json.dumps({'zarr_format': 2, 'shape': [6, 5], 'chunks': [4, 3], 'dtype': '<i4',
            'compressor': comp.get_config(), 'filters': [f.get_config() for f in filters] if filters else None, 'fill_value': -1, 'order': 'C'}))
        for i in range(2):
            for j in range(2):
                part = np.full((4, 3), -1, '<i4'); blk = x[i*4:i*4+4, j*3:j*3+3]; part[:blk.shape[0], :blk.shape[1]] = blk
                data = part.tobytes()
                for f in filters or []: data = f.encode(data)
                z.writestr(f'{name}/{i}.{j}', comp.encode(data))
t3 = tempfile.mkdtemp()
json.dump({'zarr_format': 3, 'node_type': 'group', 'attributes': {}}, open(f'{t3}/zarr.json', 'w'))
t = ts.open({'driver': 'zarr3', 'kvstore': {'driver': 'file', 'path': f'{t3}/sh'}, 'create': True,
             'metadata': {'shape': [8, 6], 'data_type': 'float32', 'fill_value': 0.5,
                          'chunk_grid': {'name': 'regular', 'configuration': {'chunk_shape': [4, 6]}},
                          'codecs': [{'name': 'sharding_indexed', 'configuration': {'chunk_shape': [2, 3],
                              'codecs': [{'name': 'bytes'}, {'name': 'gzip', 'configuration': {'level': 1}}]}}]}}).result()
t[0:3, 1:5] = np.arange(12, dtype='float32').reshape(3, 4)
with zipfile.ZipFile(f'{d}/s3.zarr.zip', 'w') as z:
    for root, _, files in os.walk(t3):
        for f in files:
            z.write(os.path.join(root, f), os.path.relpath(os.path.join(root, f), t3))
print(1)`)
}

/** Small files shipped as test data inside the reference libraries, by format. */
function shippedSeeds(): { format: string; file: string }[] {
  const where = py<Record<string, string>>(`
import astropy, scipy, nibabel, h5py, os
print(json.dumps({
  'fits': os.path.join(os.path.dirname(astropy.__file__), 'io', 'fits', 'tests', 'data'),
  'mat': os.path.join(os.path.dirname(scipy.__file__), 'io', 'matlab', 'tests', 'data'),
  'netcdf3': os.path.join(os.path.dirname(scipy.__file__), 'io', 'tests', 'data'),
  'nifti': os.path.join(os.path.dirname(nibabel.__file__), 'tests', 'data'),
  'hdf5': os.path.join(os.path.dirname(h5py.__file__), 'tests', 'data_files'),
  'npy': os.path.join(os.path.dirname(np.__file__), 'lib', 'tests', 'data'),
}))`)
  const picks: Record<string, RegExp> = {
    fits: /^(arange|ascii|blank|btable|comp|double_ext|group|random_groups|scale|tdim|table|test0|zerowidth)\.fits$/,
    mat: /^(testdouble_7\.4_GLNX86|testcomplex_7\.4_GLNX86|teststring_7\.4_GLNX86|testsparse_7\.4_GLNX86|testmulti_7\.4_GLNX86|teststruct_7\.4_GLNX86|testcell_7\.4_GLNX86|big_endian|little_endian|testdouble_4\.2c_SOL2|some_functions)\.mat$/,
    netcdf3: /^example_[12]\.nc$/,
    nifti: /^(anatomical|functional|example_nifti2\.nii\.gz|nifti1\.hdr|analyze\.hdr)|^(anatomical|functional)\.nii$/,
    hdf5: /\.h5$/,
    npy: /^(python3|win64python2)\.npy$/
  }
  const out: { format: string; file: string }[] = []
  for (const [format, dir] of Object.entries(where)) {
    let names: string[]
    try {
      names = fs.readdirSync(dir)
    } catch {
      continue
    }
    for (const n of names.sort()) {
      const file = path.join(dir, n)
      if (!picks[format]!.test(n) || fs.statSync(file).size > 1 << 20) continue
      out.push({ format, file })
    }
  }
  return out
}

const FORMAT_OF: [RegExp, string][] = [
  [/\.h5$/, 'hdf5'],
  [/\.fits$/, 'fits'],
  [/\.(nii|hdr)$/, 'nifti'],
  [/\.nc$/, 'netcdf3'],
  [/\.mat$/, 'mat'],
  [/\.npy$/, 'npy'],
  [/\.npz$/, 'npz'],
  [/\.safetensors$/, 'safetensors'],
  [/\.gguf$/, 'gguf'],
  [/\.nrrd$/, 'nrrd'],
  [/\.(pt|pth)$/, 'pytorch'],
  [/\.onnx$/, 'onnx'],
  [/\.tif$/, 'tiff'],
  [/\.zarr\.zip$/, 'zarr']
]

/** The seed's arrays as `ls --json` lists them from the unmutated file (null: a file that holds one, no --array). */
function arraysOf(file: string): (string | null)[] {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'arrayscope.js'), 'ls', file, '--json'], {
    encoding: 'utf8'
  })
  const names = r.status === 0 ? (JSON.parse(r.stdout) as { name: string }[]).map((a) => a.name) : []
  return names.length ? names.slice(0, 2) : [null]
}

function prng(seed: number): (n: number) => number {
  let s = seed >>> 0
  return (n) => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (((t ^ (t >>> 14)) >>> 0) % 4294967296) % n
  }
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff]

/** One mutant of bytes: one to three edits, mostly in the first 4 KiB and the last 512 bytes (headers, directories). */
function mutate(bytes: Buffer, rand: (n: number) => number): Buffer {
  let b = Buffer.from(bytes)
  const at = (): number =>
    rand(3) === 0 ? Math.max(0, b.length - 1 - rand(Math.min(512, b.length))) : rand(Math.min(4096, b.length))
  for (let k = 1 + rand(3); k > 0 && b.length > 8; k--) {
    switch (rand(5)) {
      case 0:
        b = b.subarray(0, rand(b.length))
        break
      case 1:
        b[at()] = rand(256)
        break
      case 2: {
        const o = Math.min(at(), b.length - 4)
        const v = INTERESTING[rand(INTERESTING.length)]!
        if (rand(2)) b.writeUInt32LE(v >>> 0, o)
        else b.writeUInt32BE(v >>> 0, o)
        break
      }
      case 3: {
        // a value copied a little way off (how the audit's HDF5 crash was made: 4 bytes from 865 to 851)
        const from = Math.min(at(), b.length - 4)
        const to = Math.max(0, Math.min(b.length - 4, from + rand(64) - 32))
        b.copy(b, to, from, from + 4)
        break
      }
      default: {
        const o = at()
        for (let i = 0; i < 8 && o + i < b.length; i++) b[o + i] = rand(256)
      }
    }
  }
  return b
}

/** Runs the jobs in a child, restarting it after a mutant that killed or hung it; returns every failure. */
async function runJobs(
  jobs: Job[],
  jobsFile: string
): Promise<{ failures: { job: Job; why: string }[]; ran: number; shown: number }> {
  const failures: { job: Job; why: string }[] = []
  let ran = 0
  let shown = 0
  let next = 0
  while (next < jobs.length) {
    const child: ChildProcess = fork(CHILD, [jobsFile, String(next)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // not the test worker's own flags
      execArgv: [],
      env: { ...process.env, TMPDIR: path.join(tmp.dir, 'tmp') }
    })
    let stderr = ''
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
    let current = next
    let timer: NodeJS.Timeout | undefined
    const ended = await new Promise<'end' | 'died' | 'timeout'>((resolve) => {
      const arm = (): void => {
        clearTimeout(timer)
        timer = setTimeout(() => {
          child.kill('SIGKILL')
          resolve('timeout')
        }, LIMIT_MS)
      }
      arm()
      child.on(
        'message',
        (m: { start?: number; done?: number; results?: Outcome[]; end?: boolean; fatal?: string }) => {
          if (m.start !== undefined) {
            current = m.start
            arm()
          } else if (m.done !== undefined) {
            ran++
            for (const r of m.results!) {
              if (r.code === 0 && r.argv[0] !== 'ls') shown++
              if (r.code !== 0 && r.code !== 2) {
                failures.push({ job: jobs[m.done]!, why: `${r.argv[0]} exited ${r.code}: ${r.message.trim()}` })
              }
            }
            next = m.done + 1
          } else if (m.end) resolve('end')
          else if (m.fatal) {
            failures.push({ job: jobs[current]!, why: `the fuzz child failed: ${m.fatal}` })
            resolve('died')
          }
        }
      )
      child.once('exit', (code, signal) => resolve(code === 0 && signal === null ? 'end' : 'died'))
    })
    clearTimeout(timer)
    if (ended === 'end') {
      child.kill()
      break
    }
    child.kill('SIGKILL')
    failures.push({
      job: jobs[current]!,
      why:
        ended === 'timeout'
          ? `took more than ${LIMIT_MS / 1000} s`
          : `killed the process (exit ${child.exitCode}, signal ${child.signalCode}): ${stderr.trim().slice(-1000)}`
    })
    next = current + 1
  }
  return { failures, ran, shown }
}

describe('the container fuzzer over the CLI', () => {
  const seeds: Seed[] = []
  beforeAll(() => {
    const d = path.join(tmp.dir, 'seeds')
    fs.mkdirSync(d)
    fs.mkdirSync(path.join(tmp.dir, 'tmp'))
    writeSeeds(d)
    const made = fs
      .readdirSync(d)
      .filter((n) => n !== 'e.img')
      .map((n) => {
        const format = n === 'e.hdr' ? 'envi' : FORMAT_OF.find(([re]) => re.test(n))![1]
        return { format, file: path.join(d, n) }
      })
    for (const s of [...made, ...shippedSeeds()]) seeds.push({ ...s, arrays: arraysOf(s.file) })
  }, 120_000)

  it(`${PER_FORMAT} seeded mutants of each format: every command ends in exit 0 or 2, in time`, async () => {
    const rand = prng(SEED)
    const byFormat = new Map<string, Seed[]>()
    for (const s of seeds) byFormat.set(s.format, [...(byFormat.get(s.format) ?? []), s])
    expect([...byFormat.keys()].sort()).toEqual(
      [
        'envi',
        'fits',
        'gguf',
        'hdf5',
        'mat',
        'netcdf3',
        'nifti',
        'npy',
        'npz',
        'nrrd',
        'onnx',
        'pytorch',
        'safetensors',
        'tiff',
        'zarr'
      ].sort()
    )
    const jobs: Job[] = []
    const dir = path.join(tmp.dir, 'mutants')
    fs.mkdirSync(dir)
    for (const [format, list] of byFormat) {
      for (let k = 0; k < PER_FORMAT; k++) {
        const seed = list[k % list.length]!
        const bytes = fs.readFileSync(seed.file)
        // a mutant keeps its seed's name, which some formats are detected by; ENVI keeps its data file beside it
        const sub = path.join(dir, `${format}-${k}`)
        fs.mkdirSync(sub)
        const file = path.join(sub, path.basename(seed.file))
        fs.writeFileSync(file, mutate(bytes, rand))
        if (format === 'envi') fs.copyFileSync(seed.file.replace(/\.hdr$/, '.img'), file.replace(/\.hdr$/, '.img'))
        jobs.push({ file, seed: seed.file, format, arrays: seed.arrays })
      }
    }
    const jobsFile = path.join(tmp.dir, 'jobs.json')
    fs.writeFileSync(jobsFile, JSON.stringify(jobs))
    const { failures, ran, shown } = await runJobs(jobs, jobsFile)
    console.log(`${ran} mutants ran to their end (of ${jobs.length}); ${shown} show/stats commands succeeded`)
    if (failures.length) {
      fs.mkdirSync(SAVED, { recursive: true })
      for (const f of failures) {
        const name = `${path.basename(path.dirname(f.job.file))}-${path.basename(f.job.file)}`
        fs.copyFileSync(f.job.file, path.join(SAVED, name))
        fs.writeFileSync(path.join(SAVED, `${name}.txt`), `seed file: ${f.job.seed}\n${f.why}\n`)
      }
    }
    // the mutants ran: most to their end, and many of them still showed values
    expect(ran + failures.length).toBeGreaterThanOrEqual(jobs.length)
    expect(shown).toBeGreaterThan(jobs.length / 4)
    expect(
      failures.map((f) => `${path.join(SAVED, path.basename(path.dirname(f.job.file)))}-…: ${f.why.slice(0, 300)}`)
    ).toEqual([])
  }, 1_500_000)
})
