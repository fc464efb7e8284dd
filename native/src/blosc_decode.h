// Blosc frames (Zarr's blosc compressor: blosclz, lz4, lz4hc, snappy, zlib, zstd inside; shuffle none, byte
// or bit) decompressed by c-blosc, linked statically (scripts/find-blosc.js), on libuv's pool for the async
// form.
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace arrayscope {

// Why a frame does not decode: code ('BAD_DATA', or 'NO_BLOSC' for a build without c-blosc) and the words.
struct BloscFailure {
  const char* code = "BAD_DATA";
  std::string message;
};

// Decodes one frame into out, which must be exactly its decoded size; false, with f filled, when it cannot (a
// damaged or lying header is refused before anything is read past the input or written past out). Any thread.
bool BloscDecode(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_len, BloscFailure* f);

// bloscDecompress(input, output) → the bytes written (output's length); bloscDecompressAsync(...) → Promise
// of it.
Napi::Value BloscDecompress(const Napi::CallbackInfo& info);
Napi::Value BloscDecompressAsync(const Napi::CallbackInfo& info);
// The c-blosc version the addon was built with, or null (then both functions throw NO_BLOSC).
Napi::Value BloscVersion(Napi::Env env);

}  // namespace arrayscope
