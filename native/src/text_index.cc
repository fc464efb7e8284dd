// The Node-API surface of the text parser (text_parse.cc): parseText runs one pass over a text file on its
// own thread (niced like the scan workers), writing the values into the copy JS created and recording a
// sparse index; JS polls status() for progress and for how far the copy is written, and cancel() stops it
// within one 4 MiB read. parseTextSync parses a bounded part (a window's rows, a preview) into memory on the
// calling thread.
#include "text_index.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "coded_error.h"
#include "pass.h"
#include "text_parse.h"

namespace arrayscope {
namespace {

TextElem ParseTextElem(Napi::Env env, const std::string& e) {
  static const char* names[] = {"b1", "i1", "u1", "i2", "u2", "i4", "u4",
                                "i8", "u8", "f2", "f4", "f8", "c8", "c16"};
  for (int k = 0; k < 14; k++) {
    if (e == names[k]) return static_cast<TextElem>(k);
  }
  ThrowCoded(env, "EINVAL", "text values cannot be of type '" + e + "'");
}

int64_t Int(Napi::Object o, const char* key, int64_t fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int64Value() : fallback;
}

TextSpec ParseSpec(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowCoded(env, "EINVAL", "parseText needs a spec object");
  Napi::Object o = info[0].As<Napi::Object>();
  TextSpec s;
  s.path = o.Get("path").ToString().Utf8Value();
  Napi::Value out = o.Get("out");
  s.out = out.IsString() ? out.As<Napi::String>().Utf8Value() : "";
  s.elem = ParseTextElem(env, o.Get("elem").ToString().Utf8Value());
  s.swap = o.Get("swap").ToBoolean().Value();
  s.sep = o.Get("sep").ToString().Utf8Value();
  if (s.sep.empty()) ThrowCoded(env, "EINVAL", "a text separator cannot be empty (that is a binary file)");
  s.table = o.Get("table").ToBoolean().Value();
  s.skip = Int(o, "skip", 0);
  Napi::Value comments = o.Get("comments");
  s.comments = comments.IsString() ? comments.As<Napi::String>().Utf8Value() : "";
  s.every = std::max<int64_t>(1, Int(o, "every", 65536));
  s.maxValues = Int(o, "maxValues", -1);
  s.start = std::max<int64_t>(0, Int(o, "start", 0));
  s.outOffset = std::max<int64_t>(0, Int(o, "outOffset", 0));
  s.startLine = std::max<int64_t>(1, Int(o, "startLine", 1));
  if (s.skip < 0) ThrowCoded(env, "EINVAL", "skip must be ≥ 0");
  return s;
}

Napi::Object ResultToJs(Napi::Env env, const TextResult& r, int64_t bytes) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("count", Napi::Number::New(env, static_cast<double>(r.count)));
  o.Set("rows", Napi::Number::New(env, static_cast<double>(r.rows)));
  o.Set("cols", Napi::Number::New(env, static_cast<double>(r.cols)));
  o.Set("lines", Napi::Number::New(env, static_cast<double>(r.lines)));
  o.Set("bytesRead", Napi::Number::New(env, static_cast<double>(bytes)));
  Napi::Float64Array index = Napi::Float64Array::New(env, r.index.size() * 3);
  for (size_t k = 0; k < r.index.size(); k++) {
    index[3 * k] = static_cast<double>(r.index[k].value);
    index[3 * k + 1] = static_cast<double>(r.index[k].offset);
    index[3 * k + 2] = static_cast<double>(r.index[k].line);
  }
  o.Set("index", index);
  // the values parsed into memory (parseTextSync); empty when they went to the copy
  Napi::Uint8Array values = Napi::Uint8Array::New(env, r.bytes.size());
  if (!r.bytes.empty()) std::memcpy(values.Data(), r.bytes.data(), r.bytes.size());
  o.Set("values", values);
  return o;
}

Napi::Error CodedError(Napi::Env env, const TextResult& r) {
  Napi::Error e = Napi::Error::New(env, r.message);
  e.Set("code", Napi::String::New(env, r.code));
  return e;
}

struct Job {
  TextSpec spec;
  std::shared_ptr<TextStatus> status = std::make_shared<TextStatus>();
  TextResult result;
  std::thread thread;
  Napi::Promise::Deferred deferred;
  explicit Job(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
};

}  // namespace

Napi::Value ParseText(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* job = new Job(env);
  try {
    job->spec = ParseSpec(info);
  } catch (...) {
    delete job;
    throw;
  }
  std::shared_ptr<TextStatus> status = job->status;
  Napi::Function noop = Napi::Function::New(env, [](const Napi::CallbackInfo&) {});
  // the finalizer runs on the main thread once the worker released the function: it settles the promise
  auto tsfn =
      Napi::ThreadSafeFunction::New(env, noop, "arrayscope:text", 0, 1, job, [](Napi::Env env, Job* j) {
        if (j->thread.joinable()) j->thread.join();
        if (j->result.code.empty())
          j->deferred.Resolve(ResultToJs(env, j->result, j->status->bytes.load()));
        else
          j->deferred.Reject(CodedError(env, j->result).Value());
        delete j;
      });
  Napi::Promise promise = job->deferred.Promise();
  job->thread = std::thread([job, tsfn]() mutable {
    BackgroundPriority();
    job->result = ParseTextFile(job->spec, *job->status);
    tsfn.Release();
  });
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("promise", promise);
  handle.Set("cancel",
             Napi::Function::New(env, [status](const Napi::CallbackInfo&) { status->cancel = true; }));
  handle.Set("status", Napi::Function::New(env, [status](const Napi::CallbackInfo& i) {
               Napi::Object o = Napi::Object::New(i.Env());
               const int64_t bytes = status->bytes.load();
               o.Set("bytes", Napi::Number::New(i.Env(), static_cast<double>(bytes)));
               o.Set("written", Napi::Number::New(i.Env(), static_cast<double>(status->written.load())));
               o.Set("rows", Napi::Number::New(i.Env(), static_cast<double>(status->rows.load())));
               o.Set("cols", Napi::Number::New(i.Env(), static_cast<double>(status->cols.load())));
               return o;
             }));
  return handle;
}

Napi::Value ParseTextSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TextSpec spec = ParseSpec(info);
  spec.out.clear();
  TextStatus status;
  TextResult r = ParseTextFile(spec, status);
  if (!r.code.empty()) throw CodedError(env, r);
  return ResultToJs(env, r, status.bytes.load());
}

}  // namespace arrayscope
