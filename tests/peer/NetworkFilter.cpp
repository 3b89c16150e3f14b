#include "NetworkFilter.hpp"

#include <sstream>

namespace carrel::peer {

std::optional<NetworkFilter> NetworkFilter::parse(const std::vector<std::string>& cidrs,
                                                  std::string* error) {
  NetworkFilter filter;
  for (const std::string& cidr : cidrs) {
    GError* raw = nullptr;
    GObjectPtr<GInetAddressMask> mask(g_inet_address_mask_new_from_string(cidr.c_str(), &raw));
    GErrorPtr err(raw);
    if (!mask) {
      if (error) *error = "bad network '" + cidr + "': " + (err ? err->message : "invalid");
      return std::nullopt;
    }
    filter.masks_.push_back(std::move(mask));
  }
  return filter;
}

bool NetworkFilter::allowsAddress(std::string_view address) const {
  GObjectPtr<GInetAddress> addr(g_inet_address_new_from_string(std::string(address).c_str()));
  if (!addr) return false;
  for (const auto& mask : masks_) {
    if (g_inet_address_mask_matches(mask.get(), addr.get())) return true;
  }
  return false;
}

std::optional<std::string> NetworkFilter::candidateAddress(std::string_view candidate) {
  if (candidate.starts_with("a=")) candidate.remove_prefix(2);
  if (!candidate.starts_with("candidate:")) return std::nullopt;
  // foundation component transport priority address port "typ" type ...
  std::istringstream in{std::string(candidate)};
  std::vector<std::string> tokens;
  for (std::string t; in >> t && tokens.size() < 8;) tokens.push_back(t);
  if (tokens.size() < 8 || tokens[6] != "typ") return std::nullopt;
  return tokens[4];
}

bool NetworkFilter::allowsCandidate(std::string_view candidate) const {
  auto address = candidateAddress(candidate);
  return address && allowsAddress(*address);
}

int NetworkFilter::stripCandidates(GstSDPMessage* sdp) const {
  int removed = 0;
  for (guint m = 0; m < gst_sdp_message_medias_len(sdp); ++m) {
    auto* media = const_cast<GstSDPMedia*>(gst_sdp_message_get_media(sdp, m));
    for (guint a = gst_sdp_media_attributes_len(media); a-- > 0;) {
      const GstSDPAttribute* attr = gst_sdp_media_get_attribute(media, a);
      if (!attr->key || std::string_view(attr->key) != "candidate") continue;
      std::string line = std::string("candidate:") + (attr->value ? attr->value : "");
      if (!allowsCandidate(line)) {
        gst_sdp_media_remove_attribute(media, a);
        ++removed;
      }
    }
  }
  return removed;
}

}  // namespace carrel::peer
