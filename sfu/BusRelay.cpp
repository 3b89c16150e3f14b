#include "BusRelay.hpp"

#include <memory>

#include "MainContext.hpp"

namespace carrel::sfu {

namespace {

struct Relay {
  GstMessageType types;
  // Shared with the main-context calls still pending when the bus (and this) goes.
  std::shared_ptr<BusRelay::Handler> onMain;
};

}  // namespace

void BusRelay::install(GstBus* bus, GstMessageType types, Handler onMain) {
  auto* relay = new Relay{types, std::make_shared<Handler>(std::move(onMain))};
  gst_bus_set_sync_handler(bus, &BusRelay::onMessage, relay,
                           [](gpointer d) { delete static_cast<Relay*>(d); });
}

GstBusSyncReply BusRelay::onMessage(GstBus*, GstMessage* message, gpointer data) {
  auto* relay = static_cast<Relay*>(data);
  if (GST_MESSAGE_TYPE(message) & relay->types) {
    std::shared_ptr<Handler> onMain = relay->onMain;
    GstMessage* kept = gst_message_ref(message);
    postToMain([onMain, kept]() {
      (*onMain)(kept);
      gst_message_unref(kept);
    });
  }
  return GST_BUS_DROP;
}

}  // namespace carrel::sfu
