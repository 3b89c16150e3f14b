#include "Participant.hpp"

#include <sstream>

namespace carrel::bench {

namespace {

// The mid of the first audio m-line of an SDP ("" if none).
std::string firstAudioMid(const std::string& sdp) {
  std::istringstream in(sdp);
  bool inAudio = false;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("m=", 0) == 0) inAudio = line.rfind("m=audio", 0) == 0;
    if (inAudio && line.rfind("a=mid:", 0) == 0) return line.substr(6);
  }
  return {};
}

}  // namespace

Participant::Participant(RunContext& ctx, std::string name, bool publish, bool decode)
    : ctx_(ctx), name_(std::move(name)), publishes_(publish), tracks_(ctx.start) {
  options_.name = name_;
  options_.decode = decode;
  options_.iceAddresses = {ctx.iceAddress};
  options_.allowNetworks = {"127.0.0.0/8"};
}

Participant::~Participant() {
  if (publisher_) ctx_.pacer.remove(publisher_.get());
}

int64_t Participant::sinceStart() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(peer::TrackTable::Clock::now() -
                                                               ctx_.start)
      .count();
}

void Participant::fail(const std::string& why) {
  if (failure_.empty()) failure_ = why;
  g_printerr("carrel-loadgen: %s: %s\n", name_.c_str(), why.c_str());
}

bool Participant::startPublisher(std::function<void(const std::string&)> offer,
                                 std::function<void(guint, const std::string&)> candidate) {
  peer::WebRtcConnection::Handlers h;
  h.localCandidate = std::move(candidate);
  h.iceState = [this](const std::string& state) {
    if ((state == "connected" || state == "completed") && !sending_) {
      sending_ = true;
      publisher_->setActive(true);
    }
    if (state == "failed") fail("publish ICE failed");
  };
  h.failed = [this](const std::string& e) { fail(e); };
  auto noted = [this, offer = std::move(offer)](const std::string& sdp) {
    if (audioMid_.empty()) audioMid_ = firstAudioMid(sdp);
    offer(sdp);
  };
  publisher_ = std::make_unique<FilePublisher>(ctx_.clip, ctx_.book, options_, ctx_.filter,
                                               std::move(h), std::move(noted));
  if (!publisherId_.empty()) publisher_->setIdentity(publisherId_);
  std::string err;
  if (!publisher_->start(&err)) {
    fail("publish: " + err);
    return false;
  }
  ctx_.pacer.add(publisher_.get());
  return true;
}

bool Participant::startSubscriber(std::function<void(const std::string&)> answer,
                                  std::function<void(guint, const std::string&)> candidate) {
  peer::WebRtcConnection::Handlers h;
  h.localCandidate = std::move(candidate);
  h.iceState = [this](const std::string& state) {
    if ((state == "connected" || state == "completed") && !subscribeUpMs_) {
      subscribeUpMs_ = sinceStart();
    }
    if (state == "failed") fail("subscribe ICE failed");
  };
  h.failed = [this](const std::string& e) { fail(e); };
  peer::SubscribeConnection::Events ev;
  ev.answer = std::move(answer);
  ev.trackFlowing = [](const peer::TrackSnapshot&) {};
  ev.trackEnded = [](const peer::TrackSnapshot&) {};
  subscriber_ = std::make_unique<MeasuredSubscribe>(
      name_, options_, ctx_.filter, tracks_, ctx_.registry, ctx_.book, std::move(h), std::move(ev));
  std::string err;
  if (!subscriber_->start(&err)) {
    fail("subscribe: " + err);
    return false;
  }
  return true;
}

}  // namespace carrel::bench
