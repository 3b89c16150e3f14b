// RAII owners for GStreamer values (only for targets that link GStreamer).
#pragma once

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>

#include <memory>

namespace carrel {

struct GstObjectUnref {
  void operator()(gpointer p) const {
    if (p) gst_object_unref(p);
  }
};
template <typename T>
using GstPtr = std::unique_ptr<T, GstObjectUnref>;
using GstElementPtr = GstPtr<GstElement>;
using GstPadPtr = GstPtr<GstPad>;
using GstBusPtr = GstPtr<GstBus>;

struct GstCapsUnref {
  void operator()(GstCaps* c) const {
    if (c) gst_caps_unref(c);
  }
};
using GstCapsPtr = std::unique_ptr<GstCaps, GstCapsUnref>;

struct GstEventUnref {
  void operator()(GstEvent* e) const {
    if (e) gst_event_unref(e);
  }
};
using GstEventPtr = std::unique_ptr<GstEvent, GstEventUnref>;

struct GstStructureFree {
  void operator()(GstStructure* s) const {
    if (s) gst_structure_free(s);
  }
};
using GstStructurePtr = std::unique_ptr<GstStructure, GstStructureFree>;

struct GstPromiseUnref {
  void operator()(GstPromise* p) const {
    if (p) gst_promise_unref(p);
  }
};
using GstPromisePtr = std::unique_ptr<GstPromise, GstPromiseUnref>;

struct GstSdpMessageFree {
  void operator()(GstSDPMessage* m) const {
    if (m) gst_sdp_message_free(m);
  }
};
using GstSdpMessagePtr = std::unique_ptr<GstSDPMessage, GstSdpMessageFree>;

struct GstWebRTCSessionDescriptionFree {
  void operator()(GstWebRTCSessionDescription* d) const {
    if (d) gst_webrtc_session_description_free(d);
  }
};
using GstSessionDescriptionPtr =
    std::unique_ptr<GstWebRTCSessionDescription, GstWebRTCSessionDescriptionFree>;

}  // namespace carrel
