# The reference side of test/corpus.test.ts: walks the test data shipped inside the installed reference
# libraries and saves every array each library reads from it (its own reader, default options) as .npy files in
# OUT, with a manifest (OUT/manifest.json) naming file, library, array name, dtype, shape and the .npy path.
# Files or arrays the library itself refuses are noted (they do not count). Run once per test run: one process.
import json, os, sys, warnings
import numpy as np

warnings.simplefilter('ignore')
OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
manifest = []
counter = [0]


def save(a):
    counter[0] += 1
    p = os.path.join(OUT, '%d.npy' % counter[0])
    np.save(p, np.ascontiguousarray(a) if a.dtype.kind != 'O' else a, allow_pickle=False)
    return p


def entry(lib, fn):
    e = {'lib': lib, 'file': fn, 'arrays': [], 'refused': None}
    manifest.append(e)
    return e


def add(e, name, a, why=None):
    """An array the library read: its values saved, or (why) the reason it is no plain array."""
    a = np.asarray(a)
    r = {'name': name, 'dtype': a.dtype.str, 'shape': list(a.shape)}
    if why is not None or a.dtype.kind == 'O' or (a.dtype.names and any(
            a.dtype.fields[n][0].kind == 'O' for n in a.dtype.names)):
        r['kind'] = why or ('cell' if a.dtype.kind == 'O' else 'struct')
    else:
        r['npy'] = save(a)
    e['arrays'].append(r)


def files(d, exts):
    out = []
    for root, _, names in os.walk(d):
        for n in sorted(names):
            if n.endswith(exts):
                out.append(os.path.join(root, n))
    return sorted(out)


def fits_files(d):
    from astropy.io import fits
    for fn in files(d, ('.fits', '.fits.gz', '.fits.Z', '.fits.fz')):
        e = entry('astropy', fn)
        try:
            hl = fits.open(fn, memmap=False)
        except Exception as x:
            e['refused'] = str(x)
            continue
        for i, h in enumerate(hl):
            try:
                data = h.data
            except Exception as x:
                e['arrays'].append({'name': str(i), 'refused': str(x)})
                continue
            if data is None:
                continue
            if isinstance(h, fits.TableHDU):
                # an ASCII table's records are text: its numbers as astropy parses them (data[name]), which is
                # what ArrayScope shows
                cols = [data[n] for n in data.dtype.names]
                add(e, str(i), np.rec.fromarrays(cols, names=list(data.dtype.names)).view(np.ndarray))
            elif isinstance(data, fits.FITS_rec):
                # a table as astropy holds its rows: the stored records (columns converted on access)
                add(e, str(i), data.view(np.ndarray))
            else:
                add(e, str(i), data)


def mat_leaves(e, path, v):
    """loadmat's arrays, cells and structs walked to the arrays inside, named as MATLAB indexes them (c{1,2},
    s.x, s(1,2).x), as ArrayScope lists them."""
    import scipy.sparse
    from scipy.io.matlab import MatlabFunction, MatlabOpaque
    if v is None:
        return
    if scipy.sparse.issparse(v):
        v = v.toarray()
    if isinstance(v, MatlabFunction):
        return add(e, path, v, 'function')
    if isinstance(v, MatlabOpaque):
        return add(e, path, v, 'opaque')
    v = np.asarray(v)
    sub = lambda k: ','.join(str(i + 1) for i in np.unravel_index(k, v.shape, order='F'))
    if v.dtype.kind == 'O':
        for k in range(v.size):
            mat_leaves(e, '%s{%s}' % (path, sub(k)), v[np.unravel_index(k, v.shape, order='F')])
    elif v.dtype.names and any(v.dtype.fields[n][0].kind == 'O' for n in v.dtype.names):
        for k in range(v.size):
            p = path if v.size == 1 else '%s(%s)' % (path, sub(k))
            for n in v.dtype.names:
                mat_leaves(e, '%s.%s' % (p, n), v[np.unravel_index(k, v.shape, order='F')][n])
    else:
        add(e, path, v)


def mat_files(d):
    from scipy.io import loadmat
    for fn in files(d, ('.mat',)):
        e = entry('scipy.io.loadmat', fn)
        try:
            m = loadmat(fn)
        except Exception as x:
            e['refused'] = str(x) or type(x).__name__
            continue
        for k, v in m.items():
            if k.startswith('__') and k != '__function_workspace__':
                continue
            mat_leaves(e, k, v)


def nc_files(d):
    from scipy.io import netcdf_file
    for fn in files(d, ('.nc',)):
        e = entry('scipy.io.netcdf_file', fn)
        try:
            f = netcdf_file(fn, mmap=False)
        except Exception as x:
            e['refused'] = str(x)
            continue
        for k, v in f.variables.items():
            add(e, k, v.data)


def npy_files(d):
    for fn in files(d, ('.npy', '.npz')):
        e = entry('numpy.load', fn)
        try:
            z = np.load(fn)
            if isinstance(z, np.ndarray):
                add(e, '', z)
            else:
                for k in z.files:
                    try:
                        add(e, k, z[k])
                    except Exception as x:
                        e['arrays'].append({'name': k, 'refused': str(x)})
        except Exception as x:
            e['refused'] = str(x)


def nib_files(d):
    import nibabel
    for fn in files(d, ('.nii', '.nii.gz', '.hdr', '.img', '.img.gz', '.mnc')):
        e = entry('nibabel', fn)
        try:
            img = nibabel.load(fn)
            a = np.asanyarray(img.dataobj)
        except Exception as x:
            e['refused'] = str(x) or type(x).__name__
            continue
        e['format'] = type(img).__name__
        add(e, '', a)


def root(mod, *sub):
    m = __import__(mod)
    for s in mod.split('.')[1:]:
        m = getattr(m, s)
    return os.path.join(os.path.dirname(m.__file__), *sub)


import astropy.io.fits, scipy.io.matlab, nibabel  # noqa: E401
fits_files(root('astropy.io.fits', 'tests', 'data'))
mat_files(root('scipy.io.matlab', 'tests', 'data'))
nc_files(root('scipy.io', 'tests', 'data'))
npy_files(root('numpy', 'lib', 'tests', 'data'))
nib_files(root('nibabel', 'tests', 'data'))
json.dump(manifest, open(os.path.join(OUT, 'manifest.json'), 'w'))
