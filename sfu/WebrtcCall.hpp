// Getting from webrtcbin's threads back to the main context. webrtcbin answers promises and
// emits signals on its own threads; nothing there may block or touch SFU state, so each
// callback copies what it needs and posts the rest of the work to the main context, where
// objects are looked up again (they may be gone by then).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "GPtr.hpp"
#include "GstPtr.hpp"
#include "MainContext.hpp"

namespace carrel::sfu {

using ReplyPtr = std::shared_ptr<GstStructure>;
// Runs on the main context with a copy of the promise's reply (may be null) and the error
// text webrtcbin put in it ("" when none).
using ReplyFn = std::function<void(ReplyPtr reply, const std::string& error)>;

// A promise whose reply is handed to fn on the main context. The caller owns the result.
GstPromisePtr promiseToMain(ReplyFn fn);

// The SDP text of a description, or "".
std::string sdpText(const GstWebRTCSessionDescription* desc);

// A shared_ptr that owns one reference to a GStreamer object (for copyable lambdas).
template <typename T>
std::shared_ptr<T> sharedRef(T* object) {
  if (object) gst_object_ref(object);
  return std::shared_ptr<T>(object, [](T* o) {
    if (o) gst_object_unref(o);
  });
}

}  // namespace carrel::sfu
