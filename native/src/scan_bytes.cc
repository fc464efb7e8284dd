// scanBytes(spec, onProgress?) -> {promise, cancel()}: a stats or histogram pass over the bytes of a JS
// Uint8Array (spec.bytes) instead of a mapping. A streamed remote scan has its sockets read straight into
// such arrays (the bytes the kernels scan): the addon may not hand mapped memory to JS (Electron forbids
// external array buffers), so the memory is JS's and the pass comes to it. The array is kept alive while the
// pass runs; JS must not write into it until the promise has settled.
#include <string>

#include "coded_error.h"
#include "scan.h"

namespace arrayscope {

Napi::Value ScanBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "scanBytes needs a spec with bytes: a Uint8Array, and op 'stats' or 'histogram'";
  if (info.Length() < 1 || !info[0].IsObject()) ThrowCoded(env, "EINVAL", usage);
  Napi::Object spec = info[0].As<Napi::Object>();
  Napi::Value bytes = spec.Get("bytes");
  if (!bytes.IsTypedArray() || bytes.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    ThrowCoded(env, "EINVAL", usage);
  // only the passes that read every byte in order and need no file under them (no holes, no find, no diff)
  const Napi::Value op = spec.Get("op");
  const std::string name = op.IsString() ? op.As<Napi::String>().Utf8Value() : "";
  if (name != "stats" && name != "histogram")
    ThrowCoded(env, "EINVAL", "scanBytes runs op 'stats' or 'histogram', not '" + name + "'");
  Napi::Uint8Array array = bytes.As<Napi::Uint8Array>();
  // the address from the typed array itself (napi_get_arraybuffer_info refuses a SharedArrayBuffer's)
  void* data = nullptr;
  size_t length = 0;
  if (napi_get_typedarray_info(env, array, nullptr, &length, &data, nullptr, nullptr) != napi_ok)
    ThrowCoded(env, "EINVAL", usage);
  MapInfo map;
  map.data = static_cast<const uint8_t*>(data);
  map.size = static_cast<int64_t>(length);
  map.fd = -1;  // no file: nothing to ask about holes or size
  map.readOnly = false;
  std::vector<Napi::Object> owners{array};  // alive while the pass reads it
  return StartScan(info, map, map, owners, std::make_shared<ScanState>(), [] {});
}

}  // namespace arrayscope
