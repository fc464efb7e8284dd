#pragma once
#include <napi.h>

namespace arrayscope {
// unshuffle(src, dst, size) and unshuffleAsync(src, dst, size) → Promise: the HDF5 shuffle filter undone.
Napi::Value Unshuffle(const Napi::CallbackInfo& info);
Napi::Value UnshuffleAsync(const Napi::CallbackInfo& info);
}  // namespace arrayscope
