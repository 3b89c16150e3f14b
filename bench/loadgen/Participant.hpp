// One simulated participant, whatever the server: an optional publish connection sending
// the clip, and a subscribe connection that counts (and, for one per run, decodes) what
// arrives. Subclasses speak the server's signalling. Main thread only.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Clip.hpp"
#include "FilePublisher.hpp"
#include "LatencyBook.hpp"
#include "MeasuredSubscribe.hpp"
#include "NetworkFilter.hpp"
#include "Pacer.hpp"
#include "PeerOptions.hpp"
#include "StreamRegistry.hpp"
#include "TrackTable.hpp"

namespace carrel::bench {

// What every participant of a run shares.
struct RunContext {
  const Clip& clip;
  LatencyBook& book;
  StreamRegistry& registry;
  Pacer& pacer;
  peer::NetworkFilter& filter;
  peer::TrackTable::Clock::time_point start;
  std::string room;
  std::string iceAddress;  // the only local address the clients gather on
  // Carrel participants join with video "selected" and receive only the cameras their
  // subscribe() names (the tiles workload); otherwise the SFU sends every camera.
  bool selectedVideo = false;
};

// One publisher a participant receives: its microphone if it publishes one (`audio`), its
// camera only when `video`.
struct Feed {
  std::string publisherId;
  // The publisher's own mid of its microphone: Janus names a publisher's streams by the mids
  // of its offer, so receiving its audio alone needs it.
  std::string audioMid;
  bool video = true;
  bool audio = true;
};

class Participant {
 public:
  Participant(RunContext& ctx, std::string name, bool publish, bool decode);
  virtual ~Participant();
  Participant(const Participant&) = delete;
  Participant& operator=(const Participant&) = delete;

  // Connects, joins and (if it publishes) starts publishing.
  virtual void start() = 0;
  // Receives these publishers, leaving out its own. Servers that subscribe everyone to
  // everyone on their own ignore it unless only some cameras are wanted.
  virtual void subscribe(const std::vector<Feed>& feeds) = 0;

  const std::string& name() const { return name_; }
  // The server's id for this participant's published media ("" until known).
  const std::string& publisherId() const { return publisherId_; }
  // The mid of the published microphone, from the first publish offer ("" until sent).
  const std::string& audioMid() const { return audioMid_; }
  bool publishes() const { return publishes_; }
  // A muted listener of a big room: publishes its camera and no microphone at all, like
  // carrel-peer --no-audio, so no server has a microphone of it to forward. Before start().
  void setMicrophone(bool on) { options_.audio = on; }
  bool publishesAudio() const { return publishes_ && options_.audio; }
  // The publish connection is up and sending.
  bool sending() const { return sending_; }
  // Others may subscribe to this publisher now.
  virtual bool publishReady() const { return sending_; }
  const std::string& failure() const { return failure_; }
  FilePublisher* publisher() { return publisher_.get(); }
  peer::TrackTable& tracks() { return tracks_; }
  // Ms since the run started: when it asked to receive, and when its subscribe connection
  // reached ICE connected.
  std::optional<int64_t> subscribeAskedMs() const { return subscribeAskedMs_; }
  std::optional<int64_t> subscribeUpMs() const { return subscribeUpMs_; }

 protected:
  int64_t sinceStart() const;
  void fail(const std::string& why);
  // Creates and starts the publish connection; offers go to `offer`, candidates to
  // `candidate` ("" ends gathering).
  bool startPublisher(std::function<void(const std::string&)> offer,
                      std::function<void(guint, const std::string&)> candidate);
  bool startSubscriber(std::function<void(const std::string&)> answer,
                       std::function<void(guint, const std::string&)> candidate);

  RunContext& ctx_;
  std::string name_;
  bool publishes_;
  peer::PeerOptions options_;
  peer::TrackTable tracks_;
  std::string publisherId_;
  std::string audioMid_;
  bool sending_ = false;
  std::string failure_;
  std::optional<int64_t> subscribeAskedMs_;
  std::optional<int64_t> subscribeUpMs_;
  std::unique_ptr<FilePublisher> publisher_;
  std::unique_ptr<MeasuredSubscribe> subscriber_;
};

}  // namespace carrel::bench
