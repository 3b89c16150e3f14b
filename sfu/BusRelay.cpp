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
  // A sync handler that answers DROP owns the message (GStreamer 1.22's gst_bus_post does not
  // unref it then): it goes to the main context or is released here.
  if (GST_MESSAGE_TYPE(message) & relay->types) {
    std::shared_ptr<Handler> onMain = relay->onMain;
    postToMain([onMain, message]() {
      (*onMain)(message);
      gst_message_unref(message);
    });
  } else {
    gst_message_unref(message);
  }
  return GST_BUS_DROP;
}

}  // namespace carrel::sfu
