// scipy's own MATLAB v7.3 test file says "MATLAB 7.0" in its header text: what makes it v7.3 is the header's
// version 0x0200 (byte 124), which scipy.io.matlab.matfile_version reads. It opens as v7.3 (HDF5), with h5py's
// values in MATLAB's shape.
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli'
import { py } from './helpers/numpy'

describe("scipy's v7.3 test data", () => {
  it('is recognised by its version field and shows the values h5py reads, transposed as MATLAB shapes them', async () => {
    const ref = py<{ file: string; version: number[]; values: number[][] }>(`
import scipy, os, h5py, scipy.io as sio
f = os.path.join(os.path.dirname(scipy.__file__), 'io', 'matlab', 'tests', 'data', 'testhdf5_7.4_GLNX86.mat')
print(json.dumps({'file': f, 'version': list(sio.matlab.matfile_version(f)), 'values': h5py.File(f)['testdouble'][()].T.tolist()}))`)
    expect(ref.version).toEqual([2, 0])
    const ls = await runCli(['ls', ref.file, '--json'])
    expect(ls.code).toBe(0)
    expect(JSON.parse(ls.stdout)).toMatchObject([{ name: 'testdouble', shape: [1, 9] }])
    const show = await runCli(['show', ref.file, '--array', 'testdouble', '--json'])
    expect(JSON.parse(show.stdout)).toEqual(ref.values)
  })
})
