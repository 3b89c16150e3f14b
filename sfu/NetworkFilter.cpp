#include "NetworkFilter.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace carrel::sfu {

bool NetworkFilter::setNetworks(const std::vector<std::string>& cidrs, std::string* error) {
  std::vector<GObjectPtr<GInetAddressMask>> masks;
  for (const auto& c : cidrs) {
    // A bare address is accepted too and means that one host.
    GError* raw = nullptr;
    GObjectPtr<GInetAddressMask> m(g_inet_address_mask_new_from_string(c.c_str(), &raw));
    GErrorPtr err(raw);
    if (!m) {
      if (error) *error = "bad network '" + c + "': " + (err ? err->message : "unparsable");
      return false;
    }
    masks.push_back(std::move(m));
  }
  masks_ = std::move(masks);
  return true;
}

bool NetworkFilter::allowsAddress(std::string_view address) const {
  std::string a(address);
  // An IPv6 literal may come bracketed or with a zone id; neither is part of the address.
  if (a.size() > 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
  if (auto pct = a.find('%'); pct != std::string::npos) a.resize(pct);
  GObjectPtr<GInetAddress> addr(g_inet_address_new_from_string(a.c_str()));
  if (!addr) return false;
  return std::any_of(masks_.begin(), masks_.end(), [&](const auto& m) {
    return g_inet_address_get_family(addr.get()) == g_inet_address_mask_get_family(m.get()) &&
           g_inet_address_mask_matches(m.get(), addr.get());
  });
}

NetworkFilter::Verdict NetworkFilter::check(std::string_view candidate,
                                            std::string* address) const {
  std::string_view c = candidate;
  while (!c.empty() && std::isspace(static_cast<unsigned char>(c.front()))) c.remove_prefix(1);
  while (!c.empty() && std::isspace(static_cast<unsigned char>(c.back()))) c.remove_suffix(1);
  if (c.empty()) return Verdict::EndOfCandidates;
  if (c.substr(0, 2) == "a=") c.remove_prefix(2);
  if (c.substr(0, 10) != "candidate:") return Verdict::Unparsable;
  c.remove_prefix(10);
  // foundation component transport priority address port "typ" type ...
  std::istringstream in{std::string(c)};
  std::string foundation, component, transport, priority, addr, port, typ, type;
  if (!(in >> foundation >> component >> transport >> priority >> addr >> port >> typ >> type)) {
    return Verdict::Unparsable;
  }
  if (typ != "typ" || foundation.empty()) return Verdict::Unparsable;
  auto allDigits = [](const std::string& s) {
    return !s.empty() && s.size() <= 10 &&
           std::all_of(s.begin(), s.end(), [](unsigned char ch) { return std::isdigit(ch); });
  };
  if (!allDigits(component) || !allDigits(priority) || !allDigits(port)) return Verdict::Unparsable;
  if (std::stoul(port) > 65535) return Verdict::Unparsable;
  if (address) *address = addr;
  return allowsAddress(addr) ? Verdict::Allowed : Verdict::Outside;
}

}  // namespace carrel::sfu
