#include "MeasuredSubscribe.hpp"

namespace carrel::bench {

namespace {

struct PadTag {
  std::shared_ptr<StreamStats> stats;
  peer::TrackTable* table;
  LatencyBook* book;
  std::string mid;
  uint64_t publisherTag = 0;  // resolved from the offer's track list at the first packet
};

}  // namespace

MeasuredSubscribe::MeasuredSubscribe(std::string subscriber, const peer::PeerOptions& options,
                                     const peer::NetworkFilter& filter, peer::TrackTable& tracks,
                                     StreamRegistry& registry, LatencyBook& book, Handlers handlers,
                                     Events events)
    : SubscribeConnection(options, filter, tracks, std::move(handlers), std::move(events)),
      subscriber_(std::move(subscriber)),
      table_(tracks),
      registry_(registry),
      book_(book) {}

bool MeasuredSubscribe::start(std::string* error) {
  if (!SubscribeConnection::start(error)) return false;
  // Connected after the base class's handler, which links the pad first.
  g_signal_connect(webrtc(), "pad-added", G_CALLBACK(&onPadAdded), this);
  return true;
}

void MeasuredSubscribe::onPadAdded(GstElement*, GstPad* pad, gpointer data) {
  if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) return;
  auto* self = static_cast<MeasuredSubscribe*>(data);
  GstWebRTCRTPTransceiver* rawTrans = nullptr;
  g_object_get(pad, "transceiver", &rawTrans, nullptr);
  GstPtr<GstWebRTCRTPTransceiver> trans(rawTrans);
  gchar* rawMid = nullptr;
  if (trans) g_object_get(trans.get(), "mid", &rawMid, nullptr);
  GCharPtr mid(rawMid);
  GstCapsPtr caps(gst_pad_get_current_caps(pad));
  bool video = false;
  if (caps && gst_caps_get_size(caps.get()) > 0) {
    const char* media = gst_structure_get_string(gst_caps_get_structure(caps.get(), 0), "media");
    video = media && std::string(media) == "video";
  }
  auto* tag = new PadTag{self->registry_.add(self->subscriber_, mid ? mid.get() : "", video),
                         &self->table_, &self->book_, mid ? mid.get() : ""};
  gst_pad_add_probe(
      pad, GST_PAD_PROBE_TYPE_BUFFER,
      [](GstPad*, GstPadProbeInfo* info, gpointer data) {
        auto* t = static_cast<PadTag*>(data);
        GstBuffer* buf = GST_PAD_PROBE_INFO_BUFFER(info);
        int64_t now = LatencyBook::nowUs();
        t->stats->onPacket(buf, now);
        if (!t->stats->video()) return GST_PAD_PROBE_OK;
        if (!t->publisherTag) {
          if (auto info2 = t->table->current(t->mid)) {
            t->publisherTag = LatencyBook::tag(info2->participant);
          }
        }
        if (t->publisherTag) t->book->received(LatencyBook::key(t->publisherTag, buf), now);
        return GST_PAD_PROBE_OK;
      },
      tag, [](gpointer d) { delete static_cast<PadTag*>(d); });
}

}  // namespace carrel::bench
