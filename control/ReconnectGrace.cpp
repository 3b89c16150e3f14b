#include "ReconnectGrace.hpp"

namespace carrel::control {

ReconnectGrace::ReconnectGrace(guint graceMs, ExpireFn onExpire)
    : graceMs_(graceMs), onExpire_(std::move(onExpire)) {}

ReconnectGrace::~ReconnectGrace() {
  for (auto& [token, h] : held_) {
    if (h.timer) g_source_remove(h.timer);
  }
}

void ReconnectGrace::hold(const std::shared_ptr<ClientSession>& s) {
  struct Tick {
    std::weak_ptr<int> alive;
    ReconnectGrace* self;
    std::string token;
  };
  const std::string& token = s->resumeToken();
  guint id = g_timeout_add_full(
      G_PRIORITY_DEFAULT, graceMs_,
      [](gpointer p) -> gboolean {
        auto* t = static_cast<Tick*>(p);
        if (t->alive.lock()) t->self->expire(t->token);
        return G_SOURCE_REMOVE;
      },
      new Tick{alive_, this, token}, [](gpointer p) { delete static_cast<Tick*>(p); });
  held_[token] = Held{s, id};
}

void ReconnectGrace::expire(const std::string& token) {
  auto it = held_.find(token);
  if (it == held_.end()) return;
  auto s = it->second.session;
  held_.erase(it);  // the timer source is finishing: not removed again
  if (onExpire_) onExpire_(s);
}

std::shared_ptr<ClientSession> ReconnectGrace::take(const std::string& resumeToken,
                                                    int64_t userId) {
  auto it = held_.find(resumeToken);
  if (it == held_.end() || it->second.session->userId() != userId) return nullptr;
  auto s = it->second.session;
  g_source_remove(it->second.timer);
  held_.erase(it);
  return s;
}

std::shared_ptr<ClientSession> ReconnectGrace::drop(const std::string& participant) {
  for (auto it = held_.begin(); it != held_.end(); ++it) {
    if (it->second.session->participant() != participant) continue;
    auto s = it->second.session;
    g_source_remove(it->second.timer);
    held_.erase(it);
    return s;
  }
  return nullptr;
}

std::vector<std::shared_ptr<ClientSession>> ReconnectGrace::takeAll() {
  std::vector<std::shared_ptr<ClientSession>> out;
  for (auto& [token, h] : held_) {
    g_source_remove(h.timer);
    out.push_back(h.session);
  }
  held_.clear();
  return out;
}

}  // namespace carrel::control
