// Python for the MATLAB tests: loadmat's result walked to the arrays inside cells, structs and objects, named as
// ArrayScope lists them (MATLAB's indexing: `c{1,2}`, `s.x`, `s(1,2).x`), each as `show --json` prints it.
import { JS_PY } from './formats'

/** Python: leaves(path, v, out) fills out[path] = {dtype, shape, values} (or kind: 'function' | 'opaque'). */
export const LEAVES_PY = `
import scipy.sparse
from scipy.io.matlab import MatlabFunction, MatlabOpaque
${JS_PY}
def leaves(path, v, out):
    if v is None:  # a struct with no fields
        return
    if scipy.sparse.issparse(v):
        v = v.toarray()  # a sparse matrix shows dense, as .toarray() gives it
    if isinstance(v, (MatlabFunction, MatlabOpaque)):
        out[path] = {'dtype': v.dtype.str, 'shape': list(v.shape),
                     'kind': 'function' if isinstance(v, MatlabFunction) else 'opaque'}
        return
    v = np.asarray(v)
    at = lambda k: np.unravel_index(k, v.shape, order='F')
    sub = lambda k: ','.join(str(i + 1) for i in at(k))
    if v.dtype.kind == 'O':
        for k in range(v.size):
            leaves('%s{%s}' % (path, sub(k)), v[at(k)], out)
    elif v.dtype.names and any(v.dtype.fields[n][0].kind == 'O' for n in v.dtype.names):
        for k in range(v.size):
            p = path if v.size == 1 else '%s(%s)' % (path, sub(k))
            for n in v.dtype.names:
                leaves('%s.%s' % (p, n), v[at(k)][n], out)
    else:
        out[path] = {'dtype': v.dtype.str, 'shape': list(v.shape), 'values': js(v)}
`
