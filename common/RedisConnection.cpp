#include "RedisConnection.hpp"

#include <hiredis/hiredis.h>

namespace carrel {

// hiredis' own GLib adapter reads a freed context when a write error disconnects between its
// write and read steps; this source checks that the context is still alive in between.
struct RedisSourceAccess {
  struct Source {
    GSource base;
    RedisConnection* owner;
    gpointer tag;
    GIOCondition events;
  };

  static void update(Source* s) {
    if (s->tag) g_source_modify_unix_fd(&s->base, s->tag, s->events);
  }
  static void addRead(void* d) {
    auto* s = static_cast<Source*>(d);
    s->events = static_cast<GIOCondition>(s->events | G_IO_IN);
    update(s);
  }
  static void delRead(void* d) {
    auto* s = static_cast<Source*>(d);
    s->events = static_cast<GIOCondition>(s->events & ~G_IO_IN);
    update(s);
  }
  static void addWrite(void* d) {
    auto* s = static_cast<Source*>(d);
    s->events = static_cast<GIOCondition>(s->events | G_IO_OUT);
    update(s);
  }
  static void delWrite(void* d) {
    auto* s = static_cast<Source*>(d);
    s->events = static_cast<GIOCondition>(s->events & ~G_IO_OUT);
    update(s);
  }
  static void cleanup(void* d) {
    auto* s = static_cast<Source*>(d);
    s->events = static_cast<GIOCondition>(0);
    if (s->tag) {
      g_source_remove_unix_fd(&s->base, s->tag);
      s->tag = nullptr;
    }
  }
  static gboolean dispatch(GSource* base, GSourceFunc, gpointer) {
    auto* s = reinterpret_cast<Source*>(base);
    if (!s->tag) return G_SOURCE_CONTINUE;
    GIOCondition rev = g_source_query_unix_fd(base, s->tag);
    RedisConnection* owner = s->owner;
    if ((rev & (G_IO_OUT | G_IO_ERR | G_IO_HUP)) && owner->ac_) redisAsyncHandleWrite(owner->ac_);
    if ((rev & (G_IO_IN | G_IO_ERR | G_IO_HUP)) && owner->ac_ && s->tag)
      redisAsyncHandleRead(owner->ac_);
    return G_SOURCE_CONTINUE;
  }
  static GSource* create(RedisConnection* owner, redisAsyncContext* ac) {
    static GSourceFuncs funcs = {nullptr, nullptr, dispatch, nullptr, nullptr, nullptr};
    auto* s = reinterpret_cast<Source*>(g_source_new(&funcs, sizeof(Source)));
    s->owner = owner;
    s->events = static_cast<GIOCondition>(0);
    s->tag = g_source_add_unix_fd(&s->base, ac->c.fd, s->events);
    ac->ev.addRead = addRead;
    ac->ev.delRead = delRead;
    ac->ev.addWrite = addWrite;
    ac->ev.delWrite = delWrite;
    ac->ev.cleanup = cleanup;
    ac->ev.data = s;
    g_source_attach(&s->base, g_main_context_get_thread_default());
    return &s->base;
  }
};

struct RedisConnection::Pending {
  ReplyFn done;
};

RedisConnection::RedisConnection(std::string host, int port, std::string name)
    : host_(std::move(host)), port_(port), name_(std::move(name)) {}

RedisConnection::~RedisConnection() {
  stopping_ = true;
  retry_.cancel();
  if (ac_) {
    redisAsyncContext* ac = ac_;
    // redisAsyncFree runs every pending callback with a null reply, then our disconnect hook.
    redisAsyncFree(ac);
  }
  dropContext();
}

void RedisConnection::start(guint retryMs) {
  retryMs_ = retryMs;
  connectNow();
}

void RedisConnection::dropContext() {
  ac_ = nullptr;
  connected_ = false;
  if (source_) {
    g_source_destroy(source_);
    g_source_unref(source_);
    source_ = nullptr;
  }
}

void RedisConnection::connectNow() {
  if (stopping_ || ac_) return;
  redisAsyncContext* ac = redisAsyncConnect(host_.c_str(), port_);
  if (!ac) {
    scheduleReconnect();
    return;
  }
  if (ac->err) {
    g_debug("redis %s: connect to %s:%d failed: %s", name_.c_str(), host_.c_str(), port_,
            ac->errstr);
    redisAsyncFree(ac);
    scheduleReconnect();
    return;
  }
  ac->data = this;
  ac_ = ac;
  source_ = RedisSourceAccess::create(this, ac);
  redisAsyncSetConnectCallback(ac, &RedisConnection::onConnect);
  redisAsyncSetDisconnectCallback(ac, &RedisConnection::onDisconnect);
}

void RedisConnection::scheduleReconnect() {
  if (stopping_ || retry_.active()) return;
  retry_.reset(g_timeout_add(
      retryMs_,
      [](gpointer self) -> gboolean {
        auto* c = static_cast<RedisConnection*>(self);
        c->retry_.release();
        c->connectNow();
        return G_SOURCE_REMOVE;
      },
      this));
}

void RedisConnection::onConnect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (!self) return;
  if (status != REDIS_OK) {
    g_debug("redis %s: connect failed: %s", self->name_.c_str(), ac->errstr);
    // hiredis frees the context after this callback returns.
    self->dropContext();
    self->scheduleReconnect();
    return;
  }
  self->connected_ = true;
  g_info("redis %s: connected to %s:%d", self->name_.c_str(), self->host_.c_str(), self->port_);
  for (auto& [key, sub] : self->subscriptions_) self->issueSubscription(sub.get());
  if (self->onConnected) self->onConnected();
}

