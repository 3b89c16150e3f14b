#include "WebrtcCall.hpp"

namespace carrel::sfu {

GstPromisePtr promiseToMain(ReplyFn fn) {
  auto* holder = new ReplyFn(std::move(fn));
  GstPromise* promise = gst_promise_new_with_change_func(
      [](GstPromise* p, gpointer data) {
        ReplyFn done = std::move(*static_cast<ReplyFn*>(data));
        ReplyPtr reply;
        std::string error;
        if (gst_promise_wait(p) != GST_PROMISE_RESULT_REPLIED) {
          error = "promise was not answered";
        } else if (const GstStructure* s = gst_promise_get_reply(p)) {
          reply.reset(gst_structure_copy(s), gst_structure_free);
          if (gst_structure_has_field(s, "error")) {
            GError* err = nullptr;
            gst_structure_get(s, "error", G_TYPE_ERROR, &err, nullptr);
            error = err ? err->message : "unknown error";
            if (err) g_error_free(err);
          }
        }
        postToMain([done = std::move(done), reply, error]() { done(reply, error); });
      },
      holder,
      [](gpointer data) {
        // Dropping the callback may answer a bus request, which only the main context may do.
        auto* fn = static_cast<ReplyFn*>(data);
        postToMain([fn]() { delete fn; });
      });
  return GstPromisePtr(promise);
}

std::string sdpText(const GstWebRTCSessionDescription* desc) {
  if (!desc || !desc->sdp) return {};
  GCharPtr text(gst_sdp_message_as_text(desc->sdp));
  return text ? text.get() : "";
}

}  // namespace carrel::sfu
