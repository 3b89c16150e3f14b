#include "SfuProbe.hpp"

#include "BusProtocol.hpp"
#include "Json.hpp"
#include "MainContextPump.hpp"

namespace carrel::test {

SfuProbe::SfuProbe(int redisPort)
    : pub_("127.0.0.1", redisPort, "probe-pub"),
      sub_("127.0.0.1", redisPort, "probe-sub"),
      bus_(pub_, sub_, "test-probe-" + bus::newId().substr(0, 8)) {
  pub_.start(100);
  sub_.start(100);
}

bool SfuProbe::ready() {
  bool ok = pumpUntil([&] { return pub_.connected() && sub_.connected(); }, 5000);
  pumpUntil([] { return false; }, 200);  // the subscription settles
  return ok;
}

JsonObjectPtr SfuProbe::nodeInfo(const std::string& node) {
  bool done = false;
  JsonObjectPtr out;
  bus_.request(node, bus::method::NodeInfo, nullptr, [&](const bus::Response& r) {
    done = true;
    if (r.ok && r.data) out.reset(json_object_ref(r.data.get()));
  });
  pumpUntil([&] { return done; }, 10000);
  return out;
}

int64_t SfuProbe::videoStreams(const std::string& node) {
  JsonObjectPtr info = nodeInfo(node);
  return info ? json::getInt(info.get(), "video_streams").value_or(-1) : -1;
}

std::string SfuProbe::call(const std::string& node, const char* method, JsonObjectPtr data) {
  bool done = false;
  std::string code = "no_answer";
  bus_.request(node, method, std::move(data), [&](const bus::Response& r) {
    done = true;
    code = r.ok ? "" : r.error.code;
  });
  pumpUntil([&] { return done; }, 10000);
  return code;
}

}  // namespace carrel::test
