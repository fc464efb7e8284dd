// What an HDF5 file is, to people: plain HDF5, or a NetCDF-4 or MATLAB v7.3 file (both HDF5 inside, told apart
// by their attributes and user block). The registry derives the app's labels and messages from these.
import { mincRecipe } from '../minc'
import type { FormatDescriptor } from '../model'

export const HDF5_FORMATS = {
  hdf5: {
    label: 'HDF5',
    description: 'an HDF5 file',
    singleArray: false,
    extensions: ['.h5', '.hdf5', '.he5'],
    reader: 'h5py',
    recipe: (r) => mincRecipe(r) ?? `import h5py\na = h5py.File(${r.file}, 'r')[${r.name}]  # a[...] reads the values`
  },
  netcdf4: {
    label: 'NetCDF-4',
    description: 'a NetCDF-4 file',
    singleArray: false,
    extensions: ['.nc', '.nc4'],
    reader: 'netCDF4',
    recipe: (r) =>
      `import netCDF4\nv = netCDF4.Dataset(${r.file})[${r.name}]\nv.set_auto_maskandscale(${r.stored ? 'False' : 'True'})\na = v[:]`
  },
  mat73: {
    label: 'MATLAB v7.3',
    description: 'a MATLAB v7.3 file',
    singleArray: false,
    extensions: ['.mat'],
    reader: 'h5py',
    recipe: (r) => `import h5py\na = h5py.File(${r.file}, 'r')[${r.name}][()].T  # MATLAB's dims`
  }
} satisfies Record<string, FormatDescriptor>
