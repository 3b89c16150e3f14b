// welcome's ice_servers: TURN credentials as coturn's use-auth-secret verifies them (HMAC-SHA1
// checked against RFC 2202's vectors), and carrel-control's ICE options refused with a clear
// message when they cannot work.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "ControlOptions.hpp"
#include "IceServers.hpp"
#include "Json.hpp"

using namespace carrel;
using namespace carrel::control;

namespace {

std::string base64OfHex(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  GCharPtr b(g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size()));
  return b.get();
}

std::optional<ControlOptions> parse(std::vector<std::string> args, std::string* err) {
  args.insert(args.begin(), "carrel-control");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return parseControlOptions(static_cast<int>(args.size()), argv.data(), err);
}

}  // namespace

TEST(IceServers, HmacSha1MatchesRfc2202) {
  EXPECT_EQ(IceServers::hmacSha1Base64(std::string(20, '\x0b'), "Hi There"),
            base64OfHex("b617318655057264e28bc0b6fb378c8ef146be00"));
  EXPECT_EQ(IceServers::hmacSha1Base64("Jefe", "what do ya want for nothing?"),
            base64OfHex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"));
}

TEST(IceServers, TurnCredentialIsWhatCoturnUseAuthSecretChecks) {
  auto [user, credential] = IceServers::turnCredential("north-wind-secret", "p1234", 1763900000);
  EXPECT_EQ(user, "1763900000:p1234");
  EXPECT_EQ(credential, IceServers::hmacSha1Base64("north-wind-secret", "1763900000:p1234"));
  EXPECT_NE(credential, IceServers::turnCredential("other-secret", "p1234", 1763900000).second);
  EXPECT_NE(credential,
            IceServers::turnCredential("north-wind-secret", "p1234", 1763900001).second);
}

TEST(IceServers, WelcomeListsStunAndTurnWithTimeLimitedCredentials) {
  IceServerConfig c;
  EXPECT_EQ(json_array_get_length(IceServers::forClient(c, "p1", 1000).get()), 0u);
  c.stunUrls = {"stun:stun.example.org:3478"};
  c.turnUrls = {"turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"};
  c.turnSecret = "0123456789abcdef0123";
  c.turnTtlS = 600;
  JsonArrayPtr a = IceServers::forClient(c, "p1", 1000);
  ASSERT_EQ(json_array_get_length(a.get()), 2u);
  JsonObject* turn = json_array_get_object_element(a.get(), 1);
  EXPECT_EQ(json::getString(turn, "username"), "1600:p1");
  EXPECT_EQ(json::getString(turn, "credential"),
            IceServers::hmacSha1Base64("0123456789abcdef0123", "1600:p1"));
  EXPECT_EQ(json_array_get_length(json::getArray(turn, "urls")), 2u);
  JsonObject* stun = json_array_get_object_element(a.get(), 0);
  EXPECT_FALSE(json::getString(stun, "username"));
}

TEST(IceServers, OptionsAreValidatedAtStartUp) {
  std::string secretFile = "/tmp/carrel-ice-test-" + std::to_string(getpid());
  std::ofstream(secretFile) << "a-shared-secret-of-some-length\n";
  std::string err;
  auto ok = parse({"--stun-url", "stun:127.0.0.1:3478", "--turn-url",
                   "turn:127.0.0.1:3478?transport=udp", "--turn-secret-file", secretFile},
                  &err);
  ASSERT_TRUE(ok) << err;
  EXPECT_EQ(ok->iceServers.turnSecret, "a-shared-secret-of-some-length");
  EXPECT_EQ(ok->iceServers.turnTtlS, 86400);

  struct Case {
    std::vector<std::string> args;
    const char* mentions;
  };
  std::vector<Case> cases{
      {{"--turn-url", "turn:127.0.0.1:3478"}, "--turn-secret-file"},
      {{"--stun-url", "stun://127.0.0.1:3478"}, "--stun-url"},
      {{"--stun-url", "turn:127.0.0.1"}, "--stun-url"},
      {{"--turn-url", "turn:127.0.0.1:99999", "--turn-secret-file", secretFile}, "--turn-url"},
      {{"--turn-url", "turn:u@127.0.0.1", "--turn-secret-file", secretFile}, "--turn-url"},
      {{"--turn-url", "turn:h?transport=sctp", "--turn-secret-file", secretFile}, "--turn-url"},
      {{"--turn-url", "turn:h", "--turn-secret-file", "/nonexistent/secret"}, "--turn-secret-file"},
      {{"--turn-credential-ttl-s", "5"}, "--turn-credential-ttl-s"},
  };
  for (auto& c : cases) {
    err.clear();
    EXPECT_FALSE(parse(c.args, &err)) << c.args[1];
    EXPECT_NE(err.find(c.mentions), std::string::npos) << err;
  }
  unlink(secretFile.c_str());
}
