// Bus errors from the SFU become the client codes of docs/protocol.md.
#include <gtest/gtest.h>

#include "BusProtocol.hpp"
#include "ClientErrors.hpp"

using namespace carrel;
using namespace carrel::control;

TEST(ControlClientErrors, BusErrorsMapToClientCodes) {
  EXPECT_STREQ(clientCodeForBusError(bus::error::BadSdp), "bad_sdp");
  EXPECT_STREQ(clientCodeForBusError(bus::error::BadCandidate), "bad_candidate");
  EXPECT_STREQ(clientCodeForBusError(bus::error::NoSuchPeer), "no_such_connection");
  EXPECT_STREQ(clientCodeForBusError(bus::error::WrongState), "no_such_connection");
  EXPECT_STREQ(clientCodeForBusError(bus::error::Timeout), "media_timeout");
  EXPECT_STREQ(clientCodeForBusError(bus::error::Unavailable), "media_unavailable");
  for (const char* other :
       {bus::error::BadMessage, bus::error::VersionMismatch, bus::error::UnknownMethod,
        bus::error::NoSuchRoom, bus::error::PeerExists, bus::error::Internal, "", "made_up"}) {
    EXPECT_STREQ(clientCodeForBusError(other), "internal") << other;
  }
}

TEST(ControlClientErrors, InternalDetailsStayInTheLog) {
  EXPECT_EQ(clientMessageForBusError(bus::error::BadSdp, "no m-line"), "no m-line");
  EXPECT_EQ(clientMessageForBusError(bus::error::BadSdp, ""), "bad_sdp");
  std::string hidden = clientMessageForBusError(bus::error::Internal, "segfault near 0x1234");
  EXPECT_EQ(hidden.find("0x1234"), std::string::npos);
}
