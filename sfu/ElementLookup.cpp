#include "ElementLookup.hpp"

namespace carrel::sfu {

bool ElementLookup::madeBy(GstElement* element, const char* factory) {
  GstElementFactory* f = element ? gst_element_get_factory(element) : nullptr;
  return f && g_strcmp0(GST_OBJECT_NAME(f), factory) == 0;
}

GstElementPtr ElementLookup::childMadeBy(GstElement* bin, const char* factory) {
  GstElementPtr found;
  if (!bin || !GST_IS_BIN(bin)) return found;
  GstIterator* it = gst_bin_iterate_elements(GST_BIN(bin));
  GValue item = G_VALUE_INIT;
  while (!found && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    auto* child = GST_ELEMENT(g_value_get_object(&item));
    if (madeBy(child, factory)) found.reset(GST_ELEMENT(gst_object_ref(child)));
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
  return found;
}

GstElementPtr ElementLookup::descendantMadeBy(GstElement* bin, const char* factory) {
  if (!bin || !GST_IS_BIN(bin)) return {};
  GstIterator* it = gst_bin_iterate_recurse(GST_BIN(bin));
  GValue item = G_VALUE_INIT;
  // gst_iterator_find_custom resyncs by itself and hands back a reference in item.
  gboolean found = gst_iterator_find_custom(
      it,
      [](gconstpointer value, gconstpointer name) -> gint {
        auto* e = GST_ELEMENT(g_value_get_object(static_cast<const GValue*>(value)));
        return madeBy(e, static_cast<const char*>(name)) ? 0 : 1;
      },
      &item, const_cast<char*>(factory));
  gst_iterator_free(it);
  GstElementPtr element(found ? GST_ELEMENT(g_value_dup_object(&item)) : nullptr);
  if (found) g_value_unset(&item);
  return element;
}

void ElementLookup::forEachDescendant(GstElement* bin, const std::function<void(GstElement*)>& fn) {
  if (!bin || !GST_IS_BIN(bin)) return;
  GstIterator* it = gst_bin_iterate_recurse(GST_BIN(bin));
  GValue item = G_VALUE_INIT;
  while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
    fn(GST_ELEMENT(g_value_get_object(&item)));
    g_value_reset(&item);
  }
  g_value_unset(&item);
  gst_iterator_free(it);
}

GstPadPtr ElementLookup::realPeer(GstPad* pad) {
  GstPadPtr p(gst_pad_get_peer(pad));
  for (int hops = 0; p && hops < 8; ++hops) {
    if (GST_IS_GHOST_PAD(p.get())) {
      p.reset(gst_ghost_pad_get_target(GST_GHOST_PAD(p.get())));
    } else if (GST_IS_PROXY_PAD(p.get())) {
      GstPadPtr ghost(GST_PAD(gst_proxy_pad_get_internal(GST_PROXY_PAD(p.get()))));
      p.reset(ghost ? gst_pad_get_peer(ghost.get()) : nullptr);
    } else {
      return p;
    }
  }
  return {};
}

GstElementPtr ElementLookup::parentOf(GstPad* pad) {
  return GstElementPtr(pad ? gst_pad_get_parent_element(pad) : nullptr);
}

GstPadPtr ElementLookup::padInside(GstElement* bin, std::initializer_list<const char*> factories,
                                   const char* pad) {
  GstElementPtr element(bin ? GST_ELEMENT(gst_object_ref(bin)) : nullptr);
  for (const char* factory : factories) {
    if (!element) return {};
    element = childMadeBy(element.get(), factory);
  }
  return GstPadPtr(element ? gst_element_get_static_pad(element.get(), pad) : nullptr);
}

}  // namespace carrel::sfu
