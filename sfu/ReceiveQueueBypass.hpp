// webrtcbin 1.22's transport receive bin hands every received datagram from nicesrc's thread
// to a queue's thread (nicesrc → capsfilter → queue → dtlssrtpdec). The queue lets nicesrc
// keep reading while webrtcbin blocks the queue's output (before ICE connects, or while every
// m-line is inactive; the queue is leaky then). Once the bin passes (leaky=0, no block) the
// queue is only a thread hand-off: a futex wake and a context switch per datagram, which on a
// 2-core machine is a good part of the SFU's CPU (docs/benchmarks.md). A probe on the queue's
// sink pad then gives each buffer straight to dtlssrtpdec on nicesrc's thread. While the bin
// blocks, and after it until the queue has drained, buffers take the queue as before; events
// always do. From the first bypassed buffer on, NiceReceive (unless turned off) reads the
// datagrams from the ICE agent's callback (on a receive thread, or the agent's): they then
// come by this probe only while not bypassing, so the probe may run on that thread too.
#pragma once

#include <gst/gst.h>

#include <memory>

namespace carrel::sfu {

class ReceiveQueueBypass {
 public:
  // Before the webrtcbin negotiates: its transport receive bins come later (element-added).
  // readOnAgent: once bypassing, the ICE agent's callback reads the datagrams (NiceReceive).
  static void attach(GstElement* webrtcbin, bool readOnAgent);

 private:
  struct State;
  static void onElementAdded(GstBin*, GstElement* element, gpointer readOnAgent);
  static void bypass(GstElement* queue, bool readOnAgent);
  static void takeOverRead(State* st);
  static void onLeaky(GObject* queue, GParamSpec*, gpointer data);
  static GstPadProbeReturn onBuffer(GstPad*, GstPadProbeInfo* info, gpointer data);
};

}  // namespace carrel::sfu
