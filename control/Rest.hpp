// What every REST route shares: JSON replies, typed errors {"error":{"code","message"}} with
// their HTTP status, bodies parsed and checked against a field table, the bearer token, and
// answering later (after work on the DB thread) without losing the message.
#pragma once

#include <libsoup/soup.h>

#include <functional>
#include <span>
#include <string>

#include "FieldTable.hpp"
#include "GPtr.hpp"

namespace carrel::control {

class Rest {
 public:
  static constexpr size_t kMaxBody = 16 * 1024;

  static void reply(SoupServerMessage* msg, guint status, const std::string& json);
  static void fail(SoupServerMessage* msg, const std::string& code, const std::string& message);
  // fail() from an early handler (headers read, body not yet): libsoup still reads the body
  // before it answers, so it is discarded chunk by chunk instead of kept, and the connection
  // is closed after the answer.
  static void failEarly(SoupServerMessage* msg, const std::string& code,
                        const std::string& message);
  // A database job that failed: storage_unavailable (503, try again later) when the database
  // could not be reached (MySqlConnection::unavailable), else internal (500) with message.
  static void failStorage(SoupServerMessage* msg, bool down, const std::string& message);
  static guint statusFor(const std::string& code);
  // The JSON object body, checked against fields; nullptr after answering with the error.
  static JsonObjectPtr body(SoupServerMessage* msg, std::span<const Field> fields);
  static bool isMethod(SoupServerMessage* msg, const char* method);
  // The token of "Authorization: Bearer <token>", or "".
  static std::string bearer(SoupServerMessage* msg);

  // Refuses an /api/ request whose declared body is over kMaxBody before libsoup reads it
  // (a body without Content-Length is still read whole, then refused).
  static void guardBodies(SoupServer* server);

  using Answer = std::function<void(SoupServerMessage*)>;
  using Finish = std::function<void(Answer)>;
  // Pauses the message and hands start a finish() to call exactly once, from the main context.
  static void later(SoupServerMessage* msg, const std::function<void(Finish)>& start);
};

}  // namespace carrel::control
