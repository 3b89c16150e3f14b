#include "TestBusClient.hpp"

#include "MainContextPump.hpp"

namespace carrel::test {

TestBusClient::TestBusClient(int redisPort, const std::string& nodeId)
    : pub_("127.0.0.1", redisPort, nodeId + "-pub"),
      sub_("127.0.0.1", redisPort, nodeId + "-sub"),
      bus_(pub_, sub_, nodeId) {
  pub_.start(100);
  sub_.start(100);
}

bool TestBusClient::ready() {
  bool ok = pumpUntil([&] { return pub_.connected() && sub_.connected(); }, 5000);
  pumpUntil([] { return false; }, 200);  // the subscription settles
  return ok;
}

TestBusClient::Answer TestBusClient::call(const std::string& node, const char* method,
                                          JsonObjectPtr data) {
  Answer a;
  bool done = false;
  bus_.request(node, method, std::move(data), [&](const bus::Response& r) {
    a.result = r.ok ? "ok" : r.error.code + ": " + r.error.message;
    if (r.ok && r.data) a.data.reset(json_object_ref(r.data.get()));
    done = true;
  });
  pumpUntil([&] { return done; }, 10000);
  if (!done) a.result = "no answer";
  return a;
}

}  // namespace carrel::test
