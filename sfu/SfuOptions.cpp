#include "SfuOptions.hpp"

#include <algorithm>

#include <gio/gio.h>
#include <glib.h>
#include <unistd.h>

#include "GPtr.hpp"
#include "IceServerUri.hpp"

namespace carrel::sfu {

namespace {

struct OptionContextFree {
  void operator()(GOptionContext* c) const { g_option_context_free(c); }
};

std::vector<std::string> takeStrv(gchar** v) {
  std::vector<std::string> out;
  for (gchar** p = v; p && *p; ++p) out.emplace_back(*p);
  g_strfreev(v);
  return out;
}

std::string takeString(gchar* s, std::string fallback) {
  if (!s) return fallback;
  std::string out(s);
  g_free(s);
  return out;
}

}  // namespace

bool validateDeployment(const SfuOptions& o, std::string* error) {
  if ((o.icePortMin == 0) != (o.icePortMax == 0)) {
    *error = "--ice-port-min and --ice-port-max go together";
    return false;
  }
  if (o.icePortMax != 0 &&
      (o.icePortMin < 1024 || o.icePortMax > 65535 || o.icePortMin > o.icePortMax)) {
    *error = "--ice-port-min..--ice-port-max must be a range within 1024..65535";
    return false;
  }
  if (!o.publicAddress.empty()) {
    GObjectPtr<GInetAddress> a(g_inet_address_new_from_string(o.publicAddress.c_str()));
    if (!a) {
      *error = "--public-address '" + o.publicAddress + "' is not an IP address";
      return false;
    }
  }
  if (!o.stunServer.empty() && !IceServerUri::checkStun(o.stunServer, error)) return false;
  if (!o.turnServer.empty() && !IceServerUri::checkTurn(o.turnServer, error)) return false;
  return true;
}

bool parseOptions(int* argc, char*** argv, SfuOptions* out, std::string* error) {
  gchar* redisHost = nullptr;
  gint redisPort = 6379;
  gchar* nodeId = nullptr;
  gchar** iceAddresses = nullptr;
  gchar** allowNetworks = nullptr;
  gchar* stun = nullptr;
  gchar* turn = nullptr;
  gint statsInterval = out->statsIntervalMs;
  gint connectTimeout = out->connectTimeoutMs;
  gchar* recordings = nullptr;
  gchar* publicAddress = nullptr;
  gint portMin = 0, portMax = 0;
  gint checkPacing = out->iceCheckPacingMs;
  gboolean faults = FALSE;
  gboolean keepReceiveQueue = FALSE;
  gboolean keepSendTail = FALSE;
  gboolean keepReceiveChain = FALSE;
  gboolean keepNicesrcRead = FALSE;
  gint receiveThreads = std::clamp(static_cast<gint>(g_get_num_processors()), 1, 64);
  gint receiveThreadFill = out->receiveThreadFill;
  gboolean libsrtpCrypto = FALSE;
  gboolean directSubscriberSend = FALSE;
  gchar* jitterbuffer = nullptr;
  GOptionEntry entries[] = {
      {"redis-host", 0, 0, G_OPTION_ARG_STRING, &redisHost, "Redis host (default 127.0.0.1)",
       "HOST"},
      {"redis-port", 0, 0, G_OPTION_ARG_INT, &redisPort, "Redis port (default 6379)", "PORT"},
      {"node-id", 0, 0, G_OPTION_ARG_STRING, &nodeId,
       "This node's id on the bus (default sfu-<hostname>-<pid>)", "ID"},
      {"ice-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &iceAddresses,
       "A local address to gather ICE candidates on; repeatable; the only ones used "
       "(default 127.0.0.1)",
       "ADDR"},
      {"allow-network", 0, 0, G_OPTION_ARG_STRING_ARRAY, &allowNetworks,
       "Accept remote ICE candidates only inside this network; repeatable (default 127.0.0.0/8)",
       "CIDR"},
      {"stun-server", 0, 0, G_OPTION_ARG_STRING, &stun, "STUN server, stun://host:port", "URI"},
      {"turn-server", 0, 0, G_OPTION_ARG_STRING, &turn,
       "TURN server, turn(s)://user:password@host:port", "URI"},
      {"public-address", 0, 0, G_OPTION_ARG_STRING, &publicAddress,
       "NAT 1:1: the public IP that maps to the first --ice-address; advertised in candidates "
       "in its place",
       "ADDR"},
      {"ice-port-min", 0, 0, G_OPTION_ARG_INT, &portMin,
       "Lowest UDP port ICE binds (with --ice-port-max; one port per peer connection)", "PORT"},
      {"ice-port-max", 0, 0, G_OPTION_ARG_INT, &portMax, "Highest UDP port ICE binds", "PORT"},
      {"ice-check-pacing-ms", 0, 0, G_OPTION_ARG_INT, &checkPacing,
       "Interval between two ICE connectivity checks of one connection (5; 5..100, RFC 8445's "
       "Ta; libnice's own default is 20)",
       "MS"},
      {"stats-interval-ms", 0, 0, G_OPTION_ARG_INT, &statsInterval,
       "How often to read every connection's stats and report them to control (5000; 0: "
       "never; at least 100)",
       "MS"},
      {"connect-timeout-ms", 0, 0, G_OPTION_ARG_INT, &connectTimeout,
       "A peer whose negotiated connection is not up (ICE and DTLS) this long after its "
       "negotiation is torn down (20000; 1000..600000)",
       "MS"},
      {"publish-jitterbuffer", 0, 0, G_OPTION_ARG_STRING, &jitterbuffer,
       "How a publisher's packets are received: 'passthrough' forwards each at once and asks "
       "again for missing ones (default); 'rtpjitterbuffer' puts them in order first, with "
       "two threads per published stream",
       "KIND"},
      {"keep-receive-queue", 0, 0, G_OPTION_ARG_NONE, &keepReceiveQueue,
       "Received datagrams take webrtcbin's receive queue (a thread switch each) instead of "
       "going on on the thread that read them; for comparison",
       nullptr},
      {"keep-nicesrc-read", 0, 0, G_OPTION_ARG_NONE, &keepNicesrcRead,
       "Received datagrams are read by webrtcbin's nicesrc (its own loop, woken and left "
       "per datagram) instead of from the ICE agent's callback straight into DTLS/SRTP; for "
       "comparison",
       nullptr},
      {"receive-threads", 0, 0, G_OPTION_ARG_INT, &receiveThreads,
       "Threads that read every connection's datagrams and forward them (one per core; "
       "0..64; 0: each connection's ICE agent thread reads its own)",
       "N"},
      {"receive-thread-fill", 0, 0, G_OPTION_ARG_INT, &receiveThreadFill,
       "Connections a receive thread takes (unless it is busy half the time) before the next "
       "thread does; then each goes to the thread with the fewest (6, a room of three; "
       "0..10000; 0: the threads in turn)",
       "N"},
      {"keep-send-tail", 0, 0, G_OPTION_ARG_NONE, &keepSendTail,
       "Sent packets take all of webrtcbin's send chain after rtpsession (ghost pads, "
       "clocksync, funnel, nicesink) instead of going from rtpsession to srtpenc to the ICE "
       "agent directly; for comparison",
       nullptr},
      {"keep-receive-chain", 0, 0, G_OPTION_ARG_NONE, &keepReceiveChain,
       "Received packets take every ghost pad of webrtcbin's receive chain (srtpdec to "
       "rtpsession, around the retransmission receiver, to each track's tee) and publish "
       "connections keep 250 ms of packets for FEC they never negotiate; for comparison",
       nullptr},
      {"libsrtp-crypto", 0, 0, G_OPTION_ARG_NONE, &libsrtpCrypto,
       "SRTP's AES and HMAC-SHA1 from libsrtp's own backend (NSS on Debian: a PKCS #11 context "
       "per packet) instead of OpenSSL's; for comparison",
       nullptr},
      {"direct-subscriber-send", 0, 0, G_OPTION_ARG_NONE, &directSubscriberSend,
       "Each publisher's thread sends into a subscriber's connection itself, waiting while "
       "another publisher's thread sends there, instead of leaving its packet to that thread; "
       "for comparison",
       nullptr},
      {"recordings-dir", 0, 0, G_OPTION_ARG_FILENAME, &recordings,
       "Folder for room recordings (one session folder each); none: recording is refused", "DIR"},
      {"test-fault-injection", 0, 0, G_OPTION_ARG_NONE, &faults,
       "TESTS ONLY, never in production: accept the bus request debug.fail_peer, which makes "
       "an element inside one peer's webrtcbin fail with a real element error",
       nullptr},
      {nullptr, 0, 0, G_OPTION_ARG_NONE, nullptr, nullptr, nullptr}};
  std::unique_ptr<GOptionContext, OptionContextFree> ctx(
      g_option_context_new("- Carrel's media forwarding node"));
  g_option_context_add_main_entries(ctx.get(), entries, nullptr);
  GError* raw = nullptr;
  bool ok = g_option_context_parse(ctx.get(), argc, argv, &raw);
  GErrorPtr err(raw);
  out->redisHost = takeString(redisHost, "127.0.0.1");
  out->redisPort = redisPort;
  out->iceAddresses = takeStrv(iceAddresses);
  out->allowNetworks = takeStrv(allowNetworks);
  out->stunServer = takeString(stun, "");
  out->turnServer = takeString(turn, "");
  out->recordingsDir = takeString(recordings, "");
  std::string id = takeString(nodeId, "");
  out->publicAddress = takeString(publicAddress, "");
  std::string jb = takeString(jitterbuffer, "passthrough");
  if (!ok) {
    *error = err ? err->message : "bad command line";
    return false;
  }
  if (redisPort <= 0 || redisPort > 65535) {
    *error = "--redis-port must be 1..65535";
    return false;
  }
  if (statsInterval != 0 && (statsInterval < 100 || statsInterval > 600000)) {
    *error = "--stats-interval-ms must be 0 (off) or 100..600000";
    return false;
  }
  out->statsIntervalMs = statsInterval;
  if (connectTimeout < 1000 || connectTimeout > 600000) {
    *error = "--connect-timeout-ms must be 1000..600000";
    return false;
  }
  out->connectTimeoutMs = connectTimeout;
  if (checkPacing < 5 || checkPacing > 100) {
    *error = "--ice-check-pacing-ms must be 5..100";
    return false;
  }
  out->iceCheckPacingMs = checkPacing;
  if (receiveThreads < 0 || receiveThreads > 64) {
    *error = "--receive-threads must be 0..64";
    return false;
  }
  out->receiveThreads = receiveThreads;
  if (receiveThreadFill < 0 || receiveThreadFill > 10000) {
    *error = "--receive-thread-fill must be 0..10000";
    return false;
  }
  out->receiveThreadFill = receiveThreadFill;
  out->testFaultInjection = faults != FALSE;
  if (jb != "passthrough" && jb != "rtpjitterbuffer") {
    *error = "--publish-jitterbuffer must be passthrough or rtpjitterbuffer";
    return false;
  }
  out->passThroughJitterbuffer = jb == "passthrough";
  out->receiveQueueBypass = keepReceiveQueue == FALSE;
  out->sendTailShortcut = keepSendTail == FALSE;
  out->receiveChainShortcut = keepReceiveChain == FALSE;
  out->agentThreadRead = keepNicesrcRead == FALSE;
  out->opensslSrtp = libsrtpCrypto == FALSE;
  out->combinedSubscriberSend = directSubscriberSend == FALSE;
  out->icePortMin = portMin;
  out->icePortMax = portMax;
  if (!validateDeployment(*out, error)) return false;
  if (id.empty()) {
    id = std::string("sfu-") + g_get_host_name() + "-" + std::to_string(getpid());
  }
  out->nodeId = id;
  if (out->iceAddresses.empty()) out->iceAddresses.push_back("127.0.0.1");
  if (out->allowNetworks.empty()) out->allowNetworks.push_back("127.0.0.0/8");
  return true;
}

}  // namespace carrel::sfu
