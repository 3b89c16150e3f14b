// Where a test finds Carrel's binaries and puts its artifacts, and free loopback ports.
#pragma once

#include <string>

namespace carrel::test {

// A TCP (and UDP) port on 127.0.0.1 that was free a moment ago.
int freePort();
std::string buildDir();                       // the CMake build folder
std::string sourceDir();                      // the repository
std::string binary(const std::string& name);  // build/<dir>/<name>, found by name
// A fresh folder for this test's data and logs, under build/test-artifacts/<name> (with a
// subfolder per test when ctest runs one test of a suite per process).
std::string artifactDir(const std::string& testName);
// Waits until a TCP connect to 127.0.0.1:port succeeds.
bool waitForTcp(int port, int timeoutMs);

}  // namespace carrel::test
