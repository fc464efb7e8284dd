#include "scan_worker.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace arrayscope {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

ScanResult RunJob(const MapInfo& map, ScanState& state, const ScanJob& job, int threads) {
  return std::visit(
      Overloaded{
          [&](const StatsSpec& s) -> ScanResult { return RunStats(map, state, s, threads); },
          [&](const HistSpec& s) -> ScanResult { return RunHistogram(map, state, s, threads); },
          [&](const BucketsSpec& s) -> ScanResult { return RunBuckets(map, state, s, threads); },
          [&](const BlocksSpec& s) -> ScanResult { return RunBlocks(map, state, s, threads); },
          [&](const FindSpec& s) -> ScanResult { return RunFind(map, state, s, threads); },
          [&](const DiffSpec& s) -> ScanResult { return RunDiff(map, state, s, threads); },
          [&](const TileSpec& s) -> ScanResult { return RunTile(map, state, s, threads); },
          [&](const ConditionSpec& s) -> ScanResult { return RunCondition(map, state, s, threads); },
          [&](const ProfileSpec& s) -> ScanResult { return RunProfile(map, state, s, threads); },
      },
      job);
}

class ScanWorker : public Napi::AsyncProgressWorker<int64_t> {
 public:
  ScanWorker(Napi::Env env, const std::vector<Napi::Object>& owners, const MapInfo& map, ScanJob job,
             std::shared_ptr<ScanState> state, Napi::Function onProgress, std::function<void()> onDone)
      : Napi::AsyncProgressWorker<int64_t>(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        map_(map),
        job_(std::move(job)),
        state_(std::move(state)),
        onDone_(std::move(onDone)) {
    for (const Napi::Object& o : owners)
      owners_.push_back(Napi::Persistent(o));  // alive (and mapped) meanwhile
    if (!onProgress.IsEmpty()) progress_ = Napi::Persistent(onProgress);
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    const int threads = std::max(1, std::min<int>(8, static_cast<int>(std::thread::hardware_concurrency())));
    // progress about every 50 ms; the wait ends as soon as the kernel does (short scans settle at once)
    std::mutex mu;
    std::condition_variable cv;
    bool finished = false;
    std::thread runner([&] {
      try {
        result_ = RunJob(map_, *state_, job_, threads);
      } catch (...) {  // out of memory: an exception must not leave the thread (that would end the process)
        oom_ = true;
        state_->cancel = true;
      }
      std::lock_guard<std::mutex> lock(mu);
      finished = true;
      cv.notify_one();
    });
    {
      std::unique_lock<std::mutex> lock(mu);
      while (!cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return finished; })) {
        int64_t d = state_->done.load();
        progress.Send(&d, 1);
      }
    }
    runner.join();
  }

  void OnProgress(const int64_t* done, size_t) override {
    if (!progress_.IsEmpty()) progress_.Value().Call({Napi::Number::New(Env(), static_cast<double>(*done))});
  }

  void OnOK() override {
    Settle();
    if (oom_) return Reject("ENOMEM", "not enough memory for this scan");
    if (state_->fault)
      return Reject("ECHANGED", "file changed on disk: the file was truncated during the scan; reopen it");
    if (state_->cancel) return Reject("ECANCELLED", "the scan was cancelled");
    deferred_.Resolve(ResultToJs(Env(), job_, result_));
  }

  void OnError(const Napi::Error& e) override {
    Settle();
    deferred_.Reject(e.Value());
  }

 private:
  void Settle() {
    if (onDone_) onDone_();
    onDone_ = nullptr;
    for (auto& o : owners_) o.Reset();
  }
  void Reject(const char* code, const std::string& message) {
    Napi::Error e = Napi::Error::New(Env(), message);
    e.Set("code", Napi::String::New(Env(), code));
    deferred_.Reject(e.Value());
  }
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> owners_;
  Napi::FunctionReference progress_;
  MapInfo map_;
  ScanJob job_;
  std::shared_ptr<ScanState> state_;
  std::function<void()> onDone_;
  ScanResult result_;
  bool oom_ = false;
};

}  // namespace

Napi::Value LaunchScan(Napi::Env env, const std::vector<Napi::Object>& owners, const MapInfo& map,
                       ScanJob job, std::shared_ptr<ScanState> state, Napi::Function onProgress,
                       std::function<void()> onDone) {
  auto* worker = new ScanWorker(env, owners, map, std::move(job), state, onProgress, std::move(onDone));
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("promise", worker->Promise());
  handle.Set("cancel", Napi::Function::New(env, [state](const Napi::CallbackInfo& ci) {
               state->cancel = true;
               return ci.Env().Undefined();
             }));
  worker->Queue();
  return handle;
}

}  // namespace arrayscope
