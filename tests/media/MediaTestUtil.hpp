// Small helpers the media tests share: polling with a deadline, a peer's welcome, the RSS of
// a process, the JSON lines of one event a peer printed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "GPtr.hpp"
#include "Process.hpp"

namespace carrel::test {

std::string currentTestName();
// Polls cond every 100 ms until it holds or the time is up.
bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds timeout);
// The participant id from the peer's welcome line ("" on timeout).
std::string waitForWelcome(Process& p, std::chrono::milliseconds timeout);
// VmRSS of a live process in KiB, or -1.
long rssKiB(pid_t pid);
// Every line the peer printed with this "event", parsed.
std::vector<JsonObjectPtr> peerEvents(Process& p, const std::string& event);
// Writes everything the process printed on stdout so far to path (a test artifact).
void saveOutput(Process& p, const std::string& path);

}  // namespace carrel::test
