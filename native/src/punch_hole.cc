// punchHole(fd, offset, length) -> boolean: gives the file system back a byte range of a file JS opened for
// writing (platform.h PunchHole). A remote object streamed through a private copy larger than the disk may
// hold lets go of what its pass has read (src/main/service/remote-stream.ts). False: not possible here, and
// nothing changed.
#include <napi.h>

#include <cstdint>

#include "coded_error.h"
#include "platform.h"

namespace arrayscope {

Napi::Value PunchHoleJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber())
    ThrowCoded(env, "EINVAL", "punchHole needs (fd, offset, length): three numbers");
  const int fd = info[0].As<Napi::Number>().Int32Value();
  const int64_t offset = info[1].As<Napi::Number>().Int64Value();
  const int64_t length = info[2].As<Napi::Number>().Int64Value();
  return Napi::Boolean::New(env, PunchHole(fd, offset, length));
}

}  // namespace arrayscope
