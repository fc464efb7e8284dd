// A chunk file (a Zarr folder store's chunk object) read, decoded (blosc, or stored as is) and its runs
// written into a temporary copy in one native call, on libuv's pool for the async form (chunk_file.cc).
#pragma once
#include <napi.h>

namespace arrayscope {

// fillChunkFile(path, dst, codec, size, runs) → the bytes written (all-zero runs are left out);
// fillChunkFileAsync(..., range?, background?) → Promise of it: on libuv's pool, or with background true on
// the addon's own threads (background_pool.h), niced while a window's chunk is decoded (yieldBackground).
Napi::Value FillChunkFile(const Napi::CallbackInfo& info);
Napi::Value FillChunkFileAsync(const Napi::CallbackInfo& info);

}  // namespace arrayscope
