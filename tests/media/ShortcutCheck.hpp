// For the SFU's packet-path shortcuts (SendTail, NiceReceive): two real peers in one room must
// keep decoding each other's pictures, and node.info's counter of packets that took the
// shortcut is read once pictures flow and again after 30 more frames each way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace carrel::test {

struct CounterReads {
  int64_t first = -1;  // -1: node.info or the field unreadable
  int64_t second = -1;
};

// Fails the running test (gtest assertions) when pictures do not come or stop.
void countWhilePicturesFlow(const std::vector<std::string>& sfuArgs, const std::string& room,
                            const std::string& counterField, CounterReads* reads);

}  // namespace carrel::test
