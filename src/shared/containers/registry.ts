// The registry of container formats: the one list of format modules, in detection order. Everything else that
// names formats derives from it — the ContainerFormat union, the sidebar's labels, the open form's descriptions,
// the lists in the CLI's and the service's messages, whether a file holds one array. Adding a format is its
// module plus one line here (and its Copy-as-code recipe, which the renderer's recipe table requires by type).
import { envi } from './envi'
import { fits } from './fits'
import { gguf } from './gguf'
import { hdf5 } from './hdf5'
import { mat5 } from './mat5'
import type { FormatDescriptor, FormatModule } from './model'
import { netcdf3 } from './netcdf3'
import { nifti } from './nifti'
import { npz } from './npz'
import { onnx } from './onnx'
import { nrrd } from './nrrd'
import { pytorch } from './pytorch'
import { pytorchIndex } from './pytorch-index'
import { safetensors } from './safetensors'
import { safetensorsIndex } from './safetensors-index'
import { tiff } from './tiff'
import { zarr } from './zarr'

/**
 * Checked in this order: magic numbers first, the JSON index (text) last. Zarr is a folder: the Node side hands
 * its metadata document (zarr.json, .zmetadata, .zgroup, .zarray) to detection, named as it is.
 */
export const FORMATS = [
  gguf,
  pytorch,
  // a ZIP archive holding a Zarr store is Zarr's before it is an .npz
  zarr,
  npz,
  hdf5,
  fits,
  nifti,
  nrrd,
  envi,
  netcdf3,
  tiff,
  mat5,
  safetensors,
  onnx,
  pytorchIndex,
  safetensorsIndex
] as const satisfies readonly FormatModule[]

/** One of the registered modules (detectFormat's answer). */
export type RegisteredFormatModule = (typeof FORMATS)[number]

type FormatsOf<M> = M extends FormatModule<infer F> ? F : never

/** Every format a container can have: the keys of the modules' descriptors. */
export type ContainerFormat = FormatsOf<(typeof FORMATS)[number]>

/** Each format's descriptor (label, description, single array, extensions, reference reader). */
export const FORMAT_DESCRIPTORS: Readonly<Record<ContainerFormat, FormatDescriptor>> = Object.assign(
  {},
  ...FORMATS.map((m) => m.formats)
) as Record<ContainerFormat, FormatDescriptor>

/** Whether a file of this format holds one array (NIfTI, NRRD, ENVI): it opens without --array. */
export function holdsOneArray(format: ContainerFormat): boolean {
  return FORMAT_DESCRIPTORS[format].singleArray
}

/**
 * The formats for messages, one name per module ('GGUF, .npz, HDF5, …'): a module's other formats (NetCDF-4 and
 * MATLAB v7.3 inside HDF5) are files of its kind.
 */
export function formatList(): string {
  return FORMATS.map((m) => FORMAT_DESCRIPTORS[m.format].label).join(', ')
}
