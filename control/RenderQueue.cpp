#include "RenderQueue.hpp"

#include <glib/gstdio.h>

#include "Json.hpp"

namespace carrel::control {

struct RenderQueue::Job {
  std::string id;
  std::string folder;
  GObjectPtr<GSubprocess> process;
  GObjectPtr<GDataInputStream> out;
  GObjectPtr<GCancellable> cancel;
  bool reported = false;
  bool outputDone = false;
  bool exited = false;
  std::string lastError;
};

RenderQueue::RenderQueue(std::string binary, std::vector<std::string> extraArgs, int parallel,
                         Callbacks callbacks)
    : binary_(std::move(binary)),
      extraArgs_(std::move(extraArgs)),
      parallel_(parallel < 1 ? 1 : parallel),
      cb_(std::move(callbacks)) {}

RenderQueue::~RenderQueue() {
  // Renders in progress are stopped by their PID: a half-written .part is all they leave, and
  // the recording stays queued/rendering in the catalog so the next start runs it again.
  for (const auto& j : jobs_) {
    g_cancellable_cancel(j->cancel.get());
    if (j->process && !j->exited) g_subprocess_force_exit(j->process.get());
  }
}

bool RenderQueue::busy(const std::string& id) const {
  for (const auto& j : jobs_) {
    if (j->id == id) return true;
  }
  for (const auto& w : waiting_) {
    if (w.first == id) return true;
  }
  return false;
}

bool RenderQueue::enqueue(const std::string& id, const std::string& folder) {
  if (busy(id)) return false;
  waiting_.emplace_back(id, folder);
  next();
  return true;
}

void RenderQueue::next() {
  while (static_cast<int>(jobs_.size()) < parallel_ && !waiting_.empty()) {
    auto [id, folder] = waiting_.front();
    waiting_.pop_front();
    auto job = std::make_shared<Job>();
    job->id = id;
    job->folder = folder;
    job->cancel.reset(g_cancellable_new());
    std::vector<const gchar*> argv{binary_.c_str(), "--json"};
    for (const auto& a : extraArgs_) argv.push_back(a.c_str());
    argv.push_back(folder.c_str());
    argv.push_back(nullptr);
    GError* raw = nullptr;
    GSubprocess* p = g_subprocess_newv(argv.data(), G_SUBPROCESS_FLAGS_STDOUT_PIPE, &raw);
    GErrorPtr err(raw);
    if (!p) {
      if (cb_.finished)
        cb_.finished(id, false, 0, "cannot run " + binary_ + ": " + (err ? err->message : "?"));
      continue;
    }
    job->process.reset(p);
    job->out.reset(g_data_input_stream_new(g_subprocess_get_stdout_pipe(p)));
    jobs_.insert(job);
    if (cb_.started) cb_.started(id);
    readLine(job);
    auto* ctx = new std::pair<RenderQueue*, std::shared_ptr<Job>>(this, job);
    g_subprocess_wait_async(
        p, job->cancel.get(),
        [](GObject*, GAsyncResult*, gpointer d) {
          std::unique_ptr<std::pair<RenderQueue*, std::shared_ptr<Job>>> c(
              static_cast<std::pair<RenderQueue*, std::shared_ptr<Job>>*>(d));
          if (g_cancellable_is_cancelled(c->second->cancel.get())) return;
          c->second->exited = true;
          c->first->onExit(c->second);
        },
        ctx);
  }
}

void RenderQueue::readLine(const std::shared_ptr<Job>& job) {
  auto* ctx = new std::pair<RenderQueue*, std::shared_ptr<Job>>(this, job);
  g_data_input_stream_read_line_async(
      job->out.get(), G_PRIORITY_DEFAULT, job->cancel.get(),
      [](GObject* src, GAsyncResult* res, gpointer d) {
        std::unique_ptr<std::pair<RenderQueue*, std::shared_ptr<Job>>> c(
            static_cast<std::pair<RenderQueue*, std::shared_ptr<Job>>*>(d));
        gsize len = 0;
        GError* raw = nullptr;
        char* line =
            g_data_input_stream_read_line_finish(G_DATA_INPUT_STREAM(src), res, &len, &raw);
        GErrorPtr err(raw);
        if (g_cancellable_is_cancelled(c->second->cancel.get())) {
          g_free(line);
          return;
        }
        if (!line) {
          c->second->outputDone = true;
          c->first->onExit(c->second);
          return;
        }
        std::string text(line, len);
        g_free(line);
        c->first->onLine(c->second, text);
        c->first->readLine(c->second);
      },
      ctx);
}

void RenderQueue::onLine(const std::shared_ptr<Job>& job, const std::string& line) {
  std::string why;
  JsonObjectPtr o = json::parseObject(line, &why);
  if (!o) return;
  std::string event = json::getString(o.get(), "event").value_or("");
  if (event == "progress" && cb_.progress) {
    JsonNode* eta = json_object_get_member(o.get(), "eta_s");
    std::optional<double> etaS;
    if (eta && JSON_NODE_HOLDS_VALUE(eta)) etaS = json_node_get_double(eta);
    double percent = json_object_has_member(o.get(), "percent")
                         ? json_object_get_double_member(o.get(), "percent")
                         : 0;
    cb_.progress(job->id, percent, etaS);
  } else if (event == "error") {
    job->lastError = json::getString(o.get(), "message").value_or("render failed");
  }
}

void RenderQueue::onExit(const std::shared_ptr<Job>& job) {
  // Finished when both the output is read to its end and the process has exited.
  if (job->reported || !job->outputDone || !job->exited) return;
  job->reported = true;
  bool ok = g_subprocess_get_successful(job->process.get());
  int64_t bytes = 0;
  std::string error = job->lastError;
  if (ok) {
    GStatBuf st;
    std::string file = job->folder + "/render.webm";
    if (g_stat(file.c_str(), &st) == 0) bytes = static_cast<int64_t>(st.st_size);
  } else if (error.empty()) {
    error = "carrel-render exited with status " +
            std::to_string(g_subprocess_get_exit_status(job->process.get()));
  }
  jobs_.erase(job);
  if (cb_.finished) cb_.finished(job->id, ok, bytes, error);
  next();
}

}  // namespace carrel::control
