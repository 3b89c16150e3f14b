// carrel-sfu's command line, parsed with GOption.
#pragma once

#include <string>
#include <vector>

namespace carrel::sfu {

struct SfuOptions {
  std::string redisHost = "127.0.0.1";
  int redisPort = 6379;
  std::string nodeId;                      // default sfu-<hostname>-<pid>
  std::vector<std::string> iceAddresses;   // the only local addresses gathered
  std::vector<std::string> allowNetworks;  // remote candidates outside these are ignored
  std::string stunServer;
  std::string turnServer;
  std::string publicAddress;  // NAT 1:1: advertised instead of the first --ice-address
  int icePortMin = 0;         // UDP ports ICE binds, both 0: any
  int icePortMax = 0;
  // Milliseconds between two ICE connectivity checks of one connection (libnice's Ta,
  // RFC 8445's floor of 5; libnice's default 20 made a connection's ICE take ~60 ms on
  // loopback, 3 ticks: check, nomination, state).
  int iceCheckPacingMs = 5;
  int statsIntervalMs = 5000;  // get-stats poll and stats.room reports; 0: off
  // A negotiated connection that is not up (ICE + DTLS) this long after its negotiation tears
  // its peer down alone.
  int connectTimeoutMs = 20000;
  // Publish connections' jitterbuffers: true, PassThroughJitterbuffer (forwards at once on
  // the receiving thread); false, GStreamer's rtpjitterbuffer (reorders, two threads each).
  bool passThroughJitterbuffer = true;
  // Received datagrams go from nicesrc to dtlssrtpdec on nicesrc's thread (ReceiveQueueBypass)
  // instead of through webrtcbin's receive queue and its thread.
  bool receiveQueueBypass = true;
  // With it, once bypassing: datagrams are read from the ICE agent's callback (on a receive
  // thread) and given to dtlssrtpdec there (NiceReceive) instead of through nicesrc's loop.
  bool agentThreadRead = true;
  // Threads that read every connection's datagrams (ReceiveThreads); 0: each ICE agent's own.
  // parseOptions' default: one per core.
  int receiveThreads = 0;
  // Connections a receive thread takes before the next one does (ReceiveThreads::pick); 0:
  // the threads in turn.
  int receiveThreadFill = 6;
  // Once a connection's SRTP flows, packets go from rtpsession to srtpenc and from srtpenc to
  // the ICE agent directly (SendTail) instead of through a dozen pads and nicesink.
  bool sendTailShortcut = true;
  // Received packets skip webrtcbin's ghost pads between srtpdec and a track's tee, and a
  // publish connection keeps no packets for FEC it never negotiates (ReceiveChainShortcut).
  bool receiveChainShortcut = true;
  // SRTP's AES-CM and HMAC-SHA1 from OpenSSL (SrtpCrypto) instead of libsrtp's backend (NSS).
  bool opensslSrtp = true;
  // Packets for one subscriber connection from several publishers' threads are sent by
  // whichever thread is sending there already (SendCombiner) instead of each waiting its turn.
  bool combinedSubscriberSend = true;
  std::string recordingsDir;  // where room.record_start writes; empty: recording refused
  // Test-only: debug.fail_peer may break a peer's media on purpose (FaultInjector).
  bool testFaultInjection = false;
};

// The deployment options (public address, port range, STUN/TURN URIs) make sense.
bool validateDeployment(const SfuOptions& o, std::string* error);

// Fills defaults for what was not given. False (and a reason) on a bad command line.
bool parseOptions(int* argc, char*** argv, SfuOptions* out, std::string* error);

}  // namespace carrel::sfu
