#include "StudyService.hpp"

#include "ClientErrors.hpp"

namespace carrel::control {

namespace {

// How much of the board a member gets on entering (older posts: GET /api/v1/study/board).
constexpr int kBoardHistory = 50;

int64_t nowMs() {
  return g_get_real_time() / 1000;
}

}  // namespace

StudyService::StudyService(ControlNode& node, DbWorker& worker, AuthService& auth)
    : node_(node),
      worker_(worker),
      boards_(node.redis()),
      tracker_(worker, node.redis(), boards_, node.nodeId(), node.options().studyHeartbeatMs),
      board_(worker, node.rooms()),
      timers_(node.redis(), node.rooms(), worker, board_),
      routes_(auth, worker, boards_),
      todos_(auth, worker, node.presence(), board_),
      cameras_(node, worker, tracker_,
               [this](const std::shared_ptr<ClientSession>& s, const std::string& ref,
                      bool studying) { return reply(s, ref, studying); }) {
  node_.handle("timer", [this](const std::shared_ptr<ClientSession>& s, const ClientMessage& m) {
    timers_.onMessage(s, m);
  });
  node_.onEnter([this](const std::shared_ptr<ClientSession>& s) {
    timers_.onEnter(s);
    sendBoardHistory(s);
    cameras_.onEnter(s);
  });
  node_.onMedia([this](const std::shared_ptr<ClientSession>& s, ControlNode::MediaEvent e,
                       const std::string& track,
                       const std::string& kind) { cameras_.onMedia(s, e, track, kind); });
  node_.handle("study", [this](const std::shared_ptr<ClientSession>& s, const ClientMessage& m) {
    onStudy(s, m);
  });
  node_.onLeave(
      [this](const std::shared_ptr<ClientSession>& s, const std::string&, const char* reason) {
        cameras_.onLeave(s->participant());
        tracker_.leave(s->participant(), reason, s->closed() ? s->closedAtMs() : 0);
      });
}

void StudyService::install(SoupServer* server) {
  routes_.install(server);
  todos_.install(server);
}

void StudyService::sendBoardHistory(const std::shared_ptr<ClientSession>& s) {
  std::weak_ptr<ClientSession> weak = s;
  std::string room = s->room();
  auto posts = std::make_shared<std::optional<std::vector<BoardPost>>>();
  worker_.run(
      [room, posts](MySqlConnection& db) {
        std::string why;
        *posts = RoomBoard::recent(db, room, kBoardHistory, &why);
        if (!*posts) g_warning("board history of %s: %s", room.c_str(), why.c_str());
      },
      [weak, room, posts] {
        auto s = weak.lock();
        if (!s || s->closed() || s->room() != room || !*posts) return;
        JsonArrayPtr list(json_array_new());
        for (const BoardPost& p : **posts) {
          json_array_add_object_element(list.get(), RoomBoard::toJson(p).release());
        }
        json::Object m;
        m.set("type", "board_history").set("room", room).set("posts", list.get());
        s->send(m);
      });
}

void StudyService::begin() {
  auto totals = std::make_shared<std::optional<std::vector<StudyTotal>>>();
  std::weak_ptr<int> alive = alive_;
  worker_.run(
      [totals](MySqlConnection& db) {
        std::string why;
        int64_t today = DayBoundary::make("UTC")->dayOf(nowMs());
        *totals = StudyLedger(db).totalsSince(Leaderboards::rebuildFrom(today), &why);
        if (!*totals) g_warning("study: cannot read the ledger: %s", why.c_str());
      },
      [this, alive, totals] {
        if (!alive.lock()) return;
        auto rebuilt = [this, alive](bool ok) {
          if (!alive.lock()) return;
          if (!ok) g_warning("study: the leaderboards could not be rebuilt");
          tracker_.begin();
        };
        if (!*totals) return rebuilt(false);
        g_message("study: rebuilding the leaderboards from %zu ledger total(s)", (*totals)->size());
        boards_.rebuild(**totals, rebuilt);
      });
}

StudyTracker::Done StudyService::reply(const std::shared_ptr<ClientSession>& s,
                                       const std::string& ref, bool studying) {
  std::weak_ptr<ClientSession> weak = s;
  std::string room = s->room();
  std::string participant = s->participant();
  int64_t userId = s->userId();
  std::string name = s->name();
  return
      [this, weak, ref, room, participant, userId, name, studying](const StudyTracker::Result& r) {
        auto s = weak.lock();
        if (r.code) {
          if (s && !s->closed()) s->sendError(r.code, r.message, ref);
          return;
        }
        if (s && !s->closed()) {
          json::Object state;
          state.set("type", "study_state");
          if (!ref.empty()) state.set("ref", ref);
          state.setBool("studying", studying).set("room", room).set("server_time", nowMs());
          if (studying) {
            state.set("started_ms", r.startedMs);
          } else {
            state.setNull("started_ms");
          }
          s->send(state);
        }
        json::Object ev;
        ev.set("type", "study_changed")
            .set("participant", participant)
            .set("user_id", userId)
            .set("name", name)
            .setBool("studying", studying);
        node_.rooms().broadcast(room, "", ev.get());
      };
}

void StudyService::onStudy(const std::shared_ptr<ClientSession>& s, const ClientMessage& m) {
  std::string ref = m.id;
  if (s->userId() == 0) {
    return s->sendError(code::AccountRequired, "log in to count study time", ref);
  }
  std::string action = *json::getString(m.object.get(), "action");
  if (action == "mode") return cameras_.onMode(s, m);
  auto done = reply(s, ref, action == "start");
  if (action == "start") {
    tracker_.start(s->userId(), s->room(), s->participant(), done);
  } else {
    tracker_.stop(s->userId(), s->participant(), "stop", done);
  }
}

}  // namespace carrel::control