void RedisConnection::onDisconnect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (!self) return;
  bool was = self->connected_;
  if (status != REDIS_OK && !self->stopping_) {
    g_warning("redis %s: connection lost: %s", self->name_.c_str(), ac->errstr);
  }
  self->dropContext();
  if (self->stopping_) return;
  if (was && self->onDisconnected) self->onDisconnected();
  self->scheduleReconnect();
}

void RedisConnection::onReply(redisAsyncContext*, void* reply, void* privdata) {
  std::unique_ptr<Pending> p(static_cast<Pending*>(privdata));
  if (p->done) p->done(static_cast<redisReply*>(reply));
}

void RedisConnection::command(const std::vector<std::string>& args, ReplyFn done) {
  if (!ac_ || !connected_) {
    if (done) done(nullptr);
    return;
  }
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* p = new Pending{std::move(done)};
  if (redisAsyncCommandArgv(ac_, &RedisConnection::onReply, p, static_cast<int>(argv.size()),
                            argv.data(), lens.data()) != REDIS_OK) {
    std::unique_ptr<Pending> owned(p);
    if (owned->done) owned->done(nullptr);
  }
}

void RedisConnection::onSubscriptionReply(redisAsyncContext*, void* reply, void* privdata) {
  auto* s = static_cast<Subscription*>(privdata);
  auto* r = static_cast<redisReply*>(reply);
  if (!r || r->type != REDIS_REPLY_ARRAY) return;
  // message: [kind, channel, payload]; pmessage: [kind, pattern, channel, payload]
  size_t need = s->pattern ? 4 : 3;
  if (r->elements < need) return;
  redisReply* kind = r->element[0];
  if (kind->type != REDIS_REPLY_STRING) return;
  std::string k(kind->str, kind->len);
  if (k != (s->pattern ? "pmessage" : "message")) return;
  redisReply* ch = r->element[need - 2];
  redisReply* payload = r->element[need - 1];
  if (ch->type != REDIS_REPLY_STRING || payload->type != REDIS_REPLY_STRING) return;
  if (s->onMessage)
    s->onMessage(std::string(ch->str, ch->len), std::string(payload->str, payload->len));
}

void RedisConnection::issueSubscription(Subscription* s) {
  if (!ac_ || !connected_) return;
  const char* argv[2] = {s->pattern ? "PSUBSCRIBE" : "SUBSCRIBE", s->target.c_str()};
  size_t lens[2] = {std::char_traits<char>::length(argv[0]), s->target.size()};
  redisAsyncCommandArgv(ac_, &RedisConnection::onSubscriptionReply, s, 2, argv, lens);
}

void RedisConnection::subscribe(const std::string& channel, MessageFn onMessage) {
  auto& slot = subscriptions_["c:" + channel];
  slot.reset(new Subscription{this, channel, false, std::move(onMessage)});
  issueSubscription(slot.get());
}

void RedisConnection::psubscribe(const std::string& pattern, MessageFn onMessage) {
  auto& slot = subscriptions_["p:" + pattern];
  slot.reset(new Subscription{this, pattern, true, std::move(onMessage)});
  issueSubscription(slot.get());
}

}  // namespace carrel
