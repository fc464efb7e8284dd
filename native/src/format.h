// numpy's tofile(sep=…, format=…) text for a run of elements, formatted natively (see index.d.ts).
#pragma once
#include <napi.h>

namespace arrayscope {

// formatText(bytes, spec) -> Uint8Array of UTF-8 text.
Napi::Value FormatText(const Napi::CallbackInfo& info);

}  // namespace arrayscope
