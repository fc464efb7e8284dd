#pragma once
#include <napi.h>

namespace arrayscope {
// parseText(spec) → {promise, cancel(), status()}: one pass over a text array into its binary copy.
Napi::Value ParseText(const Napi::CallbackInfo& info);
// parseTextSync(spec) → the result with the values in memory (a bounded part: maxValues).
Napi::Value ParseTextSync(const Napi::CallbackInfo& info);
}  // namespace arrayscope
