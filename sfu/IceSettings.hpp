// How every webrtcbin of this node does ICE: which local addresses it gathers on (only
// those), STUN/TURN servers, no ICE-TCP, the UDP port range, and the public address a NAT
// 1:1 maps to the first local address (advertised in its host candidates instead); with them
// the few connection settings every webrtcbin of the node is started with.
#pragma once

#include <gst/gst.h>

#include <string>
#include <vector>

namespace carrel::sfu {

class IceSettings {
 public:
  IceSettings() = default;
  IceSettings(std::vector<std::string> addresses, std::string stun, std::string turn)
      : addresses_(std::move(addresses)), stun_(std::move(stun)), turn_(std::move(turn)) {}

  // Must run before the webrtcbin gathers (before any description is set). False when the
  // ICE agent could not be restricted to the configured addresses.
  bool apply(GstElement* webrtcbin) const;

  const std::vector<std::string>& addresses() const { return addresses_; }
  // 0, 0: any port.
  void setPortRange(unsigned min, unsigned max) {
    portMin_ = min;
    portMax_ = max;
  }
  void setPublicAddress(std::string address) { publicAddress_ = std::move(address); }
  // libnice's Ta, the interval between two connectivity checks of one agent, until the
  // connection's ICE first connects (0: libnice's 20 ms throughout). A check, its nomination
  // and the state change each wait for the next tick. The agent's check timer keeps ticking
  // at Ta for its idle grace (5 s) after each negotiation, so later checks (re-offers, ICE
  // restarts) go back to libnice's pacing: 5 ms throughout cost a 4x4 mesh ~15 % more CPU.
  void setCheckPacingMs(unsigned ms) { checkPacingMs_ = ms; }
  // The connection's ICE is connected: later checks at libnice's own pacing.
  void connected(GstElement* webrtcbin) const;
  static constexpr unsigned kLibnicePacingMs = 20;
  // How long a negotiated connection may take to connect (ICE and DTLS) before its peer is
  // torn down; 0: forever.
  void setConnectTimeoutMs(int ms) { connectTimeoutMs_ = ms; }
  int connectTimeoutMs() const { return connectTimeoutMs_; }
  // Publish connections: PassThroughJitterbuffer instead of rtpjitterbuffer (SfuOptions).
  void setPassThroughJitterbuffer(bool on) { passThroughJitterbuffer_ = on; }
  bool passThroughJitterbuffer() const { return passThroughJitterbuffer_; }
  // Every connection: ReceiveQueueBypass on webrtcbin's receive queues (SfuOptions).
  void setReceiveQueueBypass(bool on) { receiveQueueBypass_ = on; }
  bool receiveQueueBypass() const { return receiveQueueBypass_; }
  // With it: the ICE agent's callback gives the datagrams to DTLS/SRTP instead of nicesrc, on
  // a receive thread or the agent's own (NiceReceive, ReceiveThreads).
  void setAgentThreadRead(bool on) { agentThreadRead_ = on; }
  bool agentThreadRead() const { return agentThreadRead_; }
  // Every connection: SendTail past webrtcbin's ghost pads, clocksync, funnel and nicesink.
  void setSendTailShortcut(bool on) { sendTailShortcut_ = on; }
  bool sendTailShortcut() const { return sendTailShortcut_; }
  // Every connection: ReceiveChainShortcut (and TrackForwarder::skipGhostPads).
  void setReceiveChainShortcut(bool on) { receiveChainShortcut_ = on; }
  bool receiveChainShortcut() const { return receiveChainShortcut_; }
  // Subscribe connections: a SendCombiner in front of their sink pads (SfuOptions).
  void setCombinedSubscriberSend(bool on) { combinedSubscriberSend_ = on; }
  bool combinedSubscriberSend() const { return combinedSubscriberSend_; }
  // A local candidate as the remote side should see it (public address for host ones).
  std::string advertised(const std::string& candidate) const;

 private:
  static bool setCheckPacing(GstElement* webrtcbin, unsigned ms);

  std::vector<std::string> addresses_;
  std::string stun_;
  std::string turn_;
  unsigned portMin_ = 0;
  unsigned portMax_ = 0;
  std::string publicAddress_;
  unsigned checkPacingMs_ = 0;
  int connectTimeoutMs_ = 0;
  bool passThroughJitterbuffer_ = true;
  bool receiveQueueBypass_ = true;
  bool agentThreadRead_ = true;
  bool sendTailShortcut_ = true;
  bool receiveChainShortcut_ = true;
  bool combinedSubscriberSend_ = true;
};

}  // namespace carrel::sfu
