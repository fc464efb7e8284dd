#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace arrayscope {
// unshuffle(src, dst, size) and unshuffleAsync(src, dst, size) → Promise: the HDF5 shuffle filter undone.
// The transpose itself (also a step of chunk_decode.cc): src and dst len bytes, elements of size bytes.
void UnshuffleBytes(const uint8_t* src, uint8_t* dst, size_t len, size_t size);
Napi::Value Unshuffle(const Napi::CallbackInfo& info);
Napi::Value UnshuffleAsync(const Napi::CallbackInfo& info);
}  // namespace arrayscope
