#include <gtest/gtest.h>

#include "NetworkFilter.hpp"

using carrel::sfu::NetworkFilter;
using V = NetworkFilter::Verdict;

namespace {

NetworkFilter loopbackOnly() {
  NetworkFilter f;
  std::string err;
  EXPECT_TRUE(f.setNetworks({"127.0.0.0/8"}, &err)) << err;
  return f;
}

}  // namespace

TEST(SfuNetworkFilter, AcceptsOnlyAddressesInsideTheNetworks) {
  NetworkFilter f = loopbackOnly();
  EXPECT_TRUE(f.allowsAddress("127.0.0.1"));
  EXPECT_TRUE(f.allowsAddress("127.255.3.4"));
  EXPECT_FALSE(f.allowsAddress("128.0.0.1"));
  EXPECT_FALSE(f.allowsAddress("10.0.0.5"));
  EXPECT_FALSE(f.allowsAddress("::1"));
  EXPECT_FALSE(f.allowsAddress("not-an-address"));
}

TEST(SfuNetworkFilter, SeveralNetworksAndIpv6) {
  NetworkFilter f;
  std::string err;
  ASSERT_TRUE(f.setNetworks({"10.1.0.0/16", "fd00::/8", "192.168.1.7"}, &err)) << err;
  EXPECT_TRUE(f.allowsAddress("10.1.200.3"));
  EXPECT_FALSE(f.allowsAddress("10.2.0.1"));
  EXPECT_TRUE(f.allowsAddress("fd12:3456::1"));
  EXPECT_TRUE(f.allowsAddress("[fd12::1]"));
  EXPECT_TRUE(f.allowsAddress("fd12::1%eth0"));
  EXPECT_FALSE(f.allowsAddress("fe80::1"));
  EXPECT_TRUE(f.allowsAddress("192.168.1.7"));
  EXPECT_FALSE(f.allowsAddress("192.168.1.8"));
}

TEST(SfuNetworkFilter, RejectsBadNetworks) {
  NetworkFilter f;
  std::string err;
  EXPECT_FALSE(f.setNetworks({"127.0.0.0/33"}, &err));
  EXPECT_FALSE(err.empty());
  EXPECT_FALSE(f.setNetworks({"banana"}, &err));
}

TEST(SfuNetworkFilter, ChecksCandidates) {
  NetworkFilter f = loopbackOnly();
  std::string addr;
  EXPECT_EQ(f.check("candidate:1 1 UDP 2122252543 127.0.0.1 40000 typ host", &addr), V::Allowed);
  EXPECT_EQ(addr, "127.0.0.1");
  EXPECT_EQ(f.check("a=candidate:1 1 udp 2122252543 127.0.0.1 40000 typ host generation 0"),
            V::Allowed);
  EXPECT_EQ(f.check("candidate:2 1 UDP 2122252543 192.168.1.20 40000 typ host", &addr), V::Outside);
  EXPECT_EQ(addr, "192.168.1.20");
  EXPECT_EQ(f.check("candidate:3 1 udp 2113937151 0f1e2d3c-aaaa-bbbb.local 51234 typ host"),
            V::Outside);
  EXPECT_EQ(f.check("candidate:4 1 udp 1677729535 203.0.113.9 3478 typ srflx raddr 127.0.0.1 "
                    "rport 40000"),
            V::Outside);
  EXPECT_EQ(f.check(""), V::EndOfCandidates);
  EXPECT_EQ(f.check("   "), V::EndOfCandidates);
}

TEST(SfuNetworkFilter, UnparsableCandidates) {
  NetworkFilter f = loopbackOnly();
  EXPECT_EQ(f.check("hello"), V::Unparsable);
  EXPECT_EQ(f.check("candidate:1 1 UDP 2122252543 127.0.0.1"), V::Unparsable);
  EXPECT_EQ(f.check("candidate:1 x UDP 2122252543 127.0.0.1 40000 typ host"), V::Unparsable);
  EXPECT_EQ(f.check("candidate:1 1 UDP 2122252543 127.0.0.1 99999 typ host"), V::Unparsable);
  EXPECT_EQ(f.check("candidate:1 1 UDP 2122252543 127.0.0.1 40000 type host"), V::Unparsable);
  EXPECT_EQ(f.check("candidate:1 1 UDP 99999999999999999999 127.0.0.1 40000 typ host"),
            V::Unparsable);
}
