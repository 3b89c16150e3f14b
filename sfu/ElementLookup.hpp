// Finding webrtcbin's inner elements by the factory that made them: their names are numbered
// per process (srtpenc11), their factories are not.
#pragma once

#include <gst/gst.h>

#include <functional>
#include <initializer_list>

#include "GstPtr.hpp"

namespace carrel::sfu {

class ElementLookup {
 public:
  static bool madeBy(GstElement* element, const char* factory);
  // The first direct child of bin made by factory, with a reference; null if none.
  static GstElementPtr childMadeBy(GstElement* bin, const char* factory);
  // The first element made by factory anywhere inside bin, with a reference; null if none.
  static GstElementPtr descendantMadeBy(GstElement* bin, const char* factory);
  // Calls fn on every element inside bin, at any depth (each held for the call).
  static void forEachDescendant(GstElement* bin, const std::function<void(GstElement*)>& fn);
  // The element pad at the other end of pad's link, through any ghost pads on the way (a
  // ghost pad's target inside its bin, or, from a ghost pad's internal pad, the ghost pad's
  // own peer); null past 8 hops or at an unlinked pad.
  static GstPadPtr realPeer(GstPad* pad);
  // The element that owns pad, with a reference; null for none.
  static GstElementPtr parentOf(GstPad* pad);
  // The static pad named pad of the element reached from bin by childMadeBy through each
  // factory in turn (bin's child, that child's child, ...); null when a step finds nothing.
  static GstPadPtr padInside(GstElement* bin, std::initializer_list<const char*> factories,
                             const char* pad);
};

}  // namespace carrel::sfu
