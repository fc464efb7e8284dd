// Blosc frames (Zarr's blosc compressor: blosclz, lz4, lz4hc, snappy, zlib, zstd inside; shuffle none, byte
// or bit) decompressed by c-blosc, linked statically (scripts/find-blosc.js), on libuv's pool for the async
// form.
#pragma once
#include <napi.h>

namespace arrayscope {

// bloscDecompress(input, output) → the bytes written (output's length); bloscDecompressAsync(...) → Promise
// of it.
Napi::Value BloscDecompress(const Napi::CallbackInfo& info);
Napi::Value BloscDecompressAsync(const Napi::CallbackInfo& info);
// The c-blosc version the addon was built with, or null (then both functions throw NO_BLOSC).
Napi::Value BloscVersion(Napi::Env env);

}  // namespace arrayscope
